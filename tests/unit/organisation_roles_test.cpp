// Roles without a database: the defaults, the "organisation" section that redefines them, and
// what a user holding several roles is granted.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "organisation/roles.hpp"

namespace crm::organisation {
namespace {

using nlohmann::json;

Settings load(const std::string &text) {
  const json section = json::parse(text);
  return load_settings(&section);
}

// The field and message of the refusal of section text.
std::pair<std::string, std::string> refusal(const std::string &text) {
  try {
    load(text);
  } catch (const Error &error) {
    EXPECT_EQ(error.status(), Status::invalid_argument) << text;
    return {error.field(), error.what()};
  }
  ADD_FAILURE() << "accepted: " << text;
  return {};
}

TEST(OrganisationRoles, TheDefaultRolesGrantWhatTheirJobsNeed) {
  const auto roles = default_roles();
  ASSERT_EQ(roles.size(), 6u);
  EXPECT_EQ(roles.at("admin").scope, Scope::all);
  EXPECT_EQ(roles.at("admin").capabilities.size(), kCapabilities.size());
  EXPECT_EQ(roles.at("manager").scope, Scope::subordinates);
  EXPECT_EQ(roles.at("marketing").scope, Scope::team);
  EXPECT_EQ(roles.at("sales").scope, Scope::own);
  EXPECT_EQ(roles.at("service").scope, Scope::team);
  EXPECT_EQ(roles.at("viewer").scope, Scope::team);
  // Margins and credit are the managers' and admins' alone.
  for (const auto &[name, role] : roles)
    EXPECT_EQ(role.capabilities.count("value.sensitive") == 1, name == "admin" || name == "manager")
        << name;
  // Sales works opportunities; marketing qualifies (lifecycle) but does not close deals.
  EXPECT_TRUE(roles.at("sales").capabilities.count("opportunity.write"));
  EXPECT_FALSE(roles.at("marketing").capabilities.count("opportunity.write"));
  EXPECT_TRUE(roles.at("marketing").capabilities.count("lifecycle.write"));
  // A viewer reads and writes nothing.
  for (const auto &capability : roles.at("viewer").capabilities)
    EXPECT_TRUE(capability.ends_with(".read")) << capability;
  // Only an admin runs jobs, changes the configuration or manages users and teams.
  for (const char *capability : {"jobs", "configuration", "organisation.manage"})
    for (const auto &[name, role] : roles)
      EXPECT_EQ(role.capabilities.count(capability) == 1, name == "admin") << name << capability;
}

TEST(OrganisationRoles, AnAbsentSectionKeepsTheDefaults) {
  const auto settings = load_settings(nullptr);
  EXPECT_EQ(settings.roles.size(), 6u);
  EXPECT_TRUE(settings.bootstrap_admins.empty());
  EXPECT_FALSE(settings.job_user);
}

TEST(OrganisationRoles, TheSectionRedefinesADefaultAndAddsRoles) {
  const auto settings = load(R"({
    "roles": {"sales": {"capabilities": ["customer.read"], "scope": "team"},
              "大客户经理": {"capabilities": ["customer.read", "value.sensitive"],
                             "scope": "subordinates"}},
    "bootstrap_admins": ["it-admin", "王经理"], "job_user": "crm-scheduler"})");
  EXPECT_EQ(settings.roles.size(), 7u);
  EXPECT_EQ(settings.roles.at("sales").capabilities, std::set<std::string>{"customer.read"});
  EXPECT_EQ(settings.roles.at("sales").scope, Scope::team);
  EXPECT_EQ(settings.roles.at("大客户经理").scope, Scope::subordinates);
  EXPECT_EQ(settings.roles.at("manager").scope, Scope::subordinates);  // untouched default
  EXPECT_EQ(settings.bootstrap_admins, (std::vector<std::string>{"it-admin", "王经理"}));
  EXPECT_EQ(settings.job_user, "crm-scheduler");
}

TEST(OrganisationRoles, ASectionThatCannotBeMeantIsRefusedNamingThePath) {
  EXPECT_EQ(refusal(R"([])").first, "organisation");
  EXPECT_EQ(refusal(R"({"rolez": {}})").first, "organisation.rolez");
  EXPECT_EQ(refusal(R"({"roles": []})").first, "organisation.roles");
  EXPECT_EQ(refusal(R"({"roles": {"x": []}})").first, "organisation.roles.x");
  EXPECT_EQ(refusal(R"({"roles": {"x": {"scope": "own"}}})").first,
            "organisation.roles.x.capabilities");
  EXPECT_EQ(refusal(R"({"roles": {"x": {"capabilities": []}}})").first,
            "organisation.roles.x.scope");
  EXPECT_EQ(refusal(R"({"roles": {"x": {"capabilities": [], "scope": "company"}}})").first,
            "organisation.roles.x.scope");
  const auto [field, message] =
      refusal(R"({"roles": {"x": {"capabilities": ["customer.read", "customer.delete"],
                                   "scope": "own"}}})");
  EXPECT_EQ(field, "organisation.roles.x.capabilities[1]");
  EXPECT_NE(message.find("\"customer.delete\""), std::string::npos) << message;
  EXPECT_EQ(refusal(R"({"roles": {"x": {"capabilities": [], "scope": "own", "extra": 1}}})").first,
            "organisation.roles.x.extra");
  EXPECT_EQ(refusal(R"({"roles": {"a\tb": {"capabilities": [], "scope": "own"}}})").first,
            "organisation.roles.a\tb");
  EXPECT_EQ(refusal(R"({"bootstrap_admins": "root"})").first, "organisation.bootstrap_admins");
  EXPECT_EQ(refusal(R"({"bootstrap_admins": ["root", " "]})").first,
            "organisation.bootstrap_admins[1]");
  EXPECT_EQ(refusal(R"({"bootstrap_admins": ["root", 7]})").first,
            "organisation.bootstrap_admins[1]");
  EXPECT_EQ(refusal(R"({"job_user": "a\nb"})").first, "organisation.job_user");
  EXPECT_EQ(refusal(R"({"job_user": ")" + std::string(129, 'u') + R"("})").first,
            "organisation.job_user");
}

TEST(OrganisationRoles, SeveralRolesGrantTheUnionAndTheWidestScope) {
  const auto settings = load_settings(nullptr);
  const auto sales = grants_of(settings, {"sales"});
  EXPECT_EQ(sales.scope, Scope::own);
  EXPECT_FALSE(sales.has("value.sensitive"));
  const auto both = grants_of(settings, {"sales", "service"});
  EXPECT_EQ(both.scope, Scope::team);
  EXPECT_TRUE(both.has("opportunity.write"));  // from sales
  const auto with_manager = grants_of(settings, {"viewer", "manager"});
  EXPECT_EQ(with_manager.scope, Scope::subordinates);
  EXPECT_TRUE(with_manager.has("value.sensitive"));
  // A role the configuration does not define (a host's own role name) grants nothing.
  const auto unknown = grants_of(settings, {"warehouse"});
  EXPECT_TRUE(unknown.capabilities.empty());
  EXPECT_EQ(unknown.scope, Scope::own);
  EXPECT_TRUE(grants_of(settings, {}).capabilities.empty());
  EXPECT_EQ(scope_name(Scope::subordinates), "subordinates");
}

}  // namespace
}  // namespace crm::organisation
