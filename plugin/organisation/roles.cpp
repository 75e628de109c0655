#include "roles.hpp"

#include <algorithm>

#include "../core/config.hpp"
#include "../core/error.hpp"
#include "../core/text.hpp"

namespace crm::organisation {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxRoleName = 64;
constexpr std::size_t kMaxRoles = 100;

std::set<std::string> all_capabilities() {
  return {kCapabilities.begin(), kCapabilities.end()};
}

// Every capability whose area is one of areas, for verbs.
std::set<std::string> of(std::initializer_list<const char *> areas,
                         std::initializer_list<const char *> verbs) {
  std::set<std::string> out;
  for (const char *area : areas)
    for (const char *verb : verbs) {
      const std::string name = std::string(area) + "." + verb;
      if (std::find(kCapabilities.begin(), kCapabilities.end(), name) != kCapabilities.end())
        out.insert(name);
    }
  return out;
}

std::set<std::string> joined(std::initializer_list<std::set<std::string>> sets) {
  std::set<std::string> out;
  for (const auto &set : sets) out.insert(set.begin(), set.end());
  return out;
}

std::optional<Scope> parse_scope(const std::string &name) {
  for (std::size_t i = 0; i < kScopeNames.size(); ++i)
    if (kScopeNames[i] == name) return static_cast<Scope>(i);
  return std::nullopt;
}

std::string user_key(const json &value, const std::string &path) {
  if (!value.is_string() || value.get<std::string>().size() > 128 ||
      text::user_key_problem(value.get<std::string>()))
    throw invalid_argument(path, path +
                                     " must be a user key (1 to 128 bytes, no control "
                                     "character, not blank)");
  return value.get<std::string>();
}

Role load_role(const json &value, const std::string &path) {
  if (!value.is_object())
    throw invalid_argument(path, path +
                                     " must be {capabilities: [...], scope: own | team | "
                                     "subordinates | all}");
  reject_unknown_fields(value, path, {"capabilities", "scope"});
  if (!value.contains("capabilities") || !value["capabilities"].is_array())
    throw invalid_argument(path + ".capabilities",
                           path + ".capabilities must be a list of capabilities");
  if (!value.contains("scope") || !value["scope"].is_string() ||
      !parse_scope(value["scope"].get<std::string>()))
    throw invalid_argument(path + ".scope",
                           path + ".scope must be one of own, team, subordinates, all");
  Role role;
  role.scope = *parse_scope(value["scope"].get<std::string>());
  const auto &capabilities = value["capabilities"];
  for (std::size_t i = 0; i < capabilities.size(); ++i) {
    const std::string at = path + ".capabilities[" + std::to_string(i) + "]";
    const auto &name = capabilities[i];
    if (!name.is_string() || std::find(kCapabilities.begin(), kCapabilities.end(),
                                       name.get<std::string>()) == kCapabilities.end())
      throw invalid_argument(at, at + " is not a capability: " + name.dump(-1, ' ', true) +
                                     " (system.describe lists them)");
    role.capabilities.insert(name.get<std::string>());
  }
  return role;
}

}  // namespace

std::string_view scope_name(Scope scope) {
  return kScopeNames[static_cast<std::size_t>(scope)];
}

std::map<std::string, Role> default_roles() {
  const auto customer_work = of({"customer", "contact", "interaction", "task"}, {"read", "write"});
  const auto read_all =
      of({"customer", "contact", "interaction", "opportunity", "task", "lifecycle",
          "classification", "value", "source", "assignment", "handoff"},
         {"read"});
  std::map<std::string, Role> roles;
  roles["admin"] = {all_capabilities(), Scope::all};
  roles["manager"] = {
      joined({read_all,
              customer_work,
              of({"opportunity", "lifecycle", "classification", "source", "assignment", "handoff"},
                 {"write"}),
              {"value.sensitive", "reports", "delegation", "transfer"}}),
      Scope::subordinates};
  // Whoever holds customers may hand them to a colleague for an absence (delegation).
  roles["marketing"] = {joined({read_all,
                                customer_work,
                                of({"lifecycle", "classification", "source"}, {"write"}),
                                {"reports", "delegation"}}),
                        Scope::team};
  roles["sales"] = {joined({read_all,
                            customer_work,
                            of({"opportunity", "lifecycle", "handoff"}, {"write"}),
                            {"delegation"}}),
                    Scope::own};
  roles["service"] = {joined({read_all, customer_work, {"delegation"}}), Scope::team};
  roles["viewer"] = {read_all, Scope::team};
  return roles;
}

