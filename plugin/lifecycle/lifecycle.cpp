#include "lifecycle.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "../assignment/assignment.hpp"
#include "../core/jobs.hpp"
#include "../core/json_values.hpp"
#include "../core/sql.hpp"
#include "../core/time.hpp"
#include "../hostdata/hostdata.hpp"
#include "../records/customer.hpp"
#include "../records/ledger.hpp"
#include "order_rules.hpp"
#include "transitions.hpp"

namespace crm::lifecycle {

namespace {

using params::Field;
using records::ledger::append;
using records::ledger::Event;
constexpr time::Micros kDay = 86'400'000'000LL;
constexpr std::size_t kChunk = 500;

bool known_stage(const std::string &stage) {
  return std::find(kStages.begin(), kStages.end(), stage) != kStages.end();
}

Settings load_settings(const json *section) {
  Settings settings;
  settings.transitions = {{"unidentified", {"potential", "disqualified"}},
                          {"potential", {"opportunity", "disqualified"}},
                          {"opportunity", {"potential", "disqualified"}},
                          {"customer", {"disqualified"}},
                          {"repeat", {"disqualified"}},
                          {"disqualified", {"potential"}}};
  if (!section) return settings;
  if (!section->is_object()) throw invalid_argument("lifecycle", "lifecycle must be an object");
  if (section->contains("nurture_owner"))
    throw invalid_argument("lifecycle.nurture_owner",
                           "lifecycle.nurture_owner became lifecycle.nurture_team: imports and "
                           "returns to nurture now wait in that team's queue, not with a user");
  reject_unknown_fields(
      *section, "lifecycle",
      {"transitions", "repeat_window_days", "dormant_after_days", "nurture_team"});
  for (const auto &[key, value] : section->items()) {
    const std::string path = "lifecycle." + key;
    if (key == "transitions") {
      if (!value.is_object())
        throw invalid_argument(path, path + " must map each stage to the stages it may move to");
      settings.transitions.clear();
      for (const auto &[from, targets] : value.items()) {
        if (!known_stage(from))
          throw invalid_argument(path + "." + from, "unknown lifecycle stage " + from);
        if (!targets.is_array())
          throw invalid_argument(path + "." + from,
                                 path + "." + from + " must be a list of stages");
        auto &allowed = settings.transitions[from];
        for (const auto &target : targets) {
          if (!target.is_string() || !known_stage(target.get<std::string>()))
            throw invalid_argument(path + "." + from,
                                   path + "." + from + " holds an unknown stage " + target.dump());
          if (target.get<std::string>() == from)
            throw invalid_argument(path + "." + from, "a stage cannot move to itself: " + from);
          allowed.insert(target.get<std::string>());
        }
      }
    } else if (key == "repeat_window_days" || key == "dormant_after_days") {
      if (!value.is_number_integer() || value.get<std::int64_t>() < 1 ||
          value.get<std::int64_t>() > 36500)
        throw invalid_argument(path, path + " must be a whole number of days from 1 to 36500");
      (key == "repeat_window_days" ? settings.repeat_window_days : settings.dormant_after_days) =
          value.get<std::int64_t>();
    } else {  // nurture_team
      if (!value.is_string() || value.get<std::string>().empty() ||
          value.get<std::string>().size() > 64)
        throw invalid_argument(path, path + " must be a team key (1 to 64 bytes)");
      settings.nurture_team = value.get<std::string>();
    }
  }
  return settings;
}

using json_values::instant;
using json_values::nullable;

json event_to_json(const records::ledger::Entry &entry) {
  const auto &event = entry.event;
  return {{"id", std::to_string(entry.id)},
          {"customer_id", std::to_string(event.customer_id)},
          {"from", nullable(event.from_stage)},
          {"to", event.to_stage},
          {"occurred_at", instant(event.occurred_at)},
          {"recorded_at", instant(entry.recorded_at)},
          {"actor", event.actor},
          {"on_behalf_of", nullable(event.on_behalf_of)},
          {"reason_code", event.reason_code},
          {"reason_text", nullable(event.reason_text)},
          {"source", {{"kind", event.source_kind}, {"key", nullable(event.source_key)}}},
          {"owner_before", nullable(event.owner_before)},
          {"owner_after", nullable(event.owner_after)}};
}

json transition(CallContext &context, const json &params) {
  Move request;
  request.customer_id = params::id(params, "customer_id");
  request.to = params::string(params, "to");
  request.reason_code = params::string(params, "reason_code");
  request.reason_text = params::optional_string(params, "reason_text");
  request.on_behalf_of = params::optional_string(params, "on_behalf_of");
  request.expected_version = params::optional_integer(params, "version");
  auto &store = context.store;
  return store.with_connection([&](db::Connection &connection) {
    return store.transact(connection, [&] {
      // Counts of the people's loads read after a rule's lock see every assignment committed.
      if (auto statement = connection.dialect().lock_only_rows_written();
          request.to == "opportunity" && !statement.empty())
        connection.execute_direct(std::string(statement));
      return move(context, connection, request);
    });
  });
}

}  // namespace

json move(CallContext &context, db::Connection &connection, const Move &request) {
  auto &store = context.store;
  const auto &settings = store.settings<Settings>("lifecycle");
  const auto customer_id = request.customer_id;
  const auto &to = request.to;
  const auto &on_behalf_of = request.on_behalf_of;
  const auto &reason_text = request.reason_text;
  const auto now = time::to_db_text(time::now());
  const bool handoff = to == "opportunity";
  const auto locked = records::customer::lock_stage(connection, context.actor, customer_id);
  if (!locked)
    throw not_found("params.customer_id", "no customer with id " + std::to_string(customer_id));
  const auto &current = *locked;
  // on_behalf_of is the word of an active delegation, never the caller's: a move for a user
  // whose work the caller does not cover now is refused, and a move of a customer the
  // caller works only as a delegate records whom it was done for (Actor::on_behalf_of, the
  // rule of every write, with the customer's owner before the move as responsible user).
  if (on_behalf_of && *on_behalf_of != context.user && !context.actor.acts_for(*on_behalf_of))
    throw Error(Status::permission_denied,
                "no delegation from \"" + *on_behalf_of +
                    "\" to you is active: on_behalf_of names only a user whose work you "
                    "cover now",
                "params.on_behalf_of");
  const std::optional<std::string> acting_for =
      on_behalf_of ? on_behalf_of : context.actor.on_behalf_of(current.owner, customer_id);
  if (request.expected_version && *request.expected_version != current.version)
    throw conflict("params.version", "customer " + std::to_string(customer_id) +
                                         " was changed meanwhile: it is at version " +
                                         std::to_string(current.version) +
                                         ", the move was made against version " +
                                         std::to_string(*request.expected_version));
  const bool nurture = check_transition(settings, customer_id, current.stage, to, reason_text);
  Event event;
  event.customer_id = customer_id;
  event.from_stage = current.stage;
  event.to_stage = to;
  event.occurred_at = now;
  event.actor = context.user;
  event.on_behalf_of = acting_for;
  event.reason_code = request.reason_code;
  event.reason_text = reason_text;
  event.owner_before = current.owner;
  event.owner_after = nurture ? std::nullopt : current.owner;
  auto queue_after = nurture ? std::optional<std::string>(settings.nurture_team) : current.queue;
  // The hand-off to sales: the rules of event handoff may give the customer to a salesperson
  // (or to a team's queue).
  json assigned = nullptr;
  if (handoff && current.stage != to) {
    assignment::Assigner assigner(connection, "handoff", now, true);
    if (assigner.any_rules()) {
      auto facts = assignment::facts_of(connection, customer_id);
      facts->stage = to;
      auto outcome = assigner.decide(*facts);
      if (outcome.rule_code) {
        event.owner_after = outcome.owner;
        queue_after = outcome.queue;
        assigner.finish();
        assignment::record(connection, store.ids().reserve_within(connection, "assignment", 1),
                           "handoff", {customer_id}, {outcome}, now, context.user);
      }
      assigned = std::move(outcome.explanation);
    }
  }
  records::customer::set_stage(connection, customer_id, to, event.owner_after, queue_after, now,
                               now, context.user, acting_for);
  // Reserved in this transaction: a refused move leaves the sequence as it was.
  const auto event_id = store.ids().reserve_within(connection, "lifecycle_event", 1);
  append(store, connection, {event}, event_id);
  registry().customers_changed(context, connection, {customer_id});
  store.log().info("customer {} moved {} -> {} by {}", customer_id, current.stage, to,
                   context.user);
  return json{{"event", event_to_json(*records::ledger::find(connection, event_id))},
              {"stage", to},
              {"owner", nullable(event.owner_after)},
              {"queue", nullable(queue_after)},
              {"assignment", std::move(assigned)},
              {"version", current.version + 1}};
}

namespace {

json history(CallContext &context, const json &params) {
  const auto customer_id = params::id(params, "customer_id");
  const auto limit = params::limit(params, 50);
  return context.store.with_connection([&](db::Connection &connection) {
    records::customer::require_visible(connection, context.actor, customer_id,
                                       "params.customer_id");
    return records::ledger::customer_page(connection, customer_id, params, limit, event_to_json);
  });
}

// ---- lifecycle.sync --------------------------------------------------------------------------

struct SyncCounts {
  std::int64_t imported = 0, refreshed = 0, to_customer = 0, to_repeat = 0, unmatched_orders = 0,
               orders_read = 0, dormant = 0, revived = 0;
};

class Sync {
 public:
  Sync(CallContext &context, db::Connection &connection, time::Micros as_of)
      : context_(context),
        store_(context.store),
        connection_(connection),
        host_(hostdata::of(context.store)),
        settings_(context.store.settings<Settings>("lifecycle")),
        as_of_(as_of),
        now_(time::now()),
        now_text_(time::to_db_text(now_)) {}

