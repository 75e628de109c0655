// Assignment rules on every database: each strategy, the skip reasons (not in the team, inactive,
// away, at capacity), the team queue when nobody is left, conditions, the explanation, and the
// three events (create, hand-off to sales, apply).
#include "erp.hpp"
#include "fixture.hpp"

namespace crm::test {
namespace {

class AssignmentTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    for (const char *key : {"s1", "s2", "s3"}) user(key, {"sales"});
    user("mkt", {"marketing"});
    ok("team.create", {{"team_key", "sales"}, {"name", "销售部"}, {"members", {"s1", "s2", "s3"}}});
    ok("team.create", {{"team_key", "marketing"}, {"name", "市场部"}, {"members", {"mkt"}}});
  }

  json rule(const std::string &code, const json &extra) {
    json params = extra;
    params["code"] = code;
    params["name"] = params.value("name", "规则 " + code);
    params["priority"] = params.value("priority", 10);
    params["team"] = params.value("team", "sales");
    return ok("assignment.rule.create", params);
  }

  std::string owner_of_new(const std::string &name, const json &extra = json::object()) {
    auto created = customer(name, extra);
    return created["owner"].is_null() ? "queue:" + created["queue"].get<std::string>()
                                      : created["owner"].get<std::string>();
  }
};

TEST_F(AssignmentTest, RoundRobinTakesTurnsAndSkipsWhoCannotTakeWork) {
  rule("rr", {{"strategy", "round_robin"}});
  std::vector<std::string> owners;
  for (int i = 0; i < 6; ++i) owners.push_back(owner_of_new("客户 " + std::to_string(i)));
  EXPECT_EQ(owners, (std::vector<std::string>{"s1", "s2", "s3", "s1", "s2", "s3"}));
  // s2 leaves, s3 goes away for a week: s1 takes everything.
  auto s2 = ok("user.get", {{"user_key", "s2"}});
  ok("user.update", {{"user_key", "s2"}, {"version", s2["version"]}, {"active", false}});
  as("s3", "delegation.create",
     {{"delegate", "s1"},
      {"starts_at", "2026-01-01T00:00:00Z"},
      {"ends_at", "2099-01-01T00:00:00Z"},
      {"reason", "长假"}});
  EXPECT_EQ(owner_of_new("客户 6"), "s1");
  EXPECT_EQ(owner_of_new("客户 7"), "s1");
  auto created = customer("客户 8");
  auto explained = ok("assignment.explain", {{"customer_id", created["id"]}, {"event", "create"}});
  const auto &decision = explained["decision"];
  EXPECT_EQ(decision["rule"], "rr");
  EXPECT_EQ(decision["owner"], "s1");
  std::map<std::string, std::string> reasons;
  for (const auto &candidate : decision["candidates"])
    reasons[candidate["user"]] = candidate.value("reason", candidate["outcome"].get<std::string>());
  EXPECT_EQ(reasons["s1"], "chosen");
  EXPECT_EQ(reasons["s2"], "inactive");
  EXPECT_EQ(reasons["s3"].rfind("away: delegates all work until 2099-01-01", 0), 0u)
      << reasons["s3"];
  ASSERT_EQ(explained["recorded"].size(), 1u);
  EXPECT_EQ(explained["recorded"][0]["event"], "create");
  EXPECT_EQ(explained["recorded"][0]["owner"], "s1");
  EXPECT_EQ(explained["recorded"][0]["explanation"]["rule"], "rr");
}

