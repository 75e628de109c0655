#include "calendar.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

#include "../core/config.hpp"
#include "../core/error.hpp"
#include "../hostdata/hostdata.hpp"

namespace crm::calendar {

namespace {

using params::Field;

constexpr const char *kWeekdays[] = {"monday", "tuesday",  "wednesday", "thursday",
                                     "friday", "saturday", "sunday"};
constexpr std::size_t kMaxCalendars = 64;
constexpr std::size_t kMaxNameChars = 64;
constexpr std::size_t kMaxShiftsPerDay = 24;
constexpr std::size_t kMaxDateEntries = 2000;
constexpr std::size_t kMaxHolidayDays = 20000;
constexpr std::size_t kMaxTeams = 10000;
constexpr time::Days kMaxHolidayRangeDays = 366;
constexpr std::int64_t kMaxBusinessMinutes = BusinessCalendar::kMaxWindowDays * 24 * 60;
constexpr time::Micros kMicrosPerMinute = 60'000'000;

std::string quoted(const json &value) {
  std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  if (text.size() > 40) text = text.substr(0, 40) + "...";
  return "\"" + text + "\"";
}

// "HH:MM" with HH 00..24 (24 only as "24:00"); minutes after midnight, or -1.
int parse_clock(std::string_view text) {
  auto digit = [&](std::size_t i) { return text[i] >= '0' && text[i] <= '9' ? text[i] - '0' : -1; };
  if (text.size() != 5 || text[2] != ':' || digit(0) < 0 || digit(1) < 0 || digit(3) < 0 ||
      digit(4) < 0)
    return -1;
  const int hours = digit(0) * 10 + digit(1), minutes = digit(3) * 10 + digit(4);
  if (minutes > 59 || hours > 24 || (hours == 24 && minutes != 0)) return -1;
  return hours * 60 + minutes;
}

std::string clock_text(int minute) {
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "%02d:%02d", minute / 60, minute % 60);
  return buffer;
}

std::string shift_text(const Shift &shift) {
  const int end = shift.start_minute + shift.length_minutes;
  return clock_text(shift.start_minute) + "-" + clock_text(end == 1440 ? 1440 : end % 1440);
}

Shift parse_shift(const json &value, const std::string &path) {
  const std::string hint =
      " must be working hours like \"09:00-18:00\" (\"22:00-06:00\" runs "
      "overnight, \"00:00-24:00\" is the whole day)";
  if (!value.is_string()) throw invalid_argument(path, path + hint);
  const auto text = value.get<std::string>();
  const int start = text.size() == 11 && text[5] == '-' ? parse_clock(text.substr(0, 5)) : -1;
  const int end = start >= 0 ? parse_clock(text.substr(6)) : -1;
  if (start < 0 || end < 0 || start == 1440)
    throw invalid_argument(path, path + hint + ", not " + quoted(value));
  if (start == end)
    throw invalid_argument(path, path + " " + quoted(value) +
                                     " starts and ends at the same time: give \"00:00-24:00\" "
                                     "for a whole day");
  return Shift{start, end > start ? end - start : 1440 - start + end};
}

DayHours parse_hours(const json &value, const std::string &path) {
  if (!value.is_array())
    throw invalid_argument(path, path + " must be a list of working hours like [\"09:00-18:00\"]");
  if (value.size() > kMaxShiftsPerDay)
    throw invalid_argument(path,
                           path + " has more than " + std::to_string(kMaxShiftsPerDay) + " shifts");
  DayHours hours;
  for (std::size_t i = 0; i < value.size(); ++i)
    hours.push_back(parse_shift(value[i], path + "[" + std::to_string(i) + "]"));
  std::sort(hours.begin(), hours.end(),
            [](const Shift &a, const Shift &b) { return a.start_minute < b.start_minute; });
  return hours;
}

time::Days parse_day(const std::string &text, const std::string &path) {
  auto day = time::parse_date(text);
  if (!day)
    throw invalid_argument(path,
                           path + " must be a date like \"2026-10-01\", not " + quoted(json(text)));
  return *day;
}

void check_name(const std::string &name, const std::string &path) {
  const bool plain = !name.empty() && name.size() <= kMaxNameChars &&
                     std::all_of(name.begin(), name.end(), [](char c) {
                       return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                              (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
                     });
  if (!plain)
    throw invalid_argument(path, path +
                                     ": a calendar name is 1 to 64 letters, digits, '-', '_' "
                                     "or '.', not " +
                                     quoted(json(name)));
}

std::array<DayHours, 7> standard_week() {
  std::array<DayHours, 7> week;
  for (std::size_t day = 0; day < 5; ++day) week[day] = {Shift{9 * 60, 9 * 60}};
  return week;
}

NamedCalendar parse_calendar(const std::string &name, const json &definition,
                             const std::string &path, int host_offset_minutes) {
  if (!definition.is_object())
    throw invalid_argument(path, path +
                                     " must be an object with time_zone, week, holidays and "
                                     "working_days");
  reject_unknown_fields(definition, path, {"time_zone", "week", "holidays", "working_days"});
  CalendarRules rules;
  rules.zone = Zone::fixed(host_offset_minutes * 60);
  std::string zone_name = rules.zone.name();
  if (definition.contains("time_zone")) {
    const auto &zone = definition["time_zone"];
    if (!zone.is_string())
      throw invalid_argument(path + ".time_zone",
                             path +
                                 ".time_zone must be a time zone like \"Asia/Shanghai\" or an "
                                 "offset like \"+08:00\"");
    std::string why;
    auto loaded = Zone::load(zone.get<std::string>(), &why);
    if (!loaded) throw invalid_argument(path + ".time_zone", path + ".time_zone: " + why);
    rules.zone = *loaded;
    zone_name = zone.get<std::string>();
  }

  rules.week = standard_week();
  if (definition.contains("week")) {
    const auto &week = definition["week"];
    const std::string week_path = path + ".week";
    if (!week.is_object())
      throw invalid_argument(week_path, week_path + " must be an object from monday to sunday");
    reject_unknown_fields(week, week_path, {std::begin(kWeekdays), std::end(kWeekdays)});
    for (std::size_t day = 0; day < 7; ++day)
      rules.week[day] = week.contains(kWeekdays[day])
                            ? parse_hours(week[kWeekdays[day]], week_path + "." + kWeekdays[day])
                            : DayHours{};
  }

  std::set<time::Days> holidays;
  if (definition.contains("holidays")) {
    const auto &list = definition["holidays"];
    const std::string list_path = path + ".holidays";
    if (!list.is_array() || list.size() > kMaxDateEntries)
      throw invalid_argument(list_path, list_path + " must be a list of up to " +
                                            std::to_string(kMaxDateEntries) +
                                            " dates (\"2026-10-01\") or ranges "
                                            "(\"2026-10-01..2026-10-07\")");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string item_path = list_path + "[" + std::to_string(i) + "]";
      if (!list[i].is_string())
        throw invalid_argument(item_path, item_path + " must be a date or a range of dates");
      const auto text = list[i].get<std::string>();
      const auto dots = text.find("..");
      const time::Days first = parse_day(text.substr(0, dots), item_path);
      const time::Days last =
          dots == std::string::npos ? first : parse_day(text.substr(dots + 2), item_path);
      if (last < first || last - first >= kMaxHolidayRangeDays)
        throw invalid_argument(item_path, item_path + " " + quoted(list[i]) +
                                              " must run forwards over at most 366 days");
      for (time::Days day = first; day <= last; ++day) holidays.insert(day);
      if (holidays.size() > kMaxHolidayDays)
        throw invalid_argument(
            list_path, list_path + " holds more than " + std::to_string(kMaxHolidayDays) + " days");
    }
  }

  if (definition.contains("working_days")) {
    const auto &days = definition["working_days"];
    const std::string days_path = path + ".working_days";
    if (!days.is_object() || days.size() > kMaxDateEntries)
      throw invalid_argument(days_path, days_path + " must be an object of up to " +
                                            std::to_string(kMaxDateEntries) +
                                            " dates, each worked like a weekday (\"monday\") "
                                            "or with its own hours ([\"09:00-17:00\"])");
    for (const auto &[key, value] : days.items()) {
      const std::string day_path = days_path + "." + key;
      const time::Days day = parse_day(key, day_path);
      if (holidays.count(day))
        throw invalid_argument(day_path, day_path + " is listed as a holiday too");
      DayHours hours;
      if (value.is_string()) {
        const auto named = value.get<std::string>();
        const auto weekday = std::find_if(std::begin(kWeekdays), std::end(kWeekdays),
                                          [&](const char *day) { return named == day; });
        if (weekday == std::end(kWeekdays))
          throw invalid_argument(day_path, day_path +
                                               " must name a weekday (\"monday\") or give "
                                               "hours, not " +
                                               quoted(value));
        hours = rules.week[static_cast<std::size_t>(weekday - std::begin(kWeekdays))];
        if (hours.empty())
          throw invalid_argument(day_path, day_path + " works " + value.get<std::string>() +
                                               "'s hours, and " + value.get<std::string>() +
                                               " has none");
      } else {
        hours = parse_hours(value, day_path);
        if (hours.empty())
          throw invalid_argument(day_path,
                                 day_path + " gives no hours: list the date as a holiday instead");
      }
      rules.working_days.emplace_back(day, std::move(hours));
    }
    std::sort(rules.working_days.begin(), rules.working_days.end(),
              [](const auto &a, const auto &b) { return a.first < b.first; });
  }
  rules.holidays.assign(holidays.begin(), holidays.end());

  const bool has_hours = std::any_of(rules.week.begin(), rules.week.end(),
                                     [](const DayHours &day) { return !day.empty(); });
  if (!has_hours)
    throw invalid_argument(path + ".week", path + ".week has no working hours on any day");
  return NamedCalendar{name, zone_name, BusinessCalendar(std::move(rules))};
}

json hours_json(const DayHours &hours) {
  json list = json::array();
  for (const auto &shift : hours) list.push_back(shift_text(shift));
  return list;
}

json calendar_json(const Calendars &calendars, const NamedCalendar &named) {
  const auto &rules = named.calendar.rules();
  json week = json::object();
  for (std::size_t day = 0; day < 7; ++day) week[kWeekdays[day]] = hours_json(rules.week[day]);
  json holidays = json::array();
  for (auto day : rules.holidays) holidays.push_back(time::format_date(day));
  json working_days = json::array();
  for (const auto &[day, hours] : rules.working_days)
    working_days.push_back({{"date", time::format_date(day)}, {"hours", hours_json(hours)}});
  json teams = json::array();
  for (const auto &[team, name] : calendars.teams())
    if (name == named.name) teams.push_back(team);
  return {{"name", named.name},
          {"time_zone", named.time_zone},
          {"default", &calendars.default_calendar() == &named},
          {"teams", std::move(teams)},
          {"week", std::move(week)},
          {"holidays", std::move(holidays)},
          {"working_days", std::move(working_days)}};
}

const NamedCalendar &requested(const Calendars &calendars, const json &params) {
  auto name = params::optional_string(params, "calendar");
  if (!name) return calendars.default_calendar();
  const auto *found = calendars.find(*name);
  if (!found)
    throw Error(Status::not_found, "no calendar is named " + quoted(json(*name)),
                "params.calendar");
  return *found;
}

json list(CallContext &context, const json &) {
  const auto &calendars = of(context.store);
  json items = json::array();
  for (const auto &[name, named] : calendars.all())
    items.push_back(calendar_json(calendars, named));
  return {{"calendars", std::move(items)}};
}

json due(CallContext &context, const json &params) {
  const auto &named = requested(of(context.store), params);
  const time::Micros from = *params::optional_timestamp(params, "from");
  const std::int64_t minutes = *params::optional_integer(params, "business_minutes");
  auto at = named.calendar.due(from, minutes * kMicrosPerMinute);
  if (!at)
    throw invalid_argument("params.business_minutes",
                           "calendar " + named.name + " does not hold " + std::to_string(minutes) +
                               " business minutes in the " +
                               std::to_string(BusinessCalendar::kMaxWindowDays) +
                               " days after params.from");
  return {{"calendar", named.name},
          {"from", time::format_iso8601(from)},
          {"business_minutes", minutes},
          {"due", time::format_iso8601(*at)}};
}

json between(CallContext &context, const json &params) {
  const auto &named = requested(of(context.store), params);
  const time::Micros from = *params::optional_timestamp(params, "from");
  const time::Micros to = *params::optional_timestamp(params, "to");
  if (to < from) throw invalid_argument("params.to", "params.to is before params.from");
  if (to - from > BusinessCalendar::kMaxWindowDays * time::kMicrosPerDay)
    throw invalid_argument("params.to", "params.to is more than " +
                                            std::to_string(BusinessCalendar::kMaxWindowDays) +
                                            " days after params.from");
  const time::Micros business = named.calendar.between(from, to);
  return {{"calendar", named.name},
          {"from", time::format_iso8601(from)},
          {"to", time::format_iso8601(to)},
          {"business_seconds", business / 1'000'000}};
}

}  // namespace

