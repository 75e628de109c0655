#include "zone.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ios>
#include <iterator>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace crm::calendar {

namespace {

using time::Micros;

constexpr std::int64_t kSecondsPerHour = 3'600;
constexpr std::int64_t kSecondsPerDay = 86'400;
constexpr Micros kMicrosPerSecond = 1'000'000;
constexpr int kMaxFixedOffset = 14 * 3'600;
// RFC 8536 asks writers to keep offsets within -24:59:59..+25:59:59; bounding what we accept
// keeps the arithmetic far from overflow and bounds the search window of to_utc.
constexpr std::int32_t kMinFileOffset = -89'999;
constexpr std::int32_t kMaxFileOffset = 93'599;
// Every instant with a given wall time lies within this many seconds of it.
constexpr std::int64_t kWallWindow = 27 * kSecondsPerHour;
// The largest real zone file is a few kilobytes; the cap stops a hostile TZDIR from making us
// read a device or a huge file.
constexpr std::uintmax_t kMaxFileSize = 1 << 22;
constexpr std::size_t kMaxNameLength = 255;
constexpr std::size_t kHeaderSize = 44;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

std::int64_t year_from_days(time::Days days) {
  int year;
  unsigned month, day;
  time::civil_from_days(days, year, month, day);
  return year;
}

// 0 is Sunday, as in POSIX TZ rules (time::weekday counts from Monday).
int weekday(time::Days days) {
  return (time::weekday(days) + 1) % 7;
}

// ---- POSIX TZ strings (the TZif footer) ----

struct RuleDate {
  enum class Kind { kJulianNoLeapDay, kZeroBasedDay, kMonthWeekDay };
  Kind kind = Kind::kMonthWeekDay;
  int day = 0;  // Jn: 1..365; n: 0..365; Mm.w.d: d, 0 (Sunday)..6
  int month = 1;
  int week = 1;                                      // 5 is the last such weekday of the month
  std::int64_t local_seconds = 2 * kSecondsPerHour;  // after local midnight, -167h..167h
};

struct DaylightRule {
  std::int32_t offset = 0;  // seconds east
  RuleDate start, end;      // start in standard time, end in daylight time
};

struct PosixTz {
  std::int32_t standard_offset = 0;  // seconds east
  std::optional<DaylightRule> daylight;

  std::int32_t offset_at(std::int64_t utc_seconds) const;
  // Instants in (after, until] at which the rule may change the offset.
  void changes_in(std::int64_t after, std::int64_t until, std::vector<std::int64_t> &out) const;
};

std::int64_t rule_day(const RuleDate &date, std::int64_t year) {
  const std::int64_t new_year = time::days_from_civil(year, 1, 1);
  switch (date.kind) {
    case RuleDate::Kind::kJulianNoLeapDay:
      return new_year + date.day - 1 + (time::leap_year(year) && date.day >= 60 ? 1 : 0);
    case RuleDate::Kind::kZeroBasedDay:
      return new_year + date.day;
    case RuleDate::Kind::kMonthWeekDay:
      break;
  }
  const std::int64_t first = time::days_from_civil(year, static_cast<unsigned>(date.month), 1);
  int day_of_month = 1 + (date.day - weekday(first) + 7) % 7 + (date.week - 1) * 7;
  while (day_of_month >
         static_cast<int>(time::days_in_month(year, static_cast<unsigned>(date.month))))
    day_of_month -= 7;
  return first + day_of_month - 1;
}

struct RuleChange {
  std::int64_t at;
  bool to_daylight;
};

// The year's two changes in UTC. A rule time is local time as kept before the change.
std::array<RuleChange, 2> rule_changes(const PosixTz &tz, std::int64_t year) {
  const DaylightRule &daylight = *tz.daylight;
  return {RuleChange{rule_day(daylight.start, year) * kSecondsPerDay +
                         daylight.start.local_seconds - tz.standard_offset,
                     true},
          RuleChange{rule_day(daylight.end, year) * kSecondsPerDay + daylight.end.local_seconds -
                         daylight.offset,
                     false}};
}

std::int32_t PosixTz::offset_at(std::int64_t utc_seconds) const {
  if (!daylight) return standard_offset;
  // Rule times reach a week either side of their date, so a change of the neighbouring years
  // may be the latest one before this instant; taking the latest of all six also copes with
  // southern-hemisphere rules and negative daylight saving without special cases.
  const std::int64_t year = year_from_days(floor_div(utc_seconds, kSecondsPerDay));
  std::optional<RuleChange> latest;
  for (std::int64_t y = year - 1; y <= year + 1; ++y) {
    for (const RuleChange &change : rule_changes(*this, y)) {
      if (change.at > utc_seconds) continue;
      // At a tie the start wins: tzcode spells year-round daylight time "0/0,J365/25", whose
      // end coincides with the next start.
      if (!latest || change.at > latest->at || (change.at == latest->at && change.to_daylight)) {
        latest = change;
      }
    }
  }
  const bool in_daylight = latest && latest->to_daylight;
  return in_daylight ? daylight->offset : standard_offset;
}

void PosixTz::changes_in(std::int64_t after, std::int64_t until,
                         std::vector<std::int64_t> &out) const {
  if (!daylight || after >= until) return;
  const std::int64_t first_year = year_from_days(floor_div(after, kSecondsPerDay)) - 1;
  const std::int64_t last_year = year_from_days(floor_div(until, kSecondsPerDay)) + 1;
  for (std::int64_t year = first_year; year <= last_year; ++year) {
    for (const RuleChange &change : rule_changes(*this, year)) {
      if (change.at > after && change.at <= until) out.push_back(change.at);
    }
  }
}

class PosixTzParser {
 public:
  explicit PosixTzParser(std::string_view text) : text_(text) {}