TEST_F(AssignmentTest, TheCapHoldsAndWhenNobodyIsLeftTheTeamQueueTakesIt) {
  rule("capped", {{"strategy", "least_load"}, {"cap", 2}});
  std::map<std::string, int> counts;
  for (int i = 0; i < 8; ++i) ++counts[owner_of_new("线索 " + std::to_string(i))];
  EXPECT_EQ(counts["s1"], 2);
  EXPECT_EQ(counts["s2"], 2);
  EXPECT_EQ(counts["s3"], 2);
  EXPECT_EQ(counts["queue:sales"], 2);
  auto queued = customer("线索 8");
  EXPECT_TRUE(queued["owner"].is_null());
  auto explained = ok("assignment.explain", {{"customer_id", queued["id"]}, {"event", "create"}});
  EXPECT_EQ(explained["decision"]["queue"], "sales");
  for (const auto &candidate : explained["decision"]["candidates"])
    EXPECT_EQ(candidate["reason"], "at capacity: 2 open of 2") << candidate.dump();
  // One of s2's leads goes to somebody outside the team: s2 may take one more.
  auto moved = ok("customer.list", {{"owner", "s2"}})["items"][0];
  ok("customer.update", {{"id", moved["id"]}, {"version", moved["version"]}, {"owner", "alice"}});
  auto applied = ok("assignment.apply", {{"customer_id", queued["id"]}});
  EXPECT_EQ(applied["owner"], "s2");
  EXPECT_TRUE(applied["queue"].is_null());
  EXPECT_TRUE(applied["changed"].get<bool>());
  EXPECT_EQ(ok("customer.get", {{"id", queued["id"]}})["owner"], "s2");
  // A manager applies the rules only to customers the manager sees.
  user("boss", {"manager"});
  EXPECT_EQ(status_as("boss", "assignment.apply", {{"customer_id", queued["id"]}}),
            CRM_E_PERMISSION_DENIED);
  EXPECT_EQ(status_as("boss", "assignment.explain", {{"customer_id", queued["id"]}}),
            CRM_E_PERMISSION_DENIED);
}

TEST_F(AssignmentTest, LeastLoadAndWeightsShareByWhatEachCarries) {
  // s1 already carries three leads of its own.
  for (int i = 0; i < 3; ++i) customer("自带 " + std::to_string(i), {{"owner", "s1"}});
  rule("least", {{"strategy", "least_load"}});
  std::map<std::string, int> counts;
  for (int i = 0; i < 3; ++i) ++counts[owner_of_new("A " + std::to_string(i))];
  // s2 and s3 catch up with s1 before s1 gets any.
  EXPECT_EQ(counts["s1"], 0);
  EXPECT_EQ(counts["s2"] + counts["s3"], 3);
  auto least = ok("assignment.rule.list", json::object())["items"][0];
  ok("assignment.rule.update", {{"code", "least"},
                                {"version", least["version"]},
                                {"strategy", "weighted"},
                                {"weights", {{"s3", 3}}}});
  counts.clear();
  for (int i = 0; i < 10; ++i) ++counts[owner_of_new("B " + std::to_string(i))];
  // Loads before: s1 3, s2 and s3 1 or 2 (3 together). With s3 weighing 3, s3 takes most.
  EXPECT_GT(counts["s3"], counts["s2"]);
  EXPECT_GT(counts["s3"], counts["s1"]);
  EXPECT_EQ(counts["s1"] + counts["s2"] + counts["s3"], 10);
}

TEST_F(AssignmentTest, ConditionsChooseTheRuleAndTheExplanationSaysWhyOthersWereSkipped) {
  rule("east-vip", {{"priority", 1},
                    {"strategy", "user"},
                    {"user", "s3"},
                    {"conditions", {{"region", {"华东"}}, {"industry", {"制造"}}}}});
  rule("east", {{"priority", 2},
                {"strategy", "user"},
                {"user", "s2"},
                {"conditions", {{"region", {"华东", "华北"}}}}});
  rule("outsider", {{"priority", 3}, {"strategy", "user"}, {"user", "mkt"}});
  EXPECT_EQ(owner_of_new("上海机床", {{"region", "华东"}, {"industry", "制造"}}), "s3");
  EXPECT_EQ(owner_of_new("北京软件", {{"region", "华北"}, {"industry", "软件"}}), "s2");
  // mkt is not in team sales: nobody, so the sales queue.
  auto far = customer("广州贸易", {{"region", "华南"}});
  EXPECT_TRUE(far["owner"].is_null());
  EXPECT_EQ(far["queue"], "sales");
  auto explained = ok("assignment.explain", {{"customer_id", far["id"]}, {"event", "create"}});
  const auto &rules = explained["decision"]["rules"];
  ASSERT_EQ(rules.size(), 3u);
  EXPECT_EQ(rules[0]["reason"], "region 华南 is not one of 华东");
  EXPECT_EQ(rules[1]["reason"], "region 华南 is not one of 华东, 华北");
  EXPECT_EQ(rules[2]["outcome"], "matched");
  EXPECT_EQ(explained["decision"]["candidates"][0]["reason"], "not a member of team sales");
  // An explicit owner is never overridden by the rules.
  EXPECT_EQ(owner_of_new("自己的", {{"owner", "alice"}}), "alice");
  // A rule that does not apply on create leaves the default (the creator).
  ok("assignment.rule.update", {{"code", "outsider"}, {"version", 1}, {"active", false}});
  EXPECT_EQ(owner_of_new("无规则", {{"region", "西北"}}), "alice");
}

