// The permission matrix: roles × relationships × every method that reads or writes customer
// data, on a real database. Each cell asserts what the user sees and what is refused; a
// customer outside a user's visibility that a method returns, counts or changes is a leak.
#include <map>
#include <set>

#include "erp.hpp"
#include "fixture.hpp"
#include "odbc.hpp"

namespace crm::test {
namespace {

const std::string kAsOf = "2026-11-30T12:00:00+08:00";

// The organisation of every test below. mgr leads team east (s1, s2, v) and manages s1 and s2;
// s3 is a salesperson elsewhere; mk and mk2 are marketing, whose queue holds a new lead.
const std::vector<std::string> kViewers = {"alice", "mgr", "s1", "s2", "s3", "v", "mk", "svc"};
const std::vector<std::string> kCustomers = {"mgr", "s1", "s2", "s3", "mk2", "queue"};

// Which customers each viewer sees (by the label of its owner, or "queue").
const std::map<std::string, std::set<std::string>> kSees = {
    {"alice", {"mgr", "s1", "s2", "s3", "mk2", "queue"}},  // admin: all
    {"mgr", {"mgr", "s1", "s2"}},                          // own, team, subordinates
    {"s1", {"s1"}},                                        // sales: own only
    {"s2", {"s2"}},
    {"s3", {"s3"}},
    {"v", {"mgr", "s1", "s2"}},  // viewer of team east: its members and lead
    {"mk", {"mk2", "queue"}},    // marketing: its team's members and queue
    {"svc", {}}};                // service, in no team, owning nothing

class PermissionTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    auto &connection = database_.connection();
    erp::create_schema(connection, erp::Shape::jinhe);
    reconfigure({{"host", json::parse(erp::mapping_json(erp::Shape::jinhe, database_.dialect()))}});
    user("mgr", {"manager"});
    user("s1", {"sales"}, {{"manager_key", "mgr"}});
    user("s2", {"sales"}, {{"manager_key", "mgr"}});
    user("s3", {"sales"});
    user("v", {"viewer"});
    user("mk", {"marketing"});
    user("mk2", {"marketing"});
    user("svc", {"service"});
    user("gone", {"sales"}, {{"active", false}});
    ok("team.create", {{"team_key", "east"},
                       {"name", "华东销售"},
                       {"lead_key", "mgr"},
                       {"members", {"s1", "s2", "v"}}});
    ok("team.create", {{"team_key", "marketing"}, {"name", "市场部"}, {"members", {"mk", "mk2"}}});
    for (const auto &label : kCustomers) {
      json extra = {{"stage", "customer"}};
      if (label == "queue")
        extra["queue"] = "marketing";
      else
        extra["owner"] = label;
      const std::string id = customer("客户 " + label, extra)["id"];
      ids_[label] = id;
      labels_[id] = label;
      contacts_[label] = ok("contact.create", {{"customer_id", id}, {"name", "联系人"}})["id"];
      opportunities_[label] =
          ok("opportunity.create", {{"customer_id", id}, {"name", "deal " + label}})["id"];
      tasks_[label] = ok("task.create", {{"customer_id", id},
                                         {"title", "call " + label},
                                         {"due_at", "2030-01-01T00:00:00Z"}})["id"];
      ok("interaction.log", {{"customer_id", id},
                             {"channel", "tel"},
                             {"direction", "inbound"},
                             {"occurred_at", "2026-11-01T00:00:00Z"}});
    }
    ok("value.run", {{"period", "2026-11"}, {"as_of", kAsOf}});
    // A closed hand-off per customer (won: they are customers), with the customer's id.
    database_.execute(
        "INSERT INTO crm_handoff (id, customer_id, state, team_key, calendar_name, "
        "accept_window_us, contact_window_us, opened_at, opened_by, opened_owner, due_at, "
        "closed_at, version) SELECT id, id, 'won', queue, 'standard', 3600000000, 3600000000, "
        "'2026-11-01 00:00:00.000000', 'alice', owner, '2026-11-01 01:00:00.000000', "
        "'2026-11-02 00:00:00.000000', 1 FROM crm_customer");
  }

  bool sees(const std::string &viewer, const std::string &label) const {
    return kSees.at(viewer).count(label) != 0;
  }

