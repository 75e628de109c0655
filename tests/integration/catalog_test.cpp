// The method catalog as a contract: system.describe against the committed baseline
// (abi/methods.json), the README's method table against the catalog, and at the end of the test
// program, every method's result checked against its schema at least once.
#include <fstream>
#include <regex>
#include <sstream>

#include "fixture.hpp"

namespace crm::test {
namespace {

const std::string kBaseline = std::string(CRM_SOURCE_DIR) + "/abi/methods.json";

std::string read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A change of the JSON contract, judged by the rules of abi/POLICY.md: an added method, an added
// optional parameter or an added result member keeps callers working; a removal, a new required
// parameter or a changed type does not.
std::string judge(const json &operation) {
  const std::string op = operation["op"];
  const std::string path = operation["path"];
  if (op == "remove") return "BREAKING (removed)";
  if (op == "replace") return "BREAKING unless widened (changed)";
  // An addition: to a "required" list of parameters is breaking, anything else is additive.
  if (path.find("/params/required/") != std::string::npos) return "BREAKING (newly required)";
  return "additive";
}

class CatalogTest : public ApiTest {
 protected:
  json methods() { return ok("system.describe")["methods"]; }
};

TEST_F(CatalogTest, DescribeMatchesTheCommittedBaseline) {
  const json current = methods();
  if (std::getenv("CRM_UPDATE_CONTRACT")) {
    std::ofstream(kBaseline, std::ios::binary) << current.dump(2) << "\n";
    GTEST_SKIP() << "wrote " << kBaseline;
  }
  const std::string text = read_file(kBaseline);
  ASSERT_FALSE(text.empty()) << kBaseline << " is missing";
  const json baseline = json::parse(text);
  // Compare per method by name, so that the report names methods, not array positions.
  json before = json::object(), after = json::object();
  for (const auto &method : baseline) before[method["name"].get<std::string>()] = method;
  for (const auto &method : current) after[method["name"].get<std::string>()] = method;
  const json changes = json::diff(before, after);
  std::string report;
  for (const auto &change : changes)
    report += "\n  " + judge(change) + ": " + change["op"].get<std::string>() + " " +
              change["path"].get<std::string>();
  EXPECT_TRUE(changes.empty())
      << "the JSON contract differs from " << kBaseline << ":" << report
      << "\nIf the change is intended and additive (abi/POLICY.md), rewrite the baseline with "
         "abi/update-contract.sh and commit it on its own.";
  // The order of methods is part of what system.describe shows, but not of the contract.
  std::vector<std::string> names;
  for (const auto &method : current) names.push_back(method["name"]);
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
}

TEST_F(CatalogTest, EveryPublishedSchemaUsesOnlyCheckedKeywords) {
  // Every keyword is one the suite's checker applies (so none is published unchecked), every
  // object schema that lists members is closed, and each required member is declared.
  for (const auto &method : methods()) {
    SCOPED_TRACE(method["name"].get<std::string>());
    std::vector<const json *> pending = {&method["result"], &method["params"]};
    while (!pending.empty()) {
      const json &schema = *pending.back();
      pending.pop_back();
      ASSERT_TRUE(schema.is_object()) << schema.dump();
      for (const auto &[keyword, argument] : schema.items()) {
        static const std::set<std::string> known = {
            "type",      "enum",      "pattern",     "format",
            "minLength", "maxLength", "minimum",     "maximum",
            "minItems",  "maxItems",  "properties",  "required",
            "items",     "anyOf",     "description", "additionalProperties"};
        EXPECT_TRUE(known.count(keyword)) << "unchecked keyword " << keyword;
      }
      if (schema.value("type", json()) == "object" && schema.contains("properties")) {
        EXPECT_EQ(schema.value("additionalProperties", json()), false)
            << "an object schema with properties must be closed: " << schema.dump().substr(0, 200);
        for (const auto &name : schema.value("required", json::array()))
          EXPECT_TRUE(schema["properties"].contains(name)) << name << " is required but undeclared";
      }
      if (schema.contains("properties"))
        for (const auto &[name, member] : schema["properties"].items()) pending.push_back(&member);
      if (schema.contains("items")) pending.push_back(&schema["items"]);
      if (schema.contains("additionalProperties") && schema["additionalProperties"].is_object())
        pending.push_back(&schema["additionalProperties"]);
      if (schema.contains("anyOf"))
        for (const auto &branch : schema["anyOf"]) pending.push_back(&branch);
    }
  }
}

TEST_F(CatalogTest, TheReadmeMethodTableListsExactlyTheCatalog) {
  const std::string readme = read_file(std::string(CRM_SOURCE_DIR) + "/README.md");
  ASSERT_FALSE(readme.empty());
  // The table's rows start with "| `method`"; a row may name several methods.
  std::set<std::string> documented;
  std::istringstream lines(readme);
  const std::regex name(R"(`([a-z_]+\.[a-z_.]+)`)");
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("| `", 0) != 0) continue;
    const std::string first_cell = line.substr(1, line.find('|', 1) - 1);
    for (std::sregex_iterator it(first_cell.begin(), first_cell.end(), name), end; it != end; ++it)
      documented.insert((*it)[1]);
  }
  std::set<std::string> catalog;
  for (const auto &method : methods()) catalog.insert(method["name"].get<std::string>());
  for (const auto &method : catalog)
    EXPECT_TRUE(documented.count(method)) << method << " is missing from README.md's method table";
  for (const auto &method : documented)
    EXPECT_TRUE(catalog.count(method)) << "README.md documents " << method << ", no such method";
}

// After every test of the program has run: each catalog method had a successful result checked
// against its schema (only when the whole program ran; a filtered run proves nothing here).
class EveryResultChecked : public ::testing::Environment {
 public:
  void TearDown() override {
    if (::testing::GTEST_FLAG(filter) != "*") return;
    TestDatabase database;
    auto plugin = host::Plugin::load(library_path());
    host::Client client(plugin, database.client_config_json());
    auto session = client.open_session("alice");
    json body = json::parse(session.call(R"({"method":"system.describe"})").body);
    for (const auto &method : body["result"]["methods"])
      EXPECT_TRUE(ApiTest::checked_methods().count(method["name"].get<std::string>()))
          << method["name"].get<std::string>()
          << " never returned a result the suite checked against its schema";
  }
};

[[maybe_unused]] const auto *const kEveryResultChecked =
    ::testing::AddGlobalTestEnvironment(new EveryResultChecked);

}  // namespace
}  // namespace crm::test
