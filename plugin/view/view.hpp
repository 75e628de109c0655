// The customer 360: one call that returns everything the CRM and the host ERP know about a
// customer — profile, contacts, class, lifecycle stage and history, value, open opportunities
// and tasks — and one timeline, newest first, that merges CRM interactions, lifecycle moves and
// opportunity events with the host's orders, invoices and payments. Method: customer.view.
#pragma once

#include "../core/registry.hpp"

namespace crm::view {

void register_methods(Registry &registry);

}  // namespace crm::view
