#include "tasks.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "../classification/classification.hpp"
#include "../core/json_values.hpp"
#include "../core/keyset.hpp"
#include "../core/sql.hpp"
#include "../core/text.hpp"
#include "../core/time.hpp"
#include "../lifecycle/lifecycle.hpp"
#include "../records/customer.hpp"

namespace crm::tasks {

namespace {

using params::Field;
constexpr time::Micros kDay = 86'400'000'000LL;
constexpr std::size_t kChunk = 500;
const std::vector<std::string> kStatuses = {"open", "done", "cancelled"};

std::string text_field(const json &value, const std::string &path, std::size_t max_chars) {
  if (!value.is_string() || value.get<std::string>().empty() ||
      text::invalid_utf8_offset(value.get<std::string>()) ||
      text::code_points(value.get<std::string>()) > max_chars)
    throw invalid_argument(
        path, path + " must be a text of 1 to " + std::to_string(max_chars) + " characters");
  return value.get<std::string>();
}

std::int64_t days_field(const json &value, const std::string &path) {
  if (!value.is_number_integer() || value.get<std::int64_t>() < 0 ||
      value.get<std::int64_t>() > 3650)
    throw invalid_argument(path, path + " must be a whole number of days from 0 to 3650");
  return value.get<std::int64_t>();
}

Plan parse_plan(const json &value, const std::string &path, const classification::Settings &classes,
                std::set<std::string> &seen) {
  if (!value.is_object())
    throw invalid_argument(path, path + " must be an object {id, class, stage, title, kind, ...}");
  Plan plan;
  std::optional<std::int64_t> within, every;
  for (const char *required : {"id", "stage", "title", "kind"})
    if (!value.contains(required))
      throw invalid_argument(path + "." + required, path + "." + required + " is required");
  reject_unknown_fields(
      value, path, {"id", "class", "stage", "title", "kind", "within_days", "every_days", "owner"});
  for (const auto &[key, item] : value.items()) {
    const std::string item_path = path + "." + key;
    if (key == "id") {
      plan.id = text_field(item, item_path, 64);
      if (!seen.insert(plan.id).second)
        throw invalid_argument(item_path, "duplicate plan id " + plan.id + " at " + item_path);
    } else if (key == "class") {
      plan.class_id = text_field(item, item_path, 64);
      if (plan.class_id != "*" && !classes.known_class(plan.class_id))
        throw invalid_argument(item_path, item_path +
                                              " names no business class of the "
                                              "classification rules: " +
                                              plan.class_id);
    } else if (key == "stage") {
      plan.stage = text_field(item, item_path, 16);
      if (std::find(lifecycle::kStages.begin(), lifecycle::kStages.end(), plan.stage) ==
          lifecycle::kStages.end())
        throw invalid_argument(item_path, item_path + " is not a lifecycle stage: " + plan.stage);
    } else if (key == "title") {
      plan.title = text_field(item, item_path, 200);
    } else if (key == "kind") {
      plan.kind = text_field(item, item_path, 16);
      if (plan.kind != "once" && plan.kind != "recurring")
        throw invalid_argument(item_path, item_path + " must be once or recurring");
    } else if (key == "within_days") {
      within = days_field(item, item_path);
    } else if (key == "every_days") {
      every = days_field(item, item_path);
      if (*every < 1) throw invalid_argument(item_path, item_path + " must be at least 1");
    } else {  // owner
      plan.owner = text_field(item, item_path, 128);
    }
  }
  if (plan.kind == "once") {
    if (every) throw invalid_argument(path + ".every_days", "a once plan takes within_days");
    if (!within) throw invalid_argument(path + ".within_days", path + ".within_days is required");
    plan.days = *within;
  } else {
    if (within) throw invalid_argument(path + ".within_days", "a recurring plan takes every_days");
    if (!every) throw invalid_argument(path + ".every_days", path + ".every_days is required");
    plan.days = *every;
  }
  return plan;
}

Plans load_plans(const json *section, Store &store) {
  Plans plans;
  if (!section) return plans;
  if (!section->is_array() || section->size() > 500)
    throw invalid_argument("plans", "plans must be a list of at most 500 plans");
  const auto &classes = classification::settings(store);
  std::set<std::string> seen;
  for (std::size_t i = 0; i < section->size(); ++i)
    plans.plans.push_back(
        parse_plan((*section)[i], "plans[" + std::to_string(i) + "]", classes, seen));
  return plans;
}

const Plans &plans_of(const Store &store) {
  return store.settings<Plans>("plans");
}

struct CustomerState {
  std::string stage;
  std::optional<std::string> business_class, owner;
};

bool applies(const Plan &plan, const CustomerState &customer) {
  return plan.stage == customer.stage &&
         (plan.class_id == "*" ||
          (customer.business_class && *customer.business_class == plan.class_id));
}

// Why an open task of plan no longer fits customer; nullopt when it still does.
std::optional<std::string> cancel_reason(const Plan *plan, const std::string &plan_id,
                                         const CustomerState &customer) {
  if (!plan) return "plan " + plan_id + " is no longer configured";
  if (plan->stage != customer.stage)
    return "plan " + plan_id + " is for stage " + plan->stage + "; the customer is now in stage " +
           customer.stage;
  if (!applies(*plan, customer))
    return "plan " + plan_id + " is for business class " + plan->class_id +
           "; the customer's class is now " + customer.business_class.value_or("(none)");
  return std::nullopt;
}

std::optional<std::string> owner_for(const Plan &plan, const CustomerState &customer) {
  return plan.owner == "customer_owner" ? customer.owner : std::optional<std::string>(plan.owner);
}

const std::string kColumns =
    "id, customer_id, plan_id, kind, title, owner, due_at, status, created_at, created_by, "
    "completed_at, completed_by, note, version";

std::vector<std::string> markers(const db::Dialect &dialect) {
  const auto ts = dialect.timestamp_param();
  return {"?", "?", "?", "?", "?", "?", ts, "?", ts, "?", ts, "?", "?", "?"};
}

std::vector<db::Column> columns() {
  using db::Column;
  return {Column::integer(),  Column::integer(), Column::text(64), Column::text(16),
          Column::text(200),  Column::text(128), Column::text(32), Column::text(16),
          Column::text(32),   Column::text(128), Column::text(32), Column::text(128),
          Column::text(1000), Column::integer()};
}

using json_values::instant;
using json_values::nullable;

json task_json(const db::Result &row) {
  return {{"id", std::to_string(row.int64(0))},
          {"customer_id", std::to_string(row.int64(1))},
          {"plan_id", nullable(row.optional_text(2))},
          {"kind", row.text(3)},
          {"title", row.text(4)},
          {"owner", nullable(row.optional_text(5))},
          {"due_at", instant(row.text(6))},
          {"status", row.text(7)},
          {"created_at", instant(row.text(8))},
          {"created_by", row.text(9)},
          {"completed_at", instant(row.optional_text(10))},
          {"completed_by", nullable(row.optional_text(11))},
          {"note", nullable(row.optional_text(12))},
          {"version", row.int64(13)}};
}

json load_task(db::Connection &connection, std::int64_t id) {
  auto row = connection.prepare("SELECT " + kColumns + " FROM crm_task WHERE id = ?")
                 .query({id}, columns());
  if (!row.next()) throw not_found("params.id", "no task with id " + std::to_string(id));
  return task_json(row);
}

// A new open task row (values in kColumns order).
std::vector<db::Value> new_task(std::int64_t customer_id, const Plan &plan,
                                const CustomerState &customer, time::Micros now,
                                const std::string &user) {
  const auto now_text = time::to_db_text(now);
  return {std::int64_t{0},
          customer_id,
          plan.id,
          plan.kind,
          plan.title,
          db::optional_text(owner_for(plan, customer)),
          time::to_db_text(now + plan.days * kDay),
          std::string("open"),
          now_text,
          user,
          db::null_value(),
          db::null_value(),
          db::null_value(),
          std::int64_t{1}};
}

void insert_tasks(Store &store, db::Connection &connection,
                  std::vector<std::vector<db::Value>> &rows) {
  if (rows.empty()) return;
  auto id = store.reserve_ids_during(connection, "task", static_cast<std::int64_t>(rows.size()));
  for (auto &row : rows) row[0] = id++;
  sql::insert_rows(connection, "crm_task", kColumns, markers(store.dialect()), rows);
}

// Keeps the plan tasks of customers current after their stage, class or owner changed.
void follow(CallContext &context, db::Connection &connection,
            const std::vector<std::int64_t> &ids) {
  auto &store = context.store;
  const auto &plans = plans_of(store);
  const auto now = time::now();
  const auto now_text = time::to_db_text(now);
  const auto ts = store.dialect().timestamp_param();
  for (std::size_t start = 0; start < ids.size(); start += kChunk) {
    const std::size_t end = std::min(ids.size(), start + kChunk);
    std::vector<db::Value> chunk(ids.begin() + static_cast<std::ptrdiff_t>(start),
                                 ids.begin() + static_cast<std::ptrdiff_t>(end));
    const std::string in = " IN (" + sql::placeholders(chunk.size()) + ")";
    std::map<std::int64_t, CustomerState> customers;
    {
      auto result =
          connection
              .prepare("SELECT id, stage, business_class, owner FROM crm_customer WHERE id" + in)
              .query(chunk, {db::Column::integer(), db::Column::text(16), db::Column::text(64),
                             db::Column::text(128)});
      while (result.next())
        customers[result.int64(0)] = {result.text(1), result.optional_text(2),
                                      result.optional_text(3)};
    }
    std::map<std::string, std::vector<db::Value>> cancels;  // reason -> task ids
    std::map<std::int64_t, std::set<std::string>> open;     // customer -> plans with open tasks
    // Tasks whose plan gives them to the customer's owner follow a transfer of the customer.
    std::map<std::optional<std::string>, std::vector<db::Value>> handovers;  // owner -> task ids
    {
      auto result = connection
                        .prepare(
                            "SELECT id, customer_id, plan_id, owner FROM crm_task WHERE status = "
                            "'open' AND plan_id IS NOT NULL AND customer_id" +
                            in)
                        .query(chunk, {db::Column::integer(), db::Column::integer(),
                                       db::Column::text(64), db::Column::text(128)});
      while (result.next()) {
        const auto customer = customers.find(result.int64(1));
        if (customer == customers.end()) continue;
        const auto plan_id = result.text(2);
        const Plan *plan = plans.find(plan_id);
        if (auto reason = cancel_reason(plan, plan_id, customer->second)) {
          cancels[*reason].push_back(result.int64(0));
          continue;
        }
        open[customer->first].insert(plan_id);
        auto owner = owner_for(*plan, customer->second);
        if (owner != result.optional_text(3)) handovers[owner].push_back(result.int64(0));
      }
    }
    for (const auto &[owner, task_ids] : handovers) {
      std::vector<db::Value> values = {db::optional_text(owner)};
      values.insert(values.end(), task_ids.begin(), task_ids.end());
      connection
          .prepare(
              "UPDATE crm_task SET owner = ?, version = version + 1 WHERE status = 'open' "
              "AND id IN (" +
              sql::placeholders(task_ids.size()) + ")")
          .execute(values);
    }
    for (const auto &[reason, task_ids] : cancels) {
      std::vector<db::Value> values = {reason, now_text, context.user};
      values.insert(values.end(), task_ids.begin(), task_ids.end());
      connection
          .prepare("UPDATE crm_task SET status = 'cancelled', note = ?, completed_at = " + ts +
                   ", completed_by = ?, version = version + 1 WHERE status = 'open' AND id IN (" +
                   sql::placeholders(task_ids.size()) + ")")
          .execute(values);
    }
    std::vector<std::vector<db::Value>> rows;
    for (const auto &[id, customer] : customers)
      for (const auto &plan : plans.plans)
        if (applies(plan, customer) && !open[id].count(plan.id))
          rows.push_back(new_task(id, plan, customer, now, context.user));
    insert_tasks(store, connection, rows);
  }
}

json list(CallContext &context, const json &params) {
  const auto limit = params::limit(params, 50);
  const auto ts = context.store.dialect().timestamp_param();
  std::string sql = "SELECT " + kColumns + " FROM crm_task WHERE status = ?";
  std::vector<db::Value> values = {params::optional_string(params, "status").value_or("open")};
  if (auto owner = params::optional_string(params, "owner")) {
    sql += " AND owner = ?";
    values.push_back(*owner);
  }
  const auto customer_id = params::optional_id(params, "customer_id");
  if (customer_id) {
    sql += " AND customer_id = ?";
    values.push_back(*customer_id);
  }
  if (auto before = params::optional_timestamp(params, "due_before")) {
    sql += " AND due_at < " + ts;
    values.push_back(time::to_db_text(*before));
  }
  const auto order = keyset::by_time_id("due_at", "id", false, 6, 0);
  keyset::page_query(sql, values, context.store.dialect(), params, order, limit);
  return context.store.with_connection([&](db::Connection &connection) {
    json page;
    {
      auto result = connection.prepare(sql).query(values, columns());
      page = keyset::read_page(result, order, limit, task_json);
    }
    if (page["items"].empty() && customer_id)
      records::customer::require_exists(connection, *customer_id, "params.customer_id");
    return page;
  });
}

json complete(CallContext &context, const json &params) {
  auto &store = context.store;
  const auto id = params::id(params, "id");
  const auto expected_version = params::optional_integer(params, "version");
  const auto note = params::optional_string(params, "note");
  const auto &plans = plans_of(store);
  return store.with_connection([&](db::Connection &connection) {
    return store.transact(connection, [&] {
      std::int64_t customer_id = 0, version = 0;
      std::string status, kind;
      std::optional<std::string> plan_id;
      {
        auto row =
            connection
                .prepare(
                    "SELECT customer_id, status, kind, plan_id, version FROM crm_task "
                    "WHERE id = ?" +
                    std::string(store.dialect().for_update()))
                .query({id}, {db::Column::integer(), db::Column::text(16), db::Column::text(16),
                              db::Column::text(64), db::Column::integer()});
        if (!row.next()) throw not_found("params.id", "no task with id " + std::to_string(id));
        customer_id = row.int64(0);
        status = row.text(1);
        kind = row.text(2);
        plan_id = row.optional_text(3);
        version = row.int64(4);
      }
      if (status != "open")
        throw conflict("params.id", "task " + std::to_string(id) + " is already " + status);
      if (expected_version && *expected_version != version)
        throw conflict("params.version",
                       "task " + std::to_string(id) + " was changed meanwhile: it is at version " +
                           std::to_string(version) + ", the completion was made against version " +
                           std::to_string(*expected_version));
      const auto now = time::now();
      const auto ts = store.dialect().timestamp_param();
      std::vector<db::Value> values = {time::to_db_text(now), context.user};
      std::string set = "status = 'done', completed_at = " + ts + ", completed_by = ?";
      if (note) {
        set += ", note = ?";
        values.push_back(*note);
      }
      values.push_back(id);
      connection.prepare("UPDATE crm_task SET " + set + ", version = version + 1 WHERE id = ?")
          .execute(values);
      json next = nullptr;
      const Plan *plan = plan_id ? plans.find(*plan_id) : nullptr;
      if (kind == "recurring" && plan && plan->kind == "recurring") {
        auto row =
            connection.prepare("SELECT stage, business_class, owner FROM crm_customer WHERE id = ?")
                .query({customer_id},
                       {db::Column::text(16), db::Column::text(64), db::Column::text(128)});
        if (row.next()) {
          CustomerState customer{row.text(0), row.optional_text(1), row.optional_text(2)};
          if (applies(*plan, customer)) {
            std::vector<std::vector<db::Value>> rows = {
                new_task(customer_id, *plan, customer, now, context.user)};
            insert_tasks(store, connection, rows);
            next = load_task(connection, std::get<std::int64_t>(rows[0][0]));
          }
        }
      }
      return json{{"task", load_task(connection, id)}, {"next", std::move(next)}};
    });
  });
}

json create(CallContext &context, const json &params) {
  auto &store = context.store;
  const auto customer_id = params::id(params, "customer_id");
  const auto due = *params::optional_timestamp(params, "due_at");
  const auto owner = params::optional_string(params, "owner").value_or(context.user);
  const auto title = params::string(params, "title");
  return store.with_connection([&](db::Connection &connection) {
    // Checked before an id is reserved, so that a refused call leaves the sequence as it was.
    records::customer::require_exists(connection, customer_id, "params.customer_id");
    const auto id = store.ids().reserve(connection, "task");
    return store.transact(connection, [&] {
      records::customer::require_exists(connection, customer_id, "params.customer_id");
      const auto now = time::to_db_text(time::now());
      sql::insert_rows(connection, "crm_task", kColumns, markers(store.dialect()),
                       {{id, customer_id, db::null_value(), std::string("manual"), title, owner,
                         time::to_db_text(due), std::string("open"), now, context.user,
                         db::null_value(), db::null_value(), db::null_value(), std::int64_t{1}}});
      return load_task(connection, id);
    });
  });
}

}  // namespace

const Plan *Plans::find(const std::string &id) const {
  for (const auto &plan : plans)
    if (plan.id == id) return &plan;
  return nullptr;
}

json schema() {
  namespace rs = result_schema;
  return rs::object({{"id", rs::id()},
                     {"customer_id", rs::id()},
                     {"plan_id", rs::nullable(rs::string())},
                     {"kind", rs::enumeration({"once", "recurring", "manual"})},
                     {"title", rs::string()},
                     {"owner", rs::nullable(rs::string())},
                     {"due_at", rs::timestamp()},
                     {"status", rs::enumeration(kStatuses)},
                     {"created_at", rs::timestamp()},
                     {"created_by", rs::string()},
                     {"completed_at", rs::nullable(rs::timestamp())},
                     {"completed_by", rs::nullable(rs::string())},
                     {"note", rs::nullable(rs::string())},
                     {"version", rs::integer()}});
}

void register_methods(Registry &registry) {
  namespace rs = result_schema;
  registry.add_section(settings_section<Plans>("plans", load_plans));
  registry.on_customers_changed(follow);
  registry.add({"task.list",
                "Tasks by due time (then id), filtered by owner, customer, status (default open) "
                "and due_before; keyset pages.",
                {Field::user("owner", "only tasks of this owner"),
                 Field::id("customer_id", "only tasks of this customer"),
                 Field::enumeration("status", kStatuses, "open (default), done or cancelled"),
                 Field::timestamp("due_before", "only tasks due before this time"),
                 Field::limit(50, 500), Field::cursor()},
                rs::page(schema()),
                list});
  registry.add({"task.complete",
                "Marks an open task done; a recurring plan's task gets its successor, due "
                "every_days after the completion. Completing a done or cancelled task is a "
                "conflict.",
                {Field::id("id", "the task").require(),
                 Field::integer("version", 1, INT64_MAX,
                                "the task version the completion was decided on (optional check)"),
                 Field::string("note", 1000, "what was done")},
                rs::object({{"task", schema()}, {"next", rs::nullable(schema())}}),
                complete});
  registry.add({"task.create",
                "Creates a manual task for a customer.",
                {Field::id("customer_id", "the customer").require(),
                 Field::string("title", 200, "what to do").require(),
                 Field::timestamp("due_at", "when it is due").require(),
                 Field::user("owner", "who does it (default: the session's user)")},
                schema(),
                create});
}

}  // namespace crm::tasks