  // A session per viewer, opened on the current client.
  host::Session &as(const std::string &viewer) {
    auto found = sessions_.find(viewer);
    if (found == sessions_.end())
      found = sessions_.emplace(viewer, client_->open_session(viewer)).first;
    return found->second;
  }

  struct Outcome {
    int status;
    json body;
  };
  Outcome call_as(const std::string &viewer, const std::string &method, const json &params) {
    auto response = as(viewer).call(request(method, params));
    return {response.status, json::parse(response.body)};
  }

  // The customer labels behind the items of a list (each item's customer_id, or id).
  std::set<std::string> labels_of(const json &items, const char *member) const {
    std::set<std::string> out;
    for (const auto &item : items) {
      auto found = labels_.find(item[member].get<std::string>());
      if (found != labels_.end()) out.insert(found->second);
    }
    return out;
  }

  std::map<std::string, std::string> ids_, labels_;
  std::map<std::string, json> contacts_, opportunities_, tasks_;
  std::map<std::string, host::Session> sessions_;
  int cells_ = 0, leaks_ = 0;
};

// Every read of one customer's data, per viewer and customer: seen where the viewer sees the
// customer, otherwise permission_denied with a message that names nothing of the record.
TEST_F(PermissionTest, EveryReadOfOneCustomerFollowsItsVisibility) {
  for (const auto &viewer : kViewers)
    for (const auto &label : kCustomers) {
      const json id = ids_[label];
      const std::vector<std::pair<std::string, json>> reads = {
          {"customer.get", {{"id", id}}},
          {"customer.view", {{"id", id}}},
          {"contact.list", {{"customer_id", id}}},
          {"interaction.list", {{"customer_id", id}}},
          {"opportunity.list", {{"customer_id", id}}},
          {"opportunity.get", {{"id", opportunities_[label]}}},
          {"task.list", {{"customer_id", id}}},
          {"lifecycle.history", {{"customer_id", id}}},
          {"classification.explain", {{"customer_id", id}}},
          {"value.get", {{"customer_id", id}}},
          {"customer.first_touch.history", {{"id", id}}},
          {"assignment.explain", {{"customer_id", id}}},
          {"handoff.get", {{"id", id}}}};
      for (const auto &[method, params] : reads) {
        SCOPED_TRACE(viewer + " " + method + " of " + label);
        ++cells_;
        auto outcome = call_as(viewer, method, params);
        if (sees(viewer, label)) {
          EXPECT_EQ(outcome.status, CRM_OK) << outcome.body.dump();
          if (outcome.status == CRM_OK) check_result(as(viewer), method, outcome.body["result"]);
        } else {
          if (outcome.status == CRM_OK) ++leaks_;
          EXPECT_EQ(outcome.status, CRM_E_PERMISSION_DENIED) << outcome.body.dump();
          const std::string message = outcome.body["error"].value("message", "");
          EXPECT_EQ(message.find("客户"), std::string::npos) << message;
          EXPECT_EQ(message.find("deal"), std::string::npos) << message;
        }
      }
    }
  std::cout << "permission matrix (reads): " << cells_ << " cells, " << leaks_ << " leaks\n";
  EXPECT_EQ(leaks_, 0);
}

