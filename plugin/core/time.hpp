// Instants as microseconds since the Unix epoch, UTC. The API speaks ISO 8601 with an offset;
// the databases store UTC as "YYYY-MM-DD HH:MM:SS.ffffff" (fixed width, so text order is time
// order in SQLite, and PostgreSQL/MariaDB parse it into their timestamp types).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crm::time {

using Micros = std::int64_t;

// The instants every database here stores and orders: 1000-01-01T00:00:00Z to
// 9999-12-31T23:59:59.999999Z (MariaDB's DATETIME range; four-digit years keep the stored text
// fixed width, so text order is time order).
inline constexpr Micros kEarliest = -30'610'224'000'000'000;
inline constexpr Micros kLatest = 253'402'300'799'999'999;

// "2026-11-27T10:44:05+08:00", "2026-11-27T02:44:05.5Z" ... A date-time with seconds and an
// offset (Z or ±HH:MM) is required, and the instant must lie from kEarliest to kLatest in UTC.
// nullopt when malformed or out of that range.
std::optional<Micros> parse_iso8601(std::string_view text);
// "2026-11-27T02:44:05Z", with ".ffffff" when the microseconds are not zero.
std::string format_iso8601(Micros instant);

std::string to_db_text(Micros instant);
// Accepts the database's spellings: 'T' or ' ' between date and time, 0..9 fraction digits,
// an optional trailing Z or +00/+00:00; the instant must lie from kEarliest to kLatest.
std::optional<Micros> from_db_text(std::string_view text);

Micros now();

// An instant broken down in UTC, proleptic Gregorian calendar.
struct Civil {
  int year = 1970;
  unsigned month = 1, day = 1, hour = 0, minute = 0, second = 0, microsecond = 0;
};
Civil to_civil(Micros instant);

// A calendar date as days since 1970-01-01 (proleptic Gregorian): business calendars count
// working days and holidays in these.
using Days = std::int64_t;
inline constexpr Micros kMicrosPerDay = 86'400'000'000;
// Proleptic Gregorian arithmetic on Days (Howard Hinnant's algorithms), for any year an int
// holds, so that every Micros has its date.
Days days_from_civil(std::int64_t year, unsigned month, unsigned day);
void civil_from_days(Days day, int &year, unsigned &month, unsigned &day_of_month);
bool leap_year(std::int64_t year);
unsigned days_in_month(std::int64_t year, unsigned month);
// "2026-10-01", years 1000 to 9999; nullopt when malformed or not a date of the calendar.
std::optional<Days> parse_date(std::string_view text);
std::string format_date(Days day);
// Monday 0 ... Sunday 6.
int weekday(Days day);

}  // namespace crm::time