Calendars Calendars::load(const json *section, int host_offset_minutes) {
  Calendars result;
  if (!section) {
    CalendarRules rules;
    rules.zone = Zone::fixed(host_offset_minutes * 60);
    rules.week = standard_week();
    result.default_name_ = "standard";
    result.calendars_.emplace(
        "standard", NamedCalendar{"standard", rules.zone.name(), BusinessCalendar(rules)});
    return result;
  }
  if (!section->is_object())
    throw invalid_argument("calendars",
                           "calendars must be an object with definitions, default and teams");
  reject_unknown_fields(*section, "calendars", {"default", "teams", "definitions"});
  if (!section->contains("definitions") || !(*section)["definitions"].is_object() ||
      (*section)["definitions"].empty() || (*section)["definitions"].size() > kMaxCalendars)
    throw invalid_argument("calendars.definitions",
                           "calendars.definitions must be an object of 1 to " +
                               std::to_string(kMaxCalendars) + " calendars by name");
  for (const auto &[name, definition] : (*section)["definitions"].items()) {
    const std::string path = "calendars.definitions." + name;
    check_name(name, path);
    result.calendars_.emplace(name, parse_calendar(name, definition, path, host_offset_minutes));
  }

  if (section->contains("default")) {
    const auto &name = (*section)["default"];
    if (!name.is_string() || !result.calendars_.count(name.get<std::string>()))
      throw invalid_argument(
          "calendars.default",
          "calendars.default must name one of calendars.definitions, not " + quoted(name));
    result.default_name_ = name.get<std::string>();
  } else if (result.calendars_.size() == 1) {
    result.default_name_ = result.calendars_.begin()->first;
  } else {
    throw invalid_argument("calendars.default",
                           "calendars.default must say which of the calendars is the default");
  }

  if (section->contains("teams")) {
    const auto &teams = (*section)["teams"];
    if (!teams.is_object() || teams.size() > kMaxTeams)
      throw invalid_argument("calendars.teams",
                             "calendars.teams must be an object of team keys to calendar names");
    for (const auto &[team, name] : teams.items()) {
      const std::string path = "calendars.teams." + team;
      if (team.empty() || team.size() > kMaxNameChars)
        throw invalid_argument(path, path + ": a team key is 1 to 64 characters");
      if (!name.is_string() || !result.calendars_.count(name.get<std::string>()))
        throw invalid_argument(
            path, path + " must name one of calendars.definitions, not " + quoted(name));
      result.teams_.emplace(team, name.get<std::string>());
    }
  }
  return result;
}

