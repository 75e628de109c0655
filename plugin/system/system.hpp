// system.describe: the manifest and every method with its parameter schema.
#pragma once

#include <string>

#include "../core/registry.hpp"

namespace crm::system {

void register_methods(Registry &registry);

// {"name", "version", "abi_version", "methods": [names]}: the plugin manifest the host reads
// before it creates a client.
std::string manifest_json();

}  // namespace crm::system
