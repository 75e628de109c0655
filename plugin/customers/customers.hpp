// Customers: the CRM's own record of a company or person, optionally linked to the host ERP's
// customer key. Methods: customer.create, .get, .update, .list, .link_host.
#pragma once

#include <cstdint>
#include <string>

#include "../core/registry.hpp"

namespace crm::customers {

void register_methods(Registry &registry);

// Throws not_found naming `field` unless the customer exists (used by other areas).
void require_exists(db::Connection &connection, std::int64_t id, const std::string &field);

}  // namespace crm::customers
