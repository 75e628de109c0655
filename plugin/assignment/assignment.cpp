#include "assignment.hpp"

#include <spdlog/spdlog.h>

#include <set>

#include "../core/json_values.hpp"
#include "../core/text.hpp"
#include "../core/time.hpp"
#include "../organisation/directory.hpp"
#include "../records/customer.hpp"

namespace crm::assignment {

namespace {

using json_values::instant;
using json_values::nullable;
using params::Field;

constexpr std::size_t kMaxConditionValues = 100;
constexpr std::size_t kConditionValueChars = 100;
constexpr std::int64_t kMaxWeight = 1000;
constexpr std::size_t kMaxHistory = 100;

// ---- parameters --------------------------------------------------------------------------------

std::string code_param(const json &params) {
  const auto code = params::string(params, "code");
  if (text::has_control_characters(code))
    throw invalid_argument("params.code", "params.code must not contain control characters");
  if (code.front() == ' ' || code.back() == ' ')
    throw invalid_argument("params.code", "params.code must not begin or end with a space");
  return code;
}

std::map<std::string, std::vector<std::string>> conditions_param(const json &value) {
  std::map<std::string, std::vector<std::string>> conditions;
  for (const auto &[name, values] : value.items()) {
    const std::string path = "params.conditions." + name;
    if (std::find(kConditionNames.begin(), kConditionNames.end(), name) == kConditionNames.end())
      throw invalid_argument(path, path +
                                       " is not a condition: they are region, industry, "
                                       "source, class, tier and stage");
    if (!values.is_array() || values.empty() || values.size() > kMaxConditionValues)
      throw invalid_argument(path, path + " must be a list of 1 to " +
                                       std::to_string(kMaxConditionValues) +
                                       " values, any of which the customer must have");
    std::set<std::string> seen;
    for (std::size_t i = 0; i < values.size(); ++i) {
      const std::string at = path + "[" + std::to_string(i) + "]";
      if (!values[i].is_string() || values[i].get<std::string>().empty() ||
          text::code_points(values[i].get<std::string>()) > kConditionValueChars ||
          text::has_control_characters(values[i].get<std::string>()))
        throw invalid_argument(at, at + " must be text of 1 to " +
                                       std::to_string(kConditionValueChars) +
                                       " characters without control characters");
      if (!seen.insert(values[i].get<std::string>()).second)
        throw invalid_argument(at, at + " repeats " + values[i].get<std::string>());
      conditions[name].push_back(values[i].get<std::string>());
    }
  }
  return conditions;
}

std::map<std::string, std::int64_t> weights_param(const json &value) {
  std::map<std::string, std::int64_t> weights;
  for (const auto &[user, weight] : value.items()) {
    const std::string path = "params.weights." + user;
    if (user.empty() || user.size() > kUserChars || text::user_key_problem(user))
      throw invalid_argument("params.weights",
                             "params.weights names a user key that is not one (1 to 128 bytes, "
                             "no control character, not blank)");
    if (!weight.is_number_integer() || weight.get<std::int64_t>() < 1 ||
        weight.get<std::int64_t>() > kMaxWeight)
      throw invalid_argument(
          path, path + " must be a whole number from 1 to " + std::to_string(kMaxWeight));
    weights[user] = weight.get<std::int64_t>();
  }
  return weights;
}

bool present(const json &params, const char *name) {
  return params.contains(name) && !params[name].is_null();
}

// Applies the parameters present to rule (all of them for a new rule).
void apply_params(const json &params, Rule &rule) {
  if (present(params, "name")) rule.name = params::string(params, "name");
  if (present(params, "priority")) rule.priority = *params::optional_integer(params, "priority");
  if (present(params, "active")) rule.active = params["active"].get<bool>();
  if (present(params, "on")) {
    const auto &on = params["on"];
    if (on.empty())
      throw invalid_argument("params.on",
                             "params.on must name at least one of create, import, handoff");
    rule.on_create = rule.on_import = rule.on_handoff = false;
    for (const auto &event : on) {
      rule.on_create = rule.on_create || event == "create";
      rule.on_import = rule.on_import || event == "import";
      rule.on_handoff = rule.on_handoff || event == "handoff";
    }
  }
  if (params.contains("conditions"))
    rule.conditions = params["conditions"].is_null() ? decltype(rule.conditions)()
                                                     : conditions_param(params["conditions"]);
  if (present(params, "strategy")) rule.strategy = params::string(params, "strategy");
  if (present(params, "team")) rule.team_key = params::string(params, "team");
  if (params.contains("user")) rule.user_key = params::optional_string(params, "user");
  if (params.contains("cap")) rule.cap = params::optional_integer(params, "cap");
  if (params.contains("weights"))
    rule.weights =
        params["weights"].is_null() ? decltype(rule.weights)() : weights_param(params["weights"]);
}

// What holds across a rule's fields, checked after every change.
void check_rule(db::Connection &connection, const Rule &rule) {
  if (rule.strategy == "user" && !rule.user_key)
    throw invalid_argument("params.user",
                           "strategy user needs params.user, the user it assigns to");
  if (rule.strategy != "user" && rule.user_key)
    throw invalid_argument("params.user",
                           "params.user belongs to strategy user only (this rule's "
                           "strategy is " +
                               rule.strategy + ")");
  if (rule.strategy != "weighted" && !rule.weights.empty())
    throw invalid_argument("params.weights",
                           "params.weights belongs to strategy weighted only "
                           "(this rule's strategy is " +
                               rule.strategy + ")");
  if (conditions_json(rule).dump().size() > kJsonChars)
    throw invalid_argument("params.conditions", "params.conditions is longer than " +
                                                    std::to_string(kJsonChars) + " bytes as JSON");
  if (weights_json(rule).dump().size() > kJsonChars)
    throw invalid_argument("params.weights", "params.weights is longer than " +
                                                 std::to_string(kJsonChars) + " bytes as JSON");
  if (!organisation::find_team(connection, rule.team_key))
    throw not_found("params.team",
                    "no team with key \"" + rule.team_key + "\" (team.create adds one)");
  if (rule.user_key && !organisation::find_user(connection, *rule.user_key))
    throw not_found("params.user", "no CRM user with key \"" + *rule.user_key + "\"");
}

Error version_conflict(const std::string &code, std::int64_t current, std::int64_t given) {
  return conflict("params.version",
                  "assignment rule \"" + code + "\" was changed meanwhile: it is at version " +
                      std::to_string(current) + ", the change was made against version " +
                      std::to_string(given));
}

// ---- JSON --------------------------------------------------------------------------------------

json rule_json(const Rule &rule) {
  json on = json::array();
  if (rule.on_create) on.push_back("create");
  if (rule.on_import) on.push_back("import");
  if (rule.on_handoff) on.push_back("handoff");
  return {{"code", rule.code},
          {"name", rule.name},
          {"priority", rule.priority},
          {"active", rule.active},
          {"on", std::move(on)},
          {"conditions", conditions_json(rule)},
          {"strategy", rule.strategy},
          {"team", rule.team_key},
          {"user", nullable(rule.user_key)},
          {"cap", rule.cap ? json(*rule.cap) : json(nullptr)},
          {"weights", weights_json(rule)},
          {"last_assigned", nullable(rule.last_user_key)},
          {"created_at", instant(rule.created_at)},
          {"created_by", rule.created_by},
          {"updated_at", instant(rule.updated_at)},
          {"updated_by", rule.updated_by},
          {"version", rule.version}};
}

json decision_json(const Decision &decision) {
  return {{"id", std::to_string(decision.id)},
          {"event", decision.event},
          {"rule", nullable(decision.rule_code)},
          {"owner", nullable(decision.owner)},
          {"queue", nullable(decision.queue)},
          {"explanation", json::parse(decision.explanation)},
          {"decided_at", instant(decision.decided_at)},
          {"decided_by", decision.decided_by}};
}

Rule require_rule(db::Connection &connection, const std::string &code) {
  auto found = find(connection, code);
  if (!found)
    throw not_found("params.code", "no assignment rule with code \"" + code +
                                       "\" (assignment.rule.create adds one)");
  return *found;
}

// ---- methods -----------------------------------------------------------------------------------

json rule_create(CallContext &context, const json &params) {
  Rule rule;
  rule.code = code_param(params);
  rule.on_create = true;
  apply_params(params, rule);
  const auto now = time::to_db_text(time::now());
  return context.store.with_connection([&](db::Connection &connection) {
    context.store.transact(connection, [&] {
      check_rule(connection, rule);
      if (find(connection, rule.code))
        throw conflict("params.code", "an assignment rule with code \"" + rule.code + "\" exists");
      if (count(connection) >= static_cast<std::int64_t>(kMaxRules))
        throw invalid_argument("params.code", "there are " + std::to_string(kMaxRules) +
                                                  " assignment rules already, the most there "
                                                  "may be: deactivate or reuse one");
      insert(connection, rule, now, context.user);
    });
    context.store.log().info("assignment rule {} created by {}", rule.code, context.user);
    return rule_json(require_rule(connection, rule.code));
  });
}

json rule_update(CallContext &context, const json &params) {
  const auto code = params::string(params, "code");
  const auto version = *params::optional_integer(params, "version");
  bool any = false;
  for (const char *name : {"name", "priority", "active", "on", "conditions", "strategy", "team",
                           "user", "cap", "weights"})
    any = any || params.contains(name);
  if (!any)
    throw invalid_argument("params", "assignment.rule.update needs at least one field to change");
  const auto now = time::to_db_text(time::now());
  return context.store.with_connection([&](db::Connection &connection) {
    context.store.transact(connection, [&] {
      auto rule = require_rule(connection, code);
      if (rule.version != version) throw version_conflict(code, rule.version, version);
      apply_params(params, rule);
      // A change of strategy away from user or weighted drops what only those used.
      if (params.contains("strategy") && !params.contains("user") && rule.strategy != "user")
        rule.user_key.reset();
      if (params.contains("strategy") && !params.contains("weights") && rule.strategy != "weighted")
        rule.weights.clear();
      check_rule(connection, rule);
      if (!update(connection, rule, version, now, context.user))
        throw version_conflict(code, version + 1, version);
    });
    return rule_json(require_rule(connection, code));
  });
}

json rule_list(CallContext &context, const json &params) {
  const auto active =
      present(params, "active") ? std::optional(params["active"].get<bool>()) : std::nullopt;
  return context.store.with_connection([&](db::Connection &connection) {
    json items = json::array();
    for (const auto &rule : all(connection))
      if (!active || rule.active == *active) items.push_back(rule_json(rule));
    return json{{"items", std::move(items)}};
  });
}

std::string event_param(const json &params) {
  return params::optional_string(params, "event").value_or("manual");
}

json explain(CallContext &context, const json &params) {
  const auto id = params::id(params, "customer_id");
  const auto event = event_param(params);
  const auto now = time::to_db_text(time::now());
  return context.store.with_connection([&](db::Connection &connection) {
    records::customer::require_visible(connection, context.actor, id, "params.customer_id");
    auto facts = facts_of(connection, id);
    if (!facts) throw not_found("params.customer_id", "no customer with id " + std::to_string(id));
    Assigner assigner(connection, event, now, false);
    auto outcome = assigner.decide(*facts);
    json recorded = json::array();
    for (const auto &decision : decisions_of(connection, id, kMaxHistory))
      recorded.push_back(decision_json(decision));
    return json{{"customer_id", std::to_string(id)},
                {"facts", facts_json(*facts)},
                {"decision", std::move(outcome.explanation)},
                {"recorded", std::move(recorded)}};
  });
}

json apply(CallContext &context, const json &params) {
  const auto id = params::id(params, "customer_id");
  const auto expected_version = params::optional_integer(params, "version");
  const auto now = time::to_db_text(time::now());
  auto &store = context.store;
  return store.with_connection([&](db::Connection &connection) {
    records::customer::require_visible(connection, context.actor, id, "params.customer_id");
    const auto decision_id = store.ids().reserve(connection, "assignment");
    return store.transact(connection, [&] {
      if (auto statement = connection.dialect().lock_only_rows_written(); !statement.empty())
        connection.execute_direct(std::string(statement));
      const auto locked = records::customer::lock_stage(connection, context.actor, id);
      if (!locked)
        throw not_found("params.customer_id", "no customer with id " + std::to_string(id));
      if (expected_version && *expected_version != locked->version)
        throw conflict("params.version", "customer " + std::to_string(id) +
                                             " was changed meanwhile: it is at version " +
                                             std::to_string(locked->version) +
                                             ", the assignment was asked against version " +
                                             std::to_string(*expected_version));
      auto facts = facts_of(connection, id);
      Assigner assigner(connection, "manual", now, true);
      auto outcome = assigner.decide(*facts);
      json result = {{"customer_id", std::to_string(id)}, {"decision", outcome.explanation},
                     {"owner", nullable(locked->owner)},  {"queue", nullable(locked->queue)},
                     {"version", locked->version},        {"changed", false}};
      if (!outcome.rule_code) return result;
      assigner.finish();
      const bool changes = outcome.owner != locked->owner || outcome.queue != locked->queue;
      if (changes) {
        records::customer::ProfileChange change;
        change.owner = outcome.owner;
        change.queue = outcome.queue;
        records::customer::update_profile(connection, id, locked->version, change, now,
                                          context.user,
                                          context.actor.on_behalf_of(locked->owner, id));
        // The plan tasks follow the new owner.
        registry().customers_changed(context, connection, {id});
        result["version"] = locked->version + 1;
      }
      record(connection, decision_id, "manual", {id}, {outcome}, now, context.user);
      result["owner"] = nullable(outcome.owner);
      result["queue"] = nullable(outcome.queue);
      result["changed"] = changes;
      store.log().info("customer {} assigned by rule {} ({})", id, *outcome.rule_code,
                       outcome.owner.value_or("queue " + outcome.queue.value_or("")));
      return result;
    });
  });
}

// ---- schemas -----------------------------------------------------------------------------------

namespace rs = result_schema;

json rule_schema() {
  return rs::object({{"code", rs::string()},
                     {"name", rs::string()},
                     {"priority", rs::integer()},
                     {"active", rs::boolean()},
                     {"on", rs::array(rs::enumeration(kEvents))},
                     {"conditions", rs::free_object()},
                     {"strategy", rs::enumeration(kStrategies)},
                     {"team", rs::string()},
                     {"user", rs::nullable(rs::string())},
                     {"cap", rs::nullable(rs::integer())},
                     {"weights", rs::free_object()},
                     {"last_assigned", rs::nullable(rs::string())},
                     {"created_at", rs::timestamp()},
                     {"created_by", rs::string()},
                     {"updated_at", rs::timestamp()},
                     {"updated_by", rs::string()},
                     {"version", rs::integer()}});
}

json facts_schema() {
  const json text = rs::nullable(rs::string());
  return rs::object({{"region", text},
                     {"industry", text},
                     {"source", text},
                     {"class", text},
                     {"tier", text},
                     {"stage", rs::string()}});
}

json decision_schema() {
  return rs::object({{"id", rs::id()},
                     {"event", rs::enumeration({"create", "import", "handoff", "manual"})},
                     {"rule", rs::nullable(rs::string())},
                     {"owner", rs::nullable(rs::string())},
                     {"queue", rs::nullable(rs::string())},
                     {"explanation", explanation_schema()},
                     {"decided_at", rs::timestamp()},
                     {"decided_by", rs::string()}});
}

std::vector<Field> rule_fields(bool creating) {
  auto need = [creating](Field field) {
    return creating ? std::move(field).require() : std::move(field).not_null();
  };
  return {need(Field::string("name", kNameChars, "display name")),
          need(Field::integer("priority", 0, 1000000,
                              "the order rules are tried in, lowest first (then by code)")),
          Field::boolean("active", "whether it applies (default true)"),
          Field::enumerations("on", kEvents,
                              "when it applies: create (a customer created without owner or "
                              "queue), import (from the host), handoff (a move to opportunity); "
                              "default create"),
          Field::object("conditions", kJsonChars,
                        "what the customer must have: {region|industry|source|class|tier|stage: "
                        "[any of these values]}; none: every customer"),
          need(Field::enumeration("strategy", kStrategies,
                                  "user (the rule's user), round_robin, least_load (fewest open "
                                  "leads and opportunities) or weighted (least load per weight)")),
          need(Field::string("team", kTeamChars,
                             "the team it assigns within; its queue when nobody can take it")),
          Field::user("user", "strategy user: whom it assigns to (a member of the team)"),
          Field::integer("cap", 1, 1000000,
                         "most open leads and opportunities a person may hold to be chosen"),
          Field::object("weights", kJsonChars,
                        "strategy weighted: {user: weight 1 to 1000}; members not named weigh 1")};
}

}  // namespace

std::size_t record(db::Connection &connection, std::int64_t first_id, const std::string &event,
                   const std::vector<std::int64_t> &customer_ids,
                   const std::vector<Outcome> &outcomes, const std::string &at,
                   const std::string &by) {
  std::vector<Decision> decisions;
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    if (!outcomes[i].rule_code) continue;
    Decision decision;
    decision.id = first_id + static_cast<std::int64_t>(decisions.size());
    decision.customer_id = customer_ids[i];
    decision.event = event;
    decision.rule_code = outcomes[i].rule_code;
    decision.owner = outcomes[i].owner;
    decision.queue = outcomes[i].queue;
    decision.explanation = to_text(outcomes[i].explanation);
    decision.decided_at = at;
    decision.decided_by = by;
    decisions.push_back(std::move(decision));
  }
  insert(connection, decisions);
  return decisions.size();
}

