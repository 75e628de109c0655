// The golden request/response files (tests/golden/*.json, see README.md there): every scenario
// runs in order on a fresh SQLite database, through include/crm/host.hpp as a host would, and
// every response must equal the one in the file, up to the placeholders. The Python runner
// (tests/python/test_golden.py) runs the same files through the Python package.
// CRM_GOLDEN_UPDATE=1 rewrites the files with the actual responses instead.
#include <gtest/gtest.h>
#include <crm/host.hpp>

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const std::string timestamp_placeholder = "<timestamp>";
const std::string elapsed_placeholder = "<elapsed>";

bool is_timestamp(const json &value) {
  static const std::regex instant(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z)");
  return value.is_string() && std::regex_match(value.get<std::string>(), instant);
}

// A duration up to now (e.g. an open opportunity's time in its stage): any number, not negative.
bool is_elapsed(const json &value) {
  return value.is_number() && value.get<double>() >= 0;
}

// JSON kinds as the contract sees them: 1 and 1.0 differ, signed and unsigned integers do not.
std::string kind(const json &value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer";
    case json::value_t::number_float:
      return "float";
    case json::value_t::string:
      return "string";
    case json::value_t::array:
      return "array";
    case json::value_t::object:
      return "object";
    default:
      return "other";
  }
}

// Every difference between an expected and an actual value, one line each, by JSON path.
void compare(const json &expected, const json &actual, const std::string &path,
             std::vector<std::string> &differences) {
  if (expected.is_string() && expected.get<std::string>() == timestamp_placeholder) {
    if (!is_timestamp(actual))
      differences.push_back(path + ": expected <timestamp>, got " + actual.dump());
    return;
  }
  if (expected.is_string() && expected.get<std::string>() == elapsed_placeholder) {
    if (!is_elapsed(actual))
      differences.push_back(path + ": expected <elapsed>, got " + actual.dump());
    return;
  }
  if (kind(expected) != kind(actual)) {
    differences.push_back(path + ": expected " + expected.dump() + ", got " + actual.dump());
    return;
  }
  if (expected.is_object()) {
    for (const auto &[key, value] : expected.items()) {
      if (!actual.contains(key)) {
        differences.push_back(path + "." + key + ": missing (expected " + value.dump() + ")");
      } else {
        compare(value, actual[key], path + "." + key, differences);
      }
    }
    for (const auto &[key, value] : actual.items()) {
      if (!expected.contains(key))
        differences.push_back(path + "." + key + ": unexpected member " + value.dump());
    }
  } else if (expected.is_array()) {
    if (expected.size() != actual.size()) {
      differences.push_back(path + ": expected " + std::to_string(expected.size()) +
                            " items, got " + std::to_string(actual.size()));
    }
    for (std::size_t i = 0; i < std::min(expected.size(), actual.size()); ++i) {
      compare(expected[i], actual[i], path + "[" + std::to_string(i) + "]", differences);
    }
  } else if (expected != actual) {
    differences.push_back(path + ": expected " + expected.dump() + ", got " + actual.dump());
  }
}

// The actual response, with the old file's placeholders kept where the value still matches one.
json keep_placeholders(const json &old, const json &actual) {
  if (old.is_string() && old.get<std::string>() == timestamp_placeholder && is_timestamp(actual))
    return old;
  if (old.is_string() && old.get<std::string>() == elapsed_placeholder && is_elapsed(actual))
    return old;
  if (old.is_object() && actual.is_object()) {
    json out = json::object();
    for (const auto &[key, value] : actual.items()) {
      out[key] = old.contains(key) ? keep_placeholders(old[key], value) : value;
    }
    return out;
  }
  if (old.is_array() && actual.is_array()) {
    json out = json::array();
    for (std::size_t i = 0; i < actual.size(); ++i) {
      out.push_back(i < old.size() ? keep_placeholders(old[i], actual[i]) : actual[i]);
    }
    return out;
  }
  return actual;
}

// For a step written without a response yet: instants that the scenario's requests do not
// contain (as given, or converted to UTC) come from the clock, so they become placeholders.
json placeholders_for_clock(const json &actual, const std::set<std::string> &given) {
  if (is_timestamp(actual) && !given.count(actual.get<std::string>())) return timestamp_placeholder;
  if (actual.is_structured()) {
    json out = actual;
    for (auto &[key, value] : out.items()) value = placeholders_for_clock(value, given);
    return out;
  }
  return actual;
}