  std::optional<PosixTz> parse() {
    PosixTz tz;
    std::int64_t west = 0;
    if (!name() || !offset(24, west)) return std::nullopt;
    tz.standard_offset = static_cast<std::int32_t>(-west);
    if (at_end()) return tz;
    if (!name()) return std::nullopt;
    DaylightRule daylight;
    daylight.offset = tz.standard_offset + static_cast<std::int32_t>(kSecondsPerHour);
    if (!at_end() && peek() != ',') {
      if (!offset(24, west)) return std::nullopt;
      daylight.offset = static_cast<std::int32_t>(-west);
    }
    if (at_end()) {
      // POSIX leaves the rule to the implementation; tzcode and glibc use the US one.
      daylight.start = RuleDate{RuleDate::Kind::kMonthWeekDay, 0, 3, 2, 2 * kSecondsPerHour};
      daylight.end = RuleDate{RuleDate::Kind::kMonthWeekDay, 0, 11, 1, 2 * kSecondsPerHour};
    } else if (!take(',') || !date(daylight.start) || !take(',') || !date(daylight.end) ||
               !at_end()) {
      return std::nullopt;
    }
    tz.daylight = daylight;
    return tz;
  }

 private:
  bool at_end() const { return pos_ == text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  bool take(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  static bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
  static bool is_digit(char c) { return c >= '0' && c <= '9'; }

  // An abbreviation: three or more letters, or <...> of letters, digits, '+' and '-'.
  bool name() {
    const std::size_t begin = pos_;
    if (take('<')) {
      while (is_alpha(peek()) || is_digit(peek()) || peek() == '+' || peek() == '-') ++pos_;
      const std::size_t length = pos_ - begin - 1;
      return take('>') && length >= 3;
    }
    while (is_alpha(peek())) ++pos_;
    return pos_ - begin >= 3;
  }

  bool number(int max_digits, std::int64_t max_value, std::int64_t &out) {
    std::int64_t value = 0;
    int count = 0;
    while (count < max_digits && is_digit(peek())) {
      value = value * 10 + (text_[pos_] - '0');
      ++pos_;
      ++count;
    }
    if (count == 0 || value > max_value) return false;
    out = value;
    return true;
  }

  // [+-]h[h...][:mm[:ss]] in seconds, the hours at most max_hours.
  bool offset(std::int64_t max_hours, std::int64_t &seconds) {
    const bool negative = take('-');
    if (!negative) take('+');
    std::int64_t hours = 0, minutes = 0, secs = 0;
    if (!number(3, max_hours, hours)) return false;
    if (take(':')) {
      if (!number(2, 59, minutes)) return false;
      if (take(':') && !number(2, 59, secs)) return false;
    }
    const std::int64_t total = hours * kSecondsPerHour + minutes * 60 + secs;
    seconds = negative ? -total : total;
    return true;
  }

  bool date(RuleDate &date) {
    std::int64_t value = 0;
    if (take('J')) {
      if (!number(3, 365, value) || value < 1) return false;
      date.kind = RuleDate::Kind::kJulianNoLeapDay;
      date.day = static_cast<int>(value);
    } else if (take('M')) {
      std::int64_t month = 0, week = 0, day = 0;
      if (!number(2, 12, month) || month < 1 || !take('.') || !number(1, 5, week) || week < 1 ||
          !take('.') || !number(1, 6, day))
        return false;
      date.kind = RuleDate::Kind::kMonthWeekDay;
      date.month = static_cast<int>(month);
      date.week = static_cast<int>(week);
      date.day = static_cast<int>(day);
    } else {
      if (!number(3, 365, value)) return false;
      date.kind = RuleDate::Kind::kZeroBasedDay;
      date.day = static_cast<int>(value);
    }
    date.local_seconds = 2 * kSecondsPerHour;
    // RFC 8536 (version 3) lets the time be negative and up to 167 hours.
    return !take('/') || offset(167, date.local_seconds);
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

// ---- The parsed zone ----

namespace detail {

struct ZoneRules {
  std::string name;
  std::vector<std::int64_t> transitions;    // UTC seconds, strictly ascending
  std::vector<std::int32_t> offsets_after;  // in effect from the transition of the same index
  std::int32_t initial_offset = 0;          // before the first transition
  // After the last transition, or throughout when there are none; without it the last offset
  // (or initial_offset) holds.
  std::optional<PosixTz> footer;

  std::int32_t offset_at(std::int64_t utc_seconds) const {
    if (transitions.empty()) return footer ? footer->offset_at(utc_seconds) : initial_offset;
    if (utc_seconds < transitions.front()) return initial_offset;
    if (utc_seconds >= transitions.back() && footer) return footer->offset_at(utc_seconds);
    const auto next = std::upper_bound(transitions.begin(), transitions.end(), utc_seconds);
    return offsets_after[static_cast<std::size_t>(std::distance(transitions.begin(), next) - 1)];
  }

  // Instants in (after, until] at which the offset may change, ascending (possibly with
  // repeats and non-changes, which callers tolerate).
  std::vector<std::int64_t> changes_in(std::int64_t after, std::int64_t until) const {
    std::vector<std::int64_t> changes;
    for (auto it = std::upper_bound(transitions.begin(), transitions.end(), after);
         it != transitions.end() && *it <= until; ++it)
      changes.push_back(*it);
    if (footer) {
      const std::int64_t footer_from =
          transitions.empty() ? after : std::max(after, transitions.back());
      footer->changes_in(footer_from, until, changes);
    }
    std::sort(changes.begin(), changes.end());
    return changes;
  }
};

}  // namespace detail

namespace {

using detail::ZoneRules;

// ---- TZif files (RFC 8536) ----

class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}
  std::size_t remaining() const { return bytes_.size() - pos_; }
  std::size_t position() const { return pos_; }
  bool skip(std::uint64_t count) {
    if (count > remaining()) return false;
    pos_ += static_cast<std::size_t>(count);
    return true;
  }
  // Big-endian, two's complement for the signed forms.
  std::uint64_t unsigned_value(std::size_t width) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < width; ++i)
      value = (value << 8) | static_cast<unsigned char>(bytes_[pos_ + i]);
    pos_ += width;
    return value;
  }
  std::int64_t signed_value(std::size_t width) {
    // C++20 defines both the modular conversion and the arithmetic right shift.
    const std::size_t unused_bits = 64 - 8 * width;
    return static_cast<std::int64_t>(unsigned_value(width) << unused_bits) >> unused_bits;
  }
  std::string_view rest() const { return bytes_.substr(pos_); }

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

struct Counts {
  std::uint32_t isut = 0, isstd = 0, leap = 0, time = 0, type = 0, chars = 0;

  std::uint64_t data_size(std::uint64_t time_size) const {
    return std::uint64_t{time} * (time_size + 1) + std::uint64_t{type} * 6 + chars +
           std::uint64_t{leap} * (time_size + 4) + isstd + isut;
  }
};

// Reads a header; the version byte is returned ('\0' for version 1).
std::optional<Counts> read_header(ByteReader &reader, char &version, std::string &why) {
  if (reader.remaining() < kHeaderSize) {
    why = "is truncated (a header is cut short)";
    return std::nullopt;
  }
  const std::string_view header = reader.rest().substr(0, kHeaderSize);
  if (header.substr(0, 4) != "TZif") {
    why = "is not a TZif file";
    return std::nullopt;
  }
  version = header[4];
  if (version != '\0' && (version < '2' || version > '9')) {
    why = "has an unknown TZif version";
    return std::nullopt;
  }
  reader.skip(20);
  Counts counts;
  for (std::uint32_t *field :
       {&counts.isut, &counts.isstd, &counts.leap, &counts.time, &counts.type, &counts.chars})
    *field = static_cast<std::uint32_t>(reader.unsigned_value(4));
  if (counts.type == 0 || counts.chars == 0 || (counts.isut != 0 && counts.isut != counts.type) ||
      (counts.isstd != 0 && counts.isstd != counts.type)) {
    why = "has inconsistent counts in its header";
    return std::nullopt;
  }
  return counts;
}

struct LocalTimeType {
  std::int32_t offset;
  bool daylight;
};

bool read_data(ByteReader &reader, const Counts &counts, std::size_t time_size, ZoneRules &rules,
               std::string &why) {
  if (counts.data_size(time_size) > reader.remaining()) {
    why = "is truncated (its header counts more data than the file holds)";
    return false;
  }
  rules.transitions.reserve(counts.time);
  for (std::uint32_t i = 0; i < counts.time; ++i) {
    const std::int64_t at = reader.signed_value(time_size);
    if (!rules.transitions.empty() && at <= rules.transitions.back()) {
      why = "has transition times out of order";
      return false;
    }
    rules.transitions.push_back(at);
  }
  std::vector<std::uint8_t> type_of_transition(counts.time);
  for (std::uint8_t &index : type_of_transition) {
    index = static_cast<std::uint8_t>(reader.unsigned_value(1));
    if (index >= counts.type) {
      why = "refers to a local time type it does not have";
      return false;
    }
  }
  std::vector<LocalTimeType> types;
  types.reserve(counts.type);
  for (std::uint32_t i = 0; i < counts.type; ++i) {
    const std::int64_t offset = reader.signed_value(4);
    const std::uint64_t daylight = reader.unsigned_value(1);
    const std::uint64_t designation = reader.unsigned_value(1);
    if (offset < kMinFileOffset || offset > kMaxFileOffset || daylight > 1 ||
        designation >= counts.chars) {
      why = "has an invalid local time type";
      return false;
    }
    types.push_back({static_cast<std::int32_t>(offset), daylight == 1});
  }
  // Designations, then leap seconds (not applied: wall time here is POSIX time), then the
  // standard/wall and UT/local indicators (only meaningful for POSIX-rule defaults).
  reader.skip(std::uint64_t{counts.chars} + std::uint64_t{counts.leap} * (time_size + 4) +
              counts.isstd + counts.isut);

  rules.offsets_after.reserve(counts.time);
  for (const std::uint8_t index : type_of_transition)
    rules.offsets_after.push_back(types[index].offset);
  // tzfile(5) and glibc: before the first transition the first standard-time type applies.
  // zic always writes that type first, so this is also RFC 8536's "time type 0".
  const auto standard =
      std::find_if(types.begin(), types.end(), [](const LocalTimeType &t) { return !t.daylight; });
  rules.initial_offset = (standard != types.end() ? *standard : types.front()).offset;
  return true;
}

bool read_footer(ByteReader &reader, ZoneRules &rules, std::string &why) {
  const std::string_view rest = reader.rest();
  const std::size_t end = rest.size() > 1 ? rest.find('\n', 1) : std::string_view::npos;
  if (rest.empty() || rest.front() != '\n' || end == std::string_view::npos) {
    why = "is truncated (its TZ string footer is missing or unterminated)";
    return false;
  }
  const std::string_view text = rest.substr(1, end - 1);
  if (text.empty()) return true;  // No rule: the last transition's type holds.
  rules.footer = PosixTzParser(text).parse();
  if (!rules.footer) {
    why = "has a TZ string footer that is not a valid POSIX TZ rule";
    return false;
  }
  return true;
}

bool parse_tzif(std::string_view bytes, ZoneRules &rules, std::string &why) {
  ByteReader reader(bytes);
  char version = '\0';
  std::optional<Counts> counts = read_header(reader, version, why);
  if (!counts) return false;
  if (version == '\0') return read_data(reader, *counts, 4, rules, why);
  // Version 2 and later repeat the data with 64-bit times after the version-1 block.
  if (!reader.skip(counts->data_size(4))) {
    why = "is truncated (in its version 1 data)";
    return false;
  }
  char second_version = '\0';
  counts = read_header(reader, second_version, why);
  if (!counts) return false;
  return read_data(reader, *counts, 8, rules, why) && read_footer(reader, rules, why);
}

// For messages: the name with anything unprintable replaced, and cut short if long.
std::string printable(std::string_view name) {
  std::string out;
  for (const char c : name.substr(0, 64)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (name.size() > 64) out += "...";
  return '"' + out + '"';
}

bool fail(std::string *why, std::string reason) {
  if (why) *why = std::move(reason);
  return false;
}

// Refuses anything that could leave the zone directory or is not spelled like a zone.
bool valid_zone_name(std::string_view name, std::string *why) {
  const std::string shown = "time zone name " + printable(name);
  if (name.empty()) return fail(why, "time zone name is empty");
  if (name.size() > kMaxNameLength) return fail(why, shown + " is longer than 255 characters");
  if (name.front() == '/') return fail(why, shown + " must not start with '/'");
  if (name.find("..") != std::string_view::npos)
    return fail(why, shown + " must not contain \"..\"");
  for (const char c : name) {
    const bool allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                         (c >= '0' && c <= '9') || c == '_' || c == '+' || c == '-' || c == '/';
    if (!allowed)
      return fail(why, shown + " may only contain letters, digits, '_', '+', '-' and '/'");
  }
  return true;
}

// "+08:00", "-05:30".
std::optional<int> parse_fixed_offset(std::string_view text) {
  const auto digit = [&](std::size_t i) { return text[i] >= '0' && text[i] <= '9'; };
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-') || !digit(1) || !digit(2) ||
      text[3] != ':' || !digit(4) || !digit(5))
    return std::nullopt;
  const int hours = (text[1] - '0') * 10 + (text[2] - '0');
  const int minutes = (text[4] - '0') * 10 + (text[5] - '0');
  const int seconds = hours * 3'600 + minutes * 60;
  if (minutes > 59 || seconds > kMaxFixedOffset) return std::nullopt;
  return text[0] == '-' ? -seconds : seconds;
}

std::string format_fixed_name(int offset_seconds) {
  if (offset_seconds == 0) return "UTC";
  const int magnitude = offset_seconds < 0 ? -offset_seconds : offset_seconds;
  const auto two_digits = [](int value) {
    return std::string{static_cast<char>('0' + value / 10), static_cast<char>('0' + value % 10)};
  };
  std::string name = offset_seconds < 0 ? "-" : "+";
  name += two_digits(magnitude / 3'600) + ":" + two_digits(magnitude / 60 % 60);
  if (magnitude % 60 != 0) name += ":" + two_digits(magnitude % 60);
  return name;
}

std::optional<std::string> read_file(const std::filesystem::path &path,
                                     const std::string &shown_name, std::string *why) {
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(path, error);
  if (!std::filesystem::exists(status)) {
    fail(why, "no time zone " + shown_name + " (no file " + path.string() + ")");
    return std::nullopt;
  }
  if (!std::filesystem::is_regular_file(status)) {
    fail(why, "time zone " + shown_name + " is not a zone file (" + path.string() + ")");
    return std::nullopt;
  }
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error) {
    fail(why, "cannot read the file of time zone " + shown_name + " (" + path.string() + ")");
    return std::nullopt;
  }
  if (size > kMaxFileSize) {
    fail(why, "the file of time zone " + shown_name + " is too large to be a zone file");
    return std::nullopt;
  }
  std::string bytes(static_cast<std::size_t>(size), '\0');
  std::ifstream in(path, std::ios::binary);
  if (!in || !in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()))) {
    fail(why, "cannot read the file of time zone " + shown_name + " (" + path.string() + ")");
    return std::nullopt;
  }
  return bytes;
}

}  // namespace

