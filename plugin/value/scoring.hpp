// How value.run scores and cuts the population, as pure rules with the SQL that applies them:
// value.run runs the whole computation set-based in the database, so each rule comes as the
// function that states it and the SQL expression that does the same on every dialect
// (tests/unit/value_rules_test.cpp holds the two together on each database).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "value.hpp"

namespace crm::value::scoring {

// Scores are parts per million: 1,000,000 is the top of the population.
inline constexpr std::int64_t kFullScore = 1'000'000;

// a / b truncated towards zero, for integers and b != 0.
std::string integer_division_sql(const std::string &a, const std::string &b);

// A component value's rank among n customers as parts per million: rank is 0-based and ties
// share the lowest (SQL's RANK() − 1), so the lowest value scores 0 and the highest 1,000,000
// unless it is tied; a population of one scores the full million.
std::int64_t rank_ppm(std::int64_t rank, std::int64_t n);
std::string rank_ppm_sql(const std::string &rank, const std::string &n);

// The weighted score of the normalised components (nullopt where a component is unavailable,
// which weights zero): Σ weight × ppm / Σ weight over the available components, truncated.
std::int64_t score_ppm(const std::array<std::int64_t, 5> &weights,
                       const std::array<std::optional<std::int64_t>, 5> &ppm);
// The same over the ppm columns of the available components (nullopt: unavailable); at least
// one available component must have a weight.
std::string score_sql(const std::array<std::int64_t, 5> &weights,
                      const std::array<std::optional<std::string>, 5> &ppm_columns);

// The tier of the customer at position (1-based, best first) among n: the first tier whose
// cumulative percent of n covers the position, the last tier otherwise. With key 1 % of 250
// customers, positions 1 and 2 are key (1 % × 250 = 2.5 ≥ 2) and 3 is not.
std::size_t tier_at(std::int64_t position, std::int64_t n, const std::vector<Tier> &tiers);
// The same as a CASE expression whose tier names are bound: `text_marker` is the dialect's
// typed placeholder and the names are appended to tier_names in the order of the markers.
std::string tier_sql(const std::string &position, const std::string &n,
                     const std::vector<Tier> &tiers, const std::string &text_marker,
                     std::vector<std::string> &tier_names);

}  // namespace crm::value::scoring
