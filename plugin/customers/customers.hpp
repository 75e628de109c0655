// Customers: the CRM's own record of a company or person, optionally linked to the host ERP's
// customer key. Methods: customer.create, .get, .update, .list, .link_host.
#pragma once

#include "../core/registry.hpp"

namespace crm::customers {

void register_methods(Registry &registry);

}  // namespace crm::customers
