// The hand-off's windows, from the configuration's "handoff" section: how many business hours
// sales has to accept or return a lead, and then to make the first contact. The first entry of
// "windows" whose conditions the hand-off meets decides; otherwise the defaults do.
//
//   "handoff": {
//     "accept_hours": 4, "contact_hours": 8,                      (defaults 4 and 8)
//     "windows": [
//       {"source": "referral", "accept_hours": 1, "contact_hours": 2},
//       {"team": "east", "tier": "A", "accept_hours": 2, "contact_hours": 4}
//     ]
//   }
//
// Hours are counted in the receiving team's business calendar ("calendars" section); a window
// may be a fraction of an hour down to whole minutes (0.25 is 15 minutes).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../core/time.hpp"

namespace crm::handoff {

struct Window {
  // Conditions; an absent one meets every hand-off.
  std::optional<std::string> team, source, tier;
  time::Micros accept = 0, contact = 0;
};

struct Windows {
  time::Micros accept = 4 * 3'600'000'000LL, contact = 8 * 3'600'000'000LL;
  std::vector<Window> windows;

  // The accept and contact windows of a hand-off to team, from source, of tier.
  std::pair<time::Micros, time::Micros> of(const std::optional<std::string> &team,
                                           const std::optional<std::string> &source,
                                           const std::optional<std::string> &tier) const;
};

// Throws crm::Error(invalid_argument) naming the configuration path at fault.
Windows load_windows(const nlohmann::json *section);

}  // namespace crm::handoff
