// Shared by the records modules (not for the areas): lookups of many ids at once, and the
// optimistic UPDATE of one row.
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

// "column = marker, ..." and their values.
struct Assignments {
  std::string sql;
  std::vector<db::Value> values;
  void add(const char *column, db::Value value, const std::string &marker = "?") {
    sql += std::string(sql.empty() ? "" : ", ") + column + " = " + marker;
    values.push_back(std::move(value));
  }
  // The literal NULL, which needs no marker of the column's type.
  void add_null(const char *column) {
    sql += std::string(sql.empty() ? "" : ", ") + column + " = NULL";
  }
};

// Applies set to the row of table with id if it is at version, and counts the version up;
// false when no row matched (unknown id or another version).
inline bool update_at_version(db::Connection &connection, const std::string &table, Assignments set,
                              std::int64_t id, std::int64_t version) {
  set.values.push_back(id);
  set.values.push_back(version);
  return connection
             .prepare("UPDATE " + table + " SET " + set.sql +
                      ", version = version + 1 WHERE id = ? AND version = ?")
             .execute(set.values) == 1;
}

}  // namespace crm::records::detail