// An instant written with an offset, as the library returns it: in UTC with Z.
std::optional<std::string> in_utc(const std::string &text) {
  static const std::regex with_offset(
      R"((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?([+-])(\d{2}):(\d{2}))");
  std::smatch m;
  if (!std::regex_match(text, m, with_offset)) return std::nullopt;
  using namespace std::chrono;
  const auto number = [&](int i) { return std::stoi(m[i].str()); };
  const year_month_day date{year(number(1)), month(unsigned(number(2))), day(unsigned(number(3)))};
  const minutes offset = hours(number(9)) + minutes(number(10));
  const sys_seconds local =
      sys_days(date) + hours(number(4)) + minutes(number(5)) + seconds(number(6));
  const sys_seconds utc = m[8] == "+" ? local - offset : local + offset;
  const year_month_day utc_date{floor<days>(utc)};
  const hh_mm_ss time{utc - floor<days>(utc)};
  char out[32];
  std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02ld:%02ld:%02lld", int(utc_date.year()),
                unsigned(utc_date.month()), unsigned(utc_date.day()), long(time.hours().count()),
                long(time.minutes().count()), (long long)time.seconds().count());
  return out + m[7].str() + "Z";
}

void collect_strings(const json &value, std::set<std::string> &out) {
  if (value.is_string()) {
    out.insert(value.get<std::string>());
    if (auto utc = in_utc(value.get<std::string>())) out.insert(*utc);
  }
  if (value.is_structured()) {
    for (const auto &item : value) collect_strings(item, out);
  }
}

std::string library_path() {
  const char *path = std::getenv("CRM_LIBRARY");
  return path && *path ? path : CRM_GOLDEN_LIBRARY;
}

