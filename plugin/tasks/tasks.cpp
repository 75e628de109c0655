#include "tasks.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "../classification/classification.hpp"
#include "../core/json_values.hpp"
#include "../core/sql.hpp"
#include "../core/text.hpp"
#include "../core/time.hpp"
#include "../lifecycle/lifecycle.hpp"
#include "../records/customer.hpp"
#include "../records/task.hpp"

namespace crm::tasks {

namespace {

using params::Field;
namespace task = records::task;
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
      plan.id = text_field(item, item_path, task::kPlanIdChars);
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
      plan.stage = text_field(item, item_path, records::customer::kStageChars);
      if (std::find(lifecycle::kStages.begin(), lifecycle::kStages.end(), plan.stage) ==
          lifecycle::kStages.end())
        throw invalid_argument(item_path, item_path + " is not a lifecycle stage: " + plan.stage);
    } else if (key == "title") {
      plan.title = text_field(item, item_path, task::kTitleChars);
    } else if (key == "kind") {
      plan.kind = text_field(item, item_path, task::kKindChars);
      if (plan.kind != "once" && plan.kind != "recurring")
        throw invalid_argument(item_path, item_path + " must be once or recurring");
    } else if (key == "within_days") {
      within = days_field(item, item_path);
    } else if (key == "every_days") {
      every = days_field(item, item_path);
      if (*every < 1) throw invalid_argument(item_path, item_path + " must be at least 1");
    } else {  // owner
      plan.owner = text_field(item, item_path, task::kOwnerChars);
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

using CustomerState = records::customer::PlanState;

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

using json_values::instant;
using json_values::nullable;

json task_json(const task::Row &row) {
  return {{"id", std::to_string(row.id)},
          {"customer_id", std::to_string(row.customer_id)},
          {"plan_id", nullable(row.plan_id)},
          {"kind", row.kind},
          {"title", row.title},
          {"owner", nullable(row.owner)},
          {"due_at", instant(row.due_at)},
          {"status", row.status},
          {"created_at", instant(row.created_at)},
          {"created_by", row.created_by},
          {"completed_at", instant(row.completed_at)},
          {"completed_by", nullable(row.completed_by)},
          {"note", nullable(row.note)},
          {"updated_on_behalf_of", nullable(row.updated_on_behalf_of)},
          {"version", row.version}};
}

json load_task(db::Connection &connection, std::int64_t id) {
  auto row = task::find(connection, id);
  if (!row) throw not_found("params.id", "no task with id " + std::to_string(id));
  return task_json(*row);
}

// A new open task of plan for customer_id (its id is given on insert), created by the actor.
task::Row new_task(std::int64_t customer_id, const Plan &plan, const CustomerState &customer,
                   time::Micros now, const Actor &actor) {
  task::Row row;
  row.customer_id = customer_id;
  row.plan_id = plan.id;
  row.kind = plan.kind;
  row.title = plan.title;
  row.owner = owner_for(plan, customer);
  row.due_at = time::to_db_text(now + plan.days * kDay);
  row.created_at = time::to_db_text(now);
  row.created_by = actor.user;
  // The task's owner (or else the customer's) is its responsible user.
  row.updated_on_behalf_of =
      actor.on_behalf_of(row.owner ? row.owner : customer.owner, customer_id);
  return row;
}

// Plan tasks are written during the change that calls for them, so their ids are reserved
// inside its transaction.
void insert_tasks(Store &store, db::Connection &connection, std::vector<task::Row> &rows) {
  if (rows.empty()) return;
  auto id = store.reserve_ids_during(connection, "task", static_cast<std::int64_t>(rows.size()));
  for (auto &row : rows) row.id = id++;
  task::insert(connection, rows);
}

// Keeps the plan tasks of customers current after their stage, class or owner changed.
void follow(CallContext &context, db::Connection &connection,
            const std::vector<std::int64_t> &ids) {
  auto &store = context.store;
  const auto &plans = plans_of(store);
  const auto now = time::now();
  const auto now_text = time::to_db_text(now);
  for (std::size_t start = 0; start < ids.size(); start += kChunk) {
    const std::size_t end = std::min(ids.size(), start + kChunk);
    const std::vector<std::int64_t> customer_ids(ids.begin() + static_cast<std::ptrdiff_t>(start),
                                                 ids.begin() + static_cast<std::ptrdiff_t>(end));
    const auto customers = records::customer::plan_states(connection, customer_ids);
    std::map<std::string, std::vector<std::int64_t>> cancels;  // reason -> task ids
    std::map<std::int64_t, std::set<std::string>> open;        // customer -> plans with open tasks
    // Tasks whose plan gives them to the customer's owner follow a transfer of the customer.
    std::map<std::optional<std::string>, std::vector<std::int64_t>> handovers;  // owner -> ids
    for (const auto &existing : task::open_plan_tasks(connection, customer_ids)) {
      const auto customer = customers.find(existing.customer_id);
      if (customer == customers.end()) continue;
      const Plan *plan = plans.find(existing.plan_id);
      if (auto reason = cancel_reason(plan, existing.plan_id, customer->second)) {
        cancels[*reason].push_back(existing.id);
        continue;
      }
      open[customer->first].insert(existing.plan_id);
      auto owner = owner_for(*plan, customer->second);
      if (owner != existing.owner) handovers[owner].push_back(existing.id);
    }
    for (const auto &[owner, task_ids] : handovers) task::hand_over(connection, owner, task_ids);
    for (const auto &[reason, task_ids] : cancels)
      task::cancel(connection, task_ids, reason, now_text, context.user);
    std::vector<task::Row> rows;
    for (const auto &[id, customer] : customers)
      for (const auto &plan : plans.plans)
        if (applies(plan, customer) && !open[id].count(plan.id))
          rows.push_back(new_task(id, plan, customer, now, context.actor));
    insert_tasks(store, connection, rows);
  }
}

json list(CallContext &context, const json &params) {
  const auto limit = params::limit(params, 50);
  task::Filter filter;
  filter.status = params::optional_string(params, "status").value_or("open");
  filter.owner = params::optional_string(params, "owner");
  filter.customer_id = params::optional_id(params, "customer_id");
  if (auto before = params::optional_timestamp(params, "due_before"))
    filter.due_before = time::to_db_text(*before);
  return context.store.with_connection([&](db::Connection &connection) {
    if (filter.customer_id)
      records::customer::require_visible(connection, context.actor, *filter.customer_id,
                                         "params.customer_id");
    return task::page(connection, context.actor, filter, params, limit, task_json);
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
      const auto locked = task::find(connection, id, true);
      if (!locked) throw not_found("params.id", "no task with id " + std::to_string(id));
      const auto customer_id = locked->customer_id;
      records::customer::require_visible_attached(connection, context.actor, customer_id,
                                                  "params.id", "task " + std::to_string(id));
      const auto &status = locked->status;
      const auto &kind = locked->kind;
      const auto &plan_id = locked->plan_id;
      const auto version = locked->version;
      if (status != "open")
        throw conflict("params.id", "task " + std::to_string(id) + " is already " + status);
      if (expected_version && *expected_version != version)
        throw conflict("params.version",
                       "task " + std::to_string(id) + " was changed meanwhile: it is at version " +
                           std::to_string(version) + ", the completion was made against version " +
                           std::to_string(*expected_version));
      const auto now = time::now();
      task::complete(
          connection, id, time::to_db_text(now), context.user, note,
          records::customer::on_behalf_of(connection, context.actor, customer_id, locked->owner));
      json next = nullptr;
      const Plan *plan = plan_id ? plans.find(*plan_id) : nullptr;
      if (kind == "recurring" && plan && plan->kind == "recurring") {
        const auto states = records::customer::plan_states(connection, {customer_id});
        if (auto found = states.find(customer_id); found != states.end()) {
          const CustomerState &customer = found->second;
          if (applies(*plan, customer)) {
            std::vector<task::Row> rows = {
                new_task(customer_id, *plan, customer, now, context.actor)};
            insert_tasks(store, connection, rows);
            next = load_task(connection, rows[0].id);
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
  const auto chosen_owner = params::optional_string(params, "owner");
  const auto title = params::string(params, "title");
  return store.with_connection([&](db::Connection &connection) {
    // Checked before an id is reserved, so that a refused call leaves the sequence as it was.
    records::customer::require_visible(connection, context.actor, customer_id,
                                       "params.customer_id");
    const auto id = store.ids().reserve(connection, "task");
    return store.transact(connection, [&] {
      records::customer::require_visible(connection, context.actor, customer_id,
                                         "params.customer_id");
      task::Row row;
      row.id = id;
      row.customer_id = customer_id;
      row.kind = "manual";
      row.title = title;
      // A delegate's task on a delegator's customer is the delegator's: it stays with the work
      // when the delegation ends, instead of with someone who can no longer see the customer.
      row.owner = chosen_owner ? *chosen_owner
                               : records::customer::on_behalf_of(connection, context.actor,
                                                                 customer_id, std::nullopt)
                                     .value_or(context.user);
      row.due_at = time::to_db_text(due);
      row.created_at = time::to_db_text(time::now());
      row.created_by = context.user;
      row.updated_on_behalf_of =
          records::customer::on_behalf_of(connection, context.actor, customer_id, row.owner);
      task::insert(connection, {row});
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
                     {"updated_on_behalf_of", rs::nullable(rs::string())},
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
                list,
                "task.read"});
  registry.add({"task.complete",
                "Marks an open task done; a recurring plan's task gets its successor, due "
                "every_days after the completion. Completing a done or cancelled task is a "
                "conflict.",
                {Field::id("id", "the task").require(),
                 Field::integer("version", 1, INT64_MAX,
                                "the task version the completion was decided on (optional check)"),
                 Field::string("note", task::kNoteChars, "what was done")},
                rs::object({{"task", schema()}, {"next", rs::nullable(schema())}}),
                complete,
                "task.write"});
  registry.add({"task.create",
                "Creates a manual task for a customer.",
                {Field::id("customer_id", "the customer").require(),
                 Field::string("title", task::kTitleChars, "what to do").require(),
                 Field::timestamp("due_at", "when it is due").require(),
                 Field::user("owner",
                             "who does it (default: the session's user; under a delegation, "
                             "the delegator whose customer it is)")},
                schema(),
                create,
                "task.write"});
}

}  // namespace crm::tasks
