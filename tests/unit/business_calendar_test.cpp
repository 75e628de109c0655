// Business time on calendars: shifts, night shifts, holidays, extra working days, time zones
// with and without daylight saving, and the "calendars" configuration section.
#include <gtest/gtest.h>

#include <random>

#include "calendar/business_calendar.hpp"
#include "calendar/calendar.hpp"
#include "core/error.hpp"

namespace crm::calendar {
namespace {

constexpr time::Micros kMinute = 60'000'000;
constexpr time::Micros kHour = 60 * kMinute;

time::Micros at(const char *iso) {
  auto instant = time::parse_iso8601(iso);
  EXPECT_TRUE(instant) << iso;
  return instant.value_or(0);
}

std::string iso(std::optional<time::Micros> instant) {
  return instant ? time::format_iso8601(*instant) : "none";
}

Calendars load(const std::string &text, int host_offset_minutes = 480) {
  const json section = json::parse(text);
  return Calendars::load(&section, host_offset_minutes);
}

const BusinessCalendar &only(const Calendars &calendars) {
  return calendars.default_calendar().calendar;
}

// Beijing office hours with a lunch break, and the 2026 National Day holiday with its make-up
// working days (the Sunday before works Monday's hours, the Saturday after its own).
const char *kBeijing = R"({"definitions": {"beijing": {
    "time_zone": "+08:00",
    "week": {"monday": ["09:00-12:00", "13:00-18:00"], "tuesday": ["09:00-12:00", "13:00-18:00"],
             "wednesday": ["09:00-12:00", "13:00-18:00"], "thursday": ["09:00-12:00", "13:00-18:00"],
             "friday": ["09:00-12:00", "13:00-18:00"]},
    "holidays": ["2026-10-01..2026-10-07"],
    "working_days": {"2026-09-27": "monday", "2026-10-10": ["10:00-16:00"]}}}})";

TEST(BusinessCalendar, AWindowThatOutlastsFridayEndsOnMonday) {
  const auto calendars = load(kBeijing);
  const auto &beijing = only(calendars);
  // Friday 2026-11-27 17:00 +08:00: one hour on Friday, then eight of Monday's (09-12, 13-18).
  EXPECT_EQ(iso(beijing.due(at("2026-11-27T09:00:00Z"), 9 * kHour)), "2026-11-30T10:00:00Z");
  // Starting on Saturday counts from Monday's first hour.
  EXPECT_EQ(iso(beijing.due(at("2026-11-28T03:00:00Z"), kHour)), "2026-11-30T02:00:00Z");
  // Across lunch: 11:30 + 1 h is 13:30.
  EXPECT_EQ(iso(beijing.due(at("2026-11-30T03:30:00Z"), kHour)), "2026-11-30T05:30:00Z");
  // A window that ends exactly at the end of the day ends then, not the next morning.
  EXPECT_EQ(iso(beijing.due(at("2026-11-30T09:00:00Z"), kHour)), "2026-11-30T10:00:00Z");
  // Zero business time is due at once, even outside working hours.
  EXPECT_EQ(iso(beijing.due(at("2026-11-28T03:00:00Z"), 0)), "2026-11-28T03:00:00Z");
}

TEST(BusinessCalendar, HolidaysAreSkippedAndMakeUpDaysWorked) {
  const auto calendars = load(kBeijing);
  const auto &beijing = only(calendars);
  // Saturday 2026-09-26 18:00: Sunday 27th works Monday's hours.
  EXPECT_EQ(iso(beijing.due(at("2026-09-26T10:00:00Z"), kHour)), "2026-09-27T02:00:00Z");
  // Wednesday 30th 17:00 + 2 h: one hour that day, then October 1-7 are off and Thursday 8th is
  // the next working day.
  EXPECT_EQ(iso(beijing.due(at("2026-09-30T09:00:00Z"), 2 * kHour)), "2026-10-08T02:00:00Z");
  // Saturday 10th works 10:00-16:00 only.
  EXPECT_EQ(iso(beijing.due(at("2026-10-09T10:00:00Z"), 7 * kHour)), "2026-10-12T02:00:00Z");
  EXPECT_EQ(beijing.between(at("2026-10-09T16:00:00Z"), at("2026-10-11T16:00:00Z")), 6 * kHour);
  EXPECT_EQ(beijing.between(at("2026-09-30T16:00:00Z"), at("2026-10-07T16:00:00Z")), 0);
}

