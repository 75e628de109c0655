#include "customer.hpp"

#include <algorithm>

#include "../core/keyset.hpp"
#include "../core/sql.hpp"
#include "lookup.hpp"

namespace crm::records::customer {

namespace {

enum class Marker { param, time };

// The columns of a new row, declared once. A column with `given` is written
// only when some row of the batch gives it (otherwise the DDL default, NULL or
// 0, stands), so that a batch carries no parameters its rows do not use:
// imports from the ERP have no phone, e-mail or address.
struct InsertColumn {
  const char *name;
  Marker marker;
  db::Value (*value)(const NewRow &);
  bool (*given)(const NewRow &);  // nullptr: always written
};

db::Value text(const Text &value) {
  return db::optional_text(value);
}

const InsertColumn kInsertColumns[] = {
    {"id", Marker::param, [](const NewRow &r) -> db::Value { return r.id; }, nullptr},
    {"name", Marker::param, [](const NewRow &r) -> db::Value { return r.name; }, nullptr},
    {"kind", Marker::param, [](const NewRow &r) -> db::Value { return r.kind; }, nullptr},
    {"stage", Marker::param, [](const NewRow &r) -> db::Value { return r.stage; }, nullptr},
    {"phone", Marker::param, [](const NewRow &r) { return text(r.phone); },
     [](const NewRow &r) { return r.phone.has_value(); }},
    {"email", Marker::param, [](const NewRow &r) { return text(r.email); },
     [](const NewRow &r) { return r.email.has_value(); }},
    {"address", Marker::param, [](const NewRow &r) { return text(r.address); },
     [](const NewRow &r) { return r.address.has_value(); }},
    {"region", Marker::param, [](const NewRow &r) { return text(r.region); }, nullptr},
    {"industry", Marker::param, [](const NewRow &r) { return text(r.industry); }, nullptr},
    {"owner", Marker::param, [](const NewRow &r) { return text(r.owner); }, nullptr},
    {"source", Marker::param, [](const NewRow &r) { return text(r.source); }, nullptr},
    {"queue", Marker::param, [](const NewRow &r) { return text(r.queue); },
     [](const NewRow &r) { return r.queue.has_value(); }},
    {"attributes", Marker::param, [](const NewRow &r) -> db::Value { return r.attributes; },
     nullptr},
    {"host_key", Marker::param, [](const NewRow &r) { return text(r.host_key); },
     [](const NewRow &r) { return r.host_key.has_value(); }},
    {"is_reference", Marker::param,
     [](const NewRow &r) -> db::Value { return std::int64_t{r.is_reference ? 1 : 0}; },
     [](const NewRow &r) { return r.is_reference; }},
    {"created_at", Marker::time, [](const NewRow &r) -> db::Value { return r.at; }, nullptr},
    {"created_by", Marker::param, [](const NewRow &r) -> db::Value { return r.by; }, nullptr},
    {"updated_at", Marker::time, [](const NewRow &r) -> db::Value { return r.at; }, nullptr},
    {"updated_by", Marker::param, [](const NewRow &r) -> db::Value { return r.by; }, nullptr},
    {"version", Marker::param, [](const NewRow &) -> db::Value { return std::int64_t{1}; },
     nullptr},
    {"stage_changed_at", Marker::time, [](const NewRow &r) -> db::Value { return r.at; }, nullptr},
    {"updated_on_behalf_of", Marker::param, [](const NewRow &r) { return text(r.on_behalf_of); },
     [](const NewRow &r) { return r.on_behalf_of.has_value(); }},
    {"first_touch_source", Marker::param,
     [](const NewRow &r) { return text(r.first_touch_source); },
     [](const NewRow &r) { return r.first_touch_source.has_value(); }},
    {"first_touch_campaign", Marker::param,
     [](const NewRow &r) { return text(r.first_touch_campaign); },
     [](const NewRow &r) { return r.first_touch_campaign.has_value(); }},
    {"first_touch_at", Marker::time,
     [](const NewRow &r) -> db::Value { return r.first_touch_at.value_or(r.at); }, nullptr},
};

const char *const kRowColumns =
    "id, name, kind, phone, email, address, region, industry, stage, owner, source, host_key, "
    "created_at, created_by, updated_at, updated_by, version, attributes, business_class, "
    "class_rule, classified_at, stage_changed_at, dormant_since, first_order_at, last_order_at, "
    "queue, updated_on_behalf_of, first_touch_source, first_touch_campaign, first_touch_at";

std::vector<db::Column> row_columns() {
  using db::Column;
  return {Column::integer(),          Column::text(kNameChars),
          Column::text(kKindChars),   Column::text(kPhoneChars),
          Column::text(kEmailChars),  Column::text(kAddressChars),
          Column::text(kRegionChars), Column::text(kIndustryChars),
          Column::text(kStageChars),  Column::text(kOwnerChars),
          Column::text(kSourceChars), Column::text(kHostKeyChars),
          Column::text(32),           Column::text(128),
          Column::text(32),           Column::text(128),
          Column::integer(),          Column::long_text(),
          Column::text(64),           Column::text(64),
          Column::text(32),           Column::text(32),
          Column::text(32),           Column::text(32),
          Column::text(32),           Column::text(kQueueChars),
          Column::text(kOwnerChars),  Column::text(kCodeChars),
          Column::text(kCodeChars),   Column::text(32)};
}

Row read_row(const db::Result &r) {
  Row row;
  row.id = r.int64(0);
  row.name = r.text(1);
  row.kind = r.text(2);
  row.phone = r.optional_text(3);
  row.email = r.optional_text(4);
  row.address = r.optional_text(5);
  row.region = r.optional_text(6);
  row.industry = r.optional_text(7);
  row.stage = r.text(8);
  row.owner = r.optional_text(9);
  row.source = r.optional_text(10);
  row.host_key = r.optional_text(11);
  row.created_at = r.text(12);
  row.created_by = r.text(13);
  row.updated_at = r.text(14);
  row.updated_by = r.text(15);
  row.version = r.int64(16);
  row.attributes = r.text(17);
  row.business_class = r.optional_text(18);
  row.class_rule = r.optional_text(19);
  row.classified_at = r.optional_text(20);
  row.stage_changed_at = r.optional_text(21);
  row.dormant_since = r.optional_text(22);
  row.first_order_at = r.optional_text(23);
  row.last_order_at = r.optional_text(24);
  row.queue = r.optional_text(25);
  row.updated_on_behalf_of = r.optional_text(26);
  row.first_touch_source = r.optional_text(27);
  row.first_touch_campaign = r.optional_text(28);
  row.first_touch_at = r.optional_text(29);
  return row;
}

}  // namespace

void insert(db::Connection &connection, const std::vector<NewRow> &rows) {
  if (rows.empty()) return;
  std::vector<const InsertColumn *> written;
  std::string columns;
  std::vector<std::string> markers;
  for (const auto &column : kInsertColumns) {
    if (column.given && std::none_of(rows.begin(), rows.end(), column.given)) continue;
    written.push_back(&column);
    columns += std::string(columns.empty() ? "" : ", ") + column.name;
    markers.push_back(column.marker == Marker::time ? connection.dialect().timestamp_param()
                                                    : std::string("?"));
  }
  const std::size_t per_chunk = sql::rows_per_chunk(connection.dialect(), markers.size());
  std::vector<std::vector<db::Value>> values;
  for (std::size_t start = 0; start < rows.size(); start += per_chunk) {
    values.clear();
    for (std::size_t i = start; i < std::min(rows.size(), start + per_chunk); ++i) {
      auto &line = values.emplace_back();
      for (const auto *column : written) line.push_back(column->value(rows[i]));
    }
    sql::insert_rows(connection, "crm_customer", columns, markers, values);
  }
}

bool ProfileChange::empty() const {
  return !name && !kind && !phone && !email && !address && !region && !industry && !owner &&
         !source && !queue && !attributes;
}

bool update_profile(db::Connection &connection, std::int64_t id, std::int64_t version,
                    const ProfileChange &change, const std::string &at, const std::string &by,
                    const Text &on_behalf_of) {
  detail::Assignments set;
  auto assign = [&](const char *column, db::Value value, const std::string &marker = "?") {
    set.add(column, std::move(value), marker);
  };
  if (change.name) assign("name", *change.name);
  if (change.kind) assign("kind", *change.kind);
  const std::pair<const char *, const std::optional<Text> *> texts[] = {
      {"phone", &change.phone},   {"email", &change.email},       {"address", &change.address},
      {"region", &change.region}, {"industry", &change.industry}, {"owner", &change.owner},
      {"source", &change.source}, {"queue", &change.queue}};
  for (const auto &[column, value] : texts)
    if (*value) assign(column, text(**value));
  if (change.attributes) assign("attributes", *change.attributes);
  assign("updated_at", at, connection.dialect().timestamp_param());
  assign("updated_by", by);
  assign("updated_on_behalf_of", text(on_behalf_of));
  return detail::update_at_version(connection, "crm_customer", std::move(set), id, version);
}

void set_host_key(db::Connection &connection, std::int64_t id, const std::string &host_key,
                  const std::string &at, const std::string &by, const Text &on_behalf_of) {
  connection
      .prepare("UPDATE crm_customer SET host_key = ?, updated_at = " +
               connection.dialect().timestamp_param() +
               ", updated_by = ?, updated_on_behalf_of = ?, version = version + 1 WHERE id = ?")
      .execute({host_key, at, by, text(on_behalf_of), id});
}

void set_stage(db::Connection &connection, std::int64_t id, const std::string &stage,
               const Text &owner, const Text &queue, const std::string &stage_changed_at,
               const std::string &at, const std::string &by, const Text &on_behalf_of) {
  const auto ts = connection.dialect().timestamp_param();
  connection
      .prepare("UPDATE crm_customer SET stage = ?, owner = ?, queue = ?, stage_changed_at = " + ts +
               ", updated_at = " + ts +
               ", updated_by = ?, updated_on_behalf_of = ?, version = version + 1 WHERE id = ?")
      .execute({stage, text(owner), text(queue), stage_changed_at, at, by, text(on_behalf_of), id});
}

void refresh_from_host(db::Connection &connection, const std::vector<HostFields> &rows,
                       const std::string &at, const std::string &by) {
  if (rows.empty()) return;
  auto &update = connection.prepare(
      "UPDATE crm_customer SET name = ?, industry = ?, region = ?, "
      "is_reference = ?, "
      "updated_at = " +
      connection.dialect().timestamp_param() +
      ", updated_by = ?, updated_on_behalf_of = NULL, version = version + 1 WHERE id = ?");
  for (const auto &row : rows)
    update.execute({row.name, text(row.industry), text(row.region),
                    std::int64_t{row.is_reference ? 1 : 0}, at, by, row.id});
}

bool set_first_touch(db::Connection &connection, std::int64_t id, const Text &source,
                     const Text &campaign, const std::string &touched_at, const std::string &at,
                     const std::string &by, const Text &on_behalf_of) {
  const auto ts = connection.dialect().timestamp_param();
  return connection
             .prepare(
                 "UPDATE crm_customer SET first_touch_source = ?, first_touch_campaign = ?, "
                 "first_touch_at = " +
                 ts + ", updated_at = " + ts +
                 ", updated_by = ?, updated_on_behalf_of = ?, version = version + 1 WHERE "
                 "id = ?")
             .execute({text(source), text(campaign), touched_at, at, by, text(on_behalf_of), id}) ==
         1;
}

std::int64_t take_first_touch_from_interactions(db::Connection &connection,
                                                const std::string &ids_json) {
  const auto ids = connection.dialect().integer_list();
  const std::string earliest =
      "FROM crm_interaction i WHERE i.customer_id = crm_customer.id AND i.campaign IS NOT NULL";
  // Two statements: the second reads the campaign the first chose, so that source, campaign
  // and time always come from one interaction.
  const auto changed =
      connection
          .prepare("UPDATE crm_customer SET first_touch_campaign = (SELECT i.campaign " + earliest +
                   " ORDER BY i.occurred_at, i.id LIMIT 1) WHERE id IN (" + ids +
                   ") AND first_touch_source IS NULL AND first_touch_campaign IS NULL AND "
                   "EXISTS (SELECT 1 " +
                   earliest + ")")
          .execute({ids_json});
  if (changed == 0) return 0;
  const std::string first_time = "(SELECT MIN(i.occurred_at) " + earliest + ")";
  connection
      .prepare(
          "UPDATE crm_customer SET first_touch_source = (SELECT c.source_code FROM "
          "crm_campaign c WHERE c.code = crm_customer.first_touch_campaign), "
          "first_touch_at = CASE WHEN first_touch_at IS NULL OR first_touch_at > " +
          first_time + " THEN " + first_time + " ELSE first_touch_at END WHERE id IN (" + ids +
          ") AND first_touch_source IS NULL AND first_touch_campaign IS NOT NULL")
      .execute({ids_json});
  return changed;
}

void set_referrer(db::Connection &connection, std::int64_t id,
                  const std::string &referrer_host_key) {
  connection
      .prepare(
          "UPDATE crm_customer SET referred_by = (SELECT r.id FROM "
          "crm_customer r "
          "WHERE r.host_key = ?) WHERE id = ?")
      .execute({referrer_host_key, id});
}

void record_orders(db::Connection &connection, const OrderFacts &facts, const std::string &at,
                   const std::string &by) {
  const auto ts = connection.dialect().timestamp_param();
  std::string set = "first_order_at = " + ts + ", last_order_at = " + ts;
  std::vector<db::Value> values = {facts.first_order_at, facts.last_order_at};
  if (facts.stage) {
    set += ", stage = ?, stage_changed_at = " + ts + ", updated_at = " + ts +
           ", updated_by = ?, updated_on_behalf_of = NULL, version = version + 1";
    values.insert(values.end(), {*facts.stage, facts.stage_changed_at, at, by});
  }
  values.push_back(facts.id);
  connection.prepare("UPDATE crm_customer SET " + set + " WHERE id = ?").execute(values);
}

std::int64_t clear_dormant(db::Connection &connection, const std::string &cutoff) {
  const auto ts = connection.dialect().timestamp_param();
  return connection
      .prepare(
          "UPDATE crm_customer SET dormant_since = NULL WHERE dormant_since IS "
          "NOT NULL "
          "AND (last_order_at >= " +
          ts +
          " OR EXISTS (SELECT 1 FROM crm_interaction i WHERE i.customer_id = "
          "crm_customer.id AND i.occurred_at >= " +
          ts + "))")
      .execute({cutoff, cutoff});
}

std::int64_t mark_dormant(db::Connection &connection, const std::string &as_of,
                          const std::string &cutoff) {
  const auto ts = connection.dialect().timestamp_param();
  return connection
      .prepare("UPDATE crm_customer SET dormant_since = " + ts +
               " WHERE dormant_since IS NULL AND stage IN ('customer', "
               "'repeat') AND "
               "COALESCE(last_order_at, stage_changed_at, created_at) < " +
               ts +
               " AND NOT EXISTS (SELECT 1 FROM crm_interaction i WHERE "
               "i.customer_id = "
               "crm_customer.id AND i.occurred_at >= " +
               ts + ")")
      .execute({as_of, cutoff, cutoff});
}

std::int64_t transfer_owner(db::Connection &connection, const std::string &condition,
                            const std::vector<db::Value> &condition_values, const std::string &to,
                            const std::string &at, const std::string &by,
                            const Text &on_behalf_of) {
  std::vector<db::Value> values = {to, at, by, text(on_behalf_of)};
  values.insert(values.end(), condition_values.begin(), condition_values.end());
  return connection
      .prepare("UPDATE crm_customer SET owner = ?, updated_at = " +
               connection.dialect().timestamp_param() +
               ", updated_by = ?, updated_on_behalf_of = ?, version = version + 1 WHERE " +
               condition)
      .execute(values);
}

void apply_classes(db::Connection &connection, const std::string &classified_at) {
  connection
      .prepare(
          "UPDATE crm_customer SET business_class = (SELECT w.class_id "
          "FROM crm_class_work w "
          "WHERE w.customer_id = crm_customer.id), class_rule = (SELECT "
          "w.rule_id FROM "
          "crm_class_work w WHERE w.customer_id = crm_customer.id), "
          "classified_at = " +
          connection.dialect().timestamp_param() +
          " WHERE id IN (SELECT customer_id FROM crm_class_work)")
      .execute({classified_at});
}

std::string visible(const db::Dialect &dialect, const Actor &actor, const std::string &alias,
                    std::vector<db::Value> &values) {
  if (actor.sees_all) return "";
  const std::string prefix = alias.empty() ? "" : alias + ".";
  std::string condition;
  auto any_of = [&](const char *column, const auto &keys) {
    if (keys.empty()) return;
    condition +=
        (condition.empty() ? "" : " OR ") + sql::in_list(dialect, prefix + column, keys, values);
  };
  any_of("owner", actor.owners);
  any_of("queue", actor.queues);
  any_of("id", actor.customers);
  return condition.empty() ? "1 = 0" : "(" + condition + ")";
}

Error not_visible(const std::string &field, std::int64_t id) {
  return Error(Status::permission_denied,
               "customer " + std::to_string(id) + " is not among the customers you may see", field);
}

namespace {

// "<columns>, <1 if the actor sees the row, else 0>" for a statement on crm_customer.
std::string with_visibility(const db::Dialect &dialect, const Actor &actor,
                            const std::string &columns, std::vector<db::Value> &values) {
  const auto condition = visible(dialect, actor, "", values);
  if (condition.empty()) return columns + ", 1";
  return columns + ", CASE WHEN " + condition + " THEN 1 ELSE 0 END";
}

}  // namespace

std::optional<Row> find(db::Connection &connection, const Actor &actor, std::int64_t id,
                        const std::string &field) {
  std::vector<db::Value> values;
  const auto columns = with_visibility(connection.dialect(), actor, kRowColumns, values);
  values.push_back(id);
  auto types = row_columns();
  types.push_back(db::Column::integer());
  auto result = connection.prepare("SELECT " + columns + " FROM crm_customer WHERE id = ?")
                    .query(values, types);
  if (!result.next()) return std::nullopt;
  if (result.int64(types.size() - 1) == 0) throw not_visible(field, id);
  return read_row(result);
}

std::optional<std::int64_t> id_of_host_key(db::Connection &connection,
                                           const std::string &host_key) {
  auto result = connection.prepare("SELECT id FROM crm_customer WHERE host_key = ?")
                    .query({host_key}, {db::Column::integer()});
  if (!result.next()) return std::nullopt;
  return result.int64(0);
}

nlohmann::json page(db::Connection &connection, const Actor &actor, const ListFilter &filter,
                    const nlohmann::json &params, std::size_t limit,
                    const std::function<nlohmann::json(const Row &)> &to_json) {
  const auto &dialect = connection.dialect();
  std::string where;
  std::vector<db::Value> values;
  auto add = [&](const std::string &condition) {
    where += (where.empty() ? " WHERE " : " AND ") + condition;
  };
  if (auto condition = visible(connection.dialect(), actor, "", values); !condition.empty())
    add(condition);
  if (filter.stage) {
    add("stage = ?");
    values.push_back(*filter.stage);
  }
  if (filter.owner) {
    add("owner = ?");
    values.push_back(*filter.owner);
  }
  if (filter.queue) {
    add("queue = ?");
    values.push_back(*filter.queue);
  }
  if (filter.orphaned)
    add("owner IS NOT NULL AND queue IS NULL AND NOT EXISTS (SELECT 1 FROM crm_user u WHERE "
        "u.user_key = crm_customer.owner AND u.active = 1)");
  if (filter.search) {
    const std::string pattern = "%" + db::escape_like(*filter.search) + "%";
    add("(" + dialect.like_ci("name") + " OR " + dialect.like_ci("phone") + " OR " +
        dialect.like_ci("email") + ")");
    for (int i = 0; i < 3; ++i) values.push_back(pattern);
  }
  const auto order = keyset::by_id();
  if (auto after = keyset::after(params, order, dialect, values); !after.empty()) add(after);
  const std::string sql = std::string("SELECT ") + kRowColumns + " FROM crm_customer" + where +
                          keyset::order_limit(order, limit, values);
  auto result = connection.prepare(sql).query(values, row_columns());
  return keyset::read_page(result, order, limit,
                           [&](const db::Result &row) { return to_json(read_row(row)); });
}

std::map<std::int64_t, PlanState> plan_states(db::Connection &connection,
                                              const std::vector<std::int64_t> &ids) {
  std::map<std::int64_t, PlanState> states;
  if (ids.empty()) return states;
  const std::vector<db::Value> values(ids.begin(), ids.end());
  auto result =
      connection
          .prepare("SELECT id, stage, business_class, owner FROM crm_customer WHERE id IN (" +
                   sql::placeholders(values.size()) + ")")
          .query(values, {db::Column::integer(), db::Column::text(kStageChars),
                          db::Column::text(64), db::Column::text(kOwnerChars)});
  while (result.next())
    states[result.int64(0)] = {result.text(1), result.optional_text(2), result.optional_text(3)};
  return states;
}

std::optional<StageState> lock_stage(db::Connection &connection, const Actor &actor,
                                     std::int64_t id) {
  std::vector<db::Value> values;
  const auto columns =
      with_visibility(connection.dialect(), actor, "stage, owner, version, queue", values);
  values.push_back(id);
  auto row = connection
                 .prepare("SELECT " + columns + " FROM crm_customer WHERE id = ?" +
                          std::string(connection.dialect().for_update()))
                 .query(values, {db::Column::text(kStageChars), db::Column::text(kOwnerChars),
                                 db::Column::integer(), db::Column::text(kQueueChars),
                                 db::Column::integer()});
  if (!row.next()) return std::nullopt;
  if (row.int64(4) == 0) throw not_visible("params.customer_id", id);
  return StageState{row.text(0), row.optional_text(1), row.optional_text(3), row.int64(2)};
}

std::map<std::string, OrderState> lock_by_host_keys(db::Connection &connection,
                                                    const std::vector<std::string> &host_keys) {
  std::map<std::string, OrderState> rows;
  if (host_keys.empty()) return rows;
  std::vector<db::Value> keys(host_keys.begin(), host_keys.end());
  auto result =
      connection
          .prepare(
              "SELECT host_key, id, stage, owner, first_order_at, last_order_at FROM "
              "crm_customer WHERE host_key IN (" +
              sql::placeholders(keys.size()) + ")" + std::string(connection.dialect().for_update()))
          .query(keys, {db::Column::text(kHostKeyChars), db::Column::integer(),
                        db::Column::text(kStageChars), db::Column::text(kOwnerChars),
                        db::Column::text(32), db::Column::text(32)});
  while (result.next())
    rows[result.text(0)] = {result.int64(1), result.text(2), result.optional_text(3),
                            result.optional_text(4), result.optional_text(5)};
  return rows;
}

std::map<std::int64_t, Existing> existing(db::Connection &connection, const Actor &actor,
                                          const std::set<std::int64_t> &ids) {
  std::map<std::int64_t, Existing> found;
  if (ids.empty()) return found;
  const std::size_t chunk = std::max<std::size_t>(
      1, std::min<std::size_t>(500, connection.dialect().max_parameters() / 2));
  std::vector<std::int64_t> all(ids.begin(), ids.end());
  for (std::size_t start = 0; start < all.size(); start += chunk) {
    const std::size_t count = std::min(chunk, all.size() - start);
    std::vector<db::Value> values;
    const auto columns = with_visibility(connection.dialect(), actor, "id, owner", values);
    values.insert(values.end(), all.begin() + static_cast<std::ptrdiff_t>(start),
                  all.begin() + static_cast<std::ptrdiff_t>(start + count));
    auto result = connection
                      .prepare("SELECT " + columns + " FROM crm_customer WHERE id IN (" +
                               sql::placeholders(count) + ")")
                      .query(values, {db::Column::integer(), db::Column::text(kOwnerChars),
                                      db::Column::integer()});
    while (result.next()) found[result.int64(0)] = {result.int64(2) != 0, result.optional_text(1)};
  }
  return found;
}

Text on_behalf_of(db::Connection &connection, const Actor &actor, std::int64_t customer_id,
                  const Text &record_owner) {
  if (actor.acting_for.empty()) return std::nullopt;
  if (record_owner) return actor.on_behalf_of(record_owner, customer_id);
  auto result = connection.prepare("SELECT owner FROM crm_customer WHERE id = ?")
                    .query({customer_id}, {db::Column::text(kOwnerChars)});
  if (!result.next()) return std::nullopt;
  return actor.on_behalf_of(result.optional_text(0), customer_id);
}

void require_visible(db::Connection &connection, const Actor &actor, std::int64_t id,
                     const std::string &field) {
  std::vector<db::Value> values;
  const auto columns = with_visibility(connection.dialect(), actor, "id", values);
  values.push_back(id);
  auto result = connection.prepare("SELECT " + columns + " FROM crm_customer WHERE id = ?")
                    .query(values, {db::Column::integer(), db::Column::integer()});
  if (!result.next()) throw not_found(field, "no customer with id " + std::to_string(id));
  if (result.int64(1) == 0) throw not_visible(field, id);
}

void require_visible_attached(db::Connection &connection, const Actor &actor,
                              std::int64_t customer_id, const std::string &field,
                              const std::string &what) {
  if (actor.sees_all) return;
  std::vector<db::Value> values;
  const auto condition = visible(connection.dialect(), actor, "", values);
  values.push_back(customer_id);
  auto result = connection.prepare("SELECT 1 FROM crm_customer WHERE " + condition + " AND id = ?")
                    .query(values, {db::Column::integer()});
  if (!result.next())
    throw Error(Status::permission_denied, what + " is not among the records you may see", field);
}

std::string attached_visible(const db::Dialect &dialect, const Actor &actor,
                             const std::string &customer_id_column,
                             std::vector<db::Value> &values) {
  if (actor.sees_all) return "";
  return "EXISTS (SELECT 1 FROM crm_customer vc WHERE vc.id = " + customer_id_column + " AND " +
         visible(dialect, actor, "vc", values) + ")";
}

}  // namespace crm::records::customer