Zone Zone::fixed(int offset_seconds) {
  if (offset_seconds < -kMaxFixedOffset || offset_seconds > kMaxFixedOffset)
    throw std::invalid_argument("a fixed UTC offset must lie from -14:00 to +14:00");
  auto rules = std::make_shared<ZoneRules>();
  rules->name = format_fixed_name(offset_seconds);
  rules->initial_offset = offset_seconds;
  return Zone(std::move(rules));
}

std::optional<Zone> Zone::load(std::string_view name, std::string *why) {
  if (name == "Z" || name == "UTC") return fixed(0);
  if (!name.empty() && (name.front() == '+' || name.front() == '-')) {
    if (const std::optional<int> offset = parse_fixed_offset(name)) return fixed(*offset);
    fail(why, "UTC offset " + printable(name) + " is not +HH:MM or -HH:MM within 14 hours of UTC");
    return std::nullopt;
  }
  if (!valid_zone_name(name, why)) return std::nullopt;

  const char *tzdir = std::getenv("TZDIR");
  const std::filesystem::path directory =
      tzdir != nullptr && *tzdir != '\0' ? tzdir : "/usr/share/zoneinfo";
  const std::filesystem::path path = directory / std::string(name);
  const std::string shown = printable(name);
  const std::optional<std::string> bytes = read_file(path, shown, why);
  if (!bytes) return std::nullopt;

  auto rules = std::make_shared<ZoneRules>();
  rules->name = std::string(name);
  std::string reason;
  if (!parse_tzif(*bytes, *rules, reason)) {
    fail(why, "the file of time zone " + shown + " (" + path.string() + ") " + reason);
    return std::nullopt;
  }
  return Zone(std::move(rules));
}

