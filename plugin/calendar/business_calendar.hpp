// Business time: the working hours of a team's week in its own time zone, less its holidays,
// plus the extra working days it makes up for them. Hand-off SLAs and their reports count in
// it. Everything is computed day by day over shift boundaries (O(days in the window)), never
// by stepping through minutes or seconds.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "../core/time.hpp"
#include "zone.hpp"

namespace crm::calendar {

// One stretch of working time that starts on a day: from start_minute after local midnight,
// for length_minutes. It runs past midnight when start + length exceeds 24 hours (a night
// shift); it still belongs to the day it started on (a holiday on the next day leaves it be).
struct Shift {
  int start_minute = 0;    // 0 .. 1439
  int length_minutes = 0;  // 1 .. 1440
  friend bool operator==(const Shift &, const Shift &) = default;
};

// A day's shifts, ordered by start. Overlapping shifts (two crews) count once.
using DayHours = std::vector<Shift>;

struct CalendarRules {
  Zone zone = Zone::fixed(0);
  std::array<DayHours, 7> week;  // Monday first
  // Local dates with no shift starting on them, ascending and distinct.
  std::vector<time::Days> holidays;
  // Local dates worked with the hours given, whatever their weekday and holidays say;
  // ascending and distinct.
  std::vector<std::pair<time::Days, DayHours>> working_days;
};

class BusinessCalendar {
 public:
  // How far ahead due() looks for enough working time before it says there is none.
  static constexpr time::Days kMaxWindowDays = 3660;

  explicit BusinessCalendar(CalendarRules rules);

  // The instant at which `business` working time has passed since `from`: `from` itself for
  // zero, the end of the working stretch that completes it otherwise (so a window of 8 hours
  // from Friday 17:00 on a 09:00-18:00 week ends Monday 16:00). nullopt when the calendar does
  // not hold that much working time within kMaxWindowDays days after from, or before
  // time::kLatest.
  std::optional<time::Micros> due(time::Micros from, time::Micros business) const;
  // Working time in [from, to); 0 when to <= from.
  time::Micros between(time::Micros from, time::Micros to) const;
  bool working_at(time::Micros instant) const;
  // The hours of a local date: its working day's, none on a holiday, else its weekday's.
  const DayHours &hours_on(time::Days day) const;
  const CalendarRules &rules() const { return rules_; }

 private:
  // Calls visit(start, end) with each working stretch, as UTC instants, in time order from the
  // one that contains or follows `from` (overlaps merged), until visit returns false or a
  // stretch would start after `last_day` (a local date) ends.
  template <class Visit>
  void walk(time::Micros from, time::Days last_day, Visit &&visit) const;

  CalendarRules rules_;
};

}  // namespace crm::calendar