  json run(jobs::Run &job) {
    if (host_.mapped("customers")) import_customers(job);
    read_orders(job);
    mark_dormant();
    std::sort(changed_.begin(), changed_.end());
    changed_.erase(std::unique(changed_.begin(), changed_.end()), changed_.end());
    registry().customers_changed(context_, connection_, changed_);
    return {{"imported", counts_.imported},
            {"refreshed", counts_.refreshed},
            {"moved_to_customer", counts_.to_customer},
            {"moved_to_repeat", counts_.to_repeat},
            {"orders_read", counts_.orders_read},
            {"unmatched_orders", counts_.unmatched_orders},
            {"dormant", counts_.dormant},
            {"revived", counts_.revived},
            {"watermark", job.watermark}};
  }

 private:
  // The newest watermark value now, so that rows arriving during the run wait for the next.
  std::optional<std::string> high_water(const db::HostQuery &query) {
    auto row =
        connection_
            .prepare("SELECT " + store_.dialect().text_cast("MAX(h." + *query.watermark() + ")") +
                     " FROM " + query.derived("h"))
            .query({}, {db::Column::text(128)});
    return row.next() ? row.optional_text(0) : std::nullopt;
  }
  // "AND h.w > ? AND h.w <= ?" for an incremental read, or "" for a full one.
  std::string window(const db::HostQuery &query, const jobs::Run &job, const std::string &name,
                     const std::optional<std::string> &high, std::vector<db::Value> &values) {
    if (!query.watermark() || !high) return "";
    const auto &column = *query.watermark();
    auto value = [&](const std::string &text) -> db::Value {
      return query.integer_column(column) ? query.key_value(column, text) : db::Value(text);
    };
    const std::string m = query.temporal_column(column) ? store_.dialect().timestamp_param() : "?";
    std::string where = " AND h." + column + " <= " + m;
    values.push_back(value(*high));
    if (job.watermark.contains(name) && job.watermark[name].is_string()) {
      where += " AND h." + column + " > " + m;
      values.push_back(value(job.watermark[name].get<std::string>()));
    }
    return where;
  }
  void import_customers(jobs::Run &job) {
    const auto &customers = host_.entity("customers");
    std::optional<std::string> high;
    if (customers.watermark()) high = high_water(customers);
    std::vector<db::Value> values;
    auto &dialect = store_.dialect();
    const std::string where = window(customers, job, "customers", high, values);
    const std::string sql =
        "SELECT " + dialect.text_cast("h.customer_key") + ", h.name, " +
        customers.column("h", "industry") + ", " + customers.column("h", "region") + ", " +
        (customers.has("referred_by_key") ? dialect.text_cast("h.referred_by_key") : "NULL") +
        ", " + customers.column("h", "is_reference") + ", " +
        (customers.has("created_at") ? dialect.text_cast(dialect.host_time("h.created_at"))
                                     : std::string("NULL")) +
        " FROM " + customers.derived("h") +
        // An outer join, not NOT EXISTS: MariaDB 10.11 returns no rows when a prepared
        // NOT EXISTS over a derived table runs a second time.
        " LEFT JOIN crm_customer c ON c.host_key = " + dialect.text_cast("h.customer_key") +
        " WHERE c.id IS NULL" + where + " ORDER BY 1";
    // Read first, write after: the connection runs one statement at a time.
    std::vector<records::customer::NewRow> rows;
    std::vector<Event> events;
    std::vector<std::pair<std::size_t, std::string>> referrals;  // row index, referrer's key
    {
      auto result = connection_.prepare(sql).query(
          values, {db::Column::text(128), db::Column::text(200), db::Column::text(100),
                   db::Column::text(100), db::Column::text(128), db::Column::text(8),
                   db::Column::text(32)});
      while (result.next()) {
        const auto key = result.text(0);
        // The move into the CRM dates from when the host created the customer, when known.
        std::string since = now_text_;
        if (auto created = result.optional_text(6))
          if (auto utc = host_.to_utc(*created)) since = time::to_db_text(std::min(*utc, now_));
        if (auto referrer = result.optional_text(4)) referrals.emplace_back(rows.size(), *referrer);
        const bool reference = result.optional_text(5).value_or("0") != "0";
        records::customer::NewRow customer;
        customer.name = result.text(1);
        customer.stage = "potential";
        customer.region = result.optional_text(3);
        customer.industry = result.optional_text(2);
        customer.queue = settings_.nurture_team;
        customer.source = "erp";
        customer.host_key = key;
        customer.is_reference = reference;
        customer.at = now_text_;
        customer.by = context_.user;
        rows.push_back(std::move(customer));
        Event event;
        event.to_stage = "potential";
        event.occurred_at = since;
        event.actor = context_.user;
        event.reason_code = "imported";
        event.reason_text = "customer record in the host ERP";
        event.source_kind = "import";
        event.source_key = key;
        events.push_back(std::move(event));
      }
    }
    // The rules of event import route the new customers; those no rule matches wait in the
    // nurture team's queue as before.
    std::vector<assignment::Outcome> outcomes;
    if (!rows.empty()) {
      assignment::Assigner assigner(connection_, "import", now_text_, true);
      if (assigner.any_rules()) {
        for (std::size_t i = 0; i < rows.size(); ++i) {
          assignment::Facts facts;
          facts.region = rows[i].region;
          facts.industry = rows[i].industry;
          facts.stage = rows[i].stage;
          outcomes.push_back(assigner.decide(facts));
          if (!outcomes.back().rule_code) continue;
          rows[i].owner = outcomes.back().owner;
          rows[i].queue = outcomes.back().queue;
          events[i].owner_after = outcomes.back().owner;
        }
        assigner.finish();
      }
    }
    if (!rows.empty()) {
      const auto count = static_cast<std::int64_t>(rows.size());
      const auto first_id = store_.reserve_ids_during(connection_, "customer", count);
      const auto first_event = store_.reserve_ids_during(connection_, "lifecycle_event", count);
      for (std::size_t i = 0; i < rows.size(); ++i) {
        changed_.push_back(first_id + static_cast<std::int64_t>(i));  // new: plans apply
        rows[i].id = first_id + static_cast<std::int64_t>(i);
        events[i].customer_id = rows[i].id;
      }
      records::customer::insert(connection_, rows);
      append(store_, connection_, events, first_event, now_text_);
      counts_.imported = count;
      const auto decided = std::count_if(outcomes.begin(), outcomes.end(),
                                         [](const auto &outcome) { return outcome.rule_code; });
      if (decided > 0) {
        std::vector<std::int64_t> ids;
        for (const auto &row : rows) ids.push_back(row.id);
        assignment::record(connection_,
                           store_.reserve_ids_during(connection_, "assignment", decided), "import",
                           ids, outcomes, now_text_, context_.user);
      }
    }
    // Referrals name host keys; resolved now that every new customer exists.
    for (const auto &[index, referrer] : referrals)
      records::customer::set_referrer(connection_, rows[index].id, referrer);
    if (high && customers.temporal_column(*customers.watermark()))
      refresh_customers(customers, job, *high);
    if (high) job.watermark["customers"] = *high;
  }

