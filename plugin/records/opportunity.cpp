#include "opportunity.hpp"

#include "lookup.hpp"

namespace crm::records::opportunity {

std::int64_t default_probability(std::string_view stage) {
  for (const auto &entry : kStages)
    if (stage == entry.name) return entry.probability;
  return 0;
}

std::string probability_sql(const std::string &probability_column,
                            const std::string &stage_column) {
  std::string sql = "COALESCE(" + probability_column + ", CASE " + stage_column;
  for (const auto &entry : kStages)
    sql += std::string(" WHEN '") + entry.name + "' THEN " + std::to_string(entry.probability);
  return sql + " ELSE 0 END)";
}

std::map<std::int64_t, std::int64_t> customers_of(db::Connection &connection,
                                                  const std::set<std::int64_t> &ids) {
  return detail::integer_of(connection, "crm_opportunity", "customer_id", ids);
}

}  // namespace crm::records::opportunity
