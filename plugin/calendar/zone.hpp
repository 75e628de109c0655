// Time zones for business calendars: fixed UTC offsets and IANA zones read from the system's
// compiled TZif files (RFC 8536). Self-contained on purpose: it depends only on crm::time, so
// the calendar code can be tested against the C library without the rest of the plugin.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "../core/time.hpp"

namespace crm::calendar {

namespace detail {
struct ZoneRules;  // The parsed zone, immutable, shared by every copy of a Zone.
}

class Zone {
 public:
  // A fixed offset from UTC, seconds east, from -14 h to +14 h (std::invalid_argument
  // otherwise). Named "UTC" for 0, else "+HH:MM" ("+HH:MM:SS" when the seconds are not zero).
  static Zone fixed(int offset_seconds);

  // "Z" and "UTC" give UTC; "+08:00" or "-05:30" (±HH:MM, up to 14:00) a fixed offset; any other
  // name is an IANA zone ("Asia/Shanghai") read from $TZDIR when set and not empty, else from
  // /usr/share/zoneinfo. Names may only use [A-Za-z0-9_+-/], at most 255 of them, with no
  // leading '/' and no "..", so a name cannot reach outside the zone directory.
  // nullopt, with *why (when given) set to a sentence naming the problem, for a malformed name,
  // a missing zone, or a file that cannot be read or is not valid TZif.
  static std::optional<Zone> load(std::string_view name, std::string *why = nullptr);

  // What load() was given for IANA zones; see fixed() for fixed offsets (load("Z") is "UTC").
  const std::string &name() const;

  // Seconds east of UTC in effect at a UTC instant. Any Micros is accepted; O(log transitions).
  int offset_at(time::Micros utc) const;

  // The UTC instant of a wall-clock time, the wall time given as microseconds since the epoch
  // as if it were UTC. A wall time that occurs once maps to that instant. One repeated by a
  // backward change (an overlap) maps to its earlier instant. One skipped by a forward change
  // (a gap) is read with the offset in effect before the change, so it lands after the gap by
  // as much as it was into it: New York's 2026-03-08 02:30 (clocks went 02:00 EST -> 03:00
  // EDT) gives 07:30Z, which is 03:30 EDT (what glibc's mktime does with tm_isdst = -1).
  // `local` is clamped to time::kEarliest..time::kLatest first; the result may lie up to a day
  // outside that range when `local` is near its ends.
  time::Micros to_utc(time::Micros local) const;

 private:
  explicit Zone(std::shared_ptr<const detail::ZoneRules> rules) : rules_(std::move(rules)) {}
  std::shared_ptr<const detail::ZoneRules> rules_;
};

}  // namespace crm::calendar