  // With a change-time watermark (e.g. changed_at) the window also holds host customers that
  // changed since the last run: the ERP's master data wins for name, industry, region and the
  // reference flag. Stage, owner and the CRM's own fields stay as they are.
  void refresh_customers(const db::HostQuery &customers, const jobs::Run &job,
                         const std::string &high) {
    if (!job.watermark.contains("customers")) return;  // a first run imports everything
    auto &dialect = store_.dialect();
    std::vector<db::Value> values;
    const std::string where = window(customers, job, "customers", high, values);
    const std::string sql =
        "SELECT c.id, h.name, " + customers.column("h", "industry") + ", " +
        customers.column("h", "region") + ", " + customers.column("h", "is_reference") +
        ", c.name, c.industry, c.region, c.is_reference FROM " + customers.derived("h") +
        " JOIN crm_customer c ON c.host_key = " + dialect.text_cast("h.customer_key") +
        " WHERE 1 = 1" + where + " ORDER BY c.id";
    std::vector<records::customer::HostFields> updates;
    {
      auto result = connection_.prepare(sql).query(
          values, {db::Column::integer(), db::Column::text(200), db::Column::text(100),
                   db::Column::text(100), db::Column::text(8), db::Column::text(200),
                   db::Column::text(100), db::Column::text(100), db::Column::text(8)});
      while (result.next()) {
        const std::int64_t reference = result.optional_text(4).value_or("0") != "0" ? 1 : 0;
        const std::int64_t was_reference = result.optional_text(8).value_or("0") != "0" ? 1 : 0;
        if (result.text(1) == result.text(5) &&
            result.optional_text(2) == result.optional_text(6) &&
            result.optional_text(3) == result.optional_text(7) && reference == was_reference)
          continue;
        updates.push_back({result.int64(0), result.text(1), result.optional_text(2),
                           result.optional_text(3), reference != 0});
      }
    }
    records::customer::refresh_from_host(connection_, updates, now_text_, context_.user);
    for (const auto &row : updates) changed_.push_back(row.id);
    counts_.refreshed = static_cast<std::int64_t>(updates.size());
  }

