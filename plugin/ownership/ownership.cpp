#include "ownership.hpp"

#include <spdlog/spdlog.h>

#include <exception>
#include <set>

#include "../core/json_values.hpp"
#include "../core/keyset.hpp"
#include "../core/sql.hpp"
#include "../core/time.hpp"
#include "../organisation/directory.hpp"
#include "../records/customer.hpp"
#include "../records/opportunity.hpp"
#include "../records/task.hpp"

namespace crm::ownership {

namespace {

using db::Column;
using json_values::instant;
using params::Field;

constexpr std::size_t kReasonChars = 500;
constexpr std::size_t kMaxCustomers = 1000;
const std::vector<std::string> kStages = {"unidentified", "potential", "opportunity",
                                          "customer",     "repeat",    "disqualified"};

Transfer selection_of(const json &params) {
  Transfer selection;
  selection.from = params::string(params, "from");
  selection.to = params::string(params, "to");
  selection.stage = params::optional_string(params, "stage");
  selection.reason = params::string(params, "reason");
  if (selection.stage) selection.filter["stage"] = *selection.stage;
  if (params.contains("customer_ids") && !params["customer_ids"].is_null()) {
    std::set<std::int64_t> ids;
    for (const auto &id : params["customer_ids"])
      ids.insert(*params::parse_id(id.get<std::string>()));
    selection.customer_ids.assign(ids.begin(), ids.end());
    json listed = json::array();
    for (auto id : selection.customer_ids) listed.push_back(std::to_string(id));
    selection.filter["customer_ids"] = listed;
  }
  return selection;
}

// "<table>.owner = ? AND ..." for the customers of selection the actor sees, with crm_customer
// known as `table` in the statement; values appended.
std::string customer_condition(const db::Dialect &dialect, const Actor &actor,
                               const Transfer &selection, const std::string &table,
                               std::vector<db::Value> &values) {
  std::string condition = table + ".owner = ?";
  values.push_back(selection.from);
  if (selection.stage) {
    condition += " AND " + table + ".stage = ?";
    values.push_back(*selection.stage);
  }
  if (!selection.customer_ids.empty()) {
    condition +=
        " AND " + table + ".id IN (" + sql::placeholders(selection.customer_ids.size()) + ")";
    values.insert(values.end(), selection.customer_ids.begin(), selection.customer_ids.end());
  }
  if (auto visible = records::customer::visible(dialect, actor, table, values); !visible.empty())
    condition += " AND " + visible;
  return condition;
}

// Customers from which a transfer's joins are planned for large sets (Dialect::join_large_sets):
// below it a nested loop misplanned on stale statistics costs milliseconds at most.
constexpr std::int64_t kLargeTransfer = 1000;

// For its lifetime, inside the current transaction, the joins of a transfer of `customers`
// customers are planned as joins of large sets where that many make it worth it.
class LargeSetJoins {
 public:
  LargeSetJoins(db::Connection &connection, std::int64_t customers)
      : connection_(connection), exceptions_(std::uncaught_exceptions()) {
    const auto statement = connection.dialect().join_large_sets();
    if (customers < kLargeTransfer || statement.empty()) return;
    connection.execute_direct(std::string(statement));
    active_ = true;
  }
  ~LargeSetJoins() {
    // Unwinding, the transaction is rolled back, and the setting (SET LOCAL) with it.
    if (!active_ || std::uncaught_exceptions() > exceptions_) return;
    try {
      connection_.execute_direct(std::string(connection_.dialect().join_as_planned()));
    } catch (...) {
      connection_.mark_broken();  // not reused with the setting still on
    }
  }
  LargeSetJoins(const LargeSetJoins &) = delete;
  LargeSetJoins &operator=(const LargeSetJoins &) = delete;

