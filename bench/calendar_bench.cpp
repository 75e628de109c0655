// crm-calendar-bench: the due-time and business-time computations of plugin/calendar per call,
// on the calendars hand-off SLAs use (a Beijing office week with lunch, the National Day
// holidays and make-up days; a New York office week across daylight saving; a 24-hour
// three-shift week), for windows from one hour to a year. Minute-by-minute counting, the way
// SLA clocks are often stepped, is measured beside them as the reference.
//
//   build/bench/crm-calendar-bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include "calendar/calendar.hpp"

namespace {

using crm::calendar::BusinessCalendar;
using crm::calendar::Calendars;
namespace time = crm::time;

constexpr time::Micros kMinute = 60'000'000;
constexpr time::Micros kHour = 60 * kMinute;

const Calendars &calendars() {
  static const Calendars loaded = [] {
    nlohmann::json office = {{"monday", {"09:00-12:00", "13:00-18:00"}},
                             {"tuesday", {"09:00-12:00", "13:00-18:00"}},
                             {"wednesday", {"09:00-12:00", "13:00-18:00"}},
                             {"thursday", {"09:00-12:00", "13:00-18:00"}},
                             {"friday", {"09:00-12:00", "13:00-18:00"}}};
    nlohmann::json holidays = nlohmann::json::array(), working_days = nlohmann::json::object();
    for (int year = 2026; year <= 2030; ++year) {
      const std::string y = std::to_string(year);
      for (const char *range : {"-01-01", "-02-10..Y-02-16", "-04-04..Y-04-06", "-05-01..Y-05-05",
                                "-06-19", "-09-25", "-10-01..Y-10-07"}) {
        std::string text = y + range;
        if (auto second = text.find("Y"); second != std::string::npos) text.replace(second, 1, y);
        holidays.push_back(text);
      }
      working_days[y + "-09-27"] = "monday";
      working_days[y + "-10-10"] = nlohmann::json::array({"09:00-18:00"});
    }
    nlohmann::json shifts = nlohmann::json::object();
    for (const char *day :
         {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"})
      shifts[day] = {"06:00-14:00", "14:00-22:00", "22:00-06:00"};
    const nlohmann::json section = {
        {"default", "beijing"},
        {"definitions",
         {{"beijing",
           {{"time_zone", "Asia/Shanghai"},
            {"week", office},
            {"holidays", holidays},
            {"working_days", working_days}}},
          {"new-york", {{"time_zone", "America/New_York"}, {"week", office}}},
          {"shifts", {{"time_zone", "+08:00"}, {"week", shifts}}}}}};
    return Calendars::load(&section, 480);
  }();
  return loaded;
}

const BusinessCalendar &named(const char *name) {
  return calendars().find(name)->calendar;
}

// Windows open at staggered instants over 2027, so that every weekday, holiday and
// daylight-saving change is met.
time::Micros opening(std::int64_t iteration) {
  static const time::Micros start = *time::parse_iso8601("2027-01-01T00:00:00Z");
  return start + (iteration * 7919 % 525600) * kMinute;
}

void due(benchmark::State &state, const char *calendar, time::Micros window) {
  const auto &business = named(calendar);
  std::int64_t iteration = 0;
  for (auto _ : state) benchmark::DoNotOptimize(business.due(opening(++iteration), window));
  state.SetLabel(calendar);
}

void between(benchmark::State &state, const char *calendar, time::Micros span) {
  const auto &business = named(calendar);
  std::int64_t iteration = 0;
  for (auto _ : state) {
    const time::Micros from = opening(++iteration);
    benchmark::DoNotOptimize(business.between(from, from + span));
  }
  state.SetLabel(calendar);
}

// The reference: a clock stepped minute by minute until the window's business minutes are
// used up, asking the calendar whether each minute is worked.
void due_minute_by_minute(benchmark::State &state, const char *calendar, time::Micros window) {
  const auto &business = named(calendar);
  std::int64_t iteration = 0;
  for (auto _ : state) {
    time::Micros at = opening(++iteration), left = window;
    while (left > 0) {
      if (business.working_at(at)) left -= kMinute;
      at += kMinute;
    }
    benchmark::DoNotOptimize(at);
  }
  state.SetLabel(calendar);
}

BENCHMARK_CAPTURE(due, 8h_beijing, "beijing", 8 * kHour);
BENCHMARK_CAPTURE(due, 8h_new_york, "new-york", 8 * kHour);
BENCHMARK_CAPTURE(due, 8h_shifts, "shifts", 8 * kHour);
BENCHMARK_CAPTURE(due, 40h_beijing, "beijing", 40 * kHour);
BENCHMARK_CAPTURE(due, 2000h_beijing, "beijing", 2000 * kHour);
BENCHMARK_CAPTURE(due, 2000h_new_york, "new-york", 2000 * kHour);
BENCHMARK_CAPTURE(between, 1d_beijing, "beijing", 24 * kHour);
BENCHMARK_CAPTURE(between, 30d_beijing, "beijing", 720 * kHour);
BENCHMARK_CAPTURE(between, 365d_beijing, "beijing", 8760 * kHour);
BENCHMARK_CAPTURE(between, 365d_new_york, "new-york", 8760 * kHour);
BENCHMARK_CAPTURE(due_minute_by_minute, 8h_beijing, "beijing", 8 * kHour);
BENCHMARK_CAPTURE(due_minute_by_minute, 40h_beijing, "beijing", 40 * kHour);

}  // namespace

BENCHMARK_MAIN();