  void read_orders(jobs::Run &job) {
    const auto &orders = host_.entity("orders");
    auto &dialect = store_.dialect();
    std::optional<std::string> high;
    if (orders.watermark()) high = high_water(orders);
    std::vector<db::Value> values;
    const std::string where = window(orders, job, "orders", high, values);
    const std::string sql =
        "SELECT " + dialect.text_cast("h.customer_key") + ", " + dialect.text_cast("h.order_key") +
        ", " + dialect.text_cast(dialect.host_time("h.ordered_at")) + " FROM " +
        orders.derived("h") + " WHERE h.status = 'valid'" + where + " ORDER BY 1, 3, 2";
    const time::Micros window_micros = settings_.repeat_window_days * kDay;
    std::vector<OrderSummary> groups;
    {
      auto result = connection_.prepare(sql).query(
          values, {db::Column::text(128), db::Column::text(128), db::Column::text(32)}, 512);
      while (result.next()) {
        ++counts_.orders_read;
        const auto key = result.text(0);
        const auto at = host_.to_utc(result.text(2));
        if (!at) continue;
        if (groups.empty() || groups.back().host_key != key)
          groups.emplace_back(key, *at, result.text(1));
        else
          groups.back().add(*at, result.text(1), window_micros);
        // Summaries are O(1) each; apply whole chunks once the result is read (the connection
        // serves one statement at a time), so this holds one row per customer with orders.
      }
    }
    for (std::size_t start = 0; start < groups.size(); start += kChunk)
      apply(std::vector<OrderSummary>(
          groups.begin() + static_cast<std::ptrdiff_t>(start),
          groups.begin() + static_cast<std::ptrdiff_t>(std::min(groups.size(), start + kChunk))));
    if (high) job.watermark["orders"] = *high;
  }