const NamedCalendar &Calendars::default_calendar() const {
  return calendars_.find(default_name_)->second;
}

const NamedCalendar &Calendars::for_team(std::string_view team_key) const {
  auto team = teams_.find(team_key);
  return team == teams_.end() ? default_calendar() : calendars_.find(team->second)->second;
}

const NamedCalendar *Calendars::find(std::string_view name) const {
  auto found = calendars_.find(name);
  return found == calendars_.end() ? nullptr : &found->second;
}

const Calendars &of(const Store &store) {
  return store.settings<Calendars>("calendars");
}

void register_methods(Registry &registry) {
  namespace rs = result_schema;
  registry.add_section(
      settings_section<Calendars>("calendars", [](const json *section, Store &store) {
        return Calendars::load(section, hostdata::of(store).offset_minutes());
      }));
  const json hours = rs::array(rs::string());
  registry.add({"calendar.list",
                "The business calendars of the configuration: time zone, working hours per "
                "weekday, holidays, extra working days, the teams that use each and which one is "
                "the default.",
                {},
                rs::object({{"calendars",
                             rs::array(rs::object(
                                 {{"name", rs::string()},
                                  {"time_zone", rs::string()},
                                  {"default", rs::boolean()},
                                  {"teams", rs::array(rs::string())},
                                  {"week", rs::object({{"monday", hours},
                                                       {"tuesday", hours},
                                                       {"wednesday", hours},
                                                       {"thursday", hours},
                                                       {"friday", hours},
                                                       {"saturday", hours},
                                                       {"sunday", hours}})},
                                  {"holidays", rs::array(rs::date())},
                                  {"working_days", rs::array(rs::object({{"date", rs::date()},
                                                                         {"hours", hours}}))}}))}}),
                list,
                std::string(kAnySession)});
  const Field calendar_field =
      Field::string("calendar", kMaxNameChars, "the calendar's name (default: the default one)");
  registry.add({"calendar.due",
                "When a window of business minutes that opens at from closes on a calendar: "
                "counted over its working hours in its time zone, skipping holidays and working "
                "its extra working days.",
                {calendar_field, Field::timestamp("from", "when the window opens").require(),
                 Field::integer("business_minutes", 0, kMaxBusinessMinutes,
                                "how much working time the window holds")
                     .require()},
                rs::object({{"calendar", rs::string()},
                            {"from", rs::timestamp()},
                            {"business_minutes", rs::integer()},
                            {"due", rs::timestamp()}}),
                due,
                std::string(kAnySession)});
  registry.add({"calendar.between",
                "The working time of a calendar from one instant to another (at most 3,660 days "
                "apart), in whole seconds.",
                {calendar_field, Field::timestamp("from", "the start").require(),
                 Field::timestamp("to", "the end, not before from").require()},
                rs::object({{"calendar", rs::string()},
                            {"from", rs::timestamp()},
                            {"to", rs::timestamp()},
                            {"business_seconds", rs::integer()}}),
                between,
                std::string(kAnySession)});
}

}  // namespace crm::calendar
