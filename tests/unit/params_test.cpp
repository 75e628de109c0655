#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/params.hpp"
#include "core/registry.hpp"

namespace crm {
namespace {

using nlohmann::json;
using params::Field;

const std::vector<Field> &fields() {
  static const std::vector<Field> schema = {
      Field::string("name", 5, "n").require(),
      Field::enumeration("kind", {"a", "b"}, "k"),
      Field::id("id", "i"),
      Field::integer("limit", 1, 10, "l"),
      Field::string("email", 50, "e").as_email(),
      Field::array("items", 2, {Field::string("x", 3, "x").require()}, "items"),
      Field::object("attributes", 20, "a"),
      Field::timestamp("at", "t")};
  return schema;
}

std::string rejected_field(const json &params) {
  try {
    params::validate(params, fields(), "params");
  } catch (const Error &error) {
    EXPECT_EQ(error.status(), Status::invalid_argument);
    return error.field();
  }
  return "<accepted>";
}

TEST(Params, AcceptsValidAndNullOptionals) {
  EXPECT_EQ(rejected_field({{"name", "华联超市"},
                            {"kind", "a"},
                            {"id", "9223372036854775807"},
                            {"limit", 10},
                            {"email", "a@b.c"},
                            {"items", {{{"x", "abc"}}}},
                            {"attributes", {{"k", 1}}},
                            {"at", "2026-01-01T00:00:00Z"}}),
            "<accepted>");
  EXPECT_EQ(rejected_field({{"name", "n"}, {"kind", nullptr}, {"email", nullptr}}), "<accepted>");
}

TEST(Params, NamesTheOffendingPath) {
  EXPECT_EQ(rejected_field(json::object()), "params.name");
  EXPECT_EQ(rejected_field({{"name", nullptr}}), "params.name");
  EXPECT_EQ(rejected_field({{"name", " "}}), "params.name");
  EXPECT_EQ(rejected_field({{"name", "toolong"}}), "params.name");
  EXPECT_EQ(rejected_field({{"name", "n"}, {"bogus", 1}}), "params.bogus");
  EXPECT_EQ(rejected_field({{"name", "n"}, {"kind", "c"}}), "params.kind");
  EXPECT_EQ(rejected_field({{"name", "n"}, {"id", 5}}), "params.id");
  EXPECT_EQ(rejected_field({{"name", "n"}, {"id", "0"}}), "params.id");
  EXPECT_EQ(rejected_field({{"name", "n"}, {"id", "9223372036854775808"}}), "params.id");
  EXPECT_EQ(rejected_field({{"name", "n"}, {"limit", 11}}), "params.limit");
  EXPECT_EQ(rejected_field({{"name", "n"}, {"limit", 0}}), "params.limit");
  EXPECT_EQ(rejected_field({{"name", "n"}, {"limit", 2.5}}), "params.limit");
  EXPECT_EQ(rejected_field({{"name", "n"}, {"limit", 18446744073709551615ULL}}), "params.limit");
  EXPECT_EQ(rejected_field({{"name", "n"}, {"email", "nope"}}), "params.email");
  EXPECT_EQ(rejected_field({{"name", "n"}, {"items", json::array()}}), "params.items");
  EXPECT_EQ(rejected_field({{"name", "n"}, {"items", {{{"x", "a"}}, {{"x", "b"}}, {{"x", "c"}}}}}),
            "params.items");
  EXPECT_EQ(rejected_field({{"name", "n"}, {"items", {{{"x", "a"}}, {{"y", "b"}}}}}),
            "params.items[1].y");
  EXPECT_EQ(rejected_field({{"name", "n"}, {"items", {{{"x", "abcd"}}}}}), "params.items[0].x");
  EXPECT_EQ(rejected_field({{"name", "n"}, {"attributes", {{"k", std::string(30, 'v')}}}}),
            "params.attributes");
  EXPECT_EQ(rejected_field({{"name", "n"}, {"at", "2026-01-01"}}), "params.at");
  EXPECT_EQ(rejected_field({{"name", std::string("a\0b", 3)}}), "params.name");
  EXPECT_EQ(rejected_field({{"name", "a\x01"}}), "params.name");
  EXPECT_EQ(rejected_field(json::array()), "params");
}

TEST(Params, ParsesIdsStrictly) {
  EXPECT_EQ(params::parse_id("1"), 1);
  EXPECT_EQ(params::parse_id("9223372036854775807"), INT64_MAX);
  for (const char *bad : {"", "0", "-1", "+1", "01", "1 ", "1e3", "9223372036854775808", "x"})
    EXPECT_FALSE(params::parse_id(bad)) << bad;
}

TEST(Params, RendersJsonSchema) {
  json schema = params::json_schema(fields());
  EXPECT_EQ(schema["required"], json::array({"name"}));
  EXPECT_EQ(schema["properties"]["name"]["maxLength"], 5);
  EXPECT_EQ(schema["properties"]["kind"]["enum"], json::array({"a", "b"}));
  EXPECT_EQ(schema["properties"]["items"]["items"]["required"], json::array({"x"}));
  EXPECT_EQ(schema["properties"]["at"]["format"], "date-time");
}

// The catalog is a contract: a second method of the same name is a defect, found at start-up.
TEST(Registry, RefusesAMethodNameTwice) {
  Registry registry;
  auto handler = [](CallContext &, const json &) { return json::object(); };
  const json result = result_schema::object({});
  registry.add({"customer.get", "one", {}, result, handler, "customer.read"});
  EXPECT_THROW(registry.add({"customer.get", "two", {}, result, handler, "customer.read"}),
               std::logic_error);
  ASSERT_EQ(registry.methods().size(), 1u);
  EXPECT_EQ(registry.methods()[0].summary, "one");
}

// ... and so is a method without a result schema.
TEST(Registry, RefusesAMethodWithoutAResultSchema) {
  Registry registry;
  auto handler = [](CallContext &, const json &) { return json::object(); };
  EXPECT_THROW(registry.add({"customer.get", "one", {}, json(), handler, "customer.read"}),
               std::logic_error);
  EXPECT_THROW(registry.add({"customer.get", "one", {}, json::object(), handler, "customer.read"}),
               std::logic_error);
  EXPECT_TRUE(registry.methods().empty());
}

// ... and so is a method that names no capability: dispatch could not check who may call it.
TEST(Registry, RefusesAMethodWithoutACapability) {
  Registry registry;
  auto handler = [](CallContext &, const json &) { return json::object(); };
  Method method;
  method.name = "customer.get";
  method.result = result_schema::object({});
  method.handler = handler;
  EXPECT_THROW(registry.add(method), std::logic_error);
  EXPECT_TRUE(registry.methods().empty());
}

// A list of scalars may be empty (a user with no role), and checks each item as its field.
TEST(Params, ListsOfScalarsCheckEveryItem) {
  const std::vector<params::Field> fields = {
      params::Field::list("roles", 2, params::Field::string("", 5, "a role"), "roles")};
  EXPECT_NO_THROW(params::validate(json{{"roles", json::array()}}, fields, "params"));
  EXPECT_NO_THROW(params::validate(json{{"roles", {"a", "b"}}}, fields, "params"));
  auto field_of = [&](const json &value) {
    try {
      params::validate(json{{"roles", value}}, fields, "params");
    } catch (const Error &error) {
      return error.field();
    }
    return std::string("accepted");
  };
  EXPECT_EQ(field_of({"a", "b", "c"}), "params.roles");
  EXPECT_EQ(field_of({"a", "toolong"}), "params.roles[1]");
  EXPECT_EQ(field_of({"a", 7}), "params.roles[1]");
  EXPECT_EQ(field_of({"a", nullptr}), "params.roles[1]");
  const json schema = params::json_schema(fields)["properties"]["roles"];
  EXPECT_EQ(schema["minItems"], 0);
  EXPECT_EQ(schema["items"]["maxLength"], 5);
}

}  // namespace
}  // namespace crm
