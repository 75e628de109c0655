#include "organisation.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "../core/json_values.hpp"
#include "../core/time.hpp"
#include "directory.hpp"

namespace crm::organisation {

namespace {

using json_values::instant;
using json_values::nullable;
using params::Field;

constexpr std::size_t kMaxRolesPerUser = 20;
constexpr std::size_t kMaxMembers = 500;

const Settings &settings_of(Store &store) {
  return store.settings<Settings>("organisation");
}

json user_to_json(const User &user) {
  return {{"user_key", user.user_key},
          {"name", user.name},
          {"email", nullable(user.email)},
          {"manager_key", nullable(user.manager_key)},
          {"active", user.active},
          {"origin", user.origin},
          {"roles", user.roles},
          {"teams", user.teams},
          {"created_at", instant(user.created_at)},
          {"created_by", user.created_by},
          {"updated_at", instant(user.updated_at)},
          {"updated_by", user.updated_by},
          {"version", user.version}};
}

json team_to_json(const Team &team) {
  return {{"team_key", team.team_key},
          {"name", team.name},
          {"lead_key", nullable(team.lead_key)},
          {"active", team.active},
          {"members", team.members},
          {"created_at", instant(team.created_at)},
          {"created_by", team.created_by},
          {"updated_at", instant(team.updated_at)},
          {"updated_by", team.updated_by},
          {"version", team.version}};
}

std::vector<std::string> string_list(const json &params, const char *name) {
  std::vector<std::string> out;
  if (!params.contains(name) || params[name].is_null()) return out;
  for (const auto &item : params[name]) {
    auto value = item.get<std::string>();
    if (std::find(out.begin(), out.end(), value) == out.end()) out.push_back(value);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Role names must be roles of the configuration: a typo would otherwise grant nothing, silently.
void check_roles(const Settings &settings, const std::vector<std::string> &roles) {
  for (std::size_t i = 0; i < roles.size(); ++i)
    if (!settings.roles.count(roles[i])) {
      std::string known;
      for (const auto &[name, role] : settings.roles) known += (known.empty() ? "" : ", ") + name;
      throw invalid_argument("params.roles[" + std::to_string(i) + "]",
                             "params.roles[" + std::to_string(i) +
                                 "] is no role of this "
                                 "configuration: \"" +
                                 roles[i] + "\" (roles: " + known + ")");
    }
}

User require_user(db::Connection &connection, const std::string &key, const std::string &field) {
  auto user = find_user(connection, key);
  if (!user) throw not_found(field, "no user with key \"" + key + "\"");
  return *user;
}

Team require_team(db::Connection &connection, const std::string &key, const std::string &field) {
  auto team = find_team(connection, key);
  if (!team) throw not_found(field, "no team with key \"" + key + "\"");
  return *team;
}

// A manager must be a user, and not the user or anyone below the user (no cycle).
void check_manager(db::Connection &connection, const std::string &user_key,
                   const std::optional<std::string> &manager_key) {
  if (!manager_key) return;
  if (*manager_key == user_key)
    throw invalid_argument("params.manager_key", "a user cannot be their own manager");
  require_user(connection, *manager_key, "params.manager_key");
  const auto above = managers_of(connection, *manager_key);
  if (std::find(above.begin(), above.end(), user_key) != above.end())
    throw invalid_argument("params.manager_key",
                           "\"" + *manager_key + "\" reports to \"" + user_key +
                               "\" already; making them the manager would close a cycle");
}

void check_members(db::Connection &connection, const std::vector<std::string> &members,
                   const std::string &field) {
  for (std::size_t i = 0; i < members.size(); ++i)
    require_user(connection, members[i], field + "[" + std::to_string(i) + "]");
}

json user_create(CallContext &context, const json &params) {
  auto &store = context.store;
  User user;
  user.user_key = params::string(params, "user_key");
  user.name = params::string(params, "name");
  user.email = params::optional_string(params, "email");
  user.manager_key = params::optional_string(params, "manager_key");
  user.active = params.value("active", true);
  user.origin = "crm";
  user.roles = string_list(params, "roles");
  check_roles(settings_of(store), user.roles);
  user.created_at = user.updated_at = time::to_db_text(time::now());
  user.created_by = user.updated_by = context.user;
  return store.with_connection([&](db::Connection &connection) {
    return store.transact(connection, [&] {
      if (find_user(connection, user.user_key))
        throw conflict("params.user_key", "a user with key \"" + user.user_key + "\" exists");
      check_manager(connection, user.user_key, user.manager_key);
      insert_user(connection, user);
      store.log().info("user {} created by {}", user.user_key, context.user);
      return user_to_json(require_user(connection, user.user_key, "params.user_key"));
    });
  });
}

json user_update(CallContext &context, const json &params) {
  auto &store = context.store;
  const auto key = params::string(params, "user_key");
  const auto version = *params::optional_integer(params, "version");
  return store.with_connection([&](db::Connection &connection) {
    return store.transact(connection, [&] {
      User user = require_user(connection, key, "params.user_key");
      if (user.version != version)
        throw conflict("params.version",
                       "user \"" + key + "\" is at version " + std::to_string(user.version) +
                           ", the update was made against version " + std::to_string(version));
      const bool host_owned = user.origin == "host";
      // users.sync keeps these as the host has them; the roles stay the CRM's.
      for (const char *field : {"name", "email", "manager_key", "active"})
        if (host_owned && params.contains(field))
          throw invalid_argument(std::string("params.") + field,
                                 std::string("the host ERP keeps ") + field + " of user \"" + key +
                                     "\" (users.sync copies it from the host's users); change it "
                                     "there, only the roles are the CRM's");
      if (params.contains("name")) user.name = params::string(params, "name");
      if (params.contains("email")) user.email = params::optional_string(params, "email");
      if (params.contains("manager_key")) {
        user.manager_key = params::optional_string(params, "manager_key");
        check_manager(connection, key, user.manager_key);
      }
      if (params.contains("active") && !params["active"].is_null())
        user.active = params["active"].get<bool>();
      if (params.contains("roles")) {
        user.roles = string_list(params, "roles");
        check_roles(settings_of(store), user.roles);
      }
      if (key == context.user && !user.active)
        throw invalid_argument("params.active", "a user cannot deactivate themselves");
      user.version = version + 1;
      user.updated_at = time::to_db_text(time::now());
      user.updated_by = context.user;
      if (!update_user(connection, user))
        throw conflict("params.version", "user \"" + key + "\" was changed meanwhile");
      store.log().info("user {} updated by {}", key, context.user);
      return user_to_json(require_user(connection, key, "params.user_key"));
    });
  });
}

json user_get(CallContext &context, const json &params) {
  const auto key = params::string(params, "user_key");
  return context.store.with_connection([&](db::Connection &connection) {
    return user_to_json(require_user(connection, key, "params.user_key"));
  });
}

json user_list(CallContext &context, const json &params) {
  UserFilter filter;
  if (params.contains("active") && !params["active"].is_null())
    filter.active = params["active"].get<bool>();
  filter.team = params::optional_string(params, "team");
  filter.manager_key = params::optional_string(params, "manager_key");
  const auto limit = params::limit(params, 100);
  return context.store.with_connection([&](db::Connection &connection) {
    return user_page(connection, filter, params, limit, user_to_json);
  });
}

json user_me(CallContext &context, const json &) {
  const auto &actor = context.actor;
  return context.store.with_connection([&](db::Connection &connection) {
    auto user = find_user(connection, actor.user);
    json me = user ? user_to_json(*user)
                   : json{{"user_key", actor.user},
                          {"name", actor.user},
                          {"email", nullptr},
                          {"manager_key", nullptr},
                          {"active", true},
                          {"origin", "bootstrap"},
                          {"roles", actor.roles},
                          {"teams", json::array()},
                          {"created_at", nullptr},
                          {"created_by", nullptr},
                          {"updated_at", nullptr},
                          {"updated_by", nullptr},
                          {"version", 0}};
    me["roles"] = actor.roles;  // a bootstrap administrator holds admin without a role row
    me["capabilities"] =
        json(std::vector<std::string>(actor.capabilities.begin(), actor.capabilities.end()));
    me["scope"] = actor.scope;
    me["queues"] = actor.queues;
    me["sees_owners"] = actor.sees_all ? json(nullptr) : json(actor.owners);
    me["managers"] = user ? json(managers_of(connection, actor.user)) : json::array();
    me["acting_for"] = actor.acting_for;
    return me;
  });
}

json team_create(CallContext &context, const json &params) {
  auto &store = context.store;
  Team team;
  team.team_key = params::string(params, "team_key");
  team.name = params::string(params, "name");
  team.lead_key = params::optional_string(params, "lead_key");
  team.active = params.value("active", true);
  team.members = string_list(params, "members");
  team.created_at = team.updated_at = time::to_db_text(time::now());
  team.created_by = team.updated_by = context.user;
  return store.with_connection([&](db::Connection &connection) {
    return store.transact(connection, [&] {
      if (find_team(connection, team.team_key))
        throw conflict("params.team_key", "a team with key \"" + team.team_key + "\" exists");
      if (team.lead_key) require_user(connection, *team.lead_key, "params.lead_key");
      check_members(connection, team.members, "params.members");
      insert_team(connection, team);
      store.log().info("team {} created by {}", team.team_key, context.user);
      return team_to_json(require_team(connection, team.team_key, "params.team_key"));
    });
  });
}

json team_update(CallContext &context, const json &params) {
  auto &store = context.store;
  const auto key = params::string(params, "team_key");
  const auto version = *params::optional_integer(params, "version");
  return store.with_connection([&](db::Connection &connection) {
    return store.transact(connection, [&] {
      Team team = require_team(connection, key, "params.team_key");
      if (team.version != version)
        throw conflict("params.version",
                       "team \"" + key + "\" is at version " + std::to_string(team.version) +
                           ", the update was made against version " + std::to_string(version));
      if (params.contains("name")) team.name = params::string(params, "name");
      if (params.contains("lead_key")) {
        team.lead_key = params::optional_string(params, "lead_key");
        if (team.lead_key) require_user(connection, *team.lead_key, "params.lead_key");
      }
      if (params.contains("active") && !params["active"].is_null())
        team.active = params["active"].get<bool>();
      const auto added = string_list(params, "add_members");
      const auto removed = string_list(params, "remove_members");
      check_members(connection, added, "params.add_members");
      std::set<std::string> members(team.members.begin(), team.members.end());
      for (const auto &member : added) members.insert(member);
      for (std::size_t i = 0; i < removed.size(); ++i)
        if (!members.erase(removed[i]))
          throw invalid_argument("params.remove_members[" + std::to_string(i) + "]",
                                 "\"" + removed[i] + "\" is no member of team \"" + key + "\"");
      if (members.size() > kMaxMembers)
        throw invalid_argument("params.add_members",
                               "a team has at most " + std::to_string(kMaxMembers) + " members");
      team.members.assign(members.begin(), members.end());
      team.version = version + 1;
      team.updated_at = time::to_db_text(time::now());
      team.updated_by = context.user;
      if (!update_team(connection, team))
        throw conflict("params.version", "team \"" + key + "\" was changed meanwhile");
      store.log().info("team {} updated by {}", key, context.user);
      return team_to_json(require_team(connection, key, "params.team_key"));
    });
  });
}

json team_get(CallContext &context, const json &params) {
  const auto key = params::string(params, "team_key");
  return context.store.with_connection([&](db::Connection &connection) {
    return team_to_json(require_team(connection, key, "params.team_key"));
  });
}

json team_list(CallContext &context, const json &params) {
  const auto limit = params::limit(params, 100);
  return context.store.with_connection([&](db::Connection &connection) {
    return team_page(connection, params, limit, team_to_json);
  });
}

Field team_key_field(std::string description) {
  return Field::string("team_key", kTeamKeyChars, std::move(description)).require();
}

Field version_field() {
  return Field::integer("version", 1, INT64_MAX,
                        "the version the change is based on; a newer one is a conflict")
      .require();
}

Field users_field(std::string name, std::string description) {
  return Field::list(std::move(name), kMaxMembers, Field::user("", "a user key"),
                     std::move(description));
}

}  // namespace

json user_schema() {
  namespace rs = result_schema;
  const json text = rs::nullable(rs::string());
  return rs::object({{"user_key", rs::string()},
                     {"name", rs::string()},
                     {"email", text},
                     {"manager_key", text},
                     {"active", rs::boolean()},
                     {"origin", rs::enumeration({"host", "crm", "bootstrap"})},
                     {"roles", rs::array(rs::string())},
                     {"teams", rs::array(rs::string())},
                     {"created_at", rs::nullable(rs::timestamp())},
                     {"created_by", text},
                     {"updated_at", rs::nullable(rs::timestamp())},
                     {"updated_by", text},
                     {"version", rs::integer()}});
}

json team_schema() {
  namespace rs = result_schema;
  const json text = rs::nullable(rs::string());
  return rs::object({{"team_key", rs::string()},
                     {"name", rs::string()},
                     {"lead_key", text},
                     {"active", rs::boolean()},
                     {"members", rs::array(rs::string())},
                     {"created_at", rs::timestamp()},
                     {"created_by", rs::string()},
                     {"updated_at", rs::timestamp()},
                     {"updated_by", rs::string()},
                     {"version", rs::integer()}});
}

void register_methods(Registry &registry) {
  namespace rs = result_schema;
  registry.add_section(settings_section<Settings>(
      "organisation", [](const json *section, Store &) { return load_settings(section); }));
  registry.set_actor_resolver([](Store &store, const std::string &user) {
    return resolve(store, settings_of(store), user);
  });
  const auto roles_field =
      Field::list("roles", kMaxRolesPerUser, Field::string("", kRoleChars, "a role name"),
                  "role names of the organisation configuration");
  std::vector<Field> user_fields = {
      Field::user("user_key", "the host ERP's user key (what crm_session_open is given)").require(),
      Field::string("name", kUserNameChars, "display name").require(),
      Field::string("email", kEmailChars, "e-mail address").as_email(),
      Field::user("manager_key", "the user's manager"),
      Field::boolean("active", "whether the user may sign in (default true)"),
      roles_field};
  registry.add({"user.create",
                "Adds a CRM user (for hosts that map no users, or users the host does not have).",
                user_fields, user_schema(), user_create, "organisation.manage"});
  std::vector<Field> update_fields = user_fields;
  update_fields[1] = Field::string("name", kUserNameChars, "display name").not_null();
  update_fields.insert(update_fields.begin() + 1, version_field());
  registry.add({"user.update",
                "Changes a user's profile, manager, roles or active flag; optimistic on version. "
                "Name, e-mail, manager and active flag of a host user (origin host) are the "
                "host's, kept by users.sync: only its roles change here.",
                update_fields, user_schema(), user_update, "organisation.manage"});
  registry.add({"user.get",
                "Returns one user with roles and teams.",
                {Field::user("user_key", "user key").require()},
                user_schema(),
                user_get,
                std::string(kAnySession)});
  registry.add({"user.list",
                "Lists users by key, filtered by active flag, team and manager; keyset pages.",
                {Field::boolean("active", "only active (true) or inactive (false) users"),
                 Field::string("team", kTeamKeyChars, "only members of this team"),
                 Field::user("manager_key", "only users reporting directly to this user"),
                 Field::limit(100, 500), Field::cursor()},
                rs::page(user_schema()),
                user_list,
                std::string(kAnySession)});
  json me = user_schema();
  me["properties"]["capabilities"] = rs::array(rs::string());
  me["properties"]["scope"] = rs::enumeration(kScopeNames);
  me["properties"]["queues"] = rs::array(rs::string());
  me["properties"]["sees_owners"] = rs::nullable(rs::array(rs::string()));
  me["properties"]["managers"] = rs::array(rs::string());
  me["properties"]["acting_for"] = rs::array(rs::string());
  for (const char *name :
       {"capabilities", "scope", "queues", "sees_owners", "managers", "acting_for"})
    me["required"].push_back(name);
  registry.add(
      {"user.me",
       "The session's user: profile, roles, capabilities, visibility scope, the team "
       "queues and owners whose customers the user sees (null: every customer), and "
       "the chain of managers, and the users whose work an active delegation lets it do now.",
       {},
       me,
       user_me,
       std::string(kAnySession)});
  registry.add({"team.create",
                "Adds a team (marketing, sales, service ...) with a lead and members; its key is "
                "also the key of its customer queue.",
                {team_key_field("team key, also the queue's key"),
                 Field::string("name", kUserNameChars, "display name").require(),
                 Field::user("lead_key", "the team's lead"),
                 Field::boolean("active", "whether the team is in use (default true)"),
                 users_field("members", "member user keys")},
                team_schema(),
                team_create,
                "organisation.manage"});
  registry.add({"team.update",
                "Renames a team, changes its lead or active flag, adds and removes members; "
                "optimistic on version.",
                {team_key_field("team key"), version_field(),
                 Field::string("name", kUserNameChars, "display name").not_null(),
                 Field::user("lead_key", "the team's lead (null: none)"),
                 Field::boolean("active", "whether the team is in use"),
                 users_field("add_members", "users to add"),
                 users_field("remove_members", "members to remove")},
                team_schema(),
                team_update,
                "organisation.manage"});
  registry.add({"team.get",
                "Returns one team with its members.",
                {team_key_field("team key")},
                team_schema(),
                team_get,
                std::string(kAnySession)});
  registry.add({"team.list",
                "Lists teams by key; keyset pages.",
                {Field::limit(100, 500), Field::cursor()},
                rs::page(team_schema()),
                team_list,
                std::string(kAnySession)});
}

}  // namespace crm::organisation