Settings load_settings(const json *section) {
  Settings settings;
  settings.roles = default_roles();
  if (!section) return settings;
  if (!section->is_object())
    throw invalid_argument("organisation", "organisation must be an object");
  reject_unknown_fields(
      *section, "organisation",
      {"roles", "bootstrap_admins", "job_user", "host_user_roles", "on_user_deactivated"});
  if (section->contains("roles")) {
    const auto &roles = (*section)["roles"];
    if (!roles.is_object() || roles.size() > kMaxRoles)
      throw invalid_argument("organisation.roles",
                             "organisation.roles must map up to 100 role names to roles");
    for (const auto &[name, value] : roles.items()) {
      const std::string path = "organisation.roles." + name;
      if (name.empty() || name.size() > kMaxRoleName || text::user_key_problem(name))
        throw invalid_argument(path, "a role name must be 1 to 64 bytes with no control character");
      settings.roles[name] = load_role(value, path);
    }
  }
  if (section->contains("bootstrap_admins")) {
    const auto &admins = (*section)["bootstrap_admins"];
    if (!admins.is_array() || admins.size() > kMaxRoles)
      throw invalid_argument("organisation.bootstrap_admins",
                             "organisation.bootstrap_admins must be a list of up to 100 user keys");
    for (std::size_t i = 0; i < admins.size(); ++i)
      settings.bootstrap_admins.push_back(
          user_key(admins[i], "organisation.bootstrap_admins[" + std::to_string(i) + "]"));
  }
  if (section->contains("job_user"))
    settings.job_user = user_key((*section)["job_user"], "organisation.job_user");
  if (section->contains("host_user_roles")) {
    const auto &mapping = (*section)["host_user_roles"];
    const std::string path = "organisation.host_user_roles";
    if (!mapping.is_object() || mapping.size() > kMaxRoles)
      throw invalid_argument(path, path +
                                       " must map up to 100 host departments (or \"*\" for "
                                       "every other) to lists of role names");
    settings.host_user_roles.clear();
    for (const auto &[department, roles] : mapping.items()) {
      const std::string at = path + "." + department;
      if (department.empty() || department.size() > kMaxRoleName ||
          text::user_key_problem(department))
        throw invalid_argument(at, "a department must be 1 to 64 bytes with no control character");
      if (!roles.is_array() || roles.size() > kMaxRoles)
        throw invalid_argument(at, at + " must be a list of role names");
      auto &names = settings.host_user_roles[department];
      for (std::size_t i = 0; i < roles.size(); ++i) {
        const std::string item = at + "[" + std::to_string(i) + "]";
        if (!roles[i].is_string() || !settings.roles.count(roles[i].get<std::string>()))
          throw invalid_argument(
              item, item + " is no role of this configuration: " + roles[i].dump(-1, ' ', true));
        if (std::find(names.begin(), names.end(), roles[i].get<std::string>()) == names.end())
          names.push_back(roles[i].get<std::string>());
      }
      std::sort(names.begin(), names.end());
    }
  }
  if (section->contains("on_user_deactivated")) {
    const auto &value = (*section)["on_user_deactivated"];
    const std::string path = "organisation.on_user_deactivated";
    if (value == "orphan")
      settings.on_user_deactivated = Settings::OnDeactivated::orphan;
    else if (value == "transfer_to_manager")
      settings.on_user_deactivated = Settings::OnDeactivated::transfer_to_manager;
    else
      throw invalid_argument(path, path + " must be \"orphan\" or \"transfer_to_manager\", not " +
                                       value.dump(-1, ' ', true).substr(0, 64));
  }
  return settings;
}

const std::vector<std::string> &Settings::host_roles(
    const std::optional<std::string> &department) const {
  static const std::vector<std::string> none;
  if (department)
    if (auto found = host_user_roles.find(*department); found != host_user_roles.end())
      return found->second;
  auto fallback = host_user_roles.find("*");
  return fallback == host_user_roles.end() ? none : fallback->second;
}

Grants grants_of(const Settings &settings, const std::vector<std::string> &role_names) {
  Grants grants;
  for (const auto &name : role_names) {
    auto found = settings.roles.find(name);
    if (found == settings.roles.end()) continue;
    grants.capabilities.insert(found->second.capabilities.begin(),
                               found->second.capabilities.end());
    grants.scope = std::max(grants.scope, found->second.scope);
  }
  return grants;
}

}  // namespace crm::organisation
