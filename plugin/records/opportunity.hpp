// crm_opportunity: the sales pipeline's stages and the rule for an opportunity whose
// probability is NULL, in C++ and in SQL, so that every area reads it alike.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "../core/store.hpp"

namespace crm::records::opportunity {

struct Stage {
  const char *name;
  std::int64_t probability;  // the default, in percent
};
// The pipeline, in order.
inline constexpr Stage kStages[] = {
    {"qualify", 10}, {"develop", 30}, {"propose", 60}, {"negotiate", 80}};
inline const std::vector<std::string> kStageNames = {"qualify", "develop", "propose", "negotiate"};

// The probability, in percent, of an opportunity in stage that has none of its own: the
// stage's default (0 for a stage outside the pipeline).
std::int64_t default_probability(std::string_view stage);

// The probability as SQL: the column's value, or the stage's default when it is NULL.
std::string probability_sql(const std::string &probability_column, const std::string &stage_column);

// The customer of each of ids that names an opportunity.
std::map<std::int64_t, std::int64_t> customers_of(db::Connection &connection,
                                                  const std::set<std::int64_t> &ids);

}  // namespace crm::records::opportunity
