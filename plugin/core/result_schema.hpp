// The JSON Schemas of method results, published by system.describe beside the parameter
// schemas. Objects are closed (additionalProperties false) and list every member they may hold,
// so a result member that is not declared here is a contract change the tests catch.
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace crm::result_schema {

using nlohmann::json;
using Members = std::vector<std::pair<std::string, json>>;

inline json string() {
  return {{"type", "string"}};
}
// A 64-bit id as a JSON string.
inline json id() {
  return {{"type", "string"}, {"pattern", "^[1-9][0-9]{0,18}$"}};
}
// An instant in UTC, ISO 8601.
inline json timestamp() {
  return {{"type", "string"}, {"format", "date-time"}};
}
// Exact money as a decimal string (never a binary floating-point number).
inline json money() {
  return {{"type", "string"}, {"pattern", "^-?[0-9]+(\\.[0-9]+)?$"}};
}
inline json integer() {
  return {{"type", "integer"}};
}
inline json number() {
  return {{"type", "number"}};
}
inline json boolean() {
  return {{"type", "boolean"}};
}
inline json enumeration(std::vector<std::string> values) {
  return {{"type", "string"}, {"enum", std::move(values)}};
}
// A calendar date, YYYY-MM-DD.
inline json date() {
  return {{"type", "string"}, {"pattern", "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}};
}
// Any JSON object (caller-defined attributes).
inline json free_object() {
  return {{"type", "object"}};
}
inline json nullable(json schema) {
  return {{"anyOf", json::array({std::move(schema), {{"type", "null"}}})}};
}
inline json array(json items) {
  return {{"type", "array"}, {"items", std::move(items)}};
}
// An object whose member names are data (a class or stage name), each value of one schema.
inline json map(json values) {
  return {{"type", "object"}, {"additionalProperties", std::move(values)}};
}
inline json any_of(std::vector<json> branches) {
  return {{"anyOf", std::move(branches)}};
}

// A closed object: `always` members are present in every result, `sometimes` ones may be absent.
inline json object(const Members &always, const Members &sometimes = {}) {
  json properties = json::object();
  json required = json::array();
  for (const auto &[name, schema] : always) {
    properties[name] = schema;
    required.push_back(name);
  }
  for (const auto &[name, schema] : sometimes) properties[name] = schema;
  return {{"type", "object"},
          {"properties", std::move(properties)},
          {"required", std::move(required)},
          {"additionalProperties", false}};
}

// A keyset page: {"items": [...], "next_cursor": "..." | null}.
inline json page(json item, const Members &extra = {}) {
  Members members = {{"items", array(std::move(item))}, {"next_cursor", nullable(string())}};
  members.insert(members.end(), extra.begin(), extra.end());
  return object(members);
}

}  // namespace crm::result_schema