// A fresh folder for one scenario's database, removed with it.
struct ScratchFolder {
  fs::path path;
  ScratchFolder() {
    std::string pattern = (fs::temp_directory_path() / "crm-golden-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path = pattern;
  }
  ~ScratchFolder() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

// A request is sent as the file holds it: an object as its JSON text, a string as raw text (so
// that malformed requests can be written down).
std::string request_text(const json &request) {
  return request.is_string() ? request.get<std::string>() : request.dump();
}

// Runs a scenario; returns the report of every step that did not match (empty when all did).
// With `update`, the scenario's responses are replaced by the actual ones instead.
std::string run_scenario(json &scenario, bool update) {
  auto plugin = crm::host::Plugin::load(library_path());
  ScratchFolder folder;
  // The scenario's user is the installation's first administrator (organisation.bootstrap_admins):
  // the database is fresh, so there is no CRM user yet.
  const std::string user = scenario.value("user", "golden-user");
  json config = {{"database", {{"dialect", "sqlite"}, {"path", (folder.path / "crm.db").string()}}},
                 {"organisation", {{"bootstrap_admins", {user}}}}};
  // A scenario may configure the domain sections it shows (calendars, lifecycle ...).
  if (scenario.contains("config")) config.update(scenario["config"]);
  crm::host::Client client(plugin, config.dump());
  crm::host::Session session = client.open_session(user);
  std::set<std::string> given;
  for (const auto &step : scenario["steps"]) collect_strings(step["request"], given);

  std::ostringstream report;
  int number = 0;
  for (auto &step : scenario["steps"]) {
    ++number;
    auto response = session.call(request_text(step["request"]));
    json actual = json::parse(response.body, nullptr, false);
    const json expected = step.value("response", json());
    std::vector<std::string> differences;
    if (actual.is_discarded()) {
      differences.push_back("the response is not JSON: " + response.body);
    } else {
      // The status crm_call returns is the envelope's code.
      const int code = actual.value("ok", false) ? 0 : actual["error"].value("code", 0);
      if (response.status != code) {
        differences.push_back("crm_call returned " + std::to_string(response.status) +
                              ", the envelope says " + std::to_string(code));
      }
      if (update) {
        step["response"] = step.contains("response") ? keep_placeholders(expected, actual)
                                                     : placeholders_for_clock(actual, given);
      } else {
        compare(expected, actual, "response", differences);
      }
    }
    if (!differences.empty()) {
      report << "step " << number << ": " << request_text(step["request"]) << "\n";
      for (const auto &difference : differences) report << "  " << difference << "\n";
      report << "  expected: " << expected.dump() << "\n  actual:   " << response.body << "\n";
    }
  }
  return report.str();
}

std::vector<fs::path> golden_files() {
  std::vector<fs::path> files;
  for (const auto &entry : fs::directory_iterator(CRM_GOLDEN_DIR)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

json read_json(const fs::path &path) {
  std::ifstream in(path);
  return json::parse(in);
}

class GoldenFile : public ::testing::TestWithParam<fs::path> {};

TEST_P(GoldenFile, EveryResponseMatches) {
  json scenario = read_json(GetParam());
  const char *update = std::getenv("CRM_GOLDEN_UPDATE");
  if (update && std::string(update) == "1") {
    const std::string report = run_scenario(scenario, true);
    EXPECT_EQ(report, "") << GetParam();
    std::ofstream(GetParam()) << scenario.dump(2) << "\n";
    return;
  }
  const std::string report = run_scenario(scenario, false);
  EXPECT_EQ(report, "") << GetParam().filename().string() << ":\n" << report;
}

INSTANTIATE_TEST_SUITE_P(Scenarios, GoldenFile, ::testing::ValuesIn(golden_files()),
                         [](const auto &info) {
                           std::string name = info.param.stem().string();
                           std::replace_if(
                               name.begin(), name.end(), [](char c) { return !std::isalnum(c); },
                               '_');
                           return name;
                         });

// The runner itself: a golden file that no longer matches must fail, naming the step.
TEST(GoldenRunner, ThereAreScenarios) {
  EXPECT_GE(golden_files().size(), 8u);
}

TEST(GoldenRunner, ReportsAChangedValue) {
  json scenario = read_json(golden_files().front());
  ASSERT_TRUE(scenario["steps"][0]["response"].is_object());
  scenario["steps"][0]["response"]["ok"] = !scenario["steps"][0]["response"]["ok"].get<bool>();
  const std::string report = run_scenario(scenario, false);
  EXPECT_NE(report.find("step 1: "), std::string::npos) << report;
  EXPECT_NE(report.find("response.ok: expected"), std::string::npos) << report;
}

TEST(GoldenRunner, ReportsMissingAndExtraMembersAndTypes) {
  std::vector<std::string> differences;
  compare(json{{"a", 1}, {"b", "x"}}, json{{"a", 1.0}, {"c", nullptr}}, "r", differences);
  EXPECT_EQ(differences,
            (std::vector<std::string>{"r.a: expected 1, got 1.0", "r.b: missing (expected \"x\")",
                                      "r.c: unexpected member null"}));
}

TEST(GoldenRunner, TimestampPlaceholderMatchesOnlyUtcInstants) {
  for (const char *good : {"2026-12-01T14:31:51Z", "2026-12-01T14:31:51.123456Z"}) {
    std::vector<std::string> differences;
    compare(timestamp_placeholder, good, "r", differences);
    EXPECT_TRUE(differences.empty()) << good;
  }
  for (const json &bad : {json("2026-12-01T14:31:51+08:00"), json("2026-12-01"), json(nullptr)}) {
    std::vector<std::string> differences;
    compare(timestamp_placeholder, bad, "r", differences);
    EXPECT_EQ(differences.size(), 1u) << bad;
  }
}

TEST(GoldenRunner, ElapsedPlaceholderMatchesOnlyNumbersNotNegative) {
  for (const json &good : {json(0), json(530), json(0.00053)}) {
    std::vector<std::string> differences;
    compare(elapsed_placeholder, good, "r", differences);
    EXPECT_TRUE(differences.empty()) << good;
  }
  for (const json &bad : {json(-1), json("530"), json(nullptr)}) {
    std::vector<std::string> differences;
    compare(elapsed_placeholder, bad, "r", differences);
    EXPECT_EQ(differences.size(), 1u) << bad;
  }
}

TEST(GoldenRunner, NewStepsKeepTheInstantsRequestsGave) {
  EXPECT_EQ(in_utc("2026-11-02T09:30:00+08:00"), "2026-11-02T01:30:00Z");
  EXPECT_EQ(in_utc("2026-12-31T23:30:00.5-01:00"), "2027-01-01T00:30:00.5Z");
  EXPECT_EQ(in_utc("2026-11-02T09:30:00Z"), std::nullopt);
  std::set<std::string> given;
  collect_strings(json{{"at", "2026-11-02T09:30:00+08:00"}}, given);
  EXPECT_EQ(placeholders_for_clock(
                json{{"a", "2026-11-02T01:30:00Z"}, {"b", "2026-12-01T00:00:00Z"}}, given),
            (json{{"a", "2026-11-02T01:30:00Z"}, {"b", timestamp_placeholder}}));
}

TEST(GoldenRunner, UpdateKeepsPlaceholdersThatStillMatch) {
  json old = {{"at", timestamp_placeholder}, {"gone", timestamp_placeholder}, {"n", 1}};
  json actual = {{"at", "2026-12-01T14:31:51Z"}, {"gone", "now text"}, {"n", 2}};
  EXPECT_EQ(keep_placeholders(old, actual),
            (json{{"at", timestamp_placeholder}, {"gone", "now text"}, {"n", 2}}));
}

}  // namespace
