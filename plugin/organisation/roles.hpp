// Roles: what a user may do (capabilities) and whose customers they see (a visibility scope).
// The "organisation" configuration section may redefine the default roles and add its own; a
// user with several roles has every capability of each and the widest of their scopes.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace crm::organisation {

// Whose customers a role sees, narrowest first: the user's own; also those of the user's teams
// (members' customers and the teams' queues); also those of every user below the user in the
// manager hierarchy; every customer. A delegation adds the delegator's customers to any scope.
enum class Scope { own, team, subordinates, all };
std::string_view scope_name(Scope scope);
inline const std::vector<std::string> kScopeNames = {"own", "team", "subordinates", "all"};

// Every capability a role can grant. <area>.read and <area>.write per area that holds customer
// data; value.sensitive shows margins, profit, credit and receivables; jobs runs lifecycle.sync,
// value.run and classification.run; the others administer the organisation.
inline const std::vector<std::string> kCapabilities = {"customer.read",
                                                       "customer.write",
                                                       "contact.read",
                                                       "contact.write",
                                                       "interaction.read",
                                                       "interaction.write",
                                                       "opportunity.read",
                                                       "opportunity.write",
                                                       "task.read",
                                                       "task.write",
                                                       "lifecycle.read",
                                                       "lifecycle.write",
                                                       "classification.read",
                                                       "classification.write",
                                                       "value.read",
                                                       "value.sensitive",
                                                       "source.read",
                                                       "source.write",
                                                       "source.correct",
                                                       "assignment.read",
                                                       "assignment.write",
                                                       "handoff.read",
                                                       "handoff.write",
                                                       "reports",
                                                       "jobs",
                                                       "delegation",
                                                       "transfer",
                                                       "organisation.manage",
                                                       "configuration"};

struct Role {
  std::set<std::string> capabilities;
  Scope scope = Scope::own;
};

struct Settings {
  std::map<std::string, Role> roles;  // by name
  // Users who get a session as admin before any user exists, so that an installation can be set
  // up; and the user scheduled jobs run as.
  std::vector<std::string> bootstrap_admins;
  std::optional<std::string> job_user;
  // users.sync: the roles a user new from the host gets, by the host's department; "*" stands
  // for every other department and for users without one. Default {"*": ["sales"]}.
  std::map<std::string, std::vector<std::string>> host_user_roles = {{"*", {"sales"}}};
  // What users.sync does with the work of a user it deactivates: leave the customers orphans
  // (ownership.orphans lists them), or transfer them with the user's open opportunities and
  // open tasks to the user's manager when that manager is active.
  enum class OnDeactivated { orphan, transfer_to_manager };
  OnDeactivated on_user_deactivated = OnDeactivated::orphan;
  // The roles host_user_roles gives a host user of department (nullopt: none known).
  const std::vector<std::string> &host_roles(const std::optional<std::string> &department) const;
};

// admin, manager, marketing, sales, service and viewer.
std::map<std::string, Role> default_roles();

// The "organisation" section (null when absent): {roles: {name: {capabilities, scope}},
// bootstrap_admins, job_user, host_user_roles: {department | "*": [role, ...]},
// on_user_deactivated: "orphan" | "transfer_to_manager"}. A role named like a default replaces
// it; host_user_roles names roles of the configuration. Throws
// crm::Error(invalid_argument) naming the path at fault.
Settings load_settings(const nlohmann::json *section);

// What a user holding role_names may do: the union of their capabilities and the widest scope.
// Role names the settings do not define grant nothing (a host may name roles this plugin does
// not know); no role at all grants nothing and scope own.
struct Grants {
  std::set<std::string> capabilities;
  Scope scope = Scope::own;
  bool has(const std::string &capability) const { return capabilities.count(capability) != 0; }
};
Grants grants_of(const Settings &settings, const std::vector<std::string> &role_names);

}  // namespace crm::organisation
