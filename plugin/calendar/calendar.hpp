// The business calendars of the configuration ("calendars" section) and the methods that
// compute with them. Without the section there is one calendar, "standard": Monday to Friday,
// 09:00-18:00, in the host's time zone (host.time_zone).
//
//   "calendars": {
//     "default": "beijing",
//     "teams": {"east": "beijing", "us": "new-york"},
//     "definitions": {
//       "beijing": {
//         "time_zone": "Asia/Shanghai",                     (default: host.time_zone)
//         "week": {"monday": ["09:00-12:00", "13:00-18:00"], ..., "saturday": []},
//         "holidays": ["2026-10-01..2026-10-08", "2027-01-01"],
//         "working_days": {"2026-09-27": "monday", "2026-10-10": ["09:00-17:00"]}
//       },
//       "new-york": {"time_zone": "America/New_York", "week": {...}}
//     }
//   }
//
// A shift "22:00-06:00" runs overnight; "00:00-24:00" is the whole day. A working day works the
// hours of the weekday it names, or its own.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "../core/registry.hpp"
#include "business_calendar.hpp"

namespace crm::calendar {

struct NamedCalendar {
  std::string name;
  std::string time_zone;  // as configured ("Asia/Shanghai", "+08:00")
  BusinessCalendar calendar;
};

class Calendars {
 public:
  // Throws crm::Error(invalid_argument) naming the configuration path at fault.
  static Calendars load(const json *section, int host_offset_minutes);

  const NamedCalendar &default_calendar() const;
  // The team's calendar, the default when the configuration gives the team none.
  const NamedCalendar &for_team(std::string_view team_key) const;
  // nullptr when no calendar has that name.
  const NamedCalendar *find(std::string_view name) const;
  const std::map<std::string, NamedCalendar, std::less<>> &all() const { return calendars_; }
  const std::map<std::string, std::string, std::less<>> &teams() const { return teams_; }

 private:
  std::map<std::string, NamedCalendar, std::less<>> calendars_;
  std::map<std::string, std::string, std::less<>> teams_;
  std::string default_name_;
};

const Calendars &of(const Store &store);

void register_methods(Registry &registry);

}  // namespace crm::calendar
