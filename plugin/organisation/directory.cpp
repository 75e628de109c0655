#include "directory.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "../core/keyset.hpp"
#include "../core/sql.hpp"
#include "../core/time.hpp"

namespace crm::organisation {

namespace {

using db::Column;

// Key lists bound into one IN (...) at a time, well inside every driver's parameter limit.
constexpr std::size_t kInListChunk = 500;

bool contains(const std::vector<std::string> &list, const std::string &value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

void add_unique(std::vector<std::string> &list, const std::string &value) {
  if (!contains(list, value)) list.push_back(value);
}

// Runs `sql_head IN (...)` + sql_tail over keys in chunks; calls row for each result row.
template <class Row>
void for_keys(db::Connection &connection, const std::string &sql_head,
              const std::vector<std::string> &keys, const std::string &sql_tail,
              const std::vector<Column> &columns, Row row) {
  for (std::size_t start = 0; start < keys.size(); start += kInListChunk) {
    const std::size_t count = std::min(kInListChunk, keys.size() - start);
    std::vector<db::Value> values(keys.begin() + static_cast<std::ptrdiff_t>(start),
                                  keys.begin() + static_cast<std::ptrdiff_t>(start + count));
    auto result = connection.prepare(sql_head + " IN (" + sql::placeholders(count) + ")" + sql_tail)
                      .query(values, columns);
    while (result.next()) row(result);
  }
}

std::vector<std::string> texts(db::Connection &connection, const std::string &sql,
                               const std::vector<db::Value> &values, std::size_t max_chars) {
  std::vector<std::string> out;
  auto result = connection.prepare(sql).query(values, {Column::text(max_chars)});
  while (result.next()) out.push_back(result.text(0));
  return out;
}

const char *const kUserColumns =
    "user_key, name, email, manager_key, active, origin, created_at, created_by, updated_at, "
    "updated_by, version";

std::vector<Column> user_columns() {
  return {Column::text(128),         Column::text(kUserNameChars),
          Column::text(kEmailChars), Column::text(128),
          Column::integer(),         Column::text(8),
          Column::text(32),          Column::text(128),
          Column::text(32),          Column::text(128),
          Column::integer()};
}

User read_user(const db::Result &r) {
  User user;
  user.user_key = r.text(0);
  user.name = r.text(1);
  user.email = r.optional_text(2);
  user.manager_key = r.optional_text(3);
  user.active = r.int64(4) != 0;
  user.origin = r.text(5);
  user.created_at = r.text(6);
  user.created_by = r.text(7);
  user.updated_at = r.text(8);
  user.updated_by = r.text(9);
  user.version = r.int64(10);
  return user;
}

// Fills roles and teams of users (one statement each per chunk of users).
void attach_memberships(db::Connection &connection, std::vector<User> &users) {
  if (users.empty()) return;
  std::map<std::string, User *> by_key;
  std::vector<std::string> keys;
  for (auto &user : users) {
    by_key[user.user_key] = &user;
    keys.push_back(user.user_key);
  }
  for_keys(connection, "SELECT user_key, role FROM crm_user_role WHERE user_key", keys,
           " ORDER BY user_key, role", {Column::text(128), Column::text(kRoleChars)},
           [&](const db::Result &r) { by_key[r.text(0)]->roles.push_back(r.text(1)); });
  for_keys(connection, "SELECT user_key, team_key FROM crm_team_member WHERE user_key", keys,
           " ORDER BY user_key, team_key", {Column::text(128), Column::text(kTeamKeyChars)},
           [&](const db::Result &r) { by_key[r.text(0)]->teams.push_back(r.text(1)); });
}

const char *const kTeamColumns =
    "team_key, name, lead_key, active, created_at, created_by, updated_at, updated_by, version";

std::vector<Column> team_columns() {
  return {Column::text(kTeamKeyChars),
          Column::text(kUserNameChars),
          Column::text(128),
          Column::integer(),
          Column::text(32),
          Column::text(128),
          Column::text(32),
          Column::text(128),
          Column::integer()};
}

Team read_team(const db::Result &r) {
  Team team;
  team.team_key = r.text(0);
  team.name = r.text(1);
  team.lead_key = r.optional_text(2);
  team.active = r.int64(3) != 0;
  team.created_at = r.text(4);
  team.created_by = r.text(5);
  team.updated_at = r.text(6);
  team.updated_by = r.text(7);
  team.version = r.int64(8);
  return team;
}

void attach_members(db::Connection &connection, std::vector<Team> &teams) {
  if (teams.empty()) return;
  std::map<std::string, Team *> by_key;
  std::vector<std::string> keys;
  for (auto &team : teams) {
    by_key[team.team_key] = &team;
    keys.push_back(team.team_key);
  }
  for_keys(connection, "SELECT team_key, user_key FROM crm_team_member WHERE team_key", keys,
           " ORDER BY team_key, user_key", {Column::text(kTeamKeyChars), Column::text(128)},
           [&](const db::Result &r) { by_key[r.text(0)]->members.push_back(r.text(1)); });
}

void write_roles(db::Connection &connection, const User &user) {
  connection.prepare("DELETE FROM crm_user_role WHERE user_key = ?").execute({user.user_key});
  for (const auto &role : user.roles)
    connection.prepare("INSERT INTO crm_user_role (user_key, role) VALUES (?, ?)")
        .execute({user.user_key, role});
}

void write_members(db::Connection &connection, const Team &team) {
  connection.prepare("DELETE FROM crm_team_member WHERE team_key = ?").execute({team.team_key});
  for (const auto &member : team.members)
    connection.prepare("INSERT INTO crm_team_member (team_key, user_key) VALUES (?, ?)")
        .execute({team.team_key, member});
}

db::Value optional(const std::optional<std::string> &text) {
  return db::optional_text(text);
}

// The delegations active now to actor.user (judged at every call, so one starts and ends by
// itself at its times), and a delegator deactivated since ends them: the delegators' customers
// (scope everything) or the delegated customers join what the user sees.
// What one statement tells of user at `at`: whether the CRM knows the user and is active, the
// roles, the delegations active now (to the user, from an active delegator) and the active
// teams the user belongs to or leads. One round trip on every call, instead of four.
struct Standing {
  std::optional<bool> active;  // nullopt: no CRM user has this key
  std::vector<std::string> roles;
  struct Delegation {
    std::int64_t id;
    std::string delegator;
    bool everything;
  };
  std::vector<Delegation> delegations;
  std::vector<std::string> teams;
};

Standing standing_of(db::Connection &connection, const std::string &user, time::Micros at) {
  const auto ts = connection.dialect().timestamp_param();
  const auto now = time::to_db_text(at);
  const auto no_text = connection.dialect().text_cast("NULL");
  // Tagged rows: kind, a number (active flag, delegation id), up to two keys; sorted so that
  // roles, delegations and teams come in a stable order.
  auto result =
      connection
          .prepare(
              "SELECT 'u' AS kind, active AS number, " + no_text + " AS key1, " + no_text +
              " AS key2 FROM crm_user WHERE user_key = ? "
              "UNION ALL SELECT 'r', NULL, role, NULL FROM crm_user_role WHERE user_key = ? "
              "UNION ALL SELECT 'd', d.id, d.delegator, d.scope FROM crm_delegation d JOIN "
              "crm_user u ON u.user_key = d.delegator AND u.active = 1 WHERE d.delegate = ? AND "
              "d.starts_at <= " +
              ts + " AND d.ends_at > " + ts + " AND (d.ended_at IS NULL OR d.ended_at > " + ts +
              ") UNION ALL SELECT 't', NULL, m.team_key, NULL FROM crm_team_member m JOIN "
              "crm_team t ON t.team_key = m.team_key WHERE m.user_key = ? AND t.active = 1 "
              "UNION ALL SELECT 't', NULL, team_key, NULL FROM crm_team WHERE lead_key = ? AND "
              "active = 1 ORDER BY 1, 2, 3")
          .query({user, user, user, now, now, now, user, user},
                 {Column::text(1), Column::integer(), Column::text(128), Column::text(16)});
  Standing standing;
  while (result.next()) {
    const auto kind = result.text(0);
    if (kind == "u") {
      standing.active = result.optional_int64(1).value_or(0) != 0;
    } else if (kind == "r") {
      standing.roles.push_back(result.text(2));
    } else if (kind == "d") {
      standing.delegations.push_back(
          {result.optional_int64(1).value_or(0), result.text(2), result.text(3) == "everything"});
    } else {
      add_unique(standing.teams, result.text(2));
    }
  }
  return standing;
}

// The customers of the user's active delegations: everything of a delegator (as an owner) or
// the chosen customers.
void add_delegations(db::Connection &connection, Actor &actor,
                     const std::vector<Standing::Delegation> &delegations) {
  std::vector<std::int64_t> chosen;
  std::map<std::int64_t, std::string> delegator_of;  // chosen delegation id -> delegator
  for (const auto &delegation : delegations) {
    add_unique(actor.acting_for, delegation.delegator);
    if (delegation.everything) {
      add_unique(actor.owners, delegation.delegator);
      add_unique(actor.acting_for_everything, delegation.delegator);
    } else {
      chosen.push_back(delegation.id);
      delegator_of[delegation.id] = delegation.delegator;
    }
  }
  if (chosen.empty()) return;
  std::set<std::int64_t> ids;
  std::set<std::pair<std::string, std::int64_t>> covered;
  for (std::size_t start = 0; start < chosen.size(); start += kInListChunk) {
    const std::size_t count = std::min(kInListChunk, chosen.size() - start);
    std::vector<db::Value> values;
    for (std::size_t i = start; i < start + count; ++i) values.push_back(chosen[i]);
    auto customers = connection
                         .prepare(
                             "SELECT delegation_id, customer_id FROM crm_delegation_customer "
                             "WHERE delegation_id IN (" +
                             sql::placeholders(count) + ")")
                         .query(values, {Column::integer(), Column::integer()});
    while (customers.next()) {
      ids.insert(customers.int64(1));
      covered.emplace(delegator_of[customers.int64(0)], customers.int64(1));
    }
  }
  actor.customers.assign(ids.begin(), ids.end());
  actor.acting_for_customers.assign(covered.begin(), covered.end());
}

}  // namespace

Actor resolve(Store &store, const Settings &settings, const std::string &user, time::Micros now) {
  return store.with_connection([&](db::Connection &connection) {
    Actor actor;
    actor.user = user;
    const bool bootstrap = contains(settings.bootstrap_admins, user);
    const bool job_user = settings.job_user && *settings.job_user == user;
    auto standing = standing_of(connection, user, now);
    if (standing.active) {
      if (!*standing.active)
        throw Error(Status::permission_denied,
                    "inactive user \"" + user +
                        "\": the user is deactivated (in the CRM or in the host ERP) and may "
                        "not open a session or call a method");
      actor.roles = std::move(standing.roles);
    } else if (!bootstrap && !job_user) {
      throw Error(Status::permission_denied,
                  "unknown user \"" + user +
                      "\": no CRM user has this key (user.create adds one, users.sync copies "
                      "the host's; organisation.bootstrap_admins names the administrators of a "
                      "new installation)");
    }
    if (bootstrap) add_unique(actor.roles, "admin");
    const auto grants = grants_of(settings, actor.roles);
    actor.capabilities.insert(grants.capabilities.begin(), grants.capabilities.end());
    actor.scope = std::string(scope_name(grants.scope));
    actor.owners.push_back(user);
    add_delegations(connection, actor, standing.delegations);
    // The scheduler's user runs the jobs, which work on every customer; it reads nothing more
    // than its roles (none, unless it is also a CRM user) allow.
    if (job_user) actor.capabilities.insert("jobs");
    if (grants.scope == Scope::all || (job_user && actor.roles.empty())) {
      actor.scope = "all";
      actor.sees_all = true;
      return actor;
    }
    // A member or lead of a team sees its queue at every scope: that is where the team's new
    // customers wait to be taken.
    const auto &teams = standing.teams;
    for (const auto &team : teams) add_unique(actor.queues, team);
    if (grants.scope >= Scope::team && !teams.empty()) {
      for_keys(connection, "SELECT user_key FROM crm_team_member WHERE team_key", teams, "",
               {Column::text(128)},
               [&](const db::Result &r) { add_unique(actor.owners, r.text(0)); });
      for_keys(connection, "SELECT lead_key FROM crm_team WHERE lead_key IS NOT NULL AND team_key",
               teams, "", {Column::text(128)},
               [&](const db::Result &r) { add_unique(actor.owners, r.text(0)); });
    }
    if (grants.scope >= Scope::subordinates) {
      // Level by level down the manager hierarchy; a user seen before is not followed again,
      // so a cycle in the host's data ends the walk instead of looping.
      std::set<std::string> seen = {user};
      std::vector<std::string> level = {user};
      while (!level.empty()) {
        std::vector<std::string> next;
        for_keys(connection, "SELECT user_key FROM crm_user WHERE manager_key", level, "",
                 {Column::text(128)}, [&](const db::Result &r) {
                   if (seen.insert(r.text(0)).second) next.push_back(r.text(0));
                 });
        for (const auto &key : next) add_unique(actor.owners, key);
        level = std::move(next);
      }
    }
    return actor;
  });
}

std::optional<User> find_user(db::Connection &connection, const std::string &user_key) {
  auto result =
      connection
          .prepare(std::string("SELECT ") + kUserColumns + " FROM crm_user WHERE user_key = ?")
          .query({user_key}, user_columns());
  if (!result.next()) return std::nullopt;
  std::vector<User> users = {read_user(result)};
  attach_memberships(connection, users);
  return users.front();
}

std::optional<Team> find_team(db::Connection &connection, const std::string &team_key) {
  auto result =
      connection
          .prepare(std::string("SELECT ") + kTeamColumns + " FROM crm_team WHERE team_key = ?")
          .query({team_key}, team_columns());
  if (!result.next()) return std::nullopt;
  std::vector<Team> teams = {read_team(result)};
  attach_members(connection, teams);
  return teams.front();
}

void insert_user(db::Connection &connection, const User &user) {
  const auto ts = connection.dialect().timestamp_param();
  connection
      .prepare(
          "INSERT INTO crm_user (user_key, name, email, manager_key, active, origin, created_at, "
          "created_by, updated_at, updated_by, version) VALUES (?, ?, ?, ?, ?, ?, " +
          ts + ", ?, " + ts + ", ?, 1)")
      .execute({user.user_key, user.name, optional(user.email), optional(user.manager_key),
                std::int64_t{user.active ? 1 : 0}, user.origin, user.created_at, user.created_by,
                user.updated_at, user.updated_by});
  write_roles(connection, user);
}

bool update_user(db::Connection &connection, const User &user) {
  const auto ts = connection.dialect().timestamp_param();
  const auto changed =
      connection
          .prepare(
              "UPDATE crm_user SET name = ?, email = ?, manager_key = ?, active = ?, "
              "origin = ?, updated_at = " +
              ts + ", updated_by = ?, version = version + 1 WHERE user_key = ? AND version = ?")
          .execute({user.name, optional(user.email), optional(user.manager_key),
                    std::int64_t{user.active ? 1 : 0}, user.origin, user.updated_at,
                    user.updated_by, user.user_key, user.version - 1});
  if (changed != 1) return false;
  write_roles(connection, user);
  return true;
}

void insert_team(db::Connection &connection, const Team &team) {
  const auto ts = connection.dialect().timestamp_param();
  connection
      .prepare(
          "INSERT INTO crm_team (team_key, name, lead_key, active, created_at, created_by, "
          "updated_at, updated_by, version) VALUES (?, ?, ?, ?, " +
          ts + ", ?, " + ts + ", ?, 1)")
      .execute({team.team_key, team.name, optional(team.lead_key),
                std::int64_t{team.active ? 1 : 0}, team.created_at, team.created_by,
                team.updated_at, team.updated_by});
  write_members(connection, team);
}

bool update_team(db::Connection &connection, const Team &team) {
  const auto ts = connection.dialect().timestamp_param();
  const auto changed =
      connection
          .prepare("UPDATE crm_team SET name = ?, lead_key = ?, active = ?, updated_at = " + ts +
                   ", updated_by = ?, version = version + 1 WHERE team_key = ? AND version = ?")
          .execute({team.name, optional(team.lead_key), std::int64_t{team.active ? 1 : 0},
                    team.updated_at, team.updated_by, team.team_key, team.version - 1});
  if (changed != 1) return false;
  write_members(connection, team);
  return true;
}

std::vector<User> all_users(db::Connection &connection) {
  std::vector<User> users;
  {
    auto result =
        connection
            .prepare(std::string("SELECT ") + kUserColumns + " FROM crm_user ORDER BY user_key")
            .query({}, user_columns());
    while (result.next()) users.push_back(read_user(result));
  }
  attach_memberships(connection, users);
  return users;
}

std::int64_t deactivate_host_users(db::Connection &connection, const std::vector<std::string> &keys,
                                   const std::string &at, const std::string &by) {
  const auto ts = connection.dialect().timestamp_param();
  std::int64_t changed = 0;
  for (std::size_t start = 0; start < keys.size(); start += kInListChunk) {
    const std::size_t count = std::min(kInListChunk, keys.size() - start);
    std::vector<db::Value> values = {at, by};
    values.insert(values.end(), keys.begin() + static_cast<std::ptrdiff_t>(start),
                  keys.begin() + static_cast<std::ptrdiff_t>(start + count));
    changed += connection
                   .prepare("UPDATE crm_user SET active = 0, updated_at = " + ts +
                            ", updated_by = ?, version = version + 1 WHERE origin = 'host' AND "
                            "active = 1 AND user_key IN (" +
                            sql::placeholders(count) + ")")
                   .execute(values);
  }
  return changed;
}

std::vector<std::string> managers_of(db::Connection &connection, const std::string &user_key) {
  std::vector<std::string> chain;
  std::set<std::string> seen = {user_key};
  std::string at = user_key;
  for (;;) {
    auto managers = texts(connection,
                          "SELECT manager_key FROM crm_user WHERE user_key = ? AND "
                          "manager_key IS NOT NULL",
                          {at}, 128);
    if (managers.empty() || !seen.insert(managers.front()).second) return chain;
    chain.push_back(managers.front());
    at = managers.front();
  }
}

nlohmann::json user_page(db::Connection &connection, const UserFilter &filter,
                         const nlohmann::json &params, std::size_t limit,
                         nlohmann::json (*to_json)(const User &)) {
  std::string sql = std::string("SELECT ") + kUserColumns + " FROM crm_user u WHERE 1 = 1";
  std::vector<db::Value> values;
  if (filter.active) {
    sql += " AND active = ?";
    values.push_back(std::int64_t{*filter.active ? 1 : 0});
  }
  if (filter.manager_key) {
    sql += " AND manager_key = ?";
    values.push_back(*filter.manager_key);
  }
  if (filter.team) {
    sql +=
        " AND EXISTS (SELECT 1 FROM crm_team_member m WHERE m.user_key = u.user_key AND "
        "m.team_key = ?)";
    values.push_back(*filter.team);
  }
  const keyset::Order order = {{{"user_key", keyset::Kind::text, 0}}, false};
  keyset::page_query(sql, values, connection.dialect(), params, order, limit);
  auto result = connection.prepare(sql).query(values, user_columns());
  std::vector<User> users;
  auto page = keyset::read_page(result, order, limit, [&](const db::Result &row) {
    users.push_back(read_user(row));
    return nlohmann::json();
  });
  attach_memberships(connection, users);
  for (std::size_t i = 0; i < users.size(); ++i) page["items"][i] = to_json(users[i]);
  return page;
}

nlohmann::json team_page(db::Connection &connection, const nlohmann::json &params,
                         std::size_t limit, nlohmann::json (*to_json)(const Team &)) {
  std::string sql = std::string("SELECT ") + kTeamColumns + " FROM crm_team WHERE 1 = 1";
  std::vector<db::Value> values;
  const keyset::Order order = {{{"team_key", keyset::Kind::text, 0}}, false};
  keyset::page_query(sql, values, connection.dialect(), params, order, limit);
  auto result = connection.prepare(sql).query(values, team_columns());
  std::vector<Team> teams;
  auto page = keyset::read_page(result, order, limit, [&](const db::Result &row) {
    teams.push_back(read_team(row));
    return nlohmann::json();
  });
  attach_members(connection, teams);
  for (std::size_t i = 0; i < teams.size(); ++i) page["items"][i] = to_json(teams[i]);
  return page;
}

}  // namespace crm::organisation
