// Transfer of ownership (工作转移): when a salesperson leaves or territories change, a user's
// customers move to another with their open opportunities and tasks, in one transaction and
// audited record by record; orphans are the customers nobody active owns. Methods:
// ownership.transfer, ownership.batch.get, ownership.batch.list, ownership.orphans.
#pragma once

#include "../core/registry.hpp"

namespace crm::ownership {

void register_methods(Registry &registry);

}  // namespace crm::ownership
