// Small helpers for writing SQL text with bound parameters (never values).
#pragma once

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>
#include <vector>

#include "dialect.hpp"

namespace crm::sql {

// "?, ?, ?"
inline std::string placeholders(std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) out += i ? ", ?" : "?";
  return out;
}

// Lists longer than this are bound as one JSON array instead of one parameter per element:
// psqlODBC fails near 7,500 parameters in one statement, and a statement may hold several lists.
inline constexpr std::size_t kMaxBoundList = 500;

// "column IN (?, ?, ...)" with the elements appended to values; a longer list as
// "column IN (<the dialect's list subquery>)" with one JSON array bound. Elements are strings
// (keys, at most 128 characters) or 64-bit ids. An empty list matches nothing.
template <class Element>
std::string in_list(const db::Dialect &dialect, const std::string &column,
                    const std::vector<Element> &elements, std::vector<db::Value> &values) {
  static_assert(std::is_same_v<Element, std::string> || std::is_same_v<Element, std::int64_t>);
  if (elements.empty()) return "1 = 0";
  if (elements.size() <= kMaxBoundList) {
    values.insert(values.end(), elements.begin(), elements.end());
    return column + " IN (" + placeholders(elements.size()) + ")";
  }
  values.push_back(nlohmann::json(elements).dump());
  return column + " IN (" +
         (std::is_same_v<Element, std::string> ? dialect.text_list() : dialect.integer_list()) +
         ")";
}

// Rows of `columns` values each per multi-row INSERT: as many as the dialect's parameter limit
// allows, at most 500.
inline std::size_t rows_per_statement(const db::Dialect &dialect, std::size_t columns) {
  return std::max<std::size_t>(1, std::min<std::size_t>(500, dialect.max_parameters() / columns));
}

// Rows to convert to bound values at a time by a caller that holds typed rows: ten full
// statements, so that a large import never holds all its rows twice.
inline std::size_t rows_per_chunk(const db::Dialect &dialect, std::size_t columns) {
  return 10 * rows_per_statement(dialect, columns);
}

// Inserts rows (each with one value per marker) into table with multi-row VALUES statements,
// rows_per_statement at a time.
inline void insert_rows(db::Connection &connection, const std::string &table,
                        const std::string &columns, const std::vector<std::string> &markers,
                        const std::vector<std::vector<db::Value>> &rows) {
  if (rows.empty()) return;
  std::string tuple = "(";
  for (std::size_t i = 0; i < markers.size(); ++i) tuple += (i ? ", " : "") + markers[i];
  tuple += ")";
  const std::size_t per_statement = rows_per_statement(connection.dialect(), markers.size());
  for (std::size_t start = 0; start < rows.size(); start += per_statement) {
    const std::size_t count = std::min(per_statement, rows.size() - start);
    std::string statement = "INSERT INTO " + table + " (" + columns + ") VALUES ";
    std::vector<db::Value> values;
    values.reserve(count * markers.size());
    for (std::size_t r = 0; r < count; ++r) {
      statement += (r ? ", " : "") + tuple;
      for (const auto &value : rows[start + r]) values.push_back(value);
    }
    connection.prepare(statement).execute(values);
  }
}

}  // namespace crm::sql