// Lists and counts hold exactly what the viewer sees, filtered in the database: pages stay
// full and every customer behind a count is one the same viewer's lists show.
TEST_F(PermissionTest, ListsAndCountsHoldExactlyTheVisibleCustomers) {
  for (const auto &viewer : kViewers) {
    SCOPED_TRACE(viewer);
    const auto &expected = kSees.at(viewer);
    auto customers = call_as(viewer, "customer.list", {{"limit", 500}});
    ASSERT_EQ(customers.status, CRM_OK) << customers.body.dump();
    EXPECT_EQ(labels_of(customers.body["result"]["items"], "id"), expected);
    // One customer per page still gives full pages and reaches every visible customer.
    std::set<std::string> paged;
    json cursor = nullptr;
    for (int page = 0; page < 20; ++page) {
      json params = {{"limit", 1}};
      if (!cursor.is_null()) params["cursor"] = cursor;
      auto result = call_as(viewer, "customer.list", params).body["result"];
      EXPECT_LE(result["items"].size(), 1u);
      for (const auto &label : labels_of(result["items"], "id")) paged.insert(label);
      cursor = result["next_cursor"];
      if (cursor.is_null()) break;
      EXPECT_EQ(result["items"].size(), 1u) << "a page short of its limit before the end";
    }
    EXPECT_EQ(paged, expected);
    auto opportunities = call_as(viewer, "opportunity.list", {{"limit", 500}});
    EXPECT_EQ(labels_of(opportunities.body["result"]["items"], "customer_id"), expected);
    auto tasks = call_as(viewer, "task.list", {{"limit", 500}});
    EXPECT_EQ(labels_of(tasks.body["result"]["items"], "customer_id"), expected);
    auto tiers = call_as(viewer, "value.tiers", {{"period", "2026-11"}});
    ASSERT_EQ(tiers.status, CRM_OK) << tiers.body.dump();
    std::int64_t counted = 0;
    for (const auto &tier : tiers.body["result"]["tiers"]) counted += tier["customers"].get<int>();
    EXPECT_EQ(counted, static_cast<std::int64_t>(expected.size()));
    EXPECT_EQ(tiers.body["result"]["population"], expected.size());
    auto migration = call_as(viewer, "value.migration", {{"from", "2026-11"}, {"to", "2026-11"}});
    ASSERT_EQ(migration.status, CRM_OK) << migration.body.dump();
    std::int64_t moved = 0;
    for (const auto &cell : migration.body["result"]["cells"])
      moved += cell["customers"].get<int>();
    EXPECT_EQ(moved, static_cast<std::int64_t>(expected.size()));
    // The customers behind each cell are the visible ones too.
    std::set<std::string> behind;
    for (const auto &cell : migration.body["result"]["cells"]) {
      auto items = call_as(viewer, "value.migration",
                           {{"from", "2026-11"},
                            {"to", "2026-11"},
                            {"from_tier", cell["from_tier"]},
                            {"to_tier", cell["to_tier"]},
                            {"limit", 500}});
      for (const auto &label : labels_of(items.body["result"]["items"], "customer_id"))
        behind.insert(label);
    }
    EXPECT_EQ(behind, expected);
    auto handoffs =
        call_as(viewer, "handoff.list", {{"scope", "all"}, {"state", "won"}, {"limit", 500}});
    ASSERT_EQ(handoffs.status, CRM_OK) << handoffs.body.dump();
    EXPECT_EQ(labels_of(handoffs.body["result"]["items"], "customer_id"), expected);
    // source.report counts the same leads (every customer here was first touched when it was
    // created), for those who may read reports.
    auto sources = call_as(viewer, "source.report",
                           {{"from", "2020-01-01T00:00:00Z"}, {"to", "2030-01-01T00:00:00Z"}});
    if (viewer == "alice" || viewer == "mgr" || viewer == "mk") {
      ASSERT_EQ(sources.status, CRM_OK) << sources.body.dump();
      EXPECT_EQ(sources.body["result"]["total"]["leads"], expected.size());
    } else {
      EXPECT_EQ(sources.status, CRM_E_PERMISSION_DENIED) << sources.body.dump();
    }
    auto report = call_as(
        viewer, "handoff.report",
        {{"from", "2020-01-01T00:00:00Z"}, {"to", "2030-01-01T00:00:00Z"}, {"group_by", "person"}});
    if (viewer == "alice" || viewer == "mgr" || viewer == "mk") {
      ASSERT_EQ(report.status, CRM_OK) << report.body.dump();
      std::size_t counted_handoffs = 0;
      std::set<std::string> people;
      for (const auto &group : report.body["result"]["items"]) {
        counted_handoffs += group["handoffs"].get<std::size_t>();
        people.insert(group["group"].is_null() ? "queue" : group["group"].get<std::string>());
      }
      EXPECT_EQ(counted_handoffs, expected.size());
      EXPECT_EQ(people, expected);
    } else {
      EXPECT_EQ(report.status, CRM_E_PERMISSION_DENIED) << report.body.dump();
    }
  }
}