 private:
  db::Connection &connection_;
  int exceptions_;
  bool active_ = false;
};

// A transfer moves work between users whose customers the caller sees: a manager between
// the people below, an administrator between anyone.
void check_may_transfer(const Actor &actor, const Transfer &selection) {
  for (const auto &[user, field] :
       {std::pair{selection.from, "params.from"}, std::pair{selection.to, "params.to"}})
    if (!actor.may_own(user))
      throw Error(
          Status::permission_denied,
          "you may transfer only between users whose customers you see, not \"" + user + "\"",
          field);
}

std::int64_t count(db::Connection &connection, const std::string &sql,
                   const std::vector<db::Value> &values) {
  auto result = connection.prepare(sql).query(values, {Column::integer()});
  result.next();
  return result.int64(0);
}

json counts_json(std::int64_t customers, std::int64_t opportunities, std::int64_t tasks) {
  return {{"customers", customers}, {"opportunities", opportunities}, {"tasks", tasks}};
}

const char *const kBatchColumns =
    "id, from_owner, to_owner, reason, filter, customers, opportunities, tasks, created_at, "
    "created_by";

std::vector<Column> batch_columns() {
  return {Column::integer(),   Column::text(128), Column::text(128), Column::text(kReasonChars),
          Column::long_text(), Column::integer(), Column::integer(), Column::integer(),
          Column::text(32),    Column::text(128)};
}

json batch_json(const db::Result &r) {
  json filter = json::parse(r.text(4), nullptr, false);
  return {{"id", std::to_string(r.int64(0))},
          {"from", r.text(1)},
          {"to", r.text(2)},
          {"reason", r.text(3)},
          {"filter", filter.is_object() ? filter : json::object()},
          {"counts", counts_json(r.int64(5), r.int64(6), r.int64(7))},
          {"created_at", instant(r.text(8))},
          {"created_by", r.text(9)}};
}

json read_batch(db::Connection &connection, std::int64_t id) {
  auto result = connection
                    .prepare(std::string("SELECT ") + kBatchColumns +
                             " FROM crm_ownership_batch WHERE id = ?")
                    .query({id}, batch_columns());
  result.next();
  return batch_json(result);
}

json transfer(CallContext &context, const json &params) {
  auto &store = context.store;
  const auto &actor = context.actor;
  const auto selection = selection_of(params);
  const bool preview = params.value("preview", false);
  if (selection.from == selection.to)
    throw invalid_argument("params.to", "params.to is params.from: there is nothing to move");
  check_may_transfer(actor, selection);
  return store.with_connection([&](db::Connection &connection) -> json {
    auto target = organisation::find_user(connection, selection.to);
    if (!target) throw not_found("params.to", "no user with key \"" + selection.to + "\"");
    if (!target->active)
      throw invalid_argument(
          "params.to", "user \"" + selection.to + "\" is inactive and cannot take over customers");
    if (preview) {
      // The same selections the transfer makes, counted: a preview says what a transfer now
      // would move.
      // One snapshot for the three counts.
      Store::ReadScope snapshot(store, connection);
      std::vector<db::Value> values;
      const auto condition =
          customer_condition(connection.dialect(), actor, selection, "c", values);
      const std::string chosen = "SELECT c.id FROM crm_customer c WHERE " + condition;
      const auto customers =
          count(connection, "SELECT COUNT(*) FROM crm_customer c WHERE " + condition, values);
      const LargeSetJoins joins(connection, customers);
      std::vector<db::Value> with_from = {selection.from};
      with_from.insert(with_from.end(), values.begin(), values.end());
      const auto opportunities = count(connection,
                                       "SELECT COUNT(*) FROM crm_opportunity o WHERE o.status = "
                                       "'open' AND o.owner = ? AND o.customer_id IN (" +
                                           chosen + ")",
                                       with_from);
      const auto tasks = count(connection,
                               "SELECT COUNT(*) FROM crm_task t WHERE t.status = 'open' AND "
                               "t.owner = ? AND t.customer_id IN (" +
                                   chosen + ")",
                               with_from);
      return {{"preview", true}, {"counts", counts_json(customers, opportunities, tasks)}};
    }
    return store.transact(connection, [&]() -> json {
      // A transfer scans many customers and holds what it moves until it commits; the others'
      // customers it passes over stay free to change.
      if (auto statement = connection.dialect().lock_only_rows_written(); !statement.empty())
        connection.execute_direct(std::string(statement));
      const auto moved = transfer_within(store, connection, actor, selection, context.user);
      return {{"preview", false}, {"batch", read_batch(connection, moved.batch_id)}};
    });
  });
}

// A batch is for whoever could have made it: an administrator, or a user who sees the customers
// of one of its two sides.
bool may_read_batch(const Actor &actor, const json &batch) {
  return actor.sees_all || actor.may_own(batch["from"].get<std::string>()) ||
         actor.may_own(batch["to"].get<std::string>());
}

json batch_get(CallContext &context, const json &params) {
  const auto id = params::id(params, "id");
  const auto kind = params::optional_string(params, "kind");
  const auto limit = params::limit(params, 100);
  return context.store.with_connection([&](db::Connection &connection) {
    auto row = connection
                   .prepare(std::string("SELECT ") + kBatchColumns +
                            " FROM crm_ownership_batch WHERE id = ?")
                   .query({id}, batch_columns());
    if (!row.next())
      throw not_found("params.id", "no ownership batch with id " + std::to_string(id));
    json batch = batch_json(row);
    if (!may_read_batch(context.actor, batch))
      throw Error(Status::permission_denied,
                  "ownership batch " + std::to_string(id) + " is not among the records you may see",
                  "params.id");
    std::string sql =
        "SELECT kind, record_id, owner_before, owner_after FROM crm_ownership_move WHERE "
        "batch_id = ?";
    std::vector<db::Value> values = {id};
    if (kind) {
      sql += " AND kind = ?";
      values.push_back(*kind);
    }
    const keyset::Order order = {
        {{"kind", keyset::Kind::text, 0}, {"record_id", keyset::Kind::id, 1}}, false};
    keyset::page_query(sql, values, connection.dialect(), params, order, limit);
    auto moves = connection.prepare(sql).query(
        values, {Column::text(16), Column::integer(), Column::text(128), Column::text(128)});
    auto page = keyset::read_page(moves, order, limit, [](const db::Result &r) {
      return json{{"kind", r.text(0)},
                  {"record_id", std::to_string(r.int64(1))},
                  {"owner_before", json_values::nullable(r.optional_text(2))},
                  {"owner_after", json_values::nullable(r.optional_text(3))}};
    });
    batch["moves"] = std::move(page["items"]);
    batch["next_cursor"] = std::move(page["next_cursor"]);
    return batch;
  });
}

json batch_list(CallContext &context, const json &params) {
  const auto user = params::optional_string(params, "user");
  const auto limit = params::limit(params, 50);
  const auto &actor = context.actor;
  return context.store.with_connection([&](db::Connection &connection) {
    std::string sql =
        std::string("SELECT ") + kBatchColumns + " FROM crm_ownership_batch WHERE 1 = 1";
    std::vector<db::Value> values;
    if (user) {
      sql += " AND (from_owner = ? OR to_owner = ?)";
      values.insert(values.end(), {*user, *user});
    }
    if (!actor.sees_all) {
      const auto &dialect = connection.dialect();
      sql += " AND (" + sql::in_list(dialect, "from_owner", actor.owners, values) + " OR " +
             sql::in_list(dialect, "to_owner", actor.owners, values) + ")";
    }
    const auto order = keyset::by_id();
    keyset::page_query(sql, values, connection.dialect(), params, order, limit);
    auto result = connection.prepare(sql).query(values, batch_columns());
    return keyset::read_page(result, order, limit, batch_json);
  });
}

json orphans(CallContext &context, const json &params) {
  const auto limit = params::limit(params, 50);
  records::customer::ListFilter filter;
  filter.orphaned = true;
  filter.stage = params::optional_string(params, "stage");
  return context.store.with_connection([&](db::Connection &connection) {
    return records::customer::page(connection, context.actor, filter, params, limit,
                                   [](const records::customer::Row &row) {
                                     return json{{"id", std::to_string(row.id)},
                                                 {"name", row.name},
                                                 {"stage", row.stage},
                                                 {"owner", json_values::nullable(row.owner)},
                                                 {"updated_at", instant(row.updated_at)}};
                                   });
  });
}

json batch_schema() {
  namespace rs = result_schema;
  return rs::object({{"id", rs::id()},
                     {"from", rs::string()},
                     {"to", rs::string()},
                     {"reason", rs::string()},
                     {"filter", rs::free_object()},
                     {"counts", rs::object({{"customers", rs::integer()},
                                            {"opportunities", rs::integer()},
                                            {"tasks", rs::integer()}})},
                     {"created_at", rs::timestamp()},
                     {"created_by", rs::string()}});
}

}  // namespace

Moved transfer_within(Store &store, db::Connection &connection, const Actor &actor,
                      const Transfer &selection, const std::string &by) {
  const auto &dialect = connection.dialect();
  std::vector<db::Value> values;
  const auto condition = customer_condition(dialect, actor, selection, "crm_customer", values);
  // Reserved in the transaction: a transfer that fails leaves even the sequence as it was.
  const auto id = store.ids().reserve_within(connection, "ownership_batch", 1);
  const auto now = time::to_db_text(time::now());
  const auto ts = dialect.timestamp_param();
  // One transaction, set-based: the batch row first, then the moves selected into the audit
  // table (joined to the batch row, so that no value is bound in a select list), then each kind
  // updated: the audit is exactly what moved.
  connection
      .prepare(
          "INSERT INTO crm_ownership_batch (id, from_owner, to_owner, reason, filter, "
          "customers, opportunities, tasks, created_at, created_by) VALUES (?, ?, ?, ?, "
          "?, 0, 0, 0, " +
          ts + ", ?)")
      .execute(
          {id, selection.from, selection.to, selection.reason, to_text(selection.filter), now, by});
  const std::string insert =
      "INSERT INTO crm_ownership_move (batch_id, kind, record_id, owner_before, owner_after) ";
  std::vector<db::Value> insert_customers = {id};
  insert_customers.insert(insert_customers.end(), values.begin(), values.end());
  Moved moved;
  moved.batch_id = id;
  // The selected customers stay locked until commit, so no other transfer can take one of
  // them before the update below (on SQLite the writer holds the whole database anyway).
  moved.customers =
      connection
          .prepare(insert +
                   "SELECT b.id, 'customer', crm_customer.id, crm_customer.owner, b.to_owner "
                   "FROM crm_ownership_batch b, crm_customer WHERE b.id = ? AND " +
                   condition + std::string(dialect.for_update()))
          .execute(insert_customers);
  const LargeSetJoins joins(connection, moved.customers);
  // The batch id is bound, not taken from b: a subquery correlated with the outer row is run
  // once per candidate row on PostgreSQL (100,000 customers: minutes), an uncorrelated one once.
  const std::string moved_customers =
      "SELECT m.record_id FROM crm_ownership_move m WHERE m.batch_id = ? AND m.kind = "
      "'customer'";
  moved.opportunities =
      connection
          .prepare(insert +
                   "SELECT b.id, 'opportunity', o.id, o.owner, b.to_owner FROM "
                   "crm_ownership_batch b, crm_opportunity o WHERE b.id = ? AND o.status = "
                   "'open' AND o.owner = b.from_owner AND o.customer_id IN (" +
                   moved_customers + ")")
          .execute({id, id});
  moved.tasks = connection
                    .prepare(insert +
                             "SELECT b.id, 'task', t.id, t.owner, b.to_owner FROM "
                             "crm_ownership_batch b, crm_task t WHERE b.id = ? AND "
                             "t.status = 'open' AND t.owner = b.from_owner AND "
                             "t.customer_id IN (" +
                             moved_customers + ")")
                    .execute({id, id});
  // A transfer moves all of from's customers that pass the filter: it is done for from only
  // under a delegation of everything from from (Actor::on_behalf_of without a customer).
  const auto for_user = actor.on_behalf_of(selection.from, std::nullopt);
  // The customers are updated by the selection's own condition, not by joining the moves just
  // written: PostgreSQL plans that join on statistics that know nothing of them, and an owner
  // the statistics underestimate turned it into a nested loop of every customer by every move.
  const auto changed = records::customer::transfer_owner(connection, condition, values,
                                                         selection.to, now, by, for_user);
  // The moved customers are locked, so a difference is a customer that became from's and passes
  // the filter since the selection (another session's commit): all or nothing.
  if (changed != moved.customers)
    throw conflict("params.from",
                   "the customers of \"" + selection.from + "\" changed during the transfer (" +
                       std::to_string(moved.customers) + " selected, " + std::to_string(changed) +
                       " matched at the update); nothing was moved, try again");
  records::opportunity::transfer_owner(connection, id, selection.to, now, by, for_user);
  records::task::transfer_owner(connection, id, selection.to, for_user);
  connection
      .prepare(
          "UPDATE crm_ownership_batch SET customers = ?, opportunities = ?, tasks = ? WHERE id = ?")
      .execute({moved.customers, moved.opportunities, moved.tasks, id});
  store.log().info(
      "ownership batch {}: {} customers, {} opportunities, {} tasks from {} to {} by {}", id,
      moved.customers, moved.opportunities, moved.tasks, selection.from, selection.to, by);
  return moved;
}

void register_methods(Registry &registry) {
  namespace rs = result_schema;
  const json counts = rs::object(
      {{"customers", rs::integer()}, {"opportunities", rs::integer()}, {"tasks", rs::integer()}});
  registry.add(
      {"ownership.transfer",
       "Moves a user's customers (all, one stage, or customer_ids) with their open opportunities "
       "and open tasks of that user to another user, in one transaction, recorded as an audit "
       "batch; preview counts what it would move and writes nothing.",
       {Field::user("from", "the current owner (may have left: inactive or unknown)").require(),
        Field::user("to", "the new owner, an active user").require(),
        Field::enumeration("stage", kStages, "only customers in this stage"),
        Field::list("customer_ids", kMaxCustomers, Field::id("", "a customer id"),
                    "only these of from's customers"),
        Field::boolean("preview", "count only (default false)"),
        Field::string("reason", kReasonChars, "why (left the company, new territory ...)")
            .require()},
       rs::object({{"preview", rs::boolean()}}, {{"counts", counts}, {"batch", batch_schema()}}),
       transfer,
       "transfer"});
  json with_moves = batch_schema();
  with_moves["properties"]["moves"] =
      rs::array(rs::object({{"kind", rs::enumeration({"customer", "opportunity", "task"})},
                            {"record_id", rs::id()},
                            {"owner_before", rs::nullable(rs::string())},
                            {"owner_after", rs::nullable(rs::string())}}));
  with_moves["properties"]["next_cursor"] = rs::nullable(rs::string());
  with_moves["required"].push_back("moves");
  with_moves["required"].push_back("next_cursor");
  registry.add({"ownership.batch.get",
                "One transfer batch with every record it moved (owner before and after), keyset "
                "pages by kind and record.",
                {Field::id("id", "batch id").require(),
                 Field::enumeration("kind", {"customer", "opportunity", "task"}, "only this kind"),
                 Field::limit(100, 1000), Field::cursor()},
                with_moves,
                batch_get,
                "transfer"});
  registry.add({"ownership.batch.list",
                "Transfer batches the caller may see, newest id last, optionally of one user "
                "(either side); keyset pages.",
                {Field::user("user", "only batches from or to this user"), Field::limit(50, 500),
                 Field::cursor()},
                rs::page(batch_schema()),
                batch_list,
                "transfer"});
  registry.add({"ownership.orphans",
                "Customers the caller sees whose owner is no active CRM user (left, deactivated, "
                "or unknown to the CRM) and that wait in no queue; keyset pages.",
                {Field::enumeration("stage", kStages, "only customers in this stage"),
                 Field::limit(50, 500), Field::cursor()},
                rs::page(rs::object({{"id", rs::id()},
                                     {"name", rs::string()},
                                     {"stage", rs::string()},
                                     {"owner", rs::nullable(rs::string())},
                                     {"updated_at", rs::timestamp()}})),
                orphans,
                "customer.read"});
}

}  // namespace crm::ownership
