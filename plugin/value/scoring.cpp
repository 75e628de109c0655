#include "scoring.hpp"

namespace crm::value::scoring {

std::string integer_division_sql(const std::string &a, const std::string &b) {
  // a - a % b is a multiple of b, so the division is exact even where "/" is decimal (MariaDB).
  return "((" + a + ") - ((" + a + ") % (" + b + "))) / (" + b + ")";
}

std::int64_t rank_ppm(std::int64_t rank, std::int64_t n) {
  return n == 1 ? kFullScore : rank * kFullScore / (n - 1);
}

std::string rank_ppm_sql(const std::string &rank, const std::string &n) {
  return "CASE WHEN " + n + " = 1 THEN " + std::to_string(kFullScore) + " ELSE " +
         integer_division_sql(rank + " * " + std::to_string(kFullScore), n + " - 1") + " END";
}

std::int64_t score_ppm(const std::array<std::int64_t, 5> &weights,
                       const std::array<std::optional<std::int64_t>, 5> &ppm) {
  std::int64_t weighted = 0, total = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (!ppm[i]) continue;
    weighted += weights[i] * *ppm[i];
    total += weights[i];
  }
  return total == 0 ? 0 : weighted / total;
}

std::string score_sql(const std::array<std::int64_t, 5> &weights,
                      const std::array<std::optional<std::string>, 5> &ppm_columns) {
  std::string weighted;
  std::int64_t total = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (!ppm_columns[i]) continue;
    total += weights[i];
    if (weights[i] > 0)
      weighted +=
          (weighted.empty() ? "" : " + ") + std::to_string(weights[i]) + " * " + *ppm_columns[i];
  }
  return integer_division_sql(weighted, std::to_string(total));
}

std::size_t tier_at(std::int64_t position, std::int64_t n, const std::vector<Tier> &tiers) {
  std::int64_t cumulative = 0;
  for (std::size_t i = 0; i < tiers.size(); ++i) {
    cumulative += tiers[i].percent;
    if (cumulative * n >= position * 100) return i;
  }
  return tiers.size() - 1;
}

std::string tier_sql(const std::string &position, const std::string &n,
                     const std::vector<Tier> &tiers, const std::string &text_marker,
                     std::vector<std::string> &tier_names) {
  std::string sql = "CASE";
  std::int64_t cumulative = 0;
  for (const auto &tier : tiers) {
    cumulative += tier.percent;
    sql += " WHEN " + std::to_string(cumulative) + " * " + n + " >= " + position + " * 100 THEN " +
           text_marker;
    tier_names.push_back(tier.name);
  }
  tier_names.push_back(tiers.back().name);
  return sql + " ELSE " + text_marker + " END";
}

}  // namespace crm::value::scoring
