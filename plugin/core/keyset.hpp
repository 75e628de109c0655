// Keyset pages over any order: by id (customers, contacts, opportunities, tier migration), by
// (time, id) (the interaction and lifecycle timelines newest first, the task queue soonest due
// first), or by any list of text, time and id columns ending in a unique one. The cursor is
// the last row's key; the next page is the rows strictly after it, so rows written meanwhile
// never shift a page.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "cursor.hpp"
#include "error.hpp"
#include "odbc.hpp"
#include "params.hpp"
#include "time.hpp"

namespace crm::keyset {

using nlohmann::json;  // so that the header stands on its own

enum class Kind { time, text, id };

struct Column {
  std::string name;  // as the query names it (e.g. "id", "c.id")
  Kind kind = Kind::id;
  std::size_t index = 0;  // its position in the query's result
};

// Columns most significant first; the last one must be unique (an id), so that the key of a
// row names one place in the order.
struct Order {
  std::vector<Column> columns;
  bool descending = false;
};

inline Order by_id(std::string column = "id", std::size_t index = 0) {
  return {{{std::move(column), Kind::id, index}}, false};
}

inline Order by_time_id(std::string time_column, std::string id_column, bool newest_first,
                        std::size_t time_index, std::size_t id_index) {
  return {{{std::move(time_column), Kind::time, time_index},
           {std::move(id_column), Kind::id, id_index}},
          newest_first};
}

namespace detail {

inline std::string marker(const Column &column, const db::Dialect &dialect) {
  return column.kind == Kind::time ? dialect.timestamp_param() : std::string("?");
}

// (c1 > ? OR (c1 = ? AND (c2 > ? OR (c2 = ? AND c3 > ?)))) for ascending order, "c1 > ?" for
// a single column.
inline std::string after(const Order &order, const db::Dialect &dialect, const json &key,
                         std::size_t at, std::vector<db::Value> &values) {
  const auto &column = order.columns[at];
  const std::string op = order.descending ? " < " : " > ";
  auto value = [&]() -> db::Value {
    if (column.kind == Kind::id) return *params::cursor_integer(key[at]);
    return key[at].get<std::string>();
  };
  const std::string m = marker(column, dialect);
  values.push_back(value());
  if (at + 1 == order.columns.size()) return column.name + op + m;
  std::string sql = "(" + column.name + op + m + " OR (" + column.name + " = " + m + " AND ";
  values.push_back(value());
  return sql + after(order, dialect, key, at + 1, values) + "))";
}

}  // namespace detail

// The condition for the rows after params' cursor, its values appended to values; "" when
// params has no cursor. A cursor of another shape is invalid_argument on params.cursor.
inline std::string after(const json &params, const Order &order, const db::Dialect &dialect,
                         std::vector<db::Value> &values) {
  auto key = params::cursor(params, order.columns.size(), "params");
  if (!key) return "";
  for (std::size_t i = 0; i < order.columns.size(); ++i) {
    const auto &element = (*key)[i];
    bool fits = false;
    switch (order.columns[i].kind) {
      case Kind::id:
        fits = params::cursor_integer(element).has_value();
        break;
      case Kind::text:
        fits = element.is_string();
        break;
      case Kind::time:
        fits = element.is_string() && time::from_db_text(element.get<std::string>());
        break;
    }
    if (!fits)
      throw invalid_argument("params.cursor", "params.cursor is not a cursor of this method");
  }
  return detail::after(order, dialect, *key, 0, values);
}

// " ORDER BY ... LIMIT ?", with a limit of limit + 1 appended to values: the extra row tells
// read_page that there is a next page.
inline std::string order_limit(const Order &order, std::size_t limit,
                               std::vector<db::Value> &values) {
  const char *direction = order.descending ? " DESC" : "";
  std::string sql = " ORDER BY ";
  for (std::size_t i = 0; i < order.columns.size(); ++i)
    sql += (i ? ", " : "") + order.columns[i].name + direction;
  values.push_back(static_cast<std::int64_t>(limit + 1));
  return sql + " LIMIT ?";
}

// Appends to a query whose WHERE clause is open the condition for the rows after params'
// cursor, if it has one, then the ORDER BY and the LIMIT.
inline void page_query(std::string &sql, std::vector<db::Value> &values, const db::Dialect &dialect,
                       const json &params, const Order &order, std::size_t limit) {
  const auto condition = after(params, order, dialect, values);
  if (!condition.empty()) sql += " AND " + condition;
  sql += order_limit(order, limit, values);
}

// Reads up to limit rows of a paged result: {"items": [to_json(row)...], "next_cursor"}.
template <class ToJson>
json read_page(db::Result &result, const Order &order, std::size_t limit, ToJson to_json) {
  json items = json::array();
  json next = nullptr;
  json last = json::array();
  while (result.next()) {
    if (items.size() == limit) {
      next = cursor::encode(last);
      break;
    }
    last = json::array();
    for (const auto &column : order.columns) {
      switch (column.kind) {
        case Kind::id:
          last.push_back(result.int64(column.index));
          break;
        case Kind::text:
          last.push_back(result.text(column.index));
          break;
        case Kind::time:
          last.push_back(time::to_db_text(*time::from_db_text(result.text(column.index))));
          break;
      }
    }
    items.push_back(to_json(result));
  }
  return {{"items", std::move(items)}, {"next_cursor", std::move(next)}};
}

}  // namespace crm::keyset