// Writes to a customer: refused without a trace outside the visibility, refused naming the
// capability where the role may not write, done otherwise.
TEST_F(PermissionTest, EveryWriteFollowsVisibilityAndCapability) {
  // What each role may write, by method (the default roles of organisation/roles.cpp).
  const std::map<std::string, std::set<std::string>> writes = {
      {"customer.update", {"alice", "mgr", "s1", "s2", "s3", "mk", "svc"}},
      {"contact.create", {"alice", "mgr", "s1", "s2", "s3", "mk", "svc"}},
      {"interaction.log", {"alice", "mgr", "s1", "s2", "s3", "mk", "svc"}},
      {"task.create", {"alice", "mgr", "s1", "s2", "s3", "mk", "svc"}},
      {"opportunity.create", {"alice", "mgr", "s1", "s2", "s3"}},
      {"opportunity.update", {"alice", "mgr", "s1", "s2", "s3"}},
      {"lifecycle.transition", {"alice", "mgr", "s1", "s2", "s3", "mk"}},
      {"task.complete", {"alice", "mgr", "s1", "s2", "s3", "mk", "svc"}},
  };
  for (const auto &viewer : kViewers)
    for (const auto &label : kCustomers) {
      const json id = ids_[label];
      const json customer_now = ok("customer.get", {{"id", id}});
      const json opportunity_now = ok("opportunity.get", {{"id", opportunities_[label]}});
      const std::vector<std::pair<std::string, json>> requests = {
          {"customer.update",
           {{"id", id}, {"version", customer_now["version"]}, {"region", viewer}}},
          {"contact.create", {{"customer_id", id}, {"name", "by " + viewer}}},
          {"interaction.log",
           {{"customer_id", id},
            {"channel", "email"},
            {"direction", "outbound"},
            {"occurred_at", "2026-11-02T00:00:00Z"}}},
          {"task.create",
           {{"customer_id", id}, {"title", "t " + viewer}, {"due_at", "2030-02-01T00:00:00Z"}}},
          {"opportunity.create", {{"customer_id", id}, {"name", "o " + viewer}}},
          {"opportunity.update",
           {{"id", opportunities_[label]},
            {"version", opportunity_now["version"]},
            {"name", "deal " + label}}},
          {"lifecycle.transition",
           {{"customer_id", id}, {"to", "disqualified"}, {"reason_code", "no_budget"}}},
      };
      for (const auto &[method, params] : requests) {
        SCOPED_TRACE(viewer + " " + method + " on " + label);
        ++cells_;
        const bool may = sees(viewer, label) && writes.at(method).count(viewer);
        const std::string before = database_.snapshot();
        auto outcome = call_as(viewer, method, params);
        if (may) {
          // The first allowed move disqualifies the customer; for the next viewers it is a
          // conflict (already there), which they are allowed to be told.
          if (method == "lifecycle.transition" && outcome.status == CRM_E_CONFLICT) continue;
          EXPECT_EQ(outcome.status, CRM_OK) << outcome.body.dump();
          continue;
        }
        if (outcome.status == CRM_OK) ++leaks_;
        EXPECT_EQ(outcome.status, CRM_E_PERMISSION_DENIED) << outcome.body.dump();
        EXPECT_EQ(database_.snapshot(), before) << method << " changed the database";
        if (!writes.at(method).count(viewer)) {  // a missing capability is named
          EXPECT_NE(outcome.body["error"]["message"].get<std::string>().find(".write"),
                    std::string::npos)
              << outcome.body.dump();
        }
      }
      // task.complete last: it ends the task.
      SCOPED_TRACE(viewer + " task.complete on " + label);
      ++cells_;
      const json task = tasks_[label];
      auto outcome = call_as(viewer, "task.complete", {{"id", task}});
      const bool may = sees(viewer, label) && writes.at("task.complete").count(viewer);
      if (may) {
        EXPECT_EQ(outcome.status, CRM_OK) << outcome.body.dump();
        tasks_[label] =
            ok("task.create",
               {{"customer_id", id}, {"title", "again"}, {"due_at", "2030-01-01T00:00:00Z"}})["id"];
      } else {
        if (outcome.status == CRM_OK) ++leaks_;
        EXPECT_EQ(outcome.status, CRM_E_PERMISSION_DENIED) << outcome.body.dump();
      }
    }
  std::cout << "permission matrix (writes): " << cells_ << " cells, " << leaks_ << " leaks\n";
  EXPECT_EQ(leaks_, 0);
}

