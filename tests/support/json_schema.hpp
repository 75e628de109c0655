// A JSON Schema checker for the subset system.describe publishes (type, enum, pattern, format
// date-time and email, minLength/maxLength, minimum/maximum, minItems/maxItems, properties,
// required, additionalProperties, items, anyOf, description). A keyword outside that subset is
// itself reported, so a schema can never pass by using a keyword nothing checks.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace crm::test {

// The violations of value against schema, each as "path: what is wrong"; empty when it conforms.
std::vector<std::string> schema_violations(const nlohmann::json &schema,
                                           const nlohmann::json &value,
                                           const std::string &path = "result");

}  // namespace crm::test
