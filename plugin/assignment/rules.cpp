#include "rules.hpp"

#include "../core/sql.hpp"

namespace crm::assignment {

namespace {

using nlohmann::json;

const std::string kRuleColumns =
    "code, name, priority, active, on_create, on_import, on_handoff, conditions, strategy, "
    "team_key, user_key, cap, weights, last_user_key, created_at, created_by, updated_at, "
    "updated_by, version";

std::vector<db::Column> rule_columns() {
  using db::Column;
  return {Column::text(kCodeChars), Column::text(kNameChars), Column::integer(),
          Column::integer(),        Column::integer(),        Column::integer(),
          Column::integer(),        Column::text(kJsonChars), Column::text(kStrategyChars),
          Column::text(kTeamChars), Column::text(kUserChars), Column::integer(),
          Column::text(kJsonChars), Column::text(kUserChars), Column::text(32),
          Column::text(kUserChars), Column::text(32),         Column::text(kUserChars),
          Column::integer()};
}

Rule read_rule(const db::Result &r) {
  Rule rule;
  rule.code = r.text(0);
  rule.name = r.text(1);
  rule.priority = r.int64(2);
  rule.active = r.int64(3) != 0;
  rule.on_create = r.int64(4) != 0;
  rule.on_import = r.int64(5) != 0;
  rule.on_handoff = r.int64(6) != 0;
  // Written by insert/update from checked values only. Parsed into locals: items() of a
  // temporary would outlive it.
  const auto conditions = json::parse(r.text(7));
  for (const auto &item : conditions.items())
    rule.conditions[item.key()] = item.value().get<std::vector<std::string>>();
  rule.strategy = r.text(8);
  rule.team_key = r.text(9);
  rule.user_key = r.optional_text(10);
  rule.cap = r.optional_int64(11);
  const auto weights = json::parse(r.text(12));
  for (const auto &item : weights.items())
    rule.weights[item.key()] = item.value().get<std::int64_t>();
  rule.last_user_key = r.optional_text(13);
  rule.created_at = r.text(14);
  rule.created_by = r.text(15);
  rule.updated_at = r.text(16);
  rule.updated_by = r.text(17);
  rule.version = r.int64(18);
  return rule;
}

std::int64_t flag(bool value) {
  return value ? 1 : 0;
}

db::Value optional(const std::optional<std::string> &value) {
  return value ? db::Value(*value) : db::Value();
}

// The load of the user of `user` (a column or a marker): the leads and opportunities the user
// looks after now.
std::string load(const std::string &user) {
  return "(SELECT COUNT(*) FROM crm_customer c WHERE c.owner = " + user +
         " AND c.stage IN ('unidentified', 'potential', 'opportunity'))";
}

// When the user's delegation of everything, active now (three time markers), ends; NULL when
// the user is not away.
std::string away(const db::Dialect &dialect, const std::string &user) {
  const auto ts = dialect.timestamp_param();
  return "(SELECT MAX(d.ends_at) FROM crm_delegation d WHERE d.delegator = " + user +
         " AND d.scope = 'everything' AND d.starts_at <= " + ts + " AND d.ends_at > " + ts +
         " AND (d.ended_at IS NULL OR d.ended_at > " + ts + "))";
}

Member read_member(const db::Result &r) {
  Member member;
  member.user_key = r.text(0);
  member.known = r.optional_int64(1).has_value();
  member.active = r.optional_int64(1).value_or(0) != 0;
  member.away_until = r.optional_text(2);
  member.load = r.int64(3);
  return member;
}

std::vector<db::Column> member_columns() {
  using db::Column;
  return {Column::text(kUserChars), Column::integer(), Column::text(32), Column::integer()};
}

}  // namespace

json conditions_json(const Rule &rule) {
  json out = json::object();
  for (const auto &[name, values] : rule.conditions) out[name] = values;
  return out;
}

json weights_json(const Rule &rule) {
  json out = json::object();
  for (const auto &[user, weight] : rule.weights) out[user] = weight;
  return out;
}

void insert(db::Connection &connection, const Rule &rule, const std::string &at,
            const std::string &by) {
  const auto ts = connection.dialect().timestamp_param();
  connection
      .prepare("INSERT INTO crm_assignment_rule (" + kRuleColumns +
               ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, " + ts + ", ?, " + ts +
               ", ?, 1)")
      .execute({rule.code, rule.name, rule.priority, flag(rule.active), flag(rule.on_create),
                flag(rule.on_import), flag(rule.on_handoff), conditions_json(rule).dump(),
                rule.strategy, rule.team_key, optional(rule.user_key),
                rule.cap ? db::Value(*rule.cap) : db::Value(), weights_json(rule).dump(), at, by,
                at, by});
}

bool update(db::Connection &connection, const Rule &rule, std::int64_t version,
            const std::string &at, const std::string &by) {
  const auto ts = connection.dialect().timestamp_param();
  return connection
             .prepare(
                 "UPDATE crm_assignment_rule SET name = ?, priority = ?, active = ?, "
                 "on_create = ?, on_import = ?, on_handoff = ?, conditions = ?, strategy = ?, "
                 "team_key = ?, user_key = ?, cap = ?, weights = ?, updated_at = " +
                 ts + ", updated_by = ?, version = version + 1 WHERE code = ? AND version = ?")
             .execute({rule.name, rule.priority, flag(rule.active), flag(rule.on_create),
                       flag(rule.on_import), flag(rule.on_handoff), conditions_json(rule).dump(),
                       rule.strategy, rule.team_key, optional(rule.user_key),
                       rule.cap ? db::Value(*rule.cap) : db::Value(), weights_json(rule).dump(), at,
                       by, rule.code, version}) == 1;
}

std::optional<Rule> find(db::Connection &connection, const std::string &code) {
  auto row =
      connection.prepare("SELECT " + kRuleColumns + " FROM crm_assignment_rule WHERE code = ?")
          .query({code}, rule_columns());
  if (!row.next()) return std::nullopt;
  return read_rule(row);
}

std::vector<Rule> all(db::Connection &connection) {
  auto rows =
      connection
          .prepare("SELECT " + kRuleColumns + " FROM crm_assignment_rule ORDER BY priority, code")
          .query({}, rule_columns());
  std::vector<Rule> rules;
  while (rows.next()) rules.push_back(read_rule(rows));
  return rules;
}

std::int64_t count(db::Connection &connection) {
  auto row = connection.prepare("SELECT COUNT(*) FROM crm_assignment_rule")
                 .query({}, {db::Column::integer()});
  row.next();
  return row.int64(0);
}

std::optional<std::optional<std::string>> lock_cursor(db::Connection &connection,
                                                      const std::string &code) {
  auto row = connection
                 .prepare("SELECT code, last_user_key FROM crm_assignment_rule WHERE code = ?" +
                          std::string(connection.dialect().for_update()))
                 .query({code}, {db::Column::text(kCodeChars), db::Column::text(kUserChars)});
  if (!row.next()) return std::nullopt;
  return row.optional_text(1);
}

void set_cursor(db::Connection &connection, const std::string &code, const std::string &user_key) {
  connection.prepare("UPDATE crm_assignment_rule SET last_user_key = ? WHERE code = ?")
      .execute({user_key, code});
}

std::vector<Member> members(db::Connection &connection, const std::string &team_key,
                            const std::string &now) {
  auto rows = connection
                  .prepare("SELECT m.user_key, u.active, " +
                           away(connection.dialect(), "m.user_key") + ", " + load("m.user_key") +
                           " FROM crm_team_member m LEFT JOIN crm_user u ON u.user_key = "
                           "m.user_key WHERE m.team_key = ? ORDER BY m.user_key")
                  .query({now, now, now, team_key}, member_columns());
  std::vector<Member> out;
  while (rows.next()) out.push_back(read_member(rows));
  return out;
}

Member member(db::Connection &connection, const std::string &team_key, const std::string &user_key,
              const std::string &now, bool &in_team) {
  auto rows =
      connection
          .prepare("SELECT (SELECT active FROM crm_user WHERE user_key = ?), " +
                   away(connection.dialect(), "?") + ", " + load("?") +
                   ", (SELECT COUNT(*) FROM crm_team_member WHERE team_key = ? AND user_key = ?)")
          .query({user_key, user_key, now, now, now, user_key, team_key, user_key},
                 {db::Column::integer(), db::Column::text(32), db::Column::integer(),
                  db::Column::integer()});
  rows.next();
  Member found;
  found.user_key = user_key;
  found.known = rows.optional_int64(0).has_value();
  found.active = rows.optional_int64(0).value_or(0) != 0;
  found.away_until = rows.optional_text(1);
  found.load = rows.int64(2);
  in_team = rows.int64(3) > 0;
  return found;
}

void insert(db::Connection &connection, const std::vector<Decision> &decisions) {
  const auto ts = connection.dialect().timestamp_param();
  std::vector<std::vector<db::Value>> rows;
  rows.reserve(decisions.size());
  for (const auto &d : decisions)
    rows.push_back({d.id, d.customer_id, d.event, optional(d.rule_code), optional(d.owner),
                    optional(d.queue), d.explanation, d.decided_at, d.decided_by});
  sql::insert_rows(connection, "crm_assignment",
                   "id, customer_id, event, rule_code, owner, queue, explanation, decided_at, "
                   "decided_by",
                   {"?", "?", "?", "?", "?", "?", "?", ts, "?"}, rows);
}

std::vector<Decision> decisions_of(db::Connection &connection, std::int64_t customer_id,
                                   std::size_t limit) {
  using db::Column;
  auto rows =
      connection
          .prepare(
              "SELECT id, customer_id, event, rule_code, owner, queue, explanation, "
              "decided_at, decided_by FROM crm_assignment WHERE customer_id = ? "
              "ORDER BY id DESC")
          .query({customer_id},
                 {Column::integer(), Column::integer(), Column::text(kEventChars),
                  Column::text(kCodeChars), Column::text(kUserChars), Column::text(kTeamChars),
                  Column::long_text(), Column::text(32), Column::text(kUserChars)});
  std::vector<Decision> out;
  while (out.size() < limit && rows.next())
    out.push_back({rows.int64(0), rows.int64(1), rows.text(2), rows.optional_text(3),
                   rows.optional_text(4), rows.optional_text(5), rows.text(6), rows.text(7),
                   rows.text(8)});
  return out;
}

}  // namespace crm::assignment
