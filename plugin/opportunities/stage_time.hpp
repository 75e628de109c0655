// Time in stage, apart from the database: an opportunity's events replayed in order give the
// time it spent in each stage it visited, summed over visits.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "../core/time.hpp"

namespace crm::opportunities {

// One event of an opportunity's history, as the replay needs it: its kind (created, stage,
// amount, won, lost, reopened ...), the stage after it, and when it happened.
struct StageEvent {
  std::string kind;
  std::string to_stage;
  time::Micros at = 0;
};

struct StageTime {
  time::Micros spent = 0;
  int visits = 0;
};

// By stage, for each stage visited: created and reopened enter a stage, a stage change while
// open leaves one stage for the next, won and lost leave it; other events (amount, probability)
// change nothing. The stage an open opportunity is in counts until now. A stage entered and left
// at times out of order counts 0 for that visit, never less.
std::map<std::string, StageTime> time_in_stage(const std::vector<StageEvent> &events,
                                               time::Micros now);

}  // namespace crm::opportunities
