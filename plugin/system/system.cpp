#include "system.hpp"

#include "core/version.hpp"

namespace crm::system {

namespace {

json manifest() {
  json methods = json::array();
  for (const auto &method : registry().methods()) methods.push_back(method.name);
  return {{"name", "crm"},
          {"description", "CRM module for ERP systems"},
          {"version", crm::version::kString},
          {"abi_version", crm::version::kAbi},
          {"methods", std::move(methods)}};
}

json describe(CallContext &context, const json &) {
  json result = manifest();
  json methods = json::array();
  for (const auto &method : registry().methods())
    methods.push_back({{"name", method.name},
                       {"summary", method.summary},
                       {"params", params::json_schema(method.params)}});
  result["methods"] = std::move(methods);
  result["dialect"] = context.store.dialect().name();
  result["schema_version"] = context.store.schema_version();
  result["user"] = context.user;
  return result;
}

}  // namespace

std::string manifest_json() {
  return to_text(manifest());
}

void register_methods(Registry &registry) {
  registry.add({"system.describe",
                "The plugin manifest, the database dialect and schema version, and every method "
                "with its parameter schema (JSON Schema).",
                {},
                describe});
}

}  // namespace crm::system
