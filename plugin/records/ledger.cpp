#include "ledger.hpp"

#include "../core/sql.hpp"
#include "../core/time.hpp"

namespace crm::records::ledger {

const std::string kColumns =
    "id, customer_id, from_stage, to_stage, occurred_at, recorded_at, actor, on_behalf_of, "
    "reason_code, reason_text, source_kind, source_key, owner_before, owner_after";

std::vector<db::Column> columns() {
  using db::Column;
  return {Column::integer(), Column::integer(),  Column::text(16),  Column::text(16),
          Column::text(32),  Column::text(32),   Column::text(128), Column::text(128),
          Column::text(64),  Column::text(1000), Column::text(16),  Column::text(128),
          Column::text(128), Column::text(128)};
}

std::vector<std::string> markers(const db::Dialect &dialect) {
  const auto ts = dialect.timestamp_param();
  return {"?", "?", "?", "?", ts, ts, "?", "?", "?", "?", "?", "?", "?", "?"};
}

const std::string &timeline_select() {
  static const std::string sql =
      "SELECT id, occurred_at, from_stage, to_stage, reason_code, actor, on_behalf_of "
      "FROM crm_lifecycle_event WHERE customer_id = ?";
  return sql;
}

std::vector<db::Column> timeline_columns() {
  using db::Column;
  return {Column::integer(), Column::text(32),  Column::text(16), Column::text(16),
          Column::text(64),  Column::text(128), Column::text(128)};
}

void append(Store &store, db::Connection &connection, const std::vector<Event> &events,
            std::int64_t first_id, const std::optional<std::string> &recorded_at) {
  const auto recorded = recorded_at ? *recorded_at : time::to_db_text(time::now());
  const auto marks = markers(store.dialect());
  const std::size_t per_chunk = sql::rows_per_chunk(store.dialect(), marks.size());
  std::vector<std::vector<db::Value>> rows;
  for (std::size_t start = 0; start < events.size(); start += per_chunk) {
    rows.clear();
    for (std::size_t i = start; i < std::min(events.size(), start + per_chunk); ++i) {
      const auto &event = events[i];
      rows.push_back({first_id + static_cast<std::int64_t>(i), event.customer_id,
                      db::optional_text(event.from_stage), event.to_stage, event.occurred_at,
                      recorded, event.actor, db::optional_text(event.on_behalf_of),
                      event.reason_code, db::optional_text(event.reason_text), event.source_kind,
                      db::optional_text(event.source_key), db::optional_text(event.owner_before),
                      db::optional_text(event.owner_after)});
    }
    sql::insert_rows(connection, "crm_lifecycle_event", kColumns, marks, rows);
  }
}

}  // namespace crm::records::ledger