TEST(BusinessCalendar, AWindowSpanningMonthsCountsEveryWorkingDay) {
  const auto calendars = load(kBeijing);
  const auto &beijing = only(calendars);
  // 200 hours of 8-hour days from Friday 2026-01-30 09:00: 25 full days (Jan 30; Feb 2-6, 9-13,
  // 16-20, 23-27; Mar 2-5), so it closes at the end of Thursday 2026-03-05.
  const auto from = at("2026-01-30T01:00:00Z");
  const auto due = beijing.due(from, 200 * kHour);
  EXPECT_EQ(iso(due), "2026-03-05T10:00:00Z");
  EXPECT_EQ(beijing.between(from, *due), 200 * kHour);
  // One minute more opens Friday.
  EXPECT_EQ(iso(beijing.due(from, 200 * kHour + kMinute)), "2026-03-06T01:01:00Z");
}

TEST(BusinessCalendar, NightShiftsRunPastMidnightIntoTheNextDay) {
  const auto calendars = load(R"({"definitions": {"night": {"time_zone": "Z", "week": {
      "monday": ["22:00-06:00"], "tuesday": ["22:00-06:00"], "wednesday": ["22:00-06:00"],
      "thursday": ["22:00-06:00"], "friday": ["22:00-06:00"]},
      "holidays": ["2026-12-04"]}}})");
  const auto &night = only(calendars);
  // Tuesday 05:00: one hour of Monday's shift is left, then Tuesday's starts at 22:00.
  EXPECT_EQ(iso(night.due(at("2026-12-01T05:00:00Z"), 2 * kHour)), "2026-12-01T23:00:00Z");
  // Thursday's shift runs into Friday, a holiday: it belongs to Thursday and still counts.
  EXPECT_EQ(iso(night.due(at("2026-12-04T01:00:00Z"), kHour)), "2026-12-04T02:00:00Z");
  EXPECT_TRUE(night.working_at(at("2026-12-04T05:59:59Z")));
  EXPECT_FALSE(night.working_at(at("2026-12-04T06:00:00Z")));
  // Friday's own shift is off, so from Friday 06:00 the next one is Monday's.
  EXPECT_EQ(iso(night.due(at("2026-12-04T06:00:00Z"), kHour)), "2026-12-07T23:00:00Z");
}

TEST(BusinessCalendar, OverlappingShiftsCountOnce) {
  const auto calendars = load(R"({"definitions": {"crews": {"time_zone": "Z", "week": {
      "monday": ["08:00-12:00", "10:00-14:00", "20:00-09:00"], "tuesday": ["08:00-10:00"]}}}})");
  const auto &crews = only(calendars);
  EXPECT_EQ(crews.between(at("2026-11-30T00:00:00Z"), at("2026-12-01T00:00:00Z")), 10 * kHour);
  // Monday's night shift covers Tuesday's 08:00-09:00; 09:00-10:00 is Tuesday's own.
  EXPECT_EQ(crews.between(at("2026-12-01T00:00:00Z"), at("2026-12-02T00:00:00Z")), 10 * kHour);
}

TEST(BusinessCalendar, TimeZonesEastAndWestOfUtcShiftTheSameLocalHours) {
  const auto calendars = load(R"({"default": "tokyo", "definitions": {
      "tokyo": {"time_zone": "+09:00"}, "bogota": {"time_zone": "-05:00"},
      "kathmandu": {"time_zone": "+05:45"}}})");
  const auto from = at("2026-12-04T12:00:00Z");  // a Friday
  EXPECT_EQ(iso(calendars.find("tokyo")->calendar.due(from, kHour)), "2026-12-07T01:00:00Z");
  // 07:00 in Bogotá: the day has not begun.
  EXPECT_EQ(iso(calendars.find("bogota")->calendar.due(from, kHour)), "2026-12-04T15:00:00Z");
  EXPECT_EQ(iso(calendars.find("bogota")->calendar.due(from, 10 * kHour)), "2026-12-07T15:00:00Z");
  // 17:45 in Kathmandu: a quarter of an hour on Friday.
  EXPECT_EQ(iso(calendars.find("kathmandu")->calendar.due(from, kHour)), "2026-12-07T04:00:00Z");
}

