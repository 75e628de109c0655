#include "opportunity.hpp"

#include "../core/keyset.hpp"
#include "customer.hpp"
#include "lookup.hpp"

namespace crm::records::opportunity {

namespace {

const std::string kColumns =
    "id, customer_id, name, stage, status, amount_minor, probability, expected_close, owner, "
    "stage_entered_at, closed_at, close_reason, created_at, created_by, updated_at, updated_by, "
    "version, updated_on_behalf_of";
const std::string kSelect = "SELECT " + kColumns + " FROM crm_opportunity";

std::vector<db::Column> select_columns() {
  using db::Column;
  return {Column::integer(),          Column::integer(),
          Column::text(kNameChars),   Column::text(kStageChars),
          Column::text(kStatusChars), Column::integer(),
          Column::integer(),          Column::text(kExpectedCloseChars),
          Column::text(kOwnerChars),  Column::text(32),
          Column::text(32),           Column::text(kReasonChars),
          Column::text(32),           Column::text(128),
          Column::text(32),           Column::text(128),
          Column::integer(),          Column::text(kOwnerChars)};
}

Row read(const db::Result &row) {
  Row o;
  o.id = row.int64(0);
  o.customer_id = row.int64(1);
  o.name = row.text(2);
  o.stage = row.text(3);
  o.status = row.text(4);
  o.amount = row.optional_int64(5);
  o.probability = row.optional_int64(6).value_or(default_probability(o.stage));
  o.expected_close = row.optional_text(7);
  o.owner = row.optional_text(8);
  o.stage_entered_at = row.optional_text(9);
  o.closed_at = row.optional_text(10);
  o.close_reason = row.optional_text(11);
  o.created_at = row.text(12);
  o.created_by = row.text(13);
  o.updated_at = row.text(14);
  o.updated_by = row.text(15);
  o.version = row.int64(16);
  o.updated_on_behalf_of = row.optional_text(17);
  return o;
}

db::Value optional_int(const std::optional<std::int64_t> &value) {
  return value ? db::Value(*value) : db::null_value();
}

}  // namespace

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

void insert(db::Connection &connection, const Row &row) {
  const auto ts = connection.dialect().timestamp_param();
  connection
      .prepare(
          "INSERT INTO crm_opportunity (id, customer_id, name, stage, status, "
          "amount_minor, probability, expected_close, owner, stage_entered_at, "
          "created_at, created_by, updated_at, updated_by, version, updated_on_behalf_of) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, " +
          ts + ", " + ts + ", ?, " + ts + ", ?, ?, ?)")
      .execute({row.id, row.customer_id, row.name, row.stage, row.status, optional_int(row.amount),
                row.probability, db::optional_text(row.expected_close),
                db::optional_text(row.owner), db::optional_text(row.stage_entered_at),
                row.created_at, row.created_by, row.updated_at, row.updated_by, row.version,
                db::optional_text(row.updated_on_behalf_of)});
}

std::optional<Row> find(db::Connection &connection, std::int64_t id) {
  auto result = connection.prepare(kSelect + " WHERE id = ?").query({id}, select_columns());
  if (!result.next()) return std::nullopt;
  return read(result);
}

bool update(db::Connection &connection, std::int64_t id, std::int64_t version,
            const Change &change) {
  const auto ts = connection.dialect().timestamp_param();
  detail::Assignments set;
  auto assign = [&](const char *column, db::Value value, const std::string &marker = "?") {
    set.add(column, std::move(value), marker);
  };
  // A cleared column is written as the literal NULL.
  auto assign_nullable = [&](const char *column, const auto &value, const std::string &marker) {
    if (!value) return;
    if (*value)
      assign(column, **value, marker);
    else
      set.add_null(column);
  };
  if (change.name) assign("name", *change.name);
  if (change.stage) assign("stage", *change.stage);
  if (change.status) assign("status", *change.status);
  assign_nullable("expected_close", change.expected_close, "?");
  assign_nullable("owner", change.owner, "?");
  assign_nullable("amount_minor", change.amount, "?");
  if (change.probability) assign("probability", *change.probability);
  if (change.stage_entered_at) assign("stage_entered_at", *change.stage_entered_at, ts);
  assign_nullable("closed_at", change.closed_at, ts);
  assign_nullable("close_reason", change.close_reason, "?");
  assign("updated_at", change.updated_at, ts);
  assign("updated_by", change.updated_by);
  assign("updated_on_behalf_of", db::optional_text(change.updated_on_behalf_of));
  return detail::update_at_version(connection, "crm_opportunity", std::move(set), id, version);
}

std::int64_t transfer_owner(db::Connection &connection, std::int64_t batch_id,
                            const std::string &to, const std::string &at, const std::string &by,
                            const std::optional<std::string> &on_behalf_of) {
  return connection
      .prepare("UPDATE crm_opportunity SET owner = ?, updated_at = " +
               connection.dialect().timestamp_param() +
               ", updated_by = ?, updated_on_behalf_of = ?, version = version + 1 WHERE id IN "
               "(SELECT m.record_id FROM crm_ownership_move m WHERE m.batch_id = ? AND m.kind = "
               "'opportunity')")
      .execute({to, at, by, db::optional_text(on_behalf_of), batch_id});
}

nlohmann::json page(db::Connection &connection, const Actor &actor, const Filter &filter,
                    const nlohmann::json &params, std::size_t limit,
                    nlohmann::json (*to_json)(const Row &)) {
  std::string where;
  std::vector<db::Value> values;
  if (auto visible = customer::attached_visible(connection.dialect(), actor,
                                                "crm_opportunity.customer_id", values);
      !visible.empty())
    where = " WHERE " + visible;
  auto add = [&](const std::string &condition, db::Value value) {
    where += (where.empty() ? " WHERE " : " AND ") + condition;
    values.push_back(std::move(value));
  };
  if (filter.customer_id) add("customer_id = ?", *filter.customer_id);
  if (filter.owner) add("owner = ?", *filter.owner);
  if (filter.status) add("status = ?", *filter.status);
  if (filter.stage) add("stage = ?", *filter.stage);
  const auto order = keyset::by_id();
  if (auto after = keyset::after(params, order, connection.dialect(), values); !after.empty())
    where += (where.empty() ? " WHERE " : " AND ") + after;
  const std::string sql = kSelect + where + keyset::order_limit(order, limit, values);
  auto result = connection.prepare(sql).query(values, select_columns());
  return keyset::read_page(result, order, limit,
                           [&](const db::Result &row) { return to_json(read(row)); });
}

void append_events(db::Connection &connection, std::int64_t opportunity_id,
                   std::int64_t customer_id, const std::vector<Event> &events,
                   std::int64_t first_id, const std::string &occurred_at,
                   const std::string &actor) {
  if (events.empty()) return;
  auto &statement = connection.prepare(
      "INSERT INTO crm_opportunity_event (id, opportunity_id, customer_id, kind, from_stage, "
      "to_stage, amount_minor, probability, reason, occurred_at, actor) VALUES (?, ?, ?, ?, ?, "
      "?, ?, ?, ?, " +
      connection.dialect().timestamp_param() + ", ?)");
  std::int64_t id = first_id;
  for (const auto &event : events)
    statement.execute({id++, opportunity_id, customer_id, event.kind,
                       db::optional_text(event.from_stage), event.to_stage,
                       optional_int(event.amount), event.probability,
                       db::optional_text(event.reason), occurred_at, actor});
}

std::vector<StoredEvent> history(db::Connection &connection, std::int64_t opportunity_id) {
  auto result =
      connection
          .prepare(
              "SELECT id, kind, from_stage, to_stage, amount_minor, probability, reason, "
              "occurred_at, actor FROM crm_opportunity_event WHERE opportunity_id = ? "
              "ORDER BY occurred_at, id")
          .query({opportunity_id},
                 {db::Column::integer(), db::Column::text(16), db::Column::text(kStageChars),
                  db::Column::text(kStageChars), db::Column::integer(), db::Column::integer(),
                  db::Column::text(kReasonChars), db::Column::text(32), db::Column::text(128)});
  std::vector<StoredEvent> events;
  while (result.next())
    events.push_back(
        {result.int64(0),
         {result.text(1), result.optional_text(2), result.text(3), result.optional_int64(4),
          result.optional_int64(5).value_or(0), result.optional_text(6)},
         result.text(7),
         result.text(8)});
  return events;
}

const std::string &timeline_select() {
  static const std::string sql =
      "SELECT e.id, e.occurred_at, e.kind, e.to_stage, e.amount_minor, e.probability, "
      "e.opportunity_id, o.name FROM crm_opportunity_event e JOIN crm_opportunity o ON "
      "o.id = e.opportunity_id WHERE e.customer_id = ?";
  return sql;
}

std::vector<db::Column> timeline_columns() {
  using db::Column;
  return {Column::integer(), Column::text(32), Column::text(16),  Column::text(kStageChars),
          Column::text(24),  Column::text(8),  Column::integer(), Column::text(kNameChars)};
}

std::map<std::int64_t, std::int64_t> customers_of(db::Connection &connection,
                                                  const std::set<std::int64_t> &ids) {
  return detail::integer_of(connection, "crm_opportunity", "customer_id", ids);
}

}  // namespace crm::records::opportunity