  void apply(const std::vector<OrderSummary> &groups) {
    std::vector<std::string> keys;
    for (const auto &group : groups) keys.push_back(group.host_key);
    const auto rows = records::customer::lock_by_host_keys(connection_, keys);
    const auto read_time = [](const std::optional<std::string> &text) {
      return text ? time::from_db_text(*text) : std::nullopt;
    };
    std::vector<Event> events;
    const time::Micros window_micros = settings_.repeat_window_days * kDay;
    for (const auto &group : groups) {
      auto found = rows.find(group.host_key);
      if (found == rows.end()) {
        ++counts_.unmatched_orders;
        continue;
      }
      const auto &row = found->second;
      const auto known_first = read_time(row.first_order_at);
      const auto known_last = read_time(row.last_order_at);
      std::string stage = row.stage;
      for (const auto &move : order_moves(row.stage, known_last, group, window_micros)) {
        Event event;
        event.customer_id = row.id;
        event.from_stage = stage;
        event.to_stage = move.to;
        event.occurred_at = time::to_db_text(move.at);
        event.actor = context_.user;
        event.reason_code = move.reason_code;
        event.reason_text = move.reason_text;
        event.source_kind = "order";
        event.source_key = move.order_key;
        event.owner_before = row.owner;
        event.owner_after = row.owner;
        events.push_back(std::move(event));
        ++(move.to == "customer" ? counts_.to_customer : counts_.to_repeat);
        stage = move.to;
      }
      const time::Micros first = known_first ? std::min(*known_first, group.first) : group.first;
      const time::Micros last = known_last ? std::max(*known_last, group.last) : group.last;
      const bool moved = stage != row.stage;
      if (moved) changed_.push_back(row.id);
      records::customer::OrderFacts facts;
      facts.id = row.id;
      facts.first_order_at = time::to_db_text(first);
      facts.last_order_at = time::to_db_text(last);
      if (moved) {
        facts.stage = stage;
        facts.stage_changed_at = events.back().occurred_at;
      }
      records::customer::record_orders(connection_, facts, now_text_, context_.user);
    }
    if (!events.empty())
      append(store_, connection_, events,
             store_.reserve_ids_during(connection_, "lifecycle_event",
                                       static_cast<std::int64_t>(events.size())));
  }