void register_methods(Registry &registry) {
  auto create_fields = rule_fields(true);
  create_fields.insert(
      create_fields.begin(),
      Field::string("code", kCodeChars, "the rule's code, unique and permanent").require());
  registry.add({"assignment.rule.create",
                "Adds an assignment rule: conditions on the customer, a strategy and a team.",
                create_fields, rule_schema(), rule_create, "assignment.write"});
  auto update_fields = rule_fields(false);
  update_fields.insert(
      update_fields.begin(),
      {Field::string("code", kCodeChars, "the rule's code").require(),
       Field::integer("version", 1, INT64_MAX, "the version the change was made against")
           .require()});
  registry.add({"assignment.rule.update",
                "Changes an assignment rule (optimistic: give its version).", update_fields,
                rule_schema(), rule_update, "assignment.write"});
  registry.add({"assignment.rule.list",
                "The assignment rules in the order they are tried.",
                {Field::boolean("active", "only active (true) or inactive (false) ones")},
                rs::object({{"items", rs::array(rule_schema())}}),
                rule_list,
                "assignment.read"});
  const auto event =
      Field::enumeration("event", {"create", "import", "handoff", "manual"},
                         "the rules of which event (default manual: every active rule)");
  registry.add({"assignment.explain",
                "What the rules would decide for a customer now, and why (nothing is written), "
                "with the decisions recorded for it, newest first.",
                {Field::id("customer_id", "customer id").require(), event},
                rs::object({{"customer_id", rs::id()},
                            {"facts", facts_schema()},
                            {"decision", explanation_schema()},
                            {"recorded", rs::array(decision_schema())}}),
                explain,
                "assignment.read"});
  registry.add({"assignment.apply",
                "Applies the active rules to a customer now (e.g. one waiting in a queue): the "
                "first that matches assigns it, recorded with its explanation.",
                {Field::id("customer_id", "customer id").require(),
                 Field::integer("version", 1, INT64_MAX,
                                "the customer's version, to refuse a stale request")},
                rs::object({{"customer_id", rs::id()},
                            {"decision", explanation_schema()},
                            {"owner", rs::nullable(rs::string())},
                            {"queue", rs::nullable(rs::string())},
                            {"version", rs::integer()},
                            {"changed", rs::boolean()}}),
                apply,
                "assignment.write"});
}

}  // namespace crm::assignment