// A user may hand a customer only to an owner whose customers the user sees, and put it only
// in a queue of the user's own teams.
TEST_F(PermissionTest, OwnersAndQueuesAreLimitedToWhatTheUserSees) {
  auto refused = call_as("s1", "customer.create", {{"name", "给别人"}, {"owner", "s3"}});
  EXPECT_EQ(refused.status, CRM_E_PERMISSION_DENIED) << refused.body.dump();
  EXPECT_EQ(refused.body["error"]["field"], "params.owner");
  auto assigned = call_as("mgr", "customer.create", {{"name", "分配"}, {"owner", "s2"}});
  EXPECT_EQ(assigned.status, CRM_OK) << assigned.body.dump();
  auto queued = call_as("mk", "customer.create", {{"name", "线索"}, {"queue", "marketing"}});
  ASSERT_EQ(queued.status, CRM_OK) << queued.body.dump();
  EXPECT_TRUE(queued.body["result"]["owner"].is_null());
  EXPECT_EQ(queued.body["result"]["queue"], "marketing");
  auto foreign_queue = call_as("s1", "customer.create", {{"name", "x"}, {"queue", "marketing"}});
  EXPECT_EQ(foreign_queue.status, CRM_E_PERMISSION_DENIED) << foreign_queue.body.dump();
  EXPECT_EQ(foreign_queue.body["error"]["field"], "params.queue");
  // mk takes the lead from the queue: it leaves the queue and becomes mk's own.
  const json lead = queued.body["result"];
  auto taken = call_as(
      "mk", "customer.update",
      {{"id", lead["id"]}, {"version", lead["version"]}, {"owner", "mk"}, {"queue", nullptr}});
  ASSERT_EQ(taken.status, CRM_OK) << taken.body.dump();
  EXPECT_EQ(taken.body["result"]["owner"], "mk");
  EXPECT_TRUE(taken.body["result"]["queue"].is_null());
  // An unknown team is not a queue.
  auto nowhere = call_as("alice", "customer.create", {{"name", "x"}, {"queue", "no-such-team"}});
  EXPECT_EQ(nowhere.status, CRM_E_NOT_FOUND) << nowhere.body.dump();
}

// Margins and credit are for value.sensitive: a salesperson sees tier and score of the own
// customer, with profit and credit withheld; the manager sees them.
TEST_F(PermissionTest, SensitiveMoneyIsWithheldWithoutValueSensitive) {
  const json id = ids_["s1"];
  auto sales = call_as("s1", "value.get", {{"customer_id", id}});
  ASSERT_EQ(sales.status, CRM_OK) << sales.body.dump();
  const json &components = sales.body["result"]["components"];
  for (const char *hidden : {"credit", "profit"}) {
    EXPECT_TRUE(components[hidden]["withheld"].get<bool>()) << hidden;
    EXPECT_TRUE(components[hidden]["raw"].is_null()) << hidden;
    EXPECT_TRUE(components[hidden]["normalised_ppm"].is_null()) << hidden;
  }
  EXPECT_FALSE(components["sales"]["withheld"].get<bool>());
  EXPECT_TRUE(sales.body["result"]["tier"].is_string());
  auto manager = call_as("mgr", "value.get", {{"customer_id", id}});
  ASSERT_EQ(manager.status, CRM_OK) << manager.body.dump();
  for (const char *shown : {"credit", "profit"})
    EXPECT_FALSE(manager.body["result"]["components"][shown]["withheld"].get<bool>()) << shown;
  EXPECT_EQ(manager.body["result"]["score_ppm"], sales.body["result"]["score_ppm"]);
  // The 360 composes value.get, so it withholds the same.
  auto view = call_as("s1", "customer.view", {{"id", id}});
  ASSERT_EQ(view.status, CRM_OK) << view.body.dump();
  EXPECT_TRUE(view.body["result"]["value"]["components"]["profit"]["withheld"].get<bool>());
}

