// Time in stage without a database: histories replayed by hand.
#include <gtest/gtest.h>

#include "opportunities/stage_time.hpp"

namespace crm::opportunities {
namespace {

constexpr time::Micros kHour = 3'600'000'000LL;

std::map<std::string, std::pair<time::Micros, int>> replay(const std::vector<StageEvent> &events,
                                                           time::Micros now) {
  std::map<std::string, std::pair<time::Micros, int>> out;
  for (const auto &[stage, time] : time_in_stage(events, now))
    out[stage] = {time.spent, time.visits};
  return out;
}

using Spent = std::map<std::string, std::pair<time::Micros, int>>;

TEST(OpportunityStageTime, TheCurrentStageOfAnOpenOpportunityCountsUntilNow) {
  EXPECT_EQ(replay({{"created", "qualify", 0}, {"stage", "develop", 5 * kHour}}, 8 * kHour),
            (Spent{{"qualify", {5 * kHour, 1}}, {"develop", {3 * kHour, 1}}}));
}

TEST(OpportunityStageTime, VisitsOfAStageAreSummed) {
  EXPECT_EQ(replay({{"created", "qualify", 0},
                    {"stage", "develop", 2 * kHour},
                    {"stage", "qualify", 3 * kHour},
                    {"stage", "develop", 7 * kHour}},
                   10 * kHour),
            (Spent{{"qualify", {6 * kHour, 2}}, {"develop", {4 * kHour, 2}}}));
}

TEST(OpportunityStageTime, ClosingStopsTheClockAndReopeningStartsAVisit) {
  const std::vector<StageEvent> events = {{"created", "propose", 0},
                                          {"amount", "propose", 1 * kHour},  // changes nothing
                                          {"won", "propose", 2 * kHour},
                                          {"stage", "negotiate", 3 * kHour},  // closed: ignored
                                          {"reopened", "negotiate", 5 * kHour}};
  EXPECT_EQ(replay(events, 6 * kHour),
            (Spent{{"propose", {2 * kHour, 1}}, {"negotiate", {1 * kHour, 1}}}));
  EXPECT_EQ(replay({{"created", "qualify", 0}, {"lost", "qualify", kHour}}, 100 * kHour),
            (Spent{{"qualify", {kHour, 1}}}));
}

TEST(OpportunityStageTime, TimesOutOfOrderNeverCountNegative) {
  EXPECT_EQ(replay({{"created", "qualify", 5 * kHour}, {"stage", "develop", 2 * kHour}}, kHour),
            (Spent{{"qualify", {0, 1}}, {"develop", {0, 1}}}));
  EXPECT_TRUE(replay({}, kHour).empty());
}

}  // namespace
}  // namespace crm::opportunities