TEST_F(AssignmentTest, TheHandoffToSalesAssignsBySalesRules) {
  rule("handoff", {{"strategy", "round_robin"}, {"on", {"handoff"}}});
  // Marketing creates its own lead (no create rule) and qualifies it.
  auto lead = as("mkt", "customer.create", {{"name", "杭州电子"}, {"stage", "potential"}});
  EXPECT_EQ(lead["owner"], "mkt");
  auto moved =
      as("mkt", "lifecycle.transition",
         {{"customer_id", lead["id"]}, {"to", "opportunity"}, {"reason_code", "qualified"}});
  EXPECT_EQ(moved["owner"], "s1");
  EXPECT_EQ(moved["assignment"]["rule"], "handoff");
  EXPECT_EQ(moved["event"]["owner_before"], "mkt");
  EXPECT_EQ(moved["event"]["owner_after"], "s1");
  EXPECT_EQ(ok("customer.get", {{"id", lead["id"]}})["owner"], "s1");
  auto recorded = ok("assignment.explain", {{"customer_id", lead["id"]}})["recorded"];
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0]["event"], "handoff");
  EXPECT_EQ(recorded[0]["decided_by"], "mkt");
}

// An import larger than one insert statement of decisions on every database: round robin gives
// each member a third, and every decision is recorded.
TEST_F(AssignmentTest, ImportedCustomersAreRoutedByTheImportRules) {
  erp::Options options;
  options.customers = 1200;
  erp::generate(database_.connection(), options);
  reconfigure({{"host", json::parse(erp::mapping_json(options.shape, database_.dialect()))}});
  rule("imports", {{"strategy", "round_robin"}, {"on", {"import"}}});
  auto synced = ok("lifecycle.sync", {{"as_of", "2026-11-30T00:00:00Z"}});
  EXPECT_EQ(synced["imported"], 1200);
  EXPECT_EQ(database_.column("SELECT owner, COUNT(*) FROM crm_customer GROUP BY owner ORDER BY "
                             "owner"),
            (std::vector<std::string>{"s1", "s2", "s3"}));
  for (const char *owner : {"s1", "s2", "s3"})
    EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_customer WHERE owner = '" +
                               std::string(owner) + "'"),
              std::vector<std::string>{"400"});
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_assignment WHERE event = 'import' AND "
                             "rule_code = 'imports'"),
            std::vector<std::string>{"1200"});
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_customer WHERE queue IS NOT NULL"),
            std::vector<std::string>{"0"});
}