TEST(BusinessCalendar, DaylightSavingChangesTheLengthOfTheDay) {
  const auto calendars = load(R"({"definitions": {
      "new-york": {"time_zone": "America/New_York", "week": {
        "monday": ["00:00-24:00"], "tuesday": ["00:00-24:00"], "wednesday": ["00:00-24:00"],
        "thursday": ["00:00-24:00"], "friday": ["00:00-24:00"], "saturday": ["00:00-24:00"],
        "sunday": ["00:00-24:00"]}},
      "office": {"time_zone": "America/New_York"}}, "default": "office"})");
  const auto &always = calendars.find("new-york")->calendar;
  // Sunday 2026-03-08 has 23 hours in New York, Sunday 2026-11-01 has 25.
  EXPECT_EQ(always.between(at("2026-03-08T05:00:00Z"), at("2026-03-09T04:00:00Z")), 23 * kHour);
  EXPECT_EQ(always.between(at("2026-11-01T04:00:00Z"), at("2026-11-02T05:00:00Z")), 25 * kHour);
  const auto &office = calendars.find("office")->calendar;
  // Friday 18:00 EST + 1 h is Monday 10:00 EDT, after the clocks went forward; Friday 18:00
  // EDT + 1 h is Monday 10:00 EST.
  EXPECT_EQ(iso(office.due(at("2026-03-06T23:00:00Z"), kHour)), "2026-03-09T14:00:00Z");
  EXPECT_EQ(iso(office.due(at("2026-10-30T22:00:00Z"), kHour)), "2026-11-02T15:00:00Z");
}

TEST(BusinessCalendar, ShiftTimesThatTheClocksSkipBeginAndEndAtTheChange) {
  const auto calendars = load(R"({"definitions": {"gap": {"time_zone": "America/New_York",
      "week": {"saturday": ["22:00-02:30"], "sunday": ["02:30-03:15"]}}}})");
  const auto &gap = only(calendars);
  // On 2026-03-08 New York's clocks go from 02:00 EST to 03:00 EDT (07:00Z). Saturday's night
  // shift ends at the change, after four hours; Sunday's starts there and lasts until 03:15.
  EXPECT_EQ(gap.between(at("2026-03-08T00:00:00Z"), at("2026-03-09T00:00:00Z")),
            4 * kHour + 15 * kMinute);
  EXPECT_EQ(iso(gap.due(at("2026-03-08T03:00:00Z"), 4 * kHour)), "2026-03-08T07:00:00Z");
  EXPECT_EQ(iso(gap.due(at("2026-03-08T03:00:00Z"), 4 * kHour + kMinute)), "2026-03-08T07:01:00Z");
  // A week later the same shifts are 4.5 hours and 45 minutes.
  EXPECT_EQ(gap.between(at("2026-03-15T00:00:00Z"), at("2026-03-16T00:00:00Z")),
            5 * kHour + 15 * kMinute);
}

TEST(BusinessCalendar, SaysWhenTheWindowNeverCloses) {
  const auto calendars = load(R"({"definitions": {"rare": {"time_zone": "Z", "week": {
      "monday": ["09:00-09:01"]}}}})");
  const auto &rare = only(calendars);
  EXPECT_EQ(iso(rare.due(at("2026-11-30T00:00:00Z"), 500 * kMinute)), "2036-06-23T09:01:00Z");
  EXPECT_FALSE(rare.due(at("2026-11-30T00:00:00Z"), 600 * kMinute));
  EXPECT_EQ(iso(rare.due(at("9999-12-27T00:00:00Z"), kMinute)), "9999-12-27T09:01:00Z");
  EXPECT_FALSE(rare.due(at("9999-12-27T00:00:00Z"), 2 * kMinute));
}

// The test's own oracle: whether a minute is worked, by the rule the calendar states (a shift
// belongs to the day it starts on), checked minute by minute in a fixed-offset zone.
bool worked_minute(const BusinessCalendar &calendar, int offset_minutes,
                   time::Micros minute_start) {
  const time::Micros local = minute_start + offset_minutes * kMinute;
  const time::Days day = local >= 0 ? local / time::kMicrosPerDay
                                    : (local - time::kMicrosPerDay + 1) / time::kMicrosPerDay;
  for (time::Days start_day : {day - 1, day}) {
    for (const auto &shift : calendar.hours_on(start_day)) {
      const time::Micros begin = start_day * time::kMicrosPerDay + shift.start_minute * kMinute;
      if (local >= begin && local < begin + shift.length_minutes * kMinute) return true;
    }
  }
  return false;
}

