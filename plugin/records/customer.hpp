// crm_customer: the CRM's own record of a company or person. The SQL that other areas need
// about a customer lives here, so that no area includes another for it.
#pragma once

#include <cstdint>
#include <string>

#include "../core/store.hpp"

namespace crm::records::customer {

// Throws not_found naming `field` unless the customer exists.
void require_exists(db::Connection &connection, std::int64_t id, const std::string &field);

}  // namespace crm::records::customer