// Jobs and the organisation's administration need their capabilities.
TEST_F(PermissionTest, JobsAndAdministrationNeedTheirCapabilities) {
  for (const auto &viewer : kViewers) {
    if (viewer == "alice") continue;
    SCOPED_TRACE(viewer);
    for (const auto &[method, params] : std::vector<std::pair<std::string, json>>{
             {"value.run", {{"period", "2026-12"}, {"as_of", kAsOf}}},
             {"lifecycle.sync", {{"as_of", kAsOf}}},
             {"classification.run", json::object()},
             {"users.sync", json::object()},
             {"user.create", {{"user_key", "x-" + viewer}, {"name", "x"}}},
             {"team.create", {{"team_key", "t-" + viewer}, {"name", "t"}}}}) {
      const std::string before = database_.snapshot();
      auto outcome = call_as(viewer, method, params);
      EXPECT_EQ(outcome.status, CRM_E_PERMISSION_DENIED) << method << " " << outcome.body.dump();
      EXPECT_NE(outcome.body["error"]["message"].get<std::string>().find("needs the capability"),
                std::string::npos);
      EXPECT_EQ(database_.snapshot(), before);
    }
    // Every user may read the directory and themselves.
    EXPECT_EQ(call_as(viewer, "user.me", json::object()).status, CRM_OK);
    EXPECT_EQ(call_as(viewer, "user.list", json::object()).status, CRM_OK);
  }
}

// Unknown and inactive users get no session; a user deactivated meanwhile is refused from the
// next call on, without closing the session.
TEST_F(PermissionTest, UnknownAndInactiveUsersAreRefused) {
  for (const char *user : {"nobody", "gone"}) {
    try {
      client_->open_session(user);
      ADD_FAILURE() << user << " got a session";
    } catch (const host::Error &error) {
      EXPECT_EQ(error.status(), CRM_E_PERMISSION_DENIED) << error.what();
    }
  }
  auto &s2 = as("s2");
  EXPECT_EQ(call_as("s2", "customer.get", {{"id", ids_["s2"]}}).status, CRM_OK);
  const json record = ok("user.get", {{"user_key", "s2"}});
  ok("user.update", {{"user_key", "s2"}, {"version", record["version"]}, {"active", false}});
  auto refused = s2.call(request("customer.get", {{"id", ids_["s2"]}}));
  EXPECT_EQ(refused.status, CRM_E_PERMISSION_DENIED) << refused.body;
  EXPECT_NE(refused.body.find("inactive user"), std::string::npos) << refused.body;
}

// user.me tells the screens who the session is and what it may see.
TEST_F(PermissionTest, UserMeDescribesTheSessionsUser) {
  auto me = call_as("mgr", "user.me", json::object());
  ASSERT_EQ(me.status, CRM_OK) << me.body.dump();
  const json &result = me.body["result"];
  EXPECT_EQ(result["user_key"], "mgr");
  EXPECT_EQ(result["roles"], json::array({"manager"}));
  EXPECT_EQ(result["scope"], "subordinates");
  EXPECT_EQ(result["queues"], json::array({"east"}));
  std::set<std::string> owners(result["sees_owners"].begin(), result["sees_owners"].end());
  EXPECT_EQ(owners, (std::set<std::string>{"mgr", "s1", "s2", "v"}));
  const json capabilities = result["capabilities"];
  EXPECT_NE(std::find(capabilities.begin(), capabilities.end(), "value.sensitive"),
            capabilities.end());
  EXPECT_EQ(std::find(capabilities.begin(), capabilities.end(), "jobs"), capabilities.end());
  auto s1 = call_as("s1", "user.me", json::object()).body["result"];
  EXPECT_EQ(s1["managers"], json::array({"mgr"}));
  EXPECT_EQ(s1["sees_owners"], json::array({"s1"}));
  EXPECT_EQ(ok("user.me")["sees_owners"], nullptr);  // alice sees every customer
}

// The manager hierarchy cannot close a cycle, and a host cycle would not hang the resolution.
TEST_F(PermissionTest, ManagerCyclesAreRefused) {
  const json record = ok("user.get", {{"user_key", "mgr"}});
  rejects("user.update",
          {{"user_key", "mgr"}, {"version", record["version"]}, {"manager_key", "s1"}},
          "invalid_argument", "params.manager_key");
  rejects("user.update",
          {{"user_key", "mgr"}, {"version", record["version"]}, {"manager_key", "mgr"}},
          "invalid_argument", "params.manager_key");
  rejects("user.create", {{"user_key", "new"}, {"name", "n"}, {"manager_key", "nobody"}},
          "not_found", "params.manager_key");
  rejects("user.create", {{"user_key", "new"}, {"name", "n"}, {"roles", {"wizard"}}},
          "invalid_argument", "params.roles[0]");
  rejects("user.create", {{"user_key", "s1"}, {"name", "again"}}, "conflict", "params.user_key");
}

