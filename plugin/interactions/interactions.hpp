// Interactions: every contact with a customer on every channel. Methods: interaction.log,
// interaction.log_batch (thousands in one call, all or nothing), interaction.list.
#pragma once

#include "../core/registry.hpp"

namespace crm::interactions {

void register_methods(Registry &registry);

}  // namespace crm::interactions
