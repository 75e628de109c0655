// The organisation's tables: crm_user, crm_user_role, crm_team and crm_team_member. Every
// statement on them is here, and so is the resolution of a session's user into an Actor (whose
// customers the user sees, what the user may do), which every call goes through.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "../core/actor.hpp"
#include "../core/store.hpp"
#include "../core/time.hpp"
#include "roles.hpp"

namespace crm::organisation {

inline constexpr std::size_t kUserNameChars = 200;
inline constexpr std::size_t kEmailChars = 254;
inline constexpr std::size_t kTeamKeyChars = 64;
inline constexpr std::size_t kRoleChars = 64;

struct User {
  std::string user_key, name;
  std::optional<std::string> email, manager_key;
  bool active = true;
  std::string origin = "crm";  // host (kept by users.sync) or crm (kept by user.*)
  std::vector<std::string> roles;
  std::vector<std::string> teams;
  std::string created_at, created_by, updated_at, updated_by;
  std::int64_t version = 1;
};

struct Team {
  std::string team_key, name;
  std::optional<std::string> lead_key;
  bool active = true;
  std::vector<std::string> members;
  std::string created_at, created_by, updated_at, updated_by;
  std::int64_t version = 1;
};

// The session's user as an Actor, or crm::Error(permission_denied) saying whether the user is
// unknown or inactive. A bootstrap administrator of the settings needs no crm_user row (an
// installation has none at first) and holds the admin role; the job user of the settings needs
// none either and holds the jobs capability. Delegations count when starts_at <= now < ends_at
// (and now < ended_at when ended early).
Actor resolve(Store &store, const Settings &settings, const std::string &user,
              time::Micros now = time::now());

std::optional<User> find_user(db::Connection &connection, const std::string &user_key);
std::optional<Team> find_team(db::Connection &connection, const std::string &team_key);

void insert_user(db::Connection &connection, const User &user);
// Writes every column of user (but created_*) if the row is at user.version - 1; false when no
// row matched. The roles are replaced.
bool update_user(db::Connection &connection, const User &user);
void insert_team(db::Connection &connection, const Team &team);
bool update_team(db::Connection &connection, const Team &team);

// Every user by key, with roles and teams (users.sync compares them with the host's).
std::vector<User> all_users(db::Connection &connection);
// Sets active = 0 on the active users of origin host among keys (one statement per chunk of
// keys), as updated by `by` at `at`; returns how many changed.
std::int64_t deactivate_host_users(db::Connection &connection, const std::vector<std::string> &keys,
                                   const std::string &at, const std::string &by);

// The chain of managers above user_key, nearest first, stopping before a repeat.
std::vector<std::string> managers_of(db::Connection &connection, const std::string &user_key);

// Keyset pages by key: {"items": [...], "next_cursor"}.
struct UserFilter {
  std::optional<bool> active;
  std::optional<std::string> team, manager_key;
};
nlohmann::json user_page(db::Connection &connection, const UserFilter &filter,
                         const nlohmann::json &params, std::size_t limit,
                         nlohmann::json (*to_json)(const User &));
nlohmann::json team_page(db::Connection &connection, const nlohmann::json &params,
                         std::size_t limit, nlohmann::json (*to_json)(const Team &));

}  // namespace crm::organisation
