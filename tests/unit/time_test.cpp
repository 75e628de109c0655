#include <gtest/gtest.h>

#include "core/time.hpp"

namespace crm {
namespace {

TEST(Time, ParsesOffsetsIntoUtc) {
  EXPECT_EQ(time::parse_iso8601("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(time::parse_iso8601("1970-01-01T08:00:00+08:00"), 0);
  EXPECT_EQ(time::parse_iso8601("1969-12-31T19:00:00-05:00"), 0);
  EXPECT_EQ(time::parse_iso8601("1970-01-01T00:00:01.5Z"), 1'500'000);
  EXPECT_EQ(time::parse_iso8601("1970-01-01T00:00:00.123456789Z"), 123'456);  // ns truncated
  EXPECT_EQ(time::parse_iso8601("2000-02-29T00:00:00Z"), 951782400LL * 1'000'000);
  EXPECT_EQ(time::parse_iso8601("1000-01-01T00:00:00Z"), -30610224000LL * 1'000'000);
}

TEST(Time, RejectsWhatIsNotAnInstant) {
  for (const char *bad :
       {"", "2026-11-27", "2026-11-27T10:00:00", "2026-11-27 10:00:00Z", "2026-11-27T10:00Z",
        "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z", "1900-02-29T00:00:00Z",
        "2026-04-31T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z",
        "2026-01-01T00:00:60Z", "0999-12-31T00:00:00Z", "2026-01-01T00:00:00+24:00",
        "2026-01-01T00:00:00+0800", "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00Zjunk",
        "2026-01-01T00:00:00.1234567890Z", "+2026-01-01T00:00:00Z"})
    EXPECT_FALSE(time::parse_iso8601(bad)) << bad;
}

// An offset can carry a valid local time out of the years 1000..9999 in UTC, where the stored
// text would lose its fixed width: refused, so every accepted instant formats and parses back.
TEST(Time, InstantsStayWithinTheYearsTheStorageOrders) {
  for (const char *outside : {"9999-12-31T23:59:59-14:00", "9999-12-31T23:59:59.5-00:01",
                              "1000-01-01T00:00:00+01:00", "1000-01-01T00:00:00+00:01"})
    EXPECT_FALSE(time::parse_iso8601(outside)) << outside;
  for (const char *outside : {"9999-12-31 23:59:59-14:00", "1000-01-01 00:00:00+01"})
    EXPECT_FALSE(time::from_db_text(outside)) << outside;
  EXPECT_EQ(time::parse_iso8601("9999-12-31T23:59:59.999999Z"), time::kLatest);
  EXPECT_EQ(time::parse_iso8601("1000-01-01T08:00:00+08:00"), time::kEarliest);
  EXPECT_EQ(time::parse_iso8601("9999-12-31T09:59:59.999999-14:00"), time::kLatest);
  for (auto instant : {time::kEarliest, time::kLatest}) {
    EXPECT_EQ(time::parse_iso8601(time::format_iso8601(instant)), instant);
    EXPECT_EQ(time::from_db_text(time::to_db_text(instant)), instant);
  }
}

TEST(Time, FormatsUtcWithMicrosecondsWhenPresent) {
  EXPECT_EQ(time::format_iso8601(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(time::format_iso8601(1'500'000), "1970-01-01T00:00:01.500000Z");
  EXPECT_EQ(time::format_iso8601(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(time::to_db_text(951782400LL * 1'000'000 + 7), "2000-02-29 00:00:00.000007");
}

TEST(Time, ReadsEveryDatabaseSpelling) {
  const auto expected = *time::parse_iso8601("2026-11-27T10:44:05.25Z");
  for (const char *text :
       {"2026-11-27 10:44:05.250000", "2026-11-27 10:44:05.25", "2026-11-27T10:44:05.250",
        "2026-11-27 10:44:05.25+00", "2026-11-27 10:44:05.25+00:00", "2026-11-27 10:44:05.25Z"})
    EXPECT_EQ(time::from_db_text(text), expected) << text;
  EXPECT_EQ(time::from_db_text("2026-11-27 10:44:05"), expected - 250'000);
  EXPECT_FALSE(time::from_db_text("2026-11-27"));
}

TEST(Time, DbTextOrderIsTimeOrder) {
  const time::Micros a = *time::parse_iso8601("2026-01-01T00:00:00.000001Z");
  const time::Micros b = *time::parse_iso8601("2026-01-01T00:00:00.1Z");
  const time::Micros c = *time::parse_iso8601("2026-01-01T00:00:01Z");
  EXPECT_LT(time::to_db_text(a), time::to_db_text(b));
  EXPECT_LT(time::to_db_text(b), time::to_db_text(c));
  EXPECT_EQ(time::to_db_text(a).size(), 26u);
}

TEST(Time, BreaksInstantsDownOnTheProlepticGregorianCalendar) {
  const auto at = [](const char *text) { return time::to_civil(*time::parse_iso8601(text)); };
  const auto leap = at("2000-02-29T23:59:59.999999Z");
  EXPECT_EQ(leap.year, 2000);
  EXPECT_EQ(leap.month, 2u);
  EXPECT_EQ(leap.day, 29u);
  EXPECT_EQ(leap.hour, 23u);
  EXPECT_EQ(leap.minute, 59u);
  EXPECT_EQ(leap.second, 59u);
  EXPECT_EQ(leap.microsecond, 999'999u);
  // Before the epoch the remainder is carried into the previous second and day.
  const auto before = time::to_civil(-1);
  EXPECT_EQ(before.year, 1969);
  EXPECT_EQ(before.month, 12u);
  EXPECT_EQ(before.day, 31u);
  EXPECT_EQ(before.second, 59u);
  EXPECT_EQ(before.microsecond, 999'999u);
  const auto earliest = time::to_civil(time::kEarliest);
  EXPECT_EQ(earliest.year, 1000);
  EXPECT_EQ(earliest.month, 1u);
  EXPECT_EQ(earliest.day, 1u);
  const auto latest = time::to_civil(time::kLatest);
  EXPECT_EQ(latest.year, 9999);
  EXPECT_EQ(latest.month, 12u);
  EXPECT_EQ(latest.day, 31u);
  EXPECT_EQ(latest.microsecond, 999'999u);
  // 1900 is not a leap year, 2100 neither: 28 February is followed by 1 March.
  EXPECT_EQ(at("1900-03-01T00:00:00Z").month, 3u);
  EXPECT_EQ(time::to_civil(*time::parse_iso8601("2100-03-01T00:00:00Z") - 1).day, 28u);
}

TEST(Time, DatesAreDaysSinceTheEpoch) {
  EXPECT_EQ(time::parse_date("1970-01-01"), 0);
  EXPECT_EQ(time::parse_date("1969-12-31"), -1);
  EXPECT_EQ(time::parse_date("2026-12-02"), 20789);
  EXPECT_EQ(time::format_date(20789), "2026-12-02");
  EXPECT_EQ(time::format_date(*time::parse_date("1000-01-01")), "1000-01-01");
  EXPECT_EQ(time::format_date(*time::parse_date("9999-12-31")), "9999-12-31");
  EXPECT_EQ(time::weekday(*time::parse_date("2026-12-02")), 2);  // a Wednesday
  EXPECT_EQ(time::weekday(*time::parse_date("2026-11-30")), 0);
  EXPECT_EQ(time::weekday(*time::parse_date("1969-12-28")), 6);
  EXPECT_EQ(time::weekday(*time::parse_date("1000-01-01")), 2);
  for (const char *bad : {"2026-02-29", "2100-02-29", "2026-13-01", "2026-00-10", "2026-1-01",
                          "0999-12-31", "2026-12-02T00", "2026/12/02", ""})
    EXPECT_FALSE(time::parse_date(bad)) << bad;
  EXPECT_TRUE(time::parse_date("2024-02-29"));
}

}  // namespace
}  // namespace crm
