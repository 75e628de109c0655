// The hand-off's windows without a database: the defaults, the first matching window, whole
// minutes of business time, and the configuration errors, each naming its path.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "handoff/windows.hpp"

namespace crm::handoff {
namespace {

using nlohmann::json;
constexpr time::Micros kMinute = 60'000'000LL;

Windows load(const std::string &text) {
  const json section = json::parse(text);
  return load_windows(&section);
}

std::string refused_field(const std::string &text) {
  try {
    load(text);
  } catch (const Error &error) {
    EXPECT_EQ(error.status(), Status::invalid_argument) << text;
    return error.field();
  }
  ADD_FAILURE() << "accepted: " << text;
  return {};
}

TEST(HandoffWindows, WithoutTheSectionSalesHasFourHoursToAnswerAndEightToCall) {
  const auto windows = load_windows(nullptr);
  EXPECT_EQ(windows.of("east", "web", "A"), std::make_pair(240 * kMinute, 480 * kMinute));
}

TEST(HandoffWindows, TheFirstWindowWhoseConditionsAllHoldDecides) {
  const auto windows = load(R"({
    "accept_hours": 3, "contact_hours": 6,
    "windows": [{"source": "referral", "accept_hours": 0.25},
                {"team": "east", "tier": "key", "accept_hours": 1, "contact_hours": 2},
                {"team": "east", "contact_hours": 24}]})");
  // A referral to team east of tier key: the first entry, its contact window the default.
  EXPECT_EQ(windows.of("east", "referral", "key"), std::make_pair(15 * kMinute, 360 * kMinute));
  EXPECT_EQ(windows.of("east", "web", "key"), std::make_pair(60 * kMinute, 120 * kMinute));
  EXPECT_EQ(windows.of("east", "web", std::nullopt), std::make_pair(180 * kMinute, 1440 * kMinute));
  // No team (the default calendar's hand-offs) meets no team condition.
  EXPECT_EQ(windows.of(std::nullopt, "web", "key"), std::make_pair(180 * kMinute, 360 * kMinute));
}

TEST(HandoffWindows, MistakesNameTheirPath) {
  EXPECT_EQ(refused_field(R"([])"), "handoff");
  EXPECT_EQ(refused_field(R"({"accept_hours": 0})"), "handoff.accept_hours");
  EXPECT_EQ(refused_field(R"({"accept_hours": -1})"), "handoff.accept_hours");
  EXPECT_EQ(refused_field(R"({"accept_hours": "4"})"), "handoff.accept_hours");
  EXPECT_EQ(refused_field(R"({"accept_hours": true})"), "handoff.accept_hours");
  EXPECT_EQ(refused_field(R"({"contact_hours": 8761})"), "handoff.contact_hours");
  EXPECT_EQ(refused_field(R"({"contact_hours": 0.001})"), "handoff.contact_hours");
  EXPECT_EQ(refused_field(R"({"sla": 4})"), "handoff.sla");
  EXPECT_EQ(refused_field(R"({"windows": {}})"), "handoff.windows");
  EXPECT_EQ(refused_field(R"({"windows": [1]})"), "handoff.windows[0]");
  EXPECT_EQ(refused_field(R"({"windows": [{"accept_hours": 1}]})"), "handoff.windows[0]");
  EXPECT_EQ(refused_field(R"({"windows": [{"team": ""}]})"), "handoff.windows[0].team");
  EXPECT_EQ(refused_field(R"({"windows": [{"tier": 7}]})"), "handoff.windows[0].tier");
  EXPECT_EQ(refused_field(R"({"windows": [{"team": "a"}, {"source": "b", "accept_hours": 1.01}]})"),
            "handoff.windows[1].accept_hours");
  // 1.5 hours and 8,760 hours are fine.
  EXPECT_EQ(load(R"({"accept_hours": 1.5, "contact_hours": 8760})").of({}, {}, {}),
            std::make_pair(90 * kMinute, 8760 * 60 * kMinute));
}

}  // namespace
}  // namespace crm::handoff
