#include "delegation.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "../core/json_values.hpp"
#include "../core/keyset.hpp"
#include "../core/sql.hpp"
#include "../core/time.hpp"
#include "../organisation/directory.hpp"
#include "../records/customer.hpp"

namespace crm::delegation {

namespace {

using db::Column;
using json_values::instant;
using json_values::nullable;
using params::Field;

constexpr std::size_t kReasonChars = 500;
constexpr std::size_t kMaxCustomers = 1000;

const char *const kColumns =
    "id, delegator, delegate, starts_at, ends_at, ended_at, scope, reason, created_at, "
    "created_by, ended_by";

std::vector<Column> columns() {
  return {Column::integer(), Column::text(128), Column::text(128), Column::text(32),
          Column::text(32),  Column::text(32),  Column::text(16),  Column::text(kReasonChars),
          Column::text(32),  Column::text(128), Column::text(128)};
}

struct Row {
  std::int64_t id = 0;
  std::string delegator, delegate, starts_at, ends_at;
  std::optional<std::string> ended_at;
  std::string scope, reason, created_at, created_by;
  std::optional<std::string> ended_by;
  std::vector<std::int64_t> customers;
};

Row read(const db::Result &r) {
  return {r.int64(0), r.text(1), r.text(2), r.text(3), r.text(4),           r.optional_text(5),
          r.text(6),  r.text(7), r.text(8), r.text(9), r.optional_text(10), {}};
}

void attach_customers(db::Connection &connection, std::vector<Row> &rows) {
  for (auto &row : rows) {
    if (row.scope != "customers") continue;
    auto result = connection
                      .prepare(
                          "SELECT customer_id FROM crm_delegation_customer WHERE "
                          "delegation_id = ? ORDER BY customer_id")
                      .query({row.id}, {Column::integer()});
    while (result.next()) row.customers.push_back(result.int64(0));
  }
}

std::optional<Row> find(db::Connection &connection, std::int64_t id) {
  auto result =
      connection.prepare(std::string("SELECT ") + kColumns + " FROM crm_delegation WHERE id = ?")
          .query({id}, columns());
  if (!result.next()) return std::nullopt;
  std::vector<Row> rows = {read(result)};
  attach_customers(connection, rows);
  return rows.front();
}

// scheduled, active or ended, as of now (the same judgement as the Actor's resolution, but for
// the delegator's deactivation, which delegator_active reports).
std::string status_of(const Row &row, const std::string &now) {
  const auto at = [](const std::string &text) { return *time::from_db_text(text); };
  const auto current = at(now);
  const auto end = row.ended_at ? std::min(at(row.ends_at), at(*row.ended_at)) : at(row.ends_at);
  if (current >= end) return "ended";
  if (current < at(row.starts_at)) return "scheduled";
  return "active";
}

json to_json(db::Connection &connection, const Row &row) {
  const auto now = time::to_db_text(time::now());
  json ids = json::array();
  for (auto id : row.customers) ids.push_back(std::to_string(id));
  const auto delegator = organisation::find_user(connection, row.delegator);
  return {{"id", std::to_string(row.id)},
          {"delegator", row.delegator},
          {"delegate", row.delegate},
          {"starts_at", instant(row.starts_at)},
          {"ends_at", instant(row.ends_at)},
          {"ended_at", instant(row.ended_at)},
          {"ended_by", nullable(row.ended_by)},
          {"scope", row.scope},
          {"customer_ids", ids},
          {"reason", row.reason},
          {"status", status_of(row, now)},
          {"delegator_active", delegator && delegator->active},
          {"created_at", instant(row.created_at)},
          {"created_by", row.created_by}};
}

// A user's own delegations, or those of a user whose customers the caller sees (a manager
// arranging cover for an absent salesperson).
void check_may_arrange(const Actor &actor, const std::string &user, const std::string &field) {
  if (user == actor.user || actor.sees_all || actor.may_own(user)) return;
  throw Error(Status::permission_denied,
              "you may arrange delegations only for yourself and for users whose customers you "
              "see, not for \"" +
                  user + "\"",
              field);
}

organisation::User active_user(db::Connection &connection, const std::string &key,
                               const std::string &field) {
  auto user = organisation::find_user(connection, key);
  if (!user) throw not_found(field, "no user with key \"" + key + "\"");
  if (!user->active)
    throw invalid_argument(field, "user \"" + key +
                                      "\" is inactive and cannot take part in a "
                                      "delegation");
  return *user;
}

json create(CallContext &context, const json &params) {
  auto &store = context.store;
  const auto &actor = context.actor;
  const auto delegate = params::string(params, "delegate");
  const auto delegator = params::optional_string(params, "delegator").value_or(context.user);
  const auto reason = params::string(params, "reason");
  const auto now = time::now();
  const auto starts = params::optional_timestamp(params, "starts_at").value_or(now);
  const auto ends = *params::optional_timestamp(params, "ends_at");
  check_may_arrange(actor, delegator, "params.delegator");
  if (delegate == delegator)
    throw invalid_argument("params.delegate", "a user cannot delegate to themselves");
  if (ends <= starts)
    throw invalid_argument("params.ends_at", "params.ends_at must be after params.starts_at");
  if (ends <= now) throw invalid_argument("params.ends_at", "params.ends_at is in the past");
  std::set<std::int64_t> customer_ids;
  if (params.contains("customer_ids") && !params["customer_ids"].is_null()) {
    for (const auto &id : params["customer_ids"])
      customer_ids.insert(*params::parse_id(id.get<std::string>()));
    if (customer_ids.empty())
      throw invalid_argument("params.customer_ids",
                             "params.customer_ids must name customers (omit it for everything)");
  }
  const std::string starts_text = time::to_db_text(starts), ends_text = time::to_db_text(ends);
  return store.with_connection([&](db::Connection &connection) {
    active_user(connection, delegator, "params.delegator");
    active_user(connection, delegate, "params.delegate");
    const auto found = records::customer::existing(connection, actor, customer_ids);
    for (auto id : customer_ids) {
      auto it = found.find(id);
      if (it == found.end())
        throw not_found("params.customer_ids", "no customer with id " + std::to_string(id));
      if (!it->second.visible) throw records::customer::not_visible("params.customer_ids", id);
    }
    // Defined overlap: one window at a time per delegator and delegate (a second one would make
    // ending "the" delegation ambiguous); different delegates may cover one delegator at once.
    const auto ts = connection.dialect().timestamp_param();
    auto overlapping =
        connection
            .prepare(
                "SELECT id FROM crm_delegation WHERE delegator = ? AND delegate = ? AND "
                "starts_at < " +
                ts + " AND ends_at > " + ts + " AND (ended_at IS NULL OR ended_at > " + ts + ")")
            .query({delegator, delegate, ends_text, starts_text, starts_text}, {Column::integer()});
    if (overlapping.next())
      throw conflict("params.starts_at", "delegation " + std::to_string(overlapping.int64(0)) +
                                             " from \"" + delegator + "\" to \"" + delegate +
                                             "\" overlaps this window; end or change it first");
    const auto id = store.ids().reserve(connection, "delegation");
    store.transact(connection, [&] {
      const auto now_text = time::to_db_text(time::now());
      connection
          .prepare(
              "INSERT INTO crm_delegation (id, delegator, delegate, starts_at, ends_at, "
              "scope, reason, created_at, created_by) VALUES (?, ?, ?, " +
              ts + ", " + ts + ", ?, ?, " + ts + ", ?)")
          .execute({id, delegator, delegate, starts_text, ends_text,
                    std::string(customer_ids.empty() ? "everything" : "customers"), reason,
                    now_text, context.user});
      for (auto customer : customer_ids)
        connection
            .prepare(
                "INSERT INTO crm_delegation_customer (delegation_id, customer_id) VALUES "
                "(?, ?)")
            .execute({id, customer});
    });
    store.log().info("delegation {} from {} to {} created by {}", id, delegator, delegate,
                     context.user);
    return to_json(connection, *find(connection, id));
  });
}

json end(CallContext &context, const json &params) {
  auto &store = context.store;
  const auto id = params::id(params, "id");
  return store.with_connection([&](db::Connection &connection) {
    return store.transact(connection, [&] {
      auto row = find(connection, id);
      if (!row) throw not_found("params.id", "no delegation with id " + std::to_string(id));
      if (row->delegate != context.user)
        check_may_arrange(context.actor, row->delegator, "params.id");
      const auto now = time::to_db_text(time::now());
      if (status_of(*row, now) == "ended")
        throw conflict("params.id", "delegation " + std::to_string(id) + " has ended already");
      connection
          .prepare("UPDATE crm_delegation SET ended_at = " +
                   connection.dialect().timestamp_param() + ", ended_by = ? WHERE id = ?")
          .execute({now, context.user, id});
      store.log().info("delegation {} ended by {}", id, context.user);
      return to_json(connection, *find(connection, id));
    });
  });
}

json list(CallContext &context, const json &params) {
  const auto user = params::optional_string(params, "user").value_or(context.user);
  const auto as = params::optional_string(params, "as").value_or("either");
  const bool active_only = params.value("active", false);
  const auto limit = params::limit(params, 50);
  check_may_arrange(context.actor, user, "params.user");
  return context.store.with_connection([&](db::Connection &connection) {
    const auto ts = connection.dialect().timestamp_param();
    std::string sql = std::string("SELECT ") + kColumns + " FROM crm_delegation WHERE ";
    std::vector<db::Value> values;
    if (as == "delegate") {
      sql += "delegate = ?";
      values = {user};
    } else if (as == "delegator") {
      sql += "delegator = ?";
      values = {user};
    } else {
      sql += "(delegate = ? OR delegator = ?)";
      values = {user, user};
    }
    if (active_only) {
      const auto now = time::to_db_text(time::now());
      sql += " AND starts_at <= " + ts + " AND ends_at > " + ts +
             " AND (ended_at IS NULL OR ended_at > " + ts + ")";
      values.insert(values.end(), {now, now, now});
    }
    const auto order = keyset::by_id();
    keyset::page_query(sql, values, connection.dialect(), params, order, limit);
    auto result = connection.prepare(sql).query(values, columns());
    std::vector<Row> rows;
    auto page = keyset::read_page(result, order, limit, [&](const db::Result &row) {
      rows.push_back(read(row));
      return json();
    });
    attach_customers(connection, rows);
    for (std::size_t i = 0; i < rows.size(); ++i) page["items"][i] = to_json(connection, rows[i]);
    return page;
  });
}

json schema() {
  namespace rs = result_schema;
  return rs::object({{"id", rs::id()},
                     {"delegator", rs::string()},
                     {"delegate", rs::string()},
                     {"starts_at", rs::timestamp()},
                     {"ends_at", rs::timestamp()},
                     {"ended_at", rs::nullable(rs::timestamp())},
                     {"ended_by", rs::nullable(rs::string())},
                     {"scope", rs::enumeration({"everything", "customers"})},
                     {"customer_ids", rs::array(rs::id())},
                     {"reason", rs::string()},
                     {"status", rs::enumeration({"scheduled", "active", "ended"})},
                     {"delegator_active", rs::boolean()},
                     {"created_at", rs::timestamp()},
                     {"created_by", rs::string()}});
}

}  // namespace

void register_methods(Registry &registry) {
  registry.add(
      {"delegation.create",
       "Lets a delegate see and work the delegator's customers (all, or customer_ids) from "
       "starts_at (default now) until ends_at. Active is judged at every call; it ends by itself, "
       "early with delegation.end, or when the delegator is deactivated. Not transitive.",
       {Field::user("delegate", "who covers").require(),
        Field::user("delegator", "whose work (default: the session's user)"),
        Field::timestamp("starts_at", "start (default now)"),
        Field::timestamp("ends_at", "end (exclusive)").require(),
        Field::list("customer_ids", kMaxCustomers, Field::id("", "a customer id"),
                    "only these customers (default: every customer of the delegator)"),
        Field::string("reason", kReasonChars, "why (leave, trip ...)").require()},
       schema(),
       create,
       "delegation"});
  registry.add({"delegation.end",
                "Ends a delegation now (by the delegate, the delegator or who arranges theirs).",
                {Field::id("id", "delegation id").require()},
                schema(),
                end,
                "delegation"});
  registry.add(
      {"delegation.list",
       "A user's delegations (default the session's), as delegate, delegator or either, "
       "optionally only the active ones; keyset pages by id.",
       {Field::user("user", "whose delegations (default: the session's user)"),
        Field::enumeration("as", {"delegate", "delegator", "either"},
                           "the user's side (default either)"),
        Field::boolean("active", "only those active now"), Field::limit(50, 500), Field::cursor()},
       result_schema::page(schema()),
       list,
       std::string(kAnySession)});
}

}  // namespace crm::delegation
