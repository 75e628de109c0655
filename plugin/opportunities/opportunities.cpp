#include "opportunities.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "../core/json_values.hpp"
#include "../core/money.hpp"
#include "../core/time.hpp"
#include "../records/customer.hpp"
#include "../records/opportunity.hpp"
#include "stage_time.hpp"

namespace crm::opportunities {

namespace {

using params::Field;

using records::opportunity::default_probability;
using records::opportunity::kStageNames;
using records::opportunity::kStages;
const std::vector<std::string> kStatuses = {"open", "won", "lost"};
const std::vector<std::string> kOutcomes = {"won", "lost"};

namespace opportunity = records::opportunity;
// The state of one opportunity as the methods reason about it.
using Opportunity = opportunity::Row;
using Event = opportunity::Event;

using json_values::instant;
using json_values::nullable;

json amount_json(const std::optional<money::Minor> &amount) {
  return amount ? json(money::format(*amount)) : json(nullptr);
}

json weighted(const Opportunity &o) {
  if (!o.amount) return nullptr;
  auto value = money::percent_of(*o.amount, o.probability);
  return value ? json(money::format(*value)) : json(nullptr);
}

json to_json(const Opportunity &o) {
  return {{"id", std::to_string(o.id)},
          {"customer_id", std::to_string(o.customer_id)},
          {"name", o.name},
          {"stage", o.stage},
          {"status", o.status},
          {"amount", amount_json(o.amount)},
          {"probability", o.probability},
          {"weighted_amount", weighted(o)},
          {"expected_close", nullable(o.expected_close)},
          {"owner", nullable(o.owner)},
          {"stage_entered_at", instant(o.stage_entered_at)},
          {"closed_at", instant(o.closed_at)},
          {"close_reason", nullable(o.close_reason)},
          {"created_at", instant(o.created_at)},
          {"created_by", o.created_by},
          {"updated_at", instant(o.updated_at)},
          {"updated_by", o.updated_by},
          {"updated_on_behalf_of", nullable(o.updated_on_behalf_of)},
          {"version", o.version}};
}

Opportunity load_existing(db::Connection &connection, const Actor &actor, std::int64_t id) {
  auto found = opportunity::find(connection, id);
  if (!found) throw not_found("params.id", "no opportunity with id " + std::to_string(id));
  records::customer::require_visible_attached(connection, actor, found->customer_id, "params.id",
                                              "opportunity " + std::to_string(id));
  return *found;
}

// Checks a caller's money parameter; nullopt for absent or null.
std::optional<money::Minor> amount_param(const json &params, const char *name) {
  auto text = params::optional_string(params, name);
  if (!text) return std::nullopt;
  const std::string field = std::string("params.") + name;
  auto value = money::parse(*text, field);
  if (value < 0) throw invalid_argument(field, field + " must not be negative");
  return value;
}

bool leap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

// "YYYY-MM-DD", a real calendar date; nullopt for absent or null.
std::optional<std::string> date_param(const json &params, const char *name) {
  auto text = params::optional_string(params, name);
  if (!text) return std::nullopt;
  const std::string field = std::string("params.") + name;
  auto fail = [&] {
    return invalid_argument(field,
                            field + " must be a calendar date written YYYY-MM-DD, e.g. 2026-12-31");
  };
  const std::string &t = *text;
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') throw fail();
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (t[i] < '0' || t[i] > '9') throw fail();
  const int year = std::stoi(t.substr(0, 4));
  const int month = std::stoi(t.substr(5, 2));
  const int day = std::stoi(t.substr(8, 2));
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1000 || month < 1 || month > 12 || day < 1) throw fail();
  if (day > kDays[month - 1] + (month == 2 && leap(year) ? 1 : 0)) throw fail();
  return t;
}

void check_version(const Opportunity &o, std::int64_t version) {
  if (o.version != version)
    throw conflict("params.version",
                   "opportunity " + std::to_string(o.id) +
                       " was changed meanwhile: it is at version " + std::to_string(o.version) +
                       ", the change was made against version " + std::to_string(version));
}

Error closed_conflict(const Opportunity &o, const std::string &what) {
  return conflict("params.id",
                  "opportunity " + std::to_string(o.id) + " is " + o.status + ": " + what);
}

// Runs the optimistic UPDATE and the events in one transaction; the pre-checked version guards
// against a change made in between. The change is for the user Actor::on_behalf_of names, with
// the opportunity's owner before it (or else its customer's) as the responsible user.
json write_change(CallContext &context, db::Connection &connection, const Opportunity &before,
                  opportunity::Change change, const std::vector<Event> &events,
                  const std::string &now) {
  change.updated_on_behalf_of =
      records::customer::on_behalf_of(connection, context.actor, before.customer_id, before.owner);
  auto &store = context.store;
  const std::int64_t first_event =
      events.empty() ? 0
                     : store.ids().reserve(connection, "opportunity_event",
                                           static_cast<std::int64_t>(events.size()));
  return store.transact(connection, [&] {
    if (!opportunity::update(connection, before.id, before.version, change)) {
      auto current = load_existing(connection, context.actor, before.id);
      check_version(current, before.version);
      throw conflict("params.version",
                     "opportunity " + std::to_string(before.id) + " was changed meanwhile");
    }
    opportunity::append_events(connection, before.id, before.customer_id, events, first_event, now,
                               context.user);
    return to_json(load_existing(connection, context.actor, before.id));
  });
}

// A change as `user` at `now`.
opportunity::Change change_by(const std::string &now, const std::string &user) {
  opportunity::Change change;
  change.updated_at = now;
  change.updated_by = user;
  return change;
}

json create(CallContext &context, const json &params) {
  const auto customer_id = params::id(params, "customer_id");
  const auto stage = params::optional_string(params, "stage").value_or("qualify");
  const auto amount = amount_param(params, "amount");
  const auto probability =
      params::optional_integer(params, "probability").value_or(default_probability(stage));
  const auto expected_close = date_param(params, "expected_close");
  Opportunity o;
  o.customer_id = customer_id;
  o.name = params::string(params, "name");
  o.stage = stage;
  o.status = "open";
  o.amount = amount;
  o.probability = probability;
  o.expected_close = expected_close;
  const bool owner_given = params.contains("owner");
  if (owner_given) o.owner = params::optional_string(params, "owner");
  auto &store = context.store;
  const auto now = time::to_db_text(time::now());
  return store.with_connection([&](db::Connection &connection) {
    // Checked before ids are reserved, so that a rejected call leaves the database as it was.
    records::customer::require_visible(connection, context.actor, customer_id,
                                       "params.customer_id");
    // A delegate's opportunity on a delegator's customer is the delegator's: it stays with the
    // work when the delegation ends, instead of with someone who can no longer see the customer.
    if (!owner_given)
      o.owner =
          records::customer::on_behalf_of(connection, context.actor, customer_id, std::nullopt)
              .value_or(context.user);
    o.id = store.ids().reserve(connection, "opportunity");
    const auto event_id = store.ids().reserve(connection, "opportunity_event");
    o.stage_entered_at = o.created_at = o.updated_at = now;
    o.created_by = o.updated_by = context.user;
    // A new opportunity is its owner's (or else its customer's owner's).
    o.updated_on_behalf_of =
        records::customer::on_behalf_of(connection, context.actor, o.customer_id, o.owner);
    o.version = 1;
    store.transact(connection, [&] {
      opportunity::insert(connection, o);
      opportunity::append_events(
          connection, o.id, o.customer_id,
          {{"created", std::nullopt, o.stage, o.amount, o.probability, std::nullopt}}, event_id,
          now, context.user);
    });
    store.log().info("opportunity {} created by {}", o.id, context.user);
    return to_json(load_existing(connection, context.actor, o.id));
  });
}

// time_in_stage's answer in kStages order: seconds, microseconds and visits per stage visited.
json stage_times_json(const std::vector<StageEvent> &events, time::Micros now) {
  const auto times = time_in_stage(events, now);
  json out = json::object();
  for (const auto &entry : kStages) {
    auto found = times.find(entry.name);
    if (found == times.end()) continue;
    out[entry.name] = {{"seconds", static_cast<double>(found->second.spent) / 1e6},
                       {"microseconds", found->second.spent},
                       {"visits", found->second.visits}};
  }
  return out;
}

json get(CallContext &context, const json &params) {
  const auto id = params::id(params, "id");
  return context.store.with_connection([&](db::Connection &connection) {
    auto o = load_existing(connection, context.actor, id);
    json history = json::array();
    std::vector<StageEvent> replay;
    for (auto &stored : opportunity::history(connection, id)) {
      const auto &event = stored.event;
      history.push_back({{"id", std::to_string(stored.id)},
                         {"kind", event.kind},
                         {"from_stage", nullable(event.from_stage)},
                         {"to_stage", event.to_stage},
                         {"amount", amount_json(event.amount)},
                         {"probability", event.probability},
                         {"reason", nullable(event.reason)},
                         {"occurred_at", instant(stored.occurred_at)},
                         {"actor", stored.actor}});
      replay.push_back(
          {event.kind, event.to_stage, time::from_db_text(stored.occurred_at).value_or(0)});
    }
    json out = to_json(o);
    out["history"] = std::move(history);
    out["time_in_stage"] = stage_times_json(replay, time::now());
    return out;
  });
}

json update(CallContext &context, const json &params) {
  const auto id = params::id(params, "id");
  const auto version = *params::optional_integer(params, "version");
  const auto new_stage = params::optional_string(params, "stage");
  const bool amount_given = params.contains("amount");
  const auto new_amount = amount_param(params, "amount");
  const auto new_probability = params::optional_integer(params, "probability");
  const auto expected_close = date_param(params, "expected_close");
  bool any = false;
  for (const char *name : {"name", "stage", "amount", "probability", "expected_close", "owner"})
    any = any || params.contains(name);
  if (!any)
    throw invalid_argument("params", "opportunity.update needs at least one field to change");
  auto &store = context.store;
  const auto now = time::to_db_text(time::now());
  return store.with_connection([&](db::Connection &connection) {
    auto before = load_existing(connection, context.actor, id);
    check_version(before, version);
    if (before.status != "open")
      throw closed_conflict(before, "reopen it (opportunity.reopen) before changing it");
    Opportunity after = before;
    auto set = change_by(now, context.user);
    std::vector<Event> events;
    if (params.contains("name")) {
      after.name = params::string(params, "name");
      set.name = after.name;
    }
    if (params.contains("expected_close")) {
      after.expected_close = expected_close;
      set.expected_close = expected_close;
    }
    if (params.contains("owner")) {
      after.owner = params::optional_string(params, "owner");
      set.owner = after.owner;
    }
    if (new_stage && *new_stage != before.stage) {
      after.stage = *new_stage;
      if (!new_probability) after.probability = default_probability(after.stage);
      set.stage = after.stage;
      set.stage_entered_at = now;
      events.push_back(
          {"stage", before.stage, after.stage, before.amount, after.probability, std::nullopt});
    }
    if (amount_given) {
      after.amount = new_amount;
      set.amount = after.amount;
      if (after.amount != before.amount)
        events.push_back(
            {"amount", before.stage, after.stage, after.amount, after.probability, std::nullopt});
    }
    if (new_probability) after.probability = *new_probability;
    if (after.probability != before.probability) {
      set.probability = after.probability;
      // A stage change that brought its default probability is recorded by the stage event.
      const bool by_stage = !new_probability && after.stage != before.stage;
      if (!by_stage)
        events.push_back({"probability", before.stage, after.stage, after.amount, after.probability,
                          std::nullopt});
    }
    // Every event records the state after the whole change.
    for (auto &event : events) {
      event.to_stage = after.stage;
      event.amount = after.amount;
      event.probability = after.probability;
    }
    return write_change(context, connection, before, set, events, now);
  });
}

json close(CallContext &context, const json &params) {
  const auto id = params::id(params, "id");
  const auto version = *params::optional_integer(params, "version");
  const auto outcome = params::string(params, "outcome");
  const auto reason = params::optional_string(params, "reason");
  const auto final_amount = amount_param(params, "amount");
  if (outcome == "lost") {
    if (!reason || reason->find_first_not_of(" \t\r\n") == std::string::npos)
      throw invalid_argument("params.reason", "params.reason is required when outcome is lost");
    if (params.contains("amount") && !params["amount"].is_null())
      throw invalid_argument("params.amount",
                             "params.amount is the final amount of a won opportunity only");
  }
  auto &store = context.store;
  const auto now = time::to_db_text(time::now());
  return store.with_connection([&](db::Connection &connection) {
    auto before = load_existing(connection, context.actor, id);
    check_version(before, version);
    if (before.status != "open") throw closed_conflict(before, "it is already closed");
    const auto amount = final_amount ? final_amount : before.amount;
    const std::int64_t probability = outcome == "won" ? 100 : 0;
    auto set = change_by(now, context.user);
    set.status = outcome;
    set.probability = probability;
    set.amount = amount;
    set.closed_at = now;
    set.close_reason = reason;
    std::vector<Event> events = {
        {outcome, before.stage, before.stage, amount, probability, reason}};
    auto result = write_change(context, connection, before, set, events, now);
    store.log().info("opportunity {} {} by {}", id, outcome, context.user);
    return result;
  });
}

json reopen(CallContext &context, const json &params) {
  const auto id = params::id(params, "id");
  const auto version = *params::optional_integer(params, "version");
  const auto reason = params::string(params, "reason");
  auto &store = context.store;
  const auto now = time::to_db_text(time::now());
  return store.with_connection([&](db::Connection &connection) {
    auto before = load_existing(connection, context.actor, id);
    check_version(before, version);
    if (before.status == "open")
      throw conflict("params.id", "opportunity " + std::to_string(id) + " is open already");
    const auto probability = default_probability(before.stage);
    auto set = change_by(now, context.user);
    set.status = "open";
    set.probability = probability;
    set.stage_entered_at = now;
    set.closed_at = std::optional<std::string>();
    set.close_reason = std::optional<std::string>();
    std::vector<Event> events = {
        {"reopened", before.stage, before.stage, before.amount, probability, reason}};
    return write_change(context, connection, before, set, events, now);
  });
}

json list(CallContext &context, const json &params) {
  const auto limit = params::limit(params, 50);
  opportunity::Filter filter;
  filter.customer_id = params::optional_id(params, "customer_id");
  filter.owner = params::optional_string(params, "owner");
  filter.status = params::optional_string(params, "status");
  filter.stage = params::optional_string(params, "stage");
  return context.store.with_connection([&](db::Connection &connection) {
    if (filter.customer_id)
      records::customer::require_visible(connection, context.actor, *filter.customer_id,
                                         "params.customer_id");
    return opportunity::page(connection, context.actor, filter, params, limit, to_json);
  });
}

std::vector<Field> editable_fields(bool creating) {
  std::vector<Field> fields;
  Field name = Field::string("name", opportunity::kNameChars,
                             "what is being sold, e.g. \"2027 framework order\"");
  fields.push_back(creating ? std::move(name).require() : std::move(name).not_null());
  fields.push_back(Field::enumeration("stage", kStageNames,
                                      creating ? "pipeline stage (default qualify)"
                                               : "pipeline stage; a change is recorded")
                       .not_null());
  fields.push_back(money::field("amount", "expected amount, not negative; null for none"));
  fields.push_back(Field::integer("probability", 0, 100,
                                  "chance of winning in percent (default: the stage's: qualify "
                                  "10, develop 30, propose 60, negotiate 80)")
                       .not_null());
  fields.push_back(Field::string("expected_close", opportunity::kExpectedCloseChars,
                                 "expected close date, YYYY-MM-DD"));
  fields.push_back(Field::user(
      "owner", creating ? "owning host user (default: the session's user; under a delegation, "
                          "the delegator whose customer it is)"
                        : "owning host user"));
  return fields;
}

Field id_field() {
  return Field::id("id", "opportunity id").require();
}

Field version_field() {
  return Field::integer("version", 1, INT64_MAX,
                        "the version the change is based on; a newer one in the database makes "
                        "this a conflict")
      .require();
}

json schema() {
  namespace rs = result_schema;
  return rs::object({{"id", rs::id()},
                     {"customer_id", rs::id()},
                     {"name", rs::string()},
                     {"stage", rs::enumeration(kStageNames)},
                     {"status", rs::enumeration(kStatuses)},
                     {"amount", rs::nullable(rs::money())},
                     {"probability", rs::integer()},
                     {"weighted_amount", rs::nullable(rs::money())},
                     {"expected_close", rs::nullable(rs::date())},
                     {"owner", rs::nullable(rs::string())},
                     {"stage_entered_at", rs::timestamp()},
                     {"closed_at", rs::nullable(rs::timestamp())},
                     {"close_reason", rs::nullable(rs::string())},
                     {"created_at", rs::timestamp()},
                     {"created_by", rs::string()},
                     {"updated_at", rs::timestamp()},
                     {"updated_by", rs::string()},
                     {"updated_on_behalf_of", rs::nullable(rs::string())},
                     {"version", rs::integer()}});
}

// schema() with the history and the time spent in each stage.
json detailed_schema() {
  namespace rs = result_schema;
  json out = schema();
  out["properties"]["history"] =
      rs::array(rs::object({{"id", rs::id()},
                            {"kind", rs::enumeration({"created", "stage", "amount", "probability",
                                                      "won", "lost", "reopened"})},
                            {"from_stage", rs::nullable(rs::enumeration(kStageNames))},
                            {"to_stage", rs::enumeration(kStageNames)},
                            {"amount", rs::nullable(rs::money())},
                            {"probability", rs::integer()},
                            {"reason", rs::nullable(rs::string())},
                            {"occurred_at", rs::timestamp()},
                            {"actor", rs::string()}}));
  out["properties"]["time_in_stage"] = rs::map(rs::object(
      {{"seconds", rs::number()}, {"microseconds", rs::integer()}, {"visits", rs::integer()}}));
  out["required"].push_back("history");
  out["required"].push_back("time_in_stage");
  return out;
}

}  // namespace