TEST(BusinessCalendar, AgreesWithCountingMinuteByMinute) {
  std::mt19937 random(20261202);
  for (int round = 0; round < 40; ++round) {
    const int offset = static_cast<int>(random() % 1561) - 720;  // -12:00 .. +14:00
    CalendarRules rules;
    rules.zone = Zone::fixed(offset * 60);
    for (auto &day : rules.week) {
      const int shifts = static_cast<int>(random() % 3);
      for (int i = 0; i < shifts; ++i)
        day.push_back({static_cast<int>(random() % 1440), static_cast<int>(1 + random() % 900)});
      std::sort(day.begin(), day.end(),
                [](const Shift &a, const Shift &b) { return a.start_minute < b.start_minute; });
    }
    const time::Days first_day = *time::parse_date("2026-11-01");
    for (time::Days day = first_day; day < first_day + 20; ++day) {
      if (random() % 5 == 0)
        rules.holidays.push_back(day);
      else if (random() % 7 == 0)
        rules.working_days.push_back({day, {{static_cast<int>(random() % 1440), 300}}});
    }
    const BusinessCalendar calendar(rules);
    const time::Micros from = first_day * time::kMicrosPerDay + (random() % 5000) * kMinute;
    const time::Micros to = from + (random() % 20000) * kMinute;
    time::Micros counted = 0;
    for (time::Micros minute = from; minute < to; minute += kMinute)
      if (worked_minute(calendar, offset, minute)) counted += kMinute;
    ASSERT_EQ(calendar.between(from, to), counted) << "round " << round;
    if (counted > 0) {
      const auto due = calendar.due(from, counted);
      ASSERT_TRUE(due);
      EXPECT_LE(*due, to);
      EXPECT_EQ(calendar.between(from, *due), counted);
      EXPECT_TRUE(worked_minute(calendar, offset, *due - kMinute)) << "round " << round;
    }
  }
}

TEST(BusinessCalendar, WithoutTheSectionTheStandardWeekRunsInTheHostTimeZone) {
  const auto calendars = Calendars::load(nullptr, -300);
  EXPECT_EQ(calendars.default_calendar().name, "standard");
  EXPECT_EQ(calendars.default_calendar().time_zone, "-05:00");
  EXPECT_EQ(&calendars.for_team("anyone"), &calendars.default_calendar());
  // Friday 17:30 -05:00 + 1 h: half an hour on Friday, half on Monday.
  EXPECT_EQ(iso(only(calendars).due(at("2026-12-04T22:30:00Z"), kHour)), "2026-12-07T14:30:00Z");
}

TEST(BusinessCalendar, TeamsUseTheirOwnCalendar) {
  const auto calendars = load(R"({"default": "a", "teams": {"east": "b"},
      "definitions": {"a": {"time_zone": "Z"}, "b": {"time_zone": "+08:00"}}})");
  EXPECT_EQ(calendars.for_team("east").name, "b");
  EXPECT_EQ(calendars.for_team("west").name, "a");
  EXPECT_EQ(calendars.find("c"), nullptr);
}

void expect_refused(const std::string &section, const std::string &field,
                    const std::string &message_part) {
  try {
    load(section);
    ADD_FAILURE() << "accepted " << section;
  } catch (const Error &error) {
    EXPECT_EQ(error.status(), Status::invalid_argument) << section;
    EXPECT_EQ(error.field(), field) << section;
    EXPECT_NE(error.message().find(message_part), std::string::npos)
        << error.message() << " / " << section;
  }
}

