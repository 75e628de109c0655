// The suite's JSON Schema checker: each rule it applies to published schemas must catch what
// breaks it, or a result could pass the contract checks by accident.
#include "json_schema.hpp"

#include <gtest/gtest.h>

namespace crm::test {
namespace {

using nlohmann::json;

const json kCustomer = {
    {"type", "object"},
    {"properties",
     {{"id", {{"type", "string"}, {"pattern", "^[1-9][0-9]*$"}}},
      {"name", {{"type", "string"}, {"maxLength", 3}}},
      {"stage", {{"type", "string"}, {"enum", {"potential", "customer"}}}},
      {"at", {{"type", "string"}, {"format", "date-time"}}},
      {"owner", {{"anyOf", {{{"type", "string"}}, {{"type", "null"}}}}}},
      {"counts", {{"type", "object"}, {"additionalProperties", {{"type", "integer"}}}}},
      {"tags", {{"type", "array"}, {"items", {{"type", "string"}}}}}}},
    {"required", {"id", "name"}},
    {"additionalProperties", false}};

std::vector<std::string> check(const json &value) {
  return schema_violations(kCustomer, value);
}

TEST(JsonSchemaTest, AConformingValueHasNoViolations) {
  EXPECT_TRUE(check({{"id", "12"},
                     {"name", "华联超"},
                     {"stage", "customer"},
                     {"at", "2026-11-30T04:00:00.123456Z"},
                     {"owner", nullptr},
                     {"counts", {{"a", 1}, {"b", 2}}},
                     {"tags", {"x"}}})
                  .empty());
}

TEST(JsonSchemaTest, EachRuleReportsItsViolationWithThePath) {
  auto one = [](const json &value, const std::string &expected) {
    auto violations = check(value);
    ASSERT_EQ(violations.size(), 1u) << value.dump();
    EXPECT_NE(violations[0].find(expected), std::string::npos) << violations[0];
  };
  one({{"id", "12"}}, "result: the member name is missing");
  one({{"id", 12}, {"name", "a"}}, "result.id: expected");
  one({{"id", "012"}, {"name", "a"}}, "result.id: \"012\" does not match");
  one({{"id", "1"}, {"name", "华联超市"}}, "result.name: longer than 3 characters");
  one({{"id", "1"}, {"name", "a"}, {"stage", "lead"}}, "result.stage: \"lead\" is not one of");
  one({{"id", "1"}, {"name", "a"}, {"at", "2026-11-30"}}, "result.at: \"2026-11-30\" is not a");
  one({{"id", "1"}, {"name", "a"}, {"owner", 7}}, "result.owner: matches none of anyOf");
  one({{"id", "1"}, {"name", "a"}, {"counts", {{"a", "1"}}}}, "result.counts.a: expected");
  one({{"id", "1"}, {"name", "a"}, {"tags", {"x", 2}}}, "result.tags[1]: expected");
  one({{"id", "1"}, {"name", "a"}, {"extra", true}}, "result.extra: a member the schema");
}

TEST(JsonSchemaTest, AKeywordTheCheckerDoesNotApplyIsItselfAViolation) {
  const json schema = {{"type", "string"}, {"const", "x"}};
  auto violations = schema_violations(schema, "y");
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_NE(violations[0].find("unsupported schema keyword const"), std::string::npos);
}

}  // namespace
}  // namespace crm::test
