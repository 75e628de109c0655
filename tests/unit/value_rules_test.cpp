// value.run's scoring rules without a value run: the functions that state them, and the SQL that
// applies them in the database computing the same on the test database (every dialect).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "odbc.hpp"
#include "test_database.hpp"
#include "value/scoring.hpp"

namespace crm::value::scoring {
namespace {

const std::vector<Tier> kDefaultTiers = Settings{}.tiers;  // key 1, major 4, growth 15, basic 80

std::string tier_name(std::int64_t position, std::int64_t n,
                      const std::vector<Tier> &tiers = kDefaultTiers) {
  return tiers[tier_at(position, n, tiers)].name;
}

TEST(ValueRules, RanksScaleFromZeroToAMillionAndTiesShareTheLowest) {
  EXPECT_EQ(rank_ppm(0, 1), kFullScore);  // alone at the top
  EXPECT_EQ(rank_ppm(0, 2), 0);
  EXPECT_EQ(rank_ppm(1, 2), kFullScore);
  // Ten customers: rank r scores r × 10⁶ / 9, truncated.
  EXPECT_EQ(rank_ppm(1, 10), 111'111);
  EXPECT_EQ(rank_ppm(2, 10), 222'222);
  EXPECT_EQ(rank_ppm(8, 10), 888'888);
  EXPECT_EQ(rank_ppm(9, 10), kFullScore);
  // Two customers tied at the top of three share rank 1 (RANK() − 1), not 2.
  EXPECT_EQ(rank_ppm(1, 3), 500'000);
}

TEST(ValueRules, TheScoreWeighsTheAvailableComponentsOnly) {
  const std::array<std::int64_t, 5> weights = {35, 15, 15, 25, 10};
  EXPECT_EQ(score_ppm(weights, {kFullScore, kFullScore, kFullScore, kFullScore, kFullScore}),
            kFullScore);
  // Profit unavailable: its weight is left out of the total (75 remaining weight points).
  EXPECT_EQ(score_ppm(weights, {kFullScore, 0, 0, std::nullopt, 0}), 35 * kFullScore / 75);
  EXPECT_EQ(score_ppm(weights, {1, 1, 1, std::nullopt, 1}), 1);
  EXPECT_EQ(score_ppm(weights, {1, 0, 0, std::nullopt, 0}), 0);  // 35 / 75, truncated
  EXPECT_EQ(score_ppm(weights, {3, 3, 3, 3, 3}), 3);
  EXPECT_EQ(score_ppm(weights, {std::nullopt, std::nullopt, std::nullopt, std::nullopt, 7}), 7);
}

TEST(ValueRules, TiersCutThePositionsByCumulativePercentOfThePopulation) {
  // 250 customers: key 1 % = 2.5 → positions 1–2; major to 5 % = 12.5 → 3–12; growth to 20 %
  // = 50 → 13–50; basic the rest.
  EXPECT_EQ(tier_name(1, 250), "key");
  EXPECT_EQ(tier_name(2, 250), "key");
  EXPECT_EQ(tier_name(3, 250), "major");
  EXPECT_EQ(tier_name(12, 250), "major");
  EXPECT_EQ(tier_name(13, 250), "growth");
  EXPECT_EQ(tier_name(50, 250), "growth");
  EXPECT_EQ(tier_name(51, 250), "basic");
  EXPECT_EQ(tier_name(250, 250), "basic");
  // A cut that lands exactly on a position includes it: 100 customers, key is position 1 alone.
  EXPECT_EQ(tier_name(1, 100), "key");
  EXPECT_EQ(tier_name(2, 100), "major");
  // Fewer customers than a tier's share of one: nobody is key among 50, and one customer alone
  // is basic, the tier that covers the whole population.
  EXPECT_EQ(tier_name(1, 50), "major");
  EXPECT_EQ(tier_name(1, 1), "basic");
  // A pyramid of halves.
  const std::vector<Tier> halves = {{"top", 50}, {"rest", 50}};
  EXPECT_EQ(tier_name(2, 3, halves), "rest");
  EXPECT_EQ(tier_name(1, 3, halves), "top");
  EXPECT_EQ(tier_name(2, 4, halves), "top");
}

// The SQL of each rule against its function, on the test database: every position of several
// population sizes, including the cut points above, and ranks with n − 1 not dividing 10⁶.
TEST(ValueRules, TheSqlOfEachRuleComputesWhatTheRuleSays) {
  test::TestDatabase database;
  auto connection = database.open_connection();
  const auto &dialect = connection->dialect();
  const std::vector<Tier> tiers = {{"一级", 1}, {"major", 4}, {"growth", 15}, {"basic", 80}};
  const std::array<std::int64_t, 5> weights = {35, 0, 15, 25, 10};
  for (const std::int64_t n : {1, 2, 3, 7, 50, 99, 100, 101, 250}) {
    for (std::int64_t position = 1; position <= n; ++position) {
      std::vector<std::string> names;
      const std::string tier = tier_sql("pos", "n", tiers, dialect.text_cast("?"), names);
      const std::string sql =
          "SELECT " + tier + ", " + rank_ppm_sql("r", "n") + ", " +
          score_sql(weights, {"a", "b", std::nullopt, "c", "d"}) + " FROM (SELECT " +
          std::to_string(position) + " AS pos, " + std::to_string(n) + " AS n, " +
          std::to_string(position - 1) + " AS r, " + std::to_string(position * 7919 % kFullScore) +
          " AS a, 1 AS b, " + std::to_string((n - position) * 104729 % kFullScore) + " AS c, " +
          std::to_string(rank_ppm(position - 1, n)) + " AS d) t";
      std::vector<db::Value> values(names.begin(), names.end());
      auto result = connection->prepare(sql).query(
          values, {db::Column::text(32), db::Column::integer(), db::Column::integer()});
      ASSERT_TRUE(result.next());
      EXPECT_EQ(result.text(0), tiers[tier_at(position, n, tiers)].name) << position << "/" << n;
      EXPECT_EQ(result.int64(1), rank_ppm(position - 1, n)) << position << "/" << n;
      EXPECT_EQ(result.int64(2), score_ppm(weights, {position * 7919 % kFullScore, 1, std::nullopt,
                                                     (n - position) * 104729 % kFullScore,
                                                     rank_ppm(position - 1, n)}))
          << position << "/" << n;
    }
  }
}

}  // namespace
}  // namespace crm::value::scoring
