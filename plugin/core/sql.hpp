// Small helpers for writing SQL text with bound parameters (never values).
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "dialect.hpp"

namespace crm::sql {

// "?, ?, ?"
inline std::string placeholders(std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) out += i ? ", ?" : "?";
  return out;
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
