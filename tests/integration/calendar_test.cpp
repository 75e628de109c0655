// Business calendars through the C ABI: the configuration section, calendar.list, calendar.due
// and calendar.between (the arithmetic itself is tested in tests/unit).
#include "fixture.hpp"

namespace crm::test {
namespace {

class CalendarTest : public ApiTest {
 protected:
  static json calendars() {
    return {{"default", "shanghai"},
            {"teams", {{"east", "shanghai"}, {"us", "new-york"}}},
            {"definitions",
             {{"shanghai",
               {{"time_zone", "Asia/Shanghai"},
                {"holidays", {"2027-01-01"}},
                {"working_days", {{"2027-01-02", "friday"}}}}},
              {"new-york", {{"time_zone", "America/New_York"}}}}}};
  }
};

TEST_F(CalendarTest, TheConfiguredCalendarsAreListedWithTheTeamsThatUseThem) {
  reconfigure({{"calendars", calendars()}});
  const json listed = ok("calendar.list")["calendars"];
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0]["name"], "new-york");
  EXPECT_EQ(listed[0]["time_zone"], "America/New_York");
  EXPECT_EQ(listed[0]["default"], false);
  EXPECT_EQ(listed[0]["teams"], json({"us"}));
  EXPECT_EQ(listed[1]["name"], "shanghai");
  EXPECT_EQ(listed[1]["default"], true);
  EXPECT_EQ(listed[1]["teams"], json({"east"}));
  EXPECT_EQ(listed[1]["week"]["monday"], json({"09:00-18:00"}));
  EXPECT_EQ(listed[1]["week"]["sunday"], json::array());
  EXPECT_EQ(listed[1]["holidays"], json({"2027-01-01"}));
  EXPECT_EQ(listed[1]["working_days"],
            json::parse(R"([{"date": "2027-01-02", "hours": ["09:00-18:00"]}])"));
}

TEST_F(CalendarTest, DueTimesAndBusinessTimeFollowTheCalendarAsked) {
  reconfigure({{"calendars", calendars()}});
  // Thursday 2026-12-31 17:00 in Shanghai + 2 h: one hour on Thursday, the holiday, then
  // Saturday 2 January works Friday's hours.
  json due = ok("calendar.due", {{"from", "2026-12-31T17:00:00+08:00"}, {"business_minutes", 120}});
  EXPECT_EQ(due["calendar"], "shanghai");
  EXPECT_EQ(due["from"], "2026-12-31T09:00:00Z");
  EXPECT_EQ(due["due"], "2027-01-02T02:00:00Z");
  // The same instant in New York is 04:00 on Thursday.
  due = ok(
      "calendar.due",
      {{"calendar", "new-york"}, {"from", "2026-12-31T17:00:00+08:00"}, {"business_minutes", 120}});
  EXPECT_EQ(due["due"], "2026-12-31T16:00:00Z");
  const json between = ok("calendar.between", {{"calendar", "shanghai"},
                                               {"from", "2026-12-31T00:00:00+08:00"},
                                               {"to", "2027-01-04T12:00:00+08:00"}});
  EXPECT_EQ(between["business_seconds"], (9 + 9 + 3) * 3600);
  EXPECT_EQ(ok("calendar.between", {{"from", "2027-01-03T00:00:00Z"},
                                    {"to", "2027-01-03T00:00:00Z"}})["business_seconds"],
            0);
}

TEST_F(CalendarTest, WithoutTheSectionTheStandardWeekRunsInTheHostTimeZone) {
  reconfigure({{"host", {{"time_zone", "-05:00"}}}});
  const json listed = ok("calendar.list")["calendars"];
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["name"], "standard");
  EXPECT_EQ(listed[0]["time_zone"], "-05:00");
  EXPECT_EQ(
      ok("calendar.due", {{"from", "2026-12-04T17:30:00-05:00"}, {"business_minutes", 60}})["due"],
      "2026-12-07T14:30:00Z");
}

TEST_F(CalendarTest, WhatCannotBeComputedIsRefusedByName) {
  reconfigure({{"calendars", calendars()}});
  rejects("calendar.due",
          {{"calendar", "上海"}, {"from", "2026-12-31T17:00:00+08:00"}, {"business_minutes", 1}},
          "not_found", "params.calendar");
  rejects("calendar.between",
          {{"from", "2026-12-31T17:00:00+08:00"}, {"to", "2026-12-31T16:59:59+08:00"}},
          "invalid_argument", "params.to");
  rejects("calendar.between", {{"from", "2026-01-01T00:00:00Z"}, {"to", "2036-12-31T00:00:00Z"}},
          "invalid_argument", "params.to");
  // 3,660 days of a 45-hour week hold about 1,411,000 business minutes.
  rejects("calendar.due", {{"from", "2026-01-01T00:00:00Z"}, {"business_minutes", 2'000'000}},
          "invalid_argument", "params.business_minutes");
  rejects("calendar.due", {{"from", "2026-01-01T00:00:00Z"}, {"business_minutes", -1}},
          "invalid_argument", "params.business_minutes");
}

TEST_F(CalendarTest, ABadSectionStopsTheClientAndNamesTheField) {
  EXPECT_NE(client_error({{"calendars", {{"definitions", {{"a", {{"time_zone", "Mars/Base"}}}}}}}})
                .find("calendars.definitions.a.time_zone"),
            std::string::npos);
  EXPECT_NE(
      client_error({{"calendars", {{"definitions", {{"a", {{"week", {{"monday", {"9-18"}}}}}}}}}}})
          .find("calendars.definitions.a.week.monday[0]"),
      std::string::npos);
}

}  // namespace
}  // namespace crm::test
