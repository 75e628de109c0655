#include "ledger.hpp"

#include "../core/keyset.hpp"
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

Entry read(const db::Result &row) {
  Entry entry;
  entry.id = row.int64(0);
  auto &event = entry.event;
  event.customer_id = row.int64(1);
  event.from_stage = row.optional_text(2);
  event.to_stage = row.text(3);
  event.occurred_at = row.text(4);
  entry.recorded_at = row.text(5);
  event.actor = row.text(6);
  event.on_behalf_of = row.optional_text(7);
  event.reason_code = row.text(8);
  event.reason_text = row.optional_text(9);
  event.source_kind = row.text(10);
  event.source_key = row.optional_text(11);
  event.owner_before = row.optional_text(12);
  event.owner_after = row.optional_text(13);
  return entry;
}

std::optional<Entry> find(db::Connection &connection, std::int64_t id) {
  auto result = connection.prepare("SELECT " + kColumns + " FROM crm_lifecycle_event WHERE id = ?")
                    .query({id}, columns());
  if (!result.next()) return std::nullopt;
  return read(result);
}

nlohmann::json customer_page(db::Connection &connection, std::int64_t customer_id,
                             const nlohmann::json &params, std::size_t limit,
                             const std::function<nlohmann::json(const Entry &)> &to_json) {
  std::string sql = "SELECT " + kColumns + " FROM crm_lifecycle_event WHERE customer_id = ?";
  std::vector<db::Value> values = {customer_id};
  const auto order = keyset::by_time_id("occurred_at", "id", true, 4, 0);
  keyset::page_query(sql, values, connection.dialect(), params, order, limit);
  auto result = connection.prepare(sql).query(values, columns());
  return keyset::read_page(result, order, limit,
                           [&](const db::Result &row) { return to_json(read(row)); });
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
