// Shared by the records modules (not for the areas): lookups of many ids at once.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "../core/sql.hpp"
#include "../core/store.hpp"

namespace crm::records::detail {

// column's value for each of ids found in table, read in IN lists of a bounded size.
inline std::map<std::int64_t, std::int64_t> integer_of(db::Connection &connection,
                                                       const std::string &table,
                                                       const std::string &column,
                                                       const std::set<std::int64_t> &ids) {
  constexpr std::size_t kInListChunk = 500;
  std::map<std::int64_t, std::int64_t> found;
  std::vector<std::int64_t> all(ids.begin(), ids.end());
  for (std::size_t start = 0; start < all.size(); start += kInListChunk) {
    const std::size_t count = std::min(kInListChunk, all.size() - start);
    std::vector<db::Value> values(all.begin() + static_cast<std::ptrdiff_t>(start),
                                  all.begin() + static_cast<std::ptrdiff_t>(start + count));
    auto result = connection
                      .prepare("SELECT id, " + column + " FROM " + table + " WHERE id IN (" +
                               sql::placeholders(count) + ")")
                      .query(values, {db::Column::integer(), db::Column::integer()}, count);
    while (result.next()) found[result.int64(0)] = result.int64(1);
  }
  return found;
}

}  // namespace crm::records::detail
