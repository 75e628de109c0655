// Delegation (工作代理): short-term cover of one user's work by another. Methods:
// delegation.create, .end, .list. Whether a delegation is active is judged when read, by the
// organisation's Actor resolution, which adds the delegator's customers to the delegate's.
#pragma once

#include "../core/registry.hpp"

namespace crm::delegation {

void register_methods(Registry &registry);

}  // namespace crm::delegation