void register_methods(Registry &registry) {
  auto create_fields = editable_fields(true);
  create_fields.insert(create_fields.begin(), Field::id("customer_id", "the customer").require());
  registry.add({"opportunity.create",
                "Creates an open opportunity for a customer; returns it with version 1.",
                create_fields, schema(), create, "opportunity.write"});
  registry.add({"opportunity.get",
                "One opportunity with its history (oldest first) and time in each stage.",
                {id_field()},
                detailed_schema(),
                get,
                "opportunity.read"});
  auto update_fields = editable_fields(false);
  update_fields.insert(update_fields.begin(), {id_field(), version_field()});
  registry.add({"opportunity.update",
                "Changes an open opportunity; optimistic on version; stage, amount and "
                "probability changes are recorded in its history.",
                update_fields, schema(), update, "opportunity.write"});
  registry.add(
      {"opportunity.close",
       "Closes an open opportunity as won (probability 100) or lost (probability 0, reason "
       "required).",
       {id_field(), version_field(),
        Field::enumeration("outcome", kOutcomes, "won or lost").require(),
        Field::string("reason", opportunity::kReasonChars,
                      "why it was won or lost (required for lost)"),
        money::field("amount", "final amount of a won opportunity (default: its amount)")},
       schema(),
       close,
       "opportunity.write"});
  registry.add(
      {"opportunity.reopen",
       "Reopens a won or lost opportunity in the stage it was closed in.",
       {id_field(), version_field(),
        Field::string("reason", opportunity::kReasonChars, "why it is reopened").require()},
       schema(),
       reopen,
       "opportunity.write"});
  registry.add({"opportunity.list",
                "Lists opportunities by id, filtered by customer, owner, status and stage; "
                "keyset pages.",
                {Field::id("customer_id", "only this customer's opportunities"),
                 Field::user("owner", "only opportunities of this owner"),
                 Field::enumeration("status", kStatuses, "only open, won or lost ones"),
                 Field::enumeration("stage", kStageNames, "only this stage"), Field::limit(50, 500),
                 Field::cursor()},
                result_schema::page(schema()),
                list,
                "opportunity.read"});
}

}  // namespace crm::opportunities
