#include "assigner.hpp"

#include <algorithm>

#include "../core/json_values.hpp"
#include "../core/result_schema.hpp"
#include "../organisation/directory.hpp"

namespace crm::assignment {

namespace {

using nlohmann::json;

bool is_lead_stage(const std::string &stage) {
  return stage == "unidentified" || stage == "potential" || stage == "opportunity";
}

const std::optional<std::string> *fact(const Facts &facts, const std::string &name) {
  static const std::optional<std::string> none;
  if (name == "region") return &facts.region;
  if (name == "industry") return &facts.industry;
  if (name == "source") return &facts.source;
  if (name == "class") return &facts.business_class;
  if (name == "tier") return &facts.tier;
  return &none;
}

std::string listed(const std::vector<std::string> &values) {
  std::string out;
  for (const auto &value : values) out += (out.empty() ? "" : ", ") + value;
  return out;
}

// Why the customer does not meet the rule's conditions; nullopt when it does.
std::optional<std::string> unmet(const Rule &rule, const Facts &facts) {
  // In the order of kConditionNames, so that the reason names the broadest fact first.
  for (const auto &name : kConditionNames) {
    auto found = rule.conditions.find(name);
    if (found == rule.conditions.end()) continue;
    const auto &wanted = found->second;
    const std::optional<std::string> value =
        name == "stage" ? std::optional<std::string>(facts.stage) : *fact(facts, name);
    if (!value) return name + " is not known; the rule wants one of " + listed(wanted);
    if (std::find(wanted.begin(), wanted.end(), *value) == wanted.end())
      return name + " " + *value + " is not one of " + listed(wanted);
  }
  return std::nullopt;
}

// Why member may not take a customer now; nullopt when the member may.
std::optional<std::string> unavailable(const Rule &rule, const Member &member) {
  if (!member.known) return std::string("not a CRM user");
  if (!member.active) return std::string("inactive");
  if (member.away_until)
    return "away: delegates all work until " +
           json_values::instant(*member.away_until).get<std::string>();
  if (rule.cap && member.load >= *rule.cap)
    return "at capacity: " + std::to_string(member.load) + " open of " + std::to_string(*rule.cap);
  return std::nullopt;
}

std::int64_t weight_of(const Rule &rule, const std::string &user) {
  auto found = rule.weights.find(user);
  return found == rule.weights.end() ? 1 : found->second;
}

}  // namespace

std::optional<Facts> facts_of(db::Connection &connection, std::int64_t customer_id) {
  using db::Column;
  auto row = connection
                 .prepare(
                     "SELECT region, industry, first_touch_source, business_class, stage "
                     "FROM crm_customer WHERE id = ?")
                 .query({customer_id}, {Column::text(100), Column::text(100), Column::text(64),
                                        Column::text(64), Column::text(16)});
  if (!row.next()) return std::nullopt;
  Facts facts;
  facts.customer_id = customer_id;
  facts.region = row.optional_text(0);
  facts.industry = row.optional_text(1);
  facts.source = row.optional_text(2);
  facts.business_class = row.optional_text(3);
  facts.stage = row.text(4);
  auto tier = connection
                  .prepare(
                      "SELECT s.tier FROM crm_value_snapshot s JOIN crm_value_run r ON "
                      "r.period = s.period WHERE s.customer_id = ? ORDER BY r.as_of DESC, "
                      "r.period DESC")
                  .query({customer_id}, {Column::text(32)});
  if (tier.next()) facts.tier = tier.text(0);
  return facts;
}

json explanation_schema() {
  namespace rs = result_schema;
  const auto text = rs::nullable(rs::string());
  const auto rule =
      rs::object({{"code", rs::string()}, {"outcome", rs::enumeration({"skipped", "matched"})}},
                 {{"reason", rs::string()}});
  const auto candidate = rs::object(
      {{"user", rs::string()}, {"outcome", rs::enumeration({"skipped", "eligible", "chosen"})}},
      {{"load", rs::integer()}, {"weight", rs::integer()}, {"reason", rs::string()}});
  return rs::object({{"event", rs::string()},
                     {"rule", text},
                     {"owner", text},
                     {"queue", text},
                     {"rules", rs::array(rule)},
                     {"summary", rs::string()}},
                    {{"strategy", rs::enumeration(kStrategies)},
                     {"team", rs::string()},
                     {"candidates", rs::array(candidate)}});
}

json facts_json(const Facts &facts) {
  using json_values::nullable;
  return {{"region", nullable(facts.region)}, {"industry", nullable(facts.industry)},
          {"source", nullable(facts.source)}, {"class", nullable(facts.business_class)},
          {"tier", nullable(facts.tier)},     {"stage", facts.stage}};
}

Assigner::Assigner(db::Connection &connection, std::string event, std::string now, bool claim)
    : connection_(connection), event_(std::move(event)), now_(std::move(now)), claim_(claim) {
  for (auto &rule : all(connection_))
    if (rule.active && rule.applies_on(event_)) rules_.push_back(std::move(rule));
}

Assigner::Team &Assigner::team_of(const Rule &rule) {
  auto &team = teams_[rule.code];
  if (team.locked) return team;
  team.locked = true;
  team.cursor = rule.last_user_key;
  if (claim_) {
    // The lock comes first: the members' loads read after it include every assignment by this
    // rule that committed before.
    auto cursor = lock_cursor(connection_, rule.code);
    if (!cursor) {
      team.exists = false;
      return team;
    }
    team.cursor = *cursor;
  }
  auto found = organisation::find_team(connection_, rule.team_key);
  team.active = found && found->active;
  if (!team.active) return team;
  if (rule.strategy == "user") {
    bool in_team = false;
    auto member_row = member(connection_, rule.team_key, *rule.user_key, now_, in_team);
    if (in_team) team.members.push_back(std::move(member_row));
  } else {
    team.members = members(connection_, rule.team_key, now_);
  }
  return team;
}

void Assigner::choose(const Rule &rule, Team &team, const Facts &facts, Outcome &outcome) {
  auto &explanation = outcome.explanation;
  json candidates = json::array();
  std::vector<Member *> eligible;
  if (rule.strategy == "user" && team.members.empty())
    candidates.push_back({{"user", *rule.user_key},
                          {"outcome", "skipped"},
                          {"reason", "not a member of team " + rule.team_key}});
  for (auto &member : team.members) {
    json entry = {{"user", member.user_key}, {"load", member.load}};
    if (rule.strategy == "weighted") entry["weight"] = weight_of(rule, member.user_key);
    if (auto reason = unavailable(rule, member)) {
      entry["outcome"] = "skipped";
      entry["reason"] = *reason;
    } else {
      entry["outcome"] = "eligible";
      eligible.push_back(&member);
    }
    candidates.push_back(std::move(entry));
  }
  // Members after the cursor come first, so that ties go round.
  const auto cursor = team.cursor.value_or("");
  auto before = [&](const Member *a, const Member *b) {
    const bool a_wraps = team.cursor && a->user_key <= cursor;
    const bool b_wraps = team.cursor && b->user_key <= cursor;
    if (a_wraps != b_wraps) return !a_wraps;
    return a->user_key < b->user_key;
  };
  std::sort(eligible.begin(), eligible.end(), before);
  Member *chosen = nullptr;
  for (auto *member : eligible) {
    if (!chosen) {
      chosen = member;
      continue;
    }
    if (rule.strategy == "least_load" && member->load < chosen->load) chosen = member;
    // load / weight, compared without division.
    if (rule.strategy == "weighted" && member->load * weight_of(rule, chosen->user_key) <
                                           chosen->load * weight_of(rule, member->user_key))
      chosen = member;
  }
  explanation["candidates"] = std::move(candidates);
  if (!chosen) {
    outcome.queue = rule.team_key;
    explanation["queue"] = rule.team_key;
    explanation["summary"] = "rule " + rule.code + ": nobody in team " + rule.team_key +
                             " can take it now; it waits in the team's queue";
    return;
  }
  outcome.owner = chosen->user_key;
  for (auto &entry : explanation["candidates"])
    if (entry["user"] == chosen->user_key) entry["outcome"] = "chosen";
  explanation["owner"] = chosen->user_key;
  const std::string how = rule.strategy == "user"          ? "the rule's user"
                          : rule.strategy == "round_robin" ? "next in turn"
                          : rule.strategy == "least_load"
                              ? "least load (" + std::to_string(chosen->load) + " open)"
                              : "lowest load for its weight (" + std::to_string(chosen->load) +
                                    " open, weight " +
                                    std::to_string(weight_of(rule, chosen->user_key)) + ")";
  explanation["summary"] = "rule " + rule.code + " (" + rule.strategy + " in team " +
                           rule.team_key + ") chose " + chosen->user_key + ": " + how;
  if (is_lead_stage(facts.stage)) ++chosen->load;
  team.cursor = chosen->user_key;
  team.chose = true;
}

Outcome Assigner::decide(const Facts &facts) {
  Outcome outcome;
  auto &explanation = outcome.explanation;
  explanation = {{"event", event_},
                 {"rule", nullptr},
                 {"owner", nullptr},
                 {"queue", nullptr},
                 {"rules", json::array()}};
  for (const auto &rule : rules_) {
    json entry = {{"code", rule.code}};
    if (auto reason = unmet(rule, facts)) {
      entry["outcome"] = "skipped";
      entry["reason"] = *reason;
      explanation["rules"].push_back(std::move(entry));
      continue;
    }
    auto &team = team_of(rule);
    if (!team.exists || !team.active) {
      entry["outcome"] = "skipped";
      entry["reason"] = team.exists ? "team " + rule.team_key + " is inactive"
                                    : std::string("the rule was removed meanwhile");
      explanation["rules"].push_back(std::move(entry));
      continue;
    }
    entry["outcome"] = "matched";
    explanation["rules"].push_back(std::move(entry));
    explanation["rule"] = rule.code;
    explanation["strategy"] = rule.strategy;
    explanation["team"] = rule.team_key;
    outcome.rule_code = rule.code;
    choose(rule, team, facts, outcome);
    return outcome;
  }
  explanation["summary"] =
      rules_.empty() ? "no active rule applies on " + event_ : "no rule matched: nothing changes";
  return outcome;
}

void Assigner::finish() {
  if (!claim_) return;
  for (auto &[code, team] : teams_)
    if (team.chose && team.cursor) set_cursor(connection_, code, *team.cursor);
}

}  // namespace crm::assignment