// assignment.apply and assignment.explain follow the caller's visibility and capability: a
// manager above s2 applies the rules to s2's customers only; a salesperson or marketer, who may
// read the rules, may not apply them.
TEST_F(AssignmentTest, ApplyingTheRulesFollowsWhatTheCallerSeesAndMayDo) {
  user("lead", {"manager"});
  auto s2 = ok("user.get", {{"user_key", "s2"}});
  ok("user.update", {{"user_key", "s2"}, {"version", s2["version"]}, {"manager_key", "lead"}});
  auto of_s1 = customer("一号的客户", {{"owner", "s1"}});
  auto of_s2 = customer("二号的客户", {{"owner", "s2"}});
  rule("to-s3", {{"strategy", "user"}, {"user", "s3"}});
  const std::string before = database_.snapshot();
  EXPECT_EQ(status_as("lead", "assignment.apply", {{"customer_id", of_s1["id"]}}),
            CRM_E_PERMISSION_DENIED);
  EXPECT_EQ(status_as("s1", "assignment.apply", {{"customer_id", of_s1["id"]}}),
            CRM_E_PERMISSION_DENIED);
  EXPECT_EQ(status_as("mkt", "assignment.apply", {{"customer_id", of_s2["id"]}}),
            CRM_E_PERMISSION_DENIED);
  EXPECT_EQ(database_.snapshot(), before);
  // Reading: s1 may explain its own customer, not s2's.
  EXPECT_EQ(as("s1", "assignment.explain", {{"customer_id", of_s1["id"]}})["decision"]["rule"],
            "to-s3");
  EXPECT_EQ(status_as("s1", "assignment.explain", {{"customer_id", of_s2["id"]}}),
            CRM_E_PERMISSION_DENIED);
  auto applied = as("lead", "assignment.apply", {{"customer_id", of_s2["id"]}});
  EXPECT_EQ(applied["owner"], "s3");
  EXPECT_EQ(ok("assignment.explain", {{"customer_id", of_s2["id"]}})["recorded"][0]["decided_by"],
            "lead");
}

TEST_F(AssignmentTest, RulesAreCheckedAndVersioned) {
  rejects("assignment.rule.create",
          {{"code", "x"}, {"name", "x"}, {"priority", 1}, {"strategy", "user"}, {"team", "sales"}},
          "invalid_argument", "params.user");
  rejects("assignment.rule.create",
          {{"code", "x"},
           {"name", "x"},
           {"priority", 1},
           {"strategy", "round_robin"},
           {"team", "nowhere"}},
          "not_found", "params.team");
  rejects("assignment.rule.create",
          {{"code", "x"},
           {"name", "x"},
           {"priority", 1},
           {"strategy", "round_robin"},
           {"team", "sales"},
           {"conditions", {{"colour", {"red"}}}}},
          "invalid_argument", "params.conditions.colour");
  rejects("assignment.rule.create",
          {{"code", "x"},
           {"name", "x"},
           {"priority", 1},
           {"strategy", "round_robin"},
           {"team", "sales"},
           {"weights", {{"s1", 2}}}},
          "invalid_argument", "params.weights");
  rejects("assignment.rule.create",
          {{"code", "x"},
           {"name", "x"},
           {"priority", 1},
           {"strategy", "weighted"},
           {"team", "sales"},
           {"weights", {{"s1", 0}}}},
          "invalid_argument", "params.weights.s1");
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_assignment_rule"),
            std::vector<std::string>{"0"});
  auto created = rule("x", {{"strategy", "round_robin"}, {"conditions", {{"tier", {"A 级"}}}}});
  EXPECT_EQ(created["on"], json({"create"}));
  EXPECT_EQ(created["conditions"]["tier"], json({"A 级"}));
  rejects("assignment.rule.create",
          {{"code", "x"},
           {"name", "x"},
           {"priority", 1},
           {"strategy", "round_robin"},
           {"team", "sales"}},
          "conflict", "params.code");
  rejects("assignment.rule.update", {{"code", "x"}, {"version", 9}, {"name", "y"}}, "conflict",
          "params.version");
  rejects("assignment.rule.update", {{"code", "nope"}, {"version", 1}, {"name", "y"}}, "not_found",
          "params.code");
  auto changed =
      ok("assignment.rule.update", {{"code", "x"}, {"version", 1}, {"on", {"import", "handoff"}}});
  EXPECT_EQ(changed["version"], 2);
  EXPECT_EQ(changed["on"], json({"import", "handoff"}));
  // A salesperson may read the rules, not change them.
  EXPECT_EQ(as("s1", "assignment.rule.list", json::object())["items"].size(), 1u);
  EXPECT_EQ(
      status_as("s1", "assignment.rule.update", {{"code", "x"}, {"version", 2}, {"name", "z"}}),
      CRM_E_PERMISSION_DENIED);
}

}  // namespace
}  // namespace crm::test
