#include "stage_time.hpp"

#include <algorithm>
#include <optional>

namespace crm::opportunities {

std::map<std::string, StageTime> time_in_stage(const std::vector<StageEvent> &events,
                                               time::Micros now) {
  std::map<std::string, StageTime> out;
  std::optional<std::string> stage;
  time::Micros entered = 0;
  bool open = false;
  auto leave = [&](time::Micros at) {
    if (stage && open) out[*stage].spent += std::max<time::Micros>(0, at - entered);
  };
  for (const auto &event : events) {
    if (event.kind == "created" || event.kind == "reopened" || (event.kind == "stage" && open)) {
      leave(event.at);
      ++out[event.to_stage].visits;
      stage = event.to_stage;
      entered = event.at;
      open = true;
    } else if (event.kind == "won" || event.kind == "lost") {
      leave(event.at);
      open = false;
    }
  }
  leave(now);
  return out;
}

}  // namespace crm::opportunities
