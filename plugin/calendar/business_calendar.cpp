#include "business_calendar.hpp"

#include <algorithm>

namespace crm::calendar {

namespace {

constexpr time::Micros kMicrosPerMinute = 60'000'000;

time::Days floor_days(time::Micros instant) {
  time::Days day = instant / time::kMicrosPerDay;
  if (instant % time::kMicrosPerDay < 0) --day;
  return day;
}

// The last local date whose shifts may still begin before time::kLatest.
constexpr time::Days kLastDay = time::kLatest / time::kMicrosPerDay + 1;

// The first instant whose wall clock reads `local` or later. A shift that starts or ends at a
// wall time a forward change skips (a daylight-saving gap) starts or ends at the change itself,
// which keeps shift boundaries in time order.
time::Micros first_instant_at(const Zone &zone, time::Micros local) {
  const time::Micros utc = zone.to_utc(local);
  const time::Micros after = static_cast<time::Micros>(zone.offset_at(utc)) * 1'000'000;
  if (utc + after == local) return utc;
  // In a gap, to_utc read `local` with the offset before the change: the change lies in
  // (local - after, utc], where the offset turns to `after`.
  time::Micros before_change = local - after, at_change = utc;
  while (at_change - before_change > 1) {
    const time::Micros middle = before_change + (at_change - before_change) / 2;
    if (static_cast<time::Micros>(zone.offset_at(middle)) * 1'000'000 == after)
      at_change = middle;
    else
      before_change = middle;
  }
  return at_change;
}

}  // namespace

BusinessCalendar::BusinessCalendar(CalendarRules rules) : rules_(std::move(rules)) {}

const DayHours &BusinessCalendar::hours_on(time::Days day) const {
  static const DayHours kNone;
  const auto &extra = rules_.working_days;
  auto worked = std::lower_bound(extra.begin(), extra.end(), day,
                                 [](const auto &entry, time::Days d) { return entry.first < d; });
  if (worked != extra.end() && worked->first == day) return worked->second;
  if (std::binary_search(rules_.holidays.begin(), rules_.holidays.end(), day)) return kNone;
  return rules_.week[static_cast<std::size_t>(time::weekday(day))];
}

template <class Visit>
void BusinessCalendar::walk(time::Micros from, time::Days last_day, Visit &&visit) const {
  const time::Micros local_from =
      from + static_cast<time::Micros>(rules_.zone.offset_at(from)) * 1'000'000;
  // A night shift of the day before may still be running at `from`.
  time::Days day = floor_days(local_from) - 1;
  last_day = std::min(last_day, kLastDay);
  time::Micros covered = time::kEarliest;
  for (; day <= last_day; ++day) {
    for (const Shift &shift : hours_on(day)) {
      const time::Micros local_start =
          day * time::kMicrosPerDay + shift.start_minute * kMicrosPerMinute;
      const time::Micros local_end = local_start + shift.length_minutes * kMicrosPerMinute;
      const time::Micros start = std::max(first_instant_at(rules_.zone, local_start), covered);
      const time::Micros end = first_instant_at(rules_.zone, local_end);
      if (end <= start) continue;  // inside what an overlapping shift already counted
      covered = end;
      if (end <= from) continue;
      if (!visit(start, end)) return;
    }
  }
}

std::optional<time::Micros> BusinessCalendar::due(time::Micros from, time::Micros business) const {
  if (business <= 0) return from;
  time::Micros remaining = business;
  std::optional<time::Micros> result;
  const time::Micros local_from =
      from + static_cast<time::Micros>(rules_.zone.offset_at(from)) * 1'000'000;
  walk(from, floor_days(local_from) + kMaxWindowDays, [&](time::Micros start, time::Micros end) {
    start = std::max(start, from);
    if (end - start >= remaining) {
      result = start + remaining;
      return false;
    }
    remaining -= end - start;
    return true;
  });
  if (result && *result > time::kLatest) return std::nullopt;
  return result;
}

time::Micros BusinessCalendar::between(time::Micros from, time::Micros to) const {
  if (to <= from) return 0;
  time::Micros total = 0;
  const time::Micros local_to =
      to + static_cast<time::Micros>(rules_.zone.offset_at(to)) * 1'000'000;
  walk(from, floor_days(local_to), [&](time::Micros start, time::Micros end) {
    if (start >= to) return false;
    total += std::min(end, to) - std::max(start, from);
    return true;
  });
  return total;
}

bool BusinessCalendar::working_at(time::Micros instant) const {
  bool working = false;
  walk(instant, floor_days(instant) + 2, [&](time::Micros start, time::Micros) {
    working = start <= instant;
    return false;
  });
  return working;
}

}  // namespace crm::calendar