const std::string &Zone::name() const {
  return rules_->name;
}

int Zone::offset_at(Micros utc) const {
  return rules_->offset_at(floor_div(utc, kMicrosPerSecond));
}

Micros Zone::to_utc(Micros local) const {
  local = std::clamp(local, time::kEarliest, time::kLatest);
  // Offsets and transitions are whole seconds, so the fraction just rides along.
  const std::int64_t wall = floor_div(local, kMicrosPerSecond);
  const Micros fraction = local - wall * kMicrosPerSecond;
  const auto at = [&](std::int64_t utc_seconds) {
    return utc_seconds * kMicrosPerSecond + fraction;
  };

  // Walk the stretches of constant offset around the wall time, in time order: the first one
  // whose local times include it gives the earliest instant; if none does, it lies in a gap.
  const std::int64_t window_start = wall - kWallWindow;
  std::int64_t stretch_start = window_start;
  std::int32_t offset = rules_->offset_at(window_start);
  std::optional<std::int64_t> after_gap;
  for (const std::int64_t change : rules_->changes_in(window_start, wall + kWallWindow)) {
    if (wall - offset >= stretch_start && wall - offset < change) return at(wall - offset);
    const std::int32_t next_offset = rules_->offset_at(change);
    if (!after_gap && next_offset > offset && wall >= change + offset &&
        wall < change + next_offset)
      after_gap = wall - offset;
    stretch_start = change;
    offset = next_offset;
  }
  if (wall - offset >= stretch_start) return at(wall - offset);
  // No stretch holds the wall time: it lies in a gap, which the window is wide enough to have
  // found (the fallback is for safety only).
  return at(after_gap.value_or(wall - offset));
}

}  // namespace crm::calendar