TEST(BusinessCalendar, TheSectionRefusesWhatIsNotACalendar) {
  expect_refused(R"([])", "calendars", "must be an object");
  expect_refused(R"({"definitions": {}})", "calendars.definitions", "1 to 64");
  expect_refused(R"({"definitions": {"a": {}}, "extra": 1})", "calendars.extra", "unknown");
  expect_refused(R"({"definitions": {"a b": {}}})", "calendars.definitions.a b", "calendar name");
  expect_refused(R"({"definitions": {"a": {}, "b": {}}})", "calendars.default", "which");
  expect_refused(R"({"definitions": {"a": {}}, "default": "x"})", "calendars.default", "\"x\"");
  expect_refused(R"({"definitions": {"a": {}}, "teams": {"t": "x"}})", "calendars.teams.t",
                 "must name one of");
  expect_refused(R"({"definitions": {"a": {"time_zone": "Mars/Olympus"}}})",
                 "calendars.definitions.a.time_zone", "Mars/Olympus");
  expect_refused(R"({"definitions": {"a": {"time_zone": "../../etc/passwd"}}})",
                 "calendars.definitions.a.time_zone", "time_zone");
  expect_refused(R"({"definitions": {"a": {"time_zone": 8}}})", "calendars.definitions.a.time_zone",
                 "time zone like");
  expect_refused(R"({"definitions": {"a": {"week": {"funday": []}}}})",
                 "calendars.definitions.a.week.funday", "unknown");
  expect_refused(R"({"definitions": {"a": {"week": {"monday": "09:00-18:00"}}}})",
                 "calendars.definitions.a.week.monday", "list of working hours");
  expect_refused(R"({"definitions": {"a": {"week": {"monday": ["9:00-18:00"]}}}})",
                 "calendars.definitions.a.week.monday[0]", "\"9:00-18:00\"");
  expect_refused(R"({"definitions": {"a": {"week": {"monday": ["09:00-24:01"]}}}})",
                 "calendars.definitions.a.week.monday[0]", "working hours like");
  expect_refused(R"({"definitions": {"a": {"week": {"monday": ["24:00-06:00"]}}}})",
                 "calendars.definitions.a.week.monday[0]", "working hours like");
  expect_refused(R"({"definitions": {"a": {"week": {"monday": ["09:00-09:00"]}}}})",
                 "calendars.definitions.a.week.monday[0]", "00:00-24:00");
  expect_refused(R"({"definitions": {"a": {"week": {}}}})", "calendars.definitions.a.week",
                 "no working hours");
  expect_refused(R"({"definitions": {"a": {"holidays": ["2026-02-30"]}}})",
                 "calendars.definitions.a.holidays[0]", "\"2026-02-30\"");
  expect_refused(R"({"definitions": {"a": {"holidays": ["2026-10-07..2026-10-01"]}}})",
                 "calendars.definitions.a.holidays[0]", "forwards");
  expect_refused(R"({"definitions": {"a": {"holidays": ["2026-01-01..2027-06-01"]}}})",
                 "calendars.definitions.a.holidays[0]", "366 days");
  expect_refused(R"({"definitions": {"a": {"holidays": ["2026-10-01"],
                 "working_days": {"2026-10-01": "monday"}}}})",
                 "calendars.definitions.a.working_days.2026-10-01", "holiday too");
  expect_refused(R"({"definitions": {"a": {"working_days": {"2026-10-10": "sunday"}}}})",
                 "calendars.definitions.a.working_days.2026-10-10", "sunday has none");
  expect_refused(R"({"definitions": {"a": {"working_days": {"2026-10-10": []}}}})",
                 "calendars.definitions.a.working_days.2026-10-10", "no hours");
  expect_refused(R"({"definitions": {"a": {"working_days": {"10/10/2026": "monday"}}}})",
                 "calendars.definitions.a.working_days.10/10/2026", "date like");
}

TEST(BusinessCalendar, TheSectionRefusesWhatExceedsItsLimits) {
  // 60 ranges of 366 days: more than the 20,000 holidays a calendar holds.
  json holidays = json::array();
  for (int year = 2000; year < 2060; ++year)
    holidays.push_back(std::to_string(year) + "-01-01.." + std::to_string(year) + "-12-31");
  expect_refused(json({{"definitions", {{"a", {{"holidays", holidays}}}}}}).dump(),
                 "calendars.definitions.a.holidays", "more than 20000 days");
  expect_refused(R"({"definitions": {"a": {"holidays": "2026-01-01"}}})",
                 "calendars.definitions.a.holidays", "up to 2000");
  json shifts = json::array();
  for (int hour = 0; hour < 25; ++hour) shifts.push_back("00:00-01:00");
  expect_refused(json({{"definitions", {{"a", {{"week", {{"monday", shifts}}}}}}}}).dump(),
                 "calendars.definitions.a.week.monday", "more than 24 shifts");
  json definitions = json::object();
  for (int i = 0; i < 65; ++i) definitions["c" + std::to_string(i)] = json::object();
  expect_refused(json({{"definitions", definitions}}).dump(), "calendars.definitions", "1 to 64");
  expect_refused(
      json({{"definitions", {{"a", json::object()}}}, {"teams", {{std::string(65, 't'), "a"}}}})
          .dump(),
      "calendars.teams." + std::string(65, 't'), "1 to 64 characters");
  expect_refused(R"({"definitions": {"a": {}}, "teams": ["a"]})", "calendars.teams",
                 "team keys to calendar names");
}

TEST(BusinessCalendar, ShiftsReadBackAsConfigured) {
  const auto calendars = load(R"({"definitions": {"a": {"time_zone": "Z", "week": {
      "monday": ["13:00-18:00", "09:00-12:00"], "tuesday": ["22:00-06:00"],
      "wednesday": ["00:00-24:00"], "thursday": ["18:00-24:00"], "friday": ["18:00-00:00"]}}}})");
  const auto &week = only(calendars).rules().week;
  EXPECT_EQ(week[0], (DayHours{{9 * 60, 180}, {13 * 60, 300}}));
  EXPECT_EQ(week[1], (DayHours{{22 * 60, 480}}));
  EXPECT_EQ(week[2], (DayHours{{0, 1440}}));
  EXPECT_EQ(week[3], (DayHours{{18 * 60, 360}}));
  EXPECT_EQ(week[4], (DayHours{{18 * 60, 360}}));
}

}  // namespace
}  // namespace crm::calendar
