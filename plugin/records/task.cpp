#include "task.hpp"

#include <algorithm>

#include "../core/keyset.hpp"
#include "../core/sql.hpp"
#include "customer.hpp"

namespace crm::records::task {

namespace {

const std::string kColumns =
    "id, customer_id, plan_id, kind, title, owner, due_at, status, created_at, created_by, "
    "completed_at, completed_by, note, version, updated_on_behalf_of";

std::vector<std::string> markers(const db::Dialect &dialect) {
  const auto ts = dialect.timestamp_param();
  return {"?", "?", "?", "?", "?", "?", ts, "?", ts, "?", ts, "?", "?", "?", "?"};
}

std::vector<db::Column> columns() {
  using db::Column;
  return {Column::integer(),         Column::integer(),          Column::text(kPlanIdChars),
          Column::text(kKindChars),  Column::text(kTitleChars),  Column::text(kOwnerChars),
          Column::text(32),          Column::text(kStatusChars), Column::text(32),
          Column::text(kOwnerChars), Column::text(32),           Column::text(kOwnerChars),
          Column::text(kNoteChars),  Column::integer(),          Column::text(kOwnerChars)};
}

std::vector<db::Value> values(const Row &row) {
  return {row.id,
          row.customer_id,
          db::optional_text(row.plan_id),
          row.kind,
          row.title,
          db::optional_text(row.owner),
          row.due_at,
          row.status,
          row.created_at,
          row.created_by,
          db::optional_text(row.completed_at),
          db::optional_text(row.completed_by),
          db::optional_text(row.note),
          row.version,
          db::optional_text(row.updated_on_behalf_of)};
}

Row read(const db::Result &result) {
  return {result.int64(0),          result.int64(1),          result.optional_text(2),
          result.text(3),           result.text(4),           result.optional_text(5),
          result.text(6),           result.text(7),           result.text(8),
          result.text(9),           result.optional_text(10), result.optional_text(11),
          result.optional_text(12), result.int64(13),         result.optional_text(14)};
}

// " IN (?, ?, ...)" over ids, appended to values.
std::string in_list(const std::vector<std::int64_t> &ids, std::vector<db::Value> &values) {
  values.insert(values.end(), ids.begin(), ids.end());
  return " IN (" + sql::placeholders(ids.size()) + ")";
}

}  // namespace

void insert(db::Connection &connection, const std::vector<Row> &rows) {
  const auto marks = markers(connection.dialect());
  const std::size_t per_chunk = sql::rows_per_chunk(connection.dialect(), marks.size());
  std::vector<std::vector<db::Value>> chunk;
  for (std::size_t start = 0; start < rows.size(); start += per_chunk) {
    chunk.clear();
    for (std::size_t i = start; i < std::min(rows.size(), start + per_chunk); ++i)
      chunk.push_back(values(rows[i]));
    sql::insert_rows(connection, "crm_task", kColumns, marks, chunk);
  }
}

std::optional<Row> find(db::Connection &connection, std::int64_t id, bool lock) {
  auto result = connection
                    .prepare("SELECT " + kColumns + " FROM crm_task WHERE id = ?" +
                             std::string(lock ? connection.dialect().for_update() : ""))
                    .query({id}, columns());
  if (!result.next()) return std::nullopt;
  return read(result);
}

std::vector<PlanTask> open_plan_tasks(db::Connection &connection,
                                      const std::vector<std::int64_t> &customer_ids) {
  std::vector<PlanTask> found;
  if (customer_ids.empty()) return found;
  std::vector<db::Value> values;
  const std::string in = in_list(customer_ids, values);
  auto result = connection
                    .prepare(
                        "SELECT id, customer_id, plan_id, owner FROM crm_task WHERE status = "
                        "'open' AND plan_id IS NOT NULL AND customer_id" +
                        in)
                    .query(values, {db::Column::integer(), db::Column::integer(),
                                    db::Column::text(kPlanIdChars), db::Column::text(kOwnerChars)});
  while (result.next())
    found.push_back({result.int64(0), result.int64(1), result.text(2), result.optional_text(3)});
  return found;
}

void hand_over(db::Connection &connection, const std::optional<std::string> &owner,
               const std::vector<std::int64_t> &ids) {
  std::vector<db::Value> values = {db::optional_text(owner)};
  const std::string in = in_list(ids, values);
  connection
      .prepare(
          "UPDATE crm_task SET owner = ?, updated_on_behalf_of = NULL, version = version + 1 "
          "WHERE status = 'open' AND id" +
          in)
      .execute(values);
}

void cancel(db::Connection &connection, const std::vector<std::int64_t> &ids,
            const std::string &reason, const std::string &at, const std::string &by) {
  std::vector<db::Value> values = {reason, at, by};
  const std::string in = in_list(ids, values);
  connection
      .prepare("UPDATE crm_task SET status = 'cancelled', note = ?, completed_at = " +
               connection.dialect().timestamp_param() +
               ", completed_by = ?, updated_on_behalf_of = NULL, version = version + 1 WHERE "
               "status = 'open' AND id" +
               in)
      .execute(values);
}

void complete(db::Connection &connection, std::int64_t id, const std::string &at,
              const std::string &by, const std::optional<std::string> &note,
              const std::optional<std::string> &on_behalf_of) {
  std::vector<db::Value> values = {at, by, db::optional_text(on_behalf_of)};
  std::string set = "status = 'done', completed_at = " + connection.dialect().timestamp_param() +
                    ", completed_by = ?, updated_on_behalf_of = ?";
  if (note) {
    set += ", note = ?";
    values.push_back(*note);
  }
  values.push_back(id);
  connection.prepare("UPDATE crm_task SET " + set + ", version = version + 1 WHERE id = ?")
      .execute(values);
}

std::int64_t transfer_owner(db::Connection &connection, std::int64_t batch_id,
                            const std::string &to, const std::optional<std::string> &on_behalf_of) {
  return connection
      .prepare(
          "UPDATE crm_task SET owner = ?, updated_on_behalf_of = ?, version = version + 1 WHERE "
          "id IN (SELECT m.record_id FROM crm_ownership_move m WHERE m.batch_id = ? AND m.kind = "
          "'task')")
      .execute({to, db::optional_text(on_behalf_of), batch_id});
}

nlohmann::json page(db::Connection &connection, const Actor &actor, const Filter &filter,
                    const nlohmann::json &params, std::size_t limit,
                    nlohmann::json (*to_json)(const Row &)) {
  const auto &dialect = connection.dialect();
  std::string sql = "SELECT " + kColumns + " FROM crm_task WHERE ";
  std::vector<db::Value> values;
  if (auto visible =
          customer::attached_visible(connection.dialect(), actor, "crm_task.customer_id", values);
      !visible.empty())
    sql += visible + " AND ";
  sql += "status = ?";
  values.push_back(filter.status);
  if (filter.owner) {
    sql += " AND owner = ?";
    values.push_back(*filter.owner);
  }
  if (filter.customer_id) {
    sql += " AND customer_id = ?";
    values.push_back(*filter.customer_id);
  }
  if (filter.due_before) {
    sql += " AND due_at < " + dialect.timestamp_param();
    values.push_back(*filter.due_before);
  }
  const auto order = keyset::by_time_id("due_at", "id", false, 6, 0);
  keyset::page_query(sql, values, dialect, params, order, limit);
  auto result = connection.prepare(sql).query(values, columns());
  return keyset::read_page(result, order, limit,
                           [&](const db::Result &row) { return to_json(read(row)); });
}

}  // namespace crm::records::task
