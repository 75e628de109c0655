// Contacts: the people at a customer. Methods: contact.create, contact.list.
#pragma once

#include "../core/registry.hpp"

namespace crm::contacts {

void register_methods(Registry &registry);

}  // namespace crm::contacts