// Every method of the catalog is placed in the matrix above, or said to hold no customer data:
// a new method fails here until its permissions are tested.
TEST_F(PermissionTest, EveryMethodOfTheCatalogIsInTheMatrix) {
  const std::set<std::string> covered = {
      // reads of one customer's data
      "customer.get", "customer.view", "contact.list", "interaction.list", "opportunity.list",
      "opportunity.get", "task.list", "lifecycle.history", "classification.explain", "value.get",
      "customer.first_touch.history", "assignment.explain", "handoff.get",
      // lists and counts
      "customer.list", "value.tiers", "value.migration", "source.report", "handoff.list",
      "handoff.report",
      // writes
      "customer.update", "customer.create", "contact.create", "interaction.log", "task.create",
      "opportunity.create", "opportunity.update", "lifecycle.transition", "task.complete",
      // jobs and administration
      "value.run", "lifecycle.sync", "classification.run", "users.sync", "user.create",
      "team.create",
      // no customer data
      "system.describe", "user.get", "user.list", "user.me", "user.update", "team.get", "team.list",
      "team.update", "calendar.list", "calendar.due", "calendar.between", "source.create",
      "source.update", "source.list", "campaign.create", "campaign.update", "campaign.list",
      // the first touch's correction: source.correct and visibility, in sources_test.cpp
      "customer.first_touch.correct",
      // assignment rules hold no customer data; who may apply them, in assignment_test.cpp
      "assignment.rule.create", "assignment.rule.update", "assignment.rule.list",
      "assignment.apply",
      // answering a hand-off: only its owner, a delegate or a queue member, in handoff_test.cpp
      "handoff.accept", "handoff.return",
      // delegation: the customers a delegation names are checked in delegation_test.cpp
      "delegation.create", "delegation.end", "delegation.list",
      // ownership: who may transfer, and the orphans a manager sees, in ownership_test.cpp
      "ownership.transfer", "ownership.batch.get", "ownership.batch.list", "ownership.orphans"};
  // Covered through the same record checks as a method above (tests/integration name them).
  const std::set<std::string> same_path = {"customer.link_host", "interaction.log_batch",
                                           "opportunity.close", "opportunity.reopen"};
  const json described = ok("system.describe");
  for (const auto &method : described["methods"]) {
    const std::string name = method["name"];
    EXPECT_TRUE(covered.count(name) || same_path.count(name))
        << name << " is not in the permission matrix";
  }
}

// The methods that share a record check with one of the matrix, checked once each here.
TEST_F(PermissionTest, TheMethodsSharingARecordCheckRefuseToo) {
  const json id = ids_["s3"];
  const std::string before = database_.snapshot();
  EXPECT_EQ(call_as("s1", "customer.link_host", {{"id", id}, {"host_key", "K-9"}}).status,
            CRM_E_PERMISSION_DENIED);
  EXPECT_EQ(call_as("s1", "interaction.log_batch",
                    {{"items",
                      {{{"customer_id", ids_["s1"]},
                        {"channel", "tel"},
                        {"direction", "inbound"},
                        {"occurred_at", "2026-11-03T00:00:00Z"}},
                       {{"customer_id", id},
                        {"channel", "tel"},
                        {"direction", "inbound"},
                        {"occurred_at", "2026-11-03T00:00:00Z"}}}}})
                .status,
            CRM_E_PERMISSION_DENIED);
  EXPECT_EQ(
      call_as("s1", "opportunity.close",
              {{"id", opportunities_["s3"]}, {"version", 1}, {"outcome", "lost"}, {"reason", "x"}})
          .status,
      CRM_E_PERMISSION_DENIED);
  EXPECT_EQ(database_.snapshot(), before);
  // A host key held by a customer s1 does not see is "another customer"'s, without its id.
  ok("customer.link_host", {{"id", id}, {"host_key", "KEY-S-THREE"}});
  auto taken =
      call_as("s1", "customer.link_host", {{"id", ids_["s1"]}, {"host_key", "KEY-S-THREE"}});
  EXPECT_EQ(taken.status, CRM_E_CONFLICT) << taken.body.dump();
  const std::string message = taken.body["error"]["message"];
  EXPECT_NE(message.find("another customer"), std::string::npos) << message;
  EXPECT_EQ(message.find(id.get<std::string>()), std::string::npos) << message;
}

}  // namespace
}  // namespace crm::test
