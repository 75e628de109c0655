#include "time.hpp"

#include <chrono>
#include <cstdio>

namespace crm::time {

// Howard Hinnant's days_from_civil: proleptic Gregorian date to days since 1970-01-01.
Days days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(Days z, int &year, unsigned &month, unsigned &day) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<int>(yoe + era * 400 + (month <= 2));
}

bool leap_year(std::int64_t year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

unsigned days_in_month(std::int64_t year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && leap_year(year) ? 29 : kDays[month - 1];
}

namespace {

constexpr Micros kMicrosPerSecond = 1'000'000;
constexpr Micros kSecondsPerDay = 86'400;

// Reads exactly `count` digits at `pos`.
bool digits(std::string_view text, std::size_t &pos, std::size_t count, int &out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  pos += count;
  out = value;
  return true;
}

bool expect(std::string_view text, std::size_t &pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

struct Parsed {
  Micros local = 0;
  std::size_t end = 0;
};

// "YYYY-MM-DD?HH:MM:SS[.f+]" where ? is one of separators.
std::optional<Parsed> parse_local(std::string_view text, std::string_view separators) {
  std::size_t pos = 0;
  int year, month, day, hour, minute, second;
  if (!digits(text, pos, 4, year) || !expect(text, pos, '-') || !digits(text, pos, 2, month) ||
      !expect(text, pos, '-') || !digits(text, pos, 2, day))
    return std::nullopt;
  if (pos >= text.size() || separators.find(text[pos]) == std::string_view::npos)
    return std::nullopt;
  ++pos;
  if (!digits(text, pos, 2, hour) || !expect(text, pos, ':') || !digits(text, pos, 2, minute) ||
      !expect(text, pos, ':') || !digits(text, pos, 2, second))
    return std::nullopt;
  if (year < 1000 || month < 1 || month > 12 || day < 1 ||
      static_cast<unsigned>(day) > days_in_month(year, static_cast<unsigned>(month)) || hour > 23 ||
      minute > 59 || second > 59)
    return std::nullopt;
  Micros fraction = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::size_t count = 0;
    Micros scale = 100000;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (count < 6) fraction += (text[pos] - '0') * scale, scale /= 10;
      ++pos, ++count;
    }
    if (count == 0 || count > 9) return std::nullopt;
  }
  Micros seconds = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) *
                       kSecondsPerDay +
                   hour * 3600 + minute * 60 + second;
  return Parsed{seconds * kMicrosPerSecond + fraction, pos};
}

// "Z", "+HH:MM", "-HH:MM" (and, when lenient, "+HH" / "+HHMM") ending the text.
std::optional<Micros> parse_offset(std::string_view text, std::size_t pos, bool lenient) {
  if (pos == text.size()) return std::nullopt;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    return pos + 1 == text.size() ? std::optional<Micros>(0) : std::nullopt;
  }
  if (text[pos] != '+' && text[pos] != '-') return std::nullopt;
  const int sign = text[pos] == '-' ? -1 : 1;
  ++pos;
  int hours = 0, minutes = 0;
  if (!digits(text, pos, 2, hours)) return std::nullopt;
  if (pos < text.size()) {
    if (text[pos] == ':')
      ++pos;
    else if (!lenient)
      return std::nullopt;
    if (!digits(text, pos, 2, minutes)) return std::nullopt;
  } else if (!lenient) {
    return std::nullopt;
  }
  if (pos != text.size() || hours > 23 || minutes > 59) return std::nullopt;
  return sign * (hours * 3600 + minutes * 60) * kMicrosPerSecond;
}

Civil civil(Micros instant) {
  Micros seconds = instant / kMicrosPerSecond;
  Micros micros = instant % kMicrosPerSecond;
  if (micros < 0) micros += kMicrosPerSecond, --seconds;
  std::int64_t days = seconds / kSecondsPerDay;
  std::int64_t in_day = seconds % kSecondsPerDay;
  if (in_day < 0) in_day += kSecondsPerDay, --days;
  Civil out;
  civil_from_days(days, out.year, out.month, out.day);
  out.hour = static_cast<unsigned>(in_day / 3600);
  out.minute = static_cast<unsigned>(in_day % 3600 / 60);
  out.second = static_cast<unsigned>(in_day % 60);
  out.microsecond = static_cast<unsigned>(micros);
  return out;
}

std::string format(Micros instant, char separator, bool always_fraction, bool zone) {
  const Civil at = civil(instant);
  char buffer[48];
  int length = std::snprintf(buffer, sizeof(buffer), "%04d-%02u-%02u%c%02u:%02u:%02u", at.year,
                             at.month, at.day, separator, at.hour, at.minute, at.second);
  std::string out(buffer, static_cast<std::size_t>(length));
  if (always_fraction || at.microsecond != 0) {
    std::snprintf(buffer, sizeof(buffer), ".%06u", at.microsecond);
    out += buffer;
  }
  if (zone) out += 'Z';
  return out;
}

}  // namespace

std::optional<Micros> parse_iso8601(std::string_view text) {
  auto local = parse_local(text, "Tt");
  if (!local) return std::nullopt;
  auto offset = parse_offset(text, local->end, false);
  if (!offset) return std::nullopt;
  const Micros instant = local->local - *offset;
  // The offset can carry a valid local time out of 1000..9999 in UTC, where the stored text
  // would no longer be fixed width (so no longer sort) and MariaDB's DATETIME ends.
  if (instant < kEarliest || instant > kLatest) return std::nullopt;
  return instant;
}

std::string format_iso8601(Micros instant) {
  return format(instant, 'T', false, true);
}

std::string to_db_text(Micros instant) {
  return format(instant, ' ', true, false);
}

std::optional<Micros> from_db_text(std::string_view text) {
  auto local = parse_local(text, "T ");
  if (!local) return std::nullopt;
  if (local->end == text.size()) return local->local;
  auto offset = parse_offset(text, local->end, true);
  if (!offset) return std::nullopt;
  const Micros instant = local->local - *offset;
  if (instant < kEarliest || instant > kLatest) return std::nullopt;  // as parse_iso8601
  return instant;
}

Civil to_civil(Micros instant) {
  return civil(instant);
}

std::optional<Days> parse_date(std::string_view text) {
  std::size_t pos = 0;
  int year, month, day;
  if (!digits(text, pos, 4, year) || !expect(text, pos, '-') || !digits(text, pos, 2, month) ||
      !expect(text, pos, '-') || !digits(text, pos, 2, day) || pos != text.size())
    return std::nullopt;
  if (year < 1000 || month < 1 || month > 12 || day < 1 ||
      static_cast<unsigned>(day) > days_in_month(year, static_cast<unsigned>(month)))
    return std::nullopt;
  return days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
}

std::string format_date(Days day) {
  int year;
  unsigned month, in_month;
  civil_from_days(day, year, month, in_month);
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02u-%02u", year, month, in_month);
  return buffer;
}

int weekday(Days day) {
  // 1970-01-01 was a Thursday (3).
  return static_cast<int>(((day % 7) + 7 + 3) % 7);
}

Micros now() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace crm::time
