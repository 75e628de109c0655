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
                       {"capability", method.capability},
                       {"params", params::json_schema(method.params)},
                       {"result", method.result}});
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
  namespace rs = result_schema;
  registry.add({"system.describe",
                "The plugin manifest, the database dialect and schema version, and every method "
                "with the JSON Schemas of its parameters and of its result.",
                {},
                rs::object({{"name", rs::string()},
                            {"description", rs::string()},
                            {"version", rs::string()},
                            {"abi_version", rs::integer()},
                            {"methods", rs::array(rs::object({{"name", rs::string()},
                                                              {"summary", rs::string()},
                                                              {"capability", rs::string()},
                                                              {"params", rs::free_object()},
                                                              {"result", rs::free_object()}}))},
                            {"dialect", rs::enumeration({"sqlite", "postgresql", "mariadb"})},
                            {"schema_version", rs::integer()},
                            {"user", rs::string()}}),
                describe,
                std::string(kAnySession)});
}

}  // namespace crm::system
