// Keyset pages over a (time, id) order: the interaction and lifecycle timelines (newest first)
// and the task queue (soonest due first). The cursor is the last row's [time, id]; the next
// page is the rows strictly after it, so rows written meanwhile never shift a page.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cursor.hpp"
#include "error.hpp"
#include "odbc.hpp"
#include "params.hpp"
#include "time.hpp"

namespace crm::keyset {

struct TimeIdOrder {
  std::string time_column;
  std::string id_column;
  bool newest_first = true;
  std::size_t time_index = 0;  // the two columns' positions in the query's result
  std::size_t id_index = 0;
};

// Appends to a query (whose WHERE clause is open) the condition for the rows after params'
// cursor, if it has one, then the ORDER BY and a LIMIT of limit + 1: the extra row tells
// read_page that there is a next page.
inline void page_query(std::string &sql, std::vector<db::Value> &values, const db::Dialect &dialect,
                       const json &params, const TimeIdOrder &order, std::size_t limit) {
  if (auto key = params::cursor(params, 2, "params")) {
    const auto &at = (*key)[0];
    const auto id = params::cursor_integer((*key)[1]);
    if (!at.is_string() || !time::from_db_text(at.get<std::string>()) || !id)
      throw invalid_argument("params.cursor", "params.cursor is not a cursor of this method");
    const auto ts = dialect.timestamp_param();
    const char *after = order.newest_first ? " < " : " > ";
    sql += " AND (" + order.time_column + after + ts + " OR (" + order.time_column + " = " + ts +
           " AND " + order.id_column + after + "?))";
    values.push_back(at.get<std::string>());
    values.push_back(at.get<std::string>());
    values.push_back(*id);
  }
  const char *direction = order.newest_first ? " DESC" : "";
  sql += " ORDER BY " + order.time_column + direction + ", " + order.id_column + direction +
         " LIMIT ?";
  values.push_back(static_cast<std::int64_t>(limit + 1));
}

// Reads up to limit rows of a page_query result: {"items": [to_json(row)...], "next_cursor"}.
template <class ToJson>
json read_page(db::Result &result, const TimeIdOrder &order, std::size_t limit, ToJson to_json) {
  json items = json::array();
  json next = nullptr;
  std::string last_at;
  std::int64_t last_id = 0;
  while (result.next()) {
    if (items.size() == limit) {
      next = cursor::encode(json::array({last_at, last_id}));
      break;
    }
    last_at = time::to_db_text(*time::from_db_text(result.text(order.time_index)));
    last_id = result.int64(order.id_index);
    items.push_back(to_json(result));
  }
  return {{"items", std::move(items)}, {"next_cursor", std::move(next)}};
}

}  // namespace crm::keyset
