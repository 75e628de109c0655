#include "windows.hpp"

#include <cmath>

#include "../core/config.hpp"
#include "../core/error.hpp"

namespace crm::handoff {

namespace {

using nlohmann::json;
constexpr time::Micros kMinute = 60'000'000LL;
constexpr double kMaxHours = 8760;  // a year of round-the-clock hours

// Hours as whole minutes of business time: a window of less than a minute, of a fraction of a
// minute, or of more than a year is a mistake in the configuration.
time::Micros hours_of(const json &value, const std::string &path) {
  if (!value.is_number() || value.is_boolean())
    throw invalid_argument(path, path + " must be a number of business hours");
  const double hours = value.get<double>();
  const double minutes = hours * 60;
  if (!(hours > 0) || hours > kMaxHours || std::abs(minutes - std::round(minutes)) > 1e-6)
    throw invalid_argument(path, path +
                                     " must be whole minutes of business time from 1 minute to " +
                                     "8760 hours (0.25 is 15 minutes), not " + value.dump());
  return static_cast<time::Micros>(std::llround(minutes)) * kMinute;
}

std::optional<std::string> key_of(const json &entry, const char *name, const std::string &path) {
  if (!entry.contains(name)) return std::nullopt;
  const auto &value = entry.at(name);
  if (!value.is_string() || value.get<std::string>().empty() ||
      value.get<std::string>().size() > 64)
    throw invalid_argument(path + "." + name,
                           path + "." + name + " must be a key of 1 to 64 bytes");
  return value.get<std::string>();
}

}  // namespace

std::pair<time::Micros, time::Micros> Windows::of(const std::optional<std::string> &team,
                                                  const std::optional<std::string> &source,
                                                  const std::optional<std::string> &tier) const {
  auto meets = [](const std::optional<std::string> &condition,
                  const std::optional<std::string> &fact) {
    return !condition || condition == fact;
  };
  for (const auto &window : windows)
    if (meets(window.team, team) && meets(window.source, source) && meets(window.tier, tier))
      return {window.accept, window.contact};
  return {accept, contact};
}

Windows load_windows(const json *section) {
  Windows settings;
  if (!section) return settings;
  if (!section->is_object()) throw invalid_argument("handoff", "handoff must be an object");
  reject_unknown_fields(*section, "handoff", {"accept_hours", "contact_hours", "windows"});
  if (section->contains("accept_hours"))
    settings.accept = hours_of(section->at("accept_hours"), "handoff.accept_hours");
  if (section->contains("contact_hours"))
    settings.contact = hours_of(section->at("contact_hours"), "handoff.contact_hours");
  if (!section->contains("windows")) return settings;
  const auto &windows = section->at("windows");
  if (!windows.is_array() || windows.size() > 200)
    throw invalid_argument("handoff.windows",
                           "handoff.windows must be a list of at most 200 windows");
  for (std::size_t i = 0; i < windows.size(); ++i) {
    const std::string path = "handoff.windows[" + std::to_string(i) + "]";
    const auto &entry = windows[i];
    if (!entry.is_object()) throw invalid_argument(path, path + " must be an object");
    reject_unknown_fields(entry, path, {"team", "source", "tier", "accept_hours", "contact_hours"});
    Window window;
    window.team = key_of(entry, "team", path);
    window.source = key_of(entry, "source", path);
    window.tier = key_of(entry, "tier", path);
    if (!window.team && !window.source && !window.tier)
      throw invalid_argument(path, path +
                                       " needs a condition (team, source or tier): the "
                                       "defaults are handoff.accept_hours and contact_hours");
    window.accept = entry.contains("accept_hours")
                        ? hours_of(entry.at("accept_hours"), path + ".accept_hours")
                        : settings.accept;
    window.contact = entry.contains("contact_hours")
                         ? hours_of(entry.at("contact_hours"), path + ".contact_hours")
                         : settings.contact;
    settings.windows.push_back(std::move(window));
  }
  return settings;
}

}  // namespace crm::handoff