  // Customers and repeat customers with no order and no interaction for dormant_after_days get
  // dormant_since; those with activity since lose it.
  void mark_dormant() {
    const auto cutoff = time::to_db_text(as_of_ - settings_.dormant_after_days * kDay);
    counts_.revived = records::customer::clear_dormant(connection_, cutoff);
    counts_.dormant =
        records::customer::mark_dormant(connection_, time::to_db_text(as_of_), cutoff);
  }

  CallContext &context_;
  Store &store_;
  db::Connection &connection_;
  const hostdata::HostData &host_;
  const Settings &settings_;
  time::Micros as_of_;
  time::Micros now_;
  std::string now_text_;
  SyncCounts counts_;
  std::vector<std::int64_t> changed_;
};

json sync(CallContext &context, const json &params) {
  auto &store = context.store;
  const auto as_of = params::optional_timestamp(params, "as_of").value_or(time::now());
  hostdata::of(store).entity("orders");  // unsupported, naming host.orders, before anything runs
  return store.with_connection([&](db::Connection &connection) {
    return jobs::run(store, connection, "lifecycle.sync", context.user, [&](jobs::Run &job) {
      Sync run(context, connection, as_of);
      return run.run(job);
    });
  });
}

}  // namespace

bool check_transition(const Settings &settings, std::int64_t customer_id, const std::string &from,
                      const std::string &to, const std::optional<std::string> &reason_text) {
  if (from == to)
    throw conflict("params.to",
                   "customer " + std::to_string(customer_id) + " is already in stage " + to);
  auto allowed = settings.transitions.find(from);
  if (allowed == settings.transitions.end() || !allowed->second.count(to)) {
    std::string hint;
    if (to == "customer" || to == "repeat")
      hint = " (" + to + " comes from the host's orders through lifecycle.sync)";
    throw conflict("params.to", "a customer cannot move from " + from + " to " + to + hint);
  }
  const bool nurture = from == "opportunity" && to == "potential";
  if (nurture && (!reason_text || reason_text->empty()))
    throw invalid_argument("params.reason_text",
                           "a return to nurture (opportunity → potential) needs "
                           "params.reason_text: why sales hands it back to marketing");
  return nurture;
}

json event_schema() {
  namespace rs = result_schema;
  const json text = rs::nullable(rs::string());
  return rs::object(
      {{"id", rs::id()},
       {"customer_id", rs::id()},
       {"from", rs::nullable(rs::enumeration(kStages))},
       {"to", rs::enumeration(kStages)},
       {"occurred_at", rs::timestamp()},
       {"recorded_at", rs::timestamp()},
       {"actor", rs::string()},
       {"on_behalf_of", text},
       {"reason_code", rs::string()},
       {"reason_text", text},
       {"source",
        rs::object({{"kind", rs::enumeration({"manual", "order", "opportunity", "import"})},
                    {"key", text}})},
       {"owner_before", text},
       {"owner_after", text}});
}

void register_methods(Registry &registry) {
  namespace rs = result_schema;
  registry.add_section(settings_section<Settings>(
      "lifecycle", [](const json *section, Store &) { return load_settings(section); }));
  registry.add(
      {"lifecycle.transition",
       "Moves a customer to another lifecycle stage by hand, with a reason; "
       "opportunity → potential is a return to nurture (reason_text required, "
       "ownership goes back to marketing).",
       {Field::id("customer_id", "the customer").require(),
        Field::enumeration("to", kStages, "the stage to move to").require(),
        Field::string("reason_code", 64, "why, as a code (e.g. qualified, no_budget)").require(),
        Field::string("reason_text", 1000, "why, in words"),
        Field::user("on_behalf_of", "the user this move is made for (delegation)"),
        Field::integer("version", 1, INT64_MAX,
                       "the customer version the move was decided on (optional check)")},
       rs::object({{"event", event_schema()},
                   {"stage", rs::enumeration(kStages)},
                   {"owner", rs::nullable(rs::string())},
                   {"queue", rs::nullable(rs::string())},
                   {"assignment", rs::nullable(assignment::explanation_schema())},
                   {"version", rs::integer()}}),
       transition,
       "lifecycle.write"});
  registry.add(
      {"lifecycle.history",
       "A customer's lifecycle moves, newest first; keyset pages.",
       {Field::id("customer_id", "the customer").require(), Field::limit(50, 500), Field::cursor()},
       rs::page(event_schema()),
       history,
       "lifecycle.read"});
  registry.add({"lifecycle.sync",
                "Applies what the host ERP's data says: imports new host customers (with a "
                "change-time watermark, also the ERP's edits of imported ones), moves "
                "customers with a first valid order to customer and with a further order within "
                "the repeat window to repeat, and flags dormant customers. Incremental; one "
                "process at a time.",
                {Field::timestamp("as_of", "the time dormancy is judged at (default now)")},
                jobs::result_schema({{"imported", rs::integer()},
                                     {"refreshed", rs::integer()},
                                     {"moved_to_customer", rs::integer()},
                                     {"moved_to_repeat", rs::integer()},
                                     {"orders_read", rs::integer()},
                                     {"unmatched_orders", rs::integer()},
                                     {"dormant", rs::integer()},
                                     {"revived", rs::integer()},
                                     {"watermark", rs::map(rs::string())}}),
                sync,
                "jobs"});
}

}  // namespace crm::lifecycle
