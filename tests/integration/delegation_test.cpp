// Delegation (工作代理) on a real database: a delegate sees and works the delegator's customers
// within the window only, judged at every call; chains, overlaps, early ends and the
// delegator's deactivation have one defined outcome each.
#include <chrono>
#include <thread>

#include "fixture.hpp"

namespace crm::test {
namespace {

class DelegationTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    user("mgr", {"manager"});
    user("a", {"sales"}, {{"manager_key", "mgr"}});
    user("b", {"sales"}, {{"manager_key", "mgr"}});
    user("c", {"sales"});
    a_first_ = customer("A 的客户一", {{"owner", "a"}})["id"];
    a_second_ = customer("A 的客户二", {{"owner", "a"}})["id"];
    b_customer_ = customer("B 的客户", {{"owner", "b"}})["id"];
  }

  bool sees(const std::string &user, const json &customer) {
    return status_as(user, "customer.get", {{"id", customer}}) == CRM_OK;
  }
  static std::string in(std::chrono::milliseconds offset) {
    const auto at = std::chrono::system_clock::now() + offset;
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(at.time_since_epoch()).count();
    const std::time_t seconds = micros / 1000000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[64];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", utc.tm_year + 1900,
                  utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                  static_cast<long long>(micros % 1000000));
    return text;
  }

  json a_first_, a_second_, b_customer_;
};

TEST_F(DelegationTest, TheDelegateWorksTheDelegatorsCustomersWithinTheWindowOnly) {
  EXPECT_FALSE(sees("c", a_first_));
  // Starts a moment from now, to the microsecond as given, and ends a moment later.
  const std::string starts = in(std::chrono::milliseconds(1500));
  const std::string ends = in(std::chrono::milliseconds(3000));
  json created =
      as("a", "delegation.create",
         {{"delegate", "c"}, {"starts_at", starts}, {"ends_at", ends}, {"reason", "年假"}});
  EXPECT_EQ(created["starts_at"], starts);
  EXPECT_EQ(created["ends_at"], ends);
  EXPECT_EQ(created["status"], "scheduled");
  EXPECT_EQ(created["scope"], "everything");
  EXPECT_FALSE(sees("c", a_first_)) << "before the window";
  std::this_thread::sleep_until(std::chrono::system_clock::now() + std::chrono::milliseconds(1700));
  EXPECT_TRUE(sees("c", a_first_)) << "inside the window";
  EXPECT_TRUE(sees("c", a_second_));
  EXPECT_FALSE(sees("c", b_customer_)) << "only the delegator's customers";
  // Working a delegator's customer records whom it was done for.
  json moved = as("c", "lifecycle.transition",
                  {{"customer_id", a_first_}, {"to", "potential"}, {"reason_code", "call"}});
  EXPECT_EQ(moved["event"]["actor"], "c");
  EXPECT_EQ(moved["event"]["on_behalf_of"], "a");
  EXPECT_EQ(as("c", "user.me", json::object())["acting_for"], json::array({"a"}));
  std::this_thread::sleep_until(std::chrono::system_clock::now() + std::chrono::milliseconds(1600));
  EXPECT_FALSE(sees("c", a_first_)) << "after the window";
  EXPECT_EQ(as("a", "delegation.list", json::object())["items"][0]["status"], "ended");
}

TEST_F(DelegationTest, ChosenCustomersOnly) {
  as("a", "delegation.create",
     {{"delegate", "c"},
      {"ends_at", "2099-01-01T00:00:00Z"},
      {"customer_ids", {a_first_}},
      {"reason", "只交接一家"}});
  EXPECT_TRUE(sees("c", a_first_));
  EXPECT_FALSE(sees("c", a_second_));
  auto list = as("c", "customer.list", json::object());
  ASSERT_EQ(list["items"].size(), 1u);
  EXPECT_EQ(list["items"][0]["id"], a_first_);
}

TEST_F(DelegationTest, ChainsAreNotTransitiveAndOverlapsAreDefined) {
  as("a", "delegation.create",
     {{"delegate", "b"}, {"ends_at", "2099-01-01T00:00:00Z"}, {"reason", "a 休假"}});
  as("b", "delegation.create",
     {{"delegate", "c"}, {"ends_at", "2099-01-01T00:00:00Z"}, {"reason", "b 出差"}});
  EXPECT_TRUE(sees("b", a_first_));
  EXPECT_TRUE(sees("c", b_customer_));
  EXPECT_FALSE(sees("c", a_first_)) << "c covers b's own work, not what b covers for a";
  // A second window for the same pair while one runs is a conflict; another delegate is fine.
  auto session = client_->open_session("a");
  auto overlap = session.call(
      request("delegation.create",
              {{"delegate", "b"}, {"ends_at", "2098-01-01T00:00:00Z"}, {"reason", "again"}}));
  EXPECT_EQ(overlap.status, CRM_E_CONFLICT) << overlap.body;
  as("a", "delegation.create",
     {{"delegate", "c"}, {"ends_at", "2099-01-01T00:00:00Z"}, {"reason", "两人分担"}});
  EXPECT_TRUE(sees("c", a_first_));
}

TEST_F(DelegationTest, EndingEarlyAndDeactivatingTheDelegatorEndIt) {
  json first = as("a", "delegation.create",
                  {{"delegate", "c"}, {"ends_at", "2099-01-01T00:00:00Z"}, {"reason", "r"}});
  EXPECT_TRUE(sees("c", a_first_));
  json ended = as("c", "delegation.end", {{"id", first["id"]}});
  EXPECT_EQ(ended["status"], "ended");
  EXPECT_EQ(ended["ended_by"], "c");
  EXPECT_FALSE(sees("c", a_first_));
  EXPECT_EQ(status_as("c", "delegation.end", {{"id", first["id"]}}), CRM_E_CONFLICT);

  as("b", "delegation.create",
     {{"delegate", "c"}, {"ends_at", "2099-01-01T00:00:00Z"}, {"reason", "r"}});
  EXPECT_TRUE(sees("c", b_customer_));
  json b = ok("user.get", {{"user_key", "b"}});
  ok("user.update", {{"user_key", "b"}, {"version", b["version"]}, {"active", false}});
  EXPECT_FALSE(sees("c", b_customer_)) << "a delegation does not outlive its delegator";
  json listed = as("c", "delegation.list", {{"as", "delegate"}});
  bool reported = false;
  for (const auto &item : listed["items"])
    if (item["delegator"] == "b") reported = !item["delegator_active"].get<bool>();
  EXPECT_TRUE(reported) << listed;
}

TEST_F(DelegationTest, WhoMayArrangeWhat) {
  // The manager arranges cover for a subordinate; a peer may not, nor cover for the unseen.
  EXPECT_EQ(status_as("mgr", "delegation.create",
                      {{"delegate", "c"},
                       {"delegator", "a"},
                       {"ends_at", "2099-01-01T00:00:00Z"},
                       {"reason", "安排"}}),
            CRM_OK);
  user("left", {"sales"}, {{"active", false}});
  const std::string before = database_.snapshot();
  EXPECT_EQ(status_as("b", "delegation.create",
                      {{"delegate", "c"},
                       {"delegator", "a"},
                       {"ends_at", "2099-01-01T00:00:00Z"},
                       {"reason", "r"}}),
            CRM_E_PERMISSION_DENIED);
  EXPECT_EQ(status_as("a", "delegation.create",
                      {{"delegate", "c"},
                       {"ends_at", "2099-01-01T00:00:00Z"},
                       {"customer_ids", {b_customer_}},
                       {"reason", "r"}}),
            CRM_E_PERMISSION_DENIED);
  EXPECT_EQ(status_as("a", "delegation.create",
                      {{"delegate", "a"}, {"ends_at", "2099-01-01T00:00:00Z"}, {"reason", "r"}}),
            CRM_E_INVALID_ARGUMENT);
  EXPECT_EQ(status_as("a", "delegation.create",
                      {{"delegate", "c"}, {"ends_at", "2020-01-01T00:00:00Z"}, {"reason", "r"}}),
            CRM_E_INVALID_ARGUMENT);
  EXPECT_EQ(
      status_as("a", "delegation.create",
                {{"delegate", "nobody"}, {"ends_at", "2099-01-01T00:00:00Z"}, {"reason", "r"}}),
      CRM_E_NOT_FOUND);
  EXPECT_EQ(status_as("a", "delegation.create",
                      {{"delegate", "left"}, {"ends_at", "2099-01-01T00:00:00Z"}, {"reason", "r"}}),
            CRM_E_INVALID_ARGUMENT);
  EXPECT_EQ(status_as("b", "delegation.list", {{"user", "a"}}), CRM_E_PERMISSION_DENIED);
  EXPECT_EQ(database_.snapshot(), before);
}

// The responsible user's field of a record: on_behalf_of of an interaction,
// updated_on_behalf_of of a customer, an opportunity or a task (null, or the user's key).
json for_whom(const json &record) {
  return record.contains("on_behalf_of") ? record["on_behalf_of"] : record["updated_on_behalf_of"];
}

// Every write a delegate does of the delegator's work records the delegate as its user and the
// delegator as whom it was done for; the owner's own writes and an administrator's (who sees
// everything but covers nobody) record nobody, and clear the mark a delegate's write left.
TEST_F(DelegationTest, EveryWriteOfTheDelegatorsWorkRecordsWhomItWasDoneFor) {
  const json own = customer("C 自己的客户", {{"owner", "c"}})["id"];
  const json delegation =
      as("a", "delegation.create",
         {{"delegate", "c"}, {"ends_at", "2099-01-01T00:00:00Z"}, {"reason", "产假"}});

  // Interactions: one, and a batch mixing the delegator's customers and the delegate's own.
  json logged = as("c", "interaction.log",
                   {{"customer_id", a_first_},
                    {"channel", "tel"},
                    {"direction", "outbound"},
                    {"occurred_at", "2026-11-30T09:00:00Z"},
                    {"subject", "代理回访"}});
  EXPECT_EQ(logged["logged_by"], "c");
  EXPECT_EQ(logged["on_behalf_of"], "a");
  EXPECT_EQ(logged["subject"], "代理回访");
  json batch = as("c", "interaction.log_batch",
                  {{"items",
                    {{{"customer_id", a_second_},
                      {"channel", "email"},
                      {"direction", "outbound"},
                      {"occurred_at", "2026-11-30T10:00:00Z"}},
                     {{"customer_id", own},
                      {"channel", "email"},
                      {"direction", "outbound"},
                      {"occurred_at", "2026-11-30T10:00:00Z"}},
                     {{"customer_id", a_first_},
                      {"channel", "sms"},
                      {"direction", "inbound"},
                      {"occurred_at", "2026-11-30T11:00:00Z"}}}}});
  ASSERT_EQ(batch["count"], 3);
  auto interactions = [&](const json &customer_id) {
    return ok("interaction.list", {{"customer_id", customer_id}})["items"];
  };
  ASSERT_EQ(interactions(a_second_).size(), 1u);
  EXPECT_EQ(interactions(a_second_)[0]["on_behalf_of"], "a");
  EXPECT_EQ(interactions(own)[0]["on_behalf_of"], nullptr) << "the delegate's own customer";
  const json first_items = interactions(a_first_);
  ASSERT_EQ(first_items.size(), 2u);
  for (const auto &item : first_items) {
    EXPECT_EQ(item["on_behalf_of"], "a") << item;
    EXPECT_EQ(item["logged_by"], "c") << item;
  }

  // The customer: an update, a host link, a stage move; and a new customer made for a.
  json customer = ok("customer.get", {{"id", a_first_}});
  json updated =
      as("c", "customer.update",
         {{"id", a_first_}, {"version", customer["version"]}, {"name", "代理改名的客户一"}});
  EXPECT_EQ(updated["name"], "代理改名的客户一");
  EXPECT_EQ(updated["updated_by"], "c");
  EXPECT_EQ(updated["updated_on_behalf_of"], "a");
  EXPECT_EQ(ok("customer.get", {{"id", a_first_}})["updated_on_behalf_of"], "a");
  json linked = as("c", "customer.link_host", {{"id", a_second_}, {"host_key", "ERP-代理-1"}});
  EXPECT_EQ(linked["updated_by"], "c");
  EXPECT_EQ(linked["updated_on_behalf_of"], "a");
  json moved = as("c", "lifecycle.transition",
                  {{"customer_id", a_second_}, {"to", "potential"}, {"reason_code", "call"}});
  EXPECT_EQ(moved["event"]["on_behalf_of"], "a");
  EXPECT_EQ(ok("customer.get", {{"id", a_second_}})["updated_on_behalf_of"], "a");
  json made_for_a = as("c", "customer.create", {{"name", "为 A 新建"}, {"owner", "a"}});
  EXPECT_EQ(made_for_a["created_by"], "c");
  EXPECT_EQ(made_for_a["updated_on_behalf_of"], "a");
  json history = ok("lifecycle.history", {{"customer_id", made_for_a["id"]}})["items"];
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0]["on_behalf_of"], "a");
  EXPECT_EQ(as("c", "customer.create", {{"name", "C 的新客户"}})["updated_on_behalf_of"], nullptr)
      << "a customer the delegate creates for themselves";

  // An opportunity of a's: created, updated, closed, reopened by the delegate.
  json opportunity = as("c", "opportunity.create",
                        {{"customer_id", a_first_}, {"name", "代理的商机"}, {"owner", "a"}});
  EXPECT_EQ(opportunity["created_by"], "c");
  EXPECT_EQ(opportunity["updated_on_behalf_of"], "a");
  json changed = as("c", "opportunity.update",
                    {{"id", opportunity["id"]}, {"version", 1}, {"stage", "develop"}});
  EXPECT_EQ(changed["updated_by"], "c");
  EXPECT_EQ(changed["updated_on_behalf_of"], "a");
  json closed =
      as("c", "opportunity.close", {{"id", opportunity["id"]}, {"version", 2}, {"outcome", "won"}});
  EXPECT_EQ(closed["updated_on_behalf_of"], "a");
  EXPECT_EQ(ok("opportunity.get", {{"id", opportunity["id"]}})["updated_on_behalf_of"], "a");
  json listed = ok("opportunity.list", {{"customer_id", a_first_}})["items"];
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["updated_on_behalf_of"], "a");
  // Without an owner, the delegate's new opportunity on a's customer is a's, done for a: it stays
  // with a's work when the delegation ends. Named as their own, it is nobody else's work; on the
  // delegate's own customer the default is the delegate.
  json defaulted =
      as("c", "opportunity.create", {{"customer_id", a_first_}, {"name", "代理新建的商机"}});
  EXPECT_EQ(defaulted["owner"], "a");
  EXPECT_EQ(defaulted["updated_on_behalf_of"], "a");
  json named_self = as("c", "opportunity.create",
                       {{"customer_id", a_first_}, {"name", "C 自己跟的商机"}, {"owner", "c"}});
  EXPECT_EQ(named_self["owner"], "c");
  EXPECT_EQ(named_self["updated_on_behalf_of"], nullptr);
  json on_own = as("c", "opportunity.create", {{"customer_id", own}, {"name", "C 客户的商机"}});
  EXPECT_EQ(on_own["owner"], "c");
  EXPECT_EQ(on_own["updated_on_behalf_of"], nullptr);

  // A task of a's: created and completed by the delegate.
  json task = as("c", "task.create",
                 {{"customer_id", a_first_},
                  {"title", "代理跟进"},
                  {"due_at", "2026-12-31T00:00:00Z"},
                  {"owner", "a"}});
  EXPECT_EQ(task["created_by"], "c");
  EXPECT_EQ(task["updated_on_behalf_of"], "a");
  json done = as("c", "task.complete", {{"id", task["id"]}, {"note", "已电话确认"}});
  EXPECT_EQ(done["task"]["completed_by"], "c");
  EXPECT_EQ(done["task"]["updated_on_behalf_of"], "a");
  json tasks = ok("task.list", {{"customer_id", a_first_}, {"status", "done"}})["items"];
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0]["updated_on_behalf_of"], "a");
  json default_task = as(
      "c", "task.create",
      {{"customer_id", a_first_}, {"title", "代理新建的任务"}, {"due_at", "2026-12-31T00:00:00Z"}});
  EXPECT_EQ(default_task["owner"], "a");
  EXPECT_EQ(default_task["updated_on_behalf_of"], "a");
  json own_task =
      as("c", "task.create",
         {{"customer_id", own}, {"title", "自己的任务"}, {"due_at", "2026-12-31T00:00:00Z"}});
  EXPECT_EQ(own_task["owner"], "c");
  EXPECT_EQ(own_task["updated_on_behalf_of"], nullptr);

  // The owner acting themselves records nobody, and their write clears the delegate's mark.
  json by_owner = as("a", "customer.update",
                     {{"id", a_first_}, {"version", updated["version"]}, {"phone", "010-1"}});
  EXPECT_EQ(by_owner["updated_by"], "a");
  EXPECT_EQ(by_owner["updated_on_behalf_of"], nullptr);
  EXPECT_EQ(as("a", "interaction.log",
               {{"customer_id", a_first_},
                {"channel", "tel"},
                {"direction", "inbound"},
                {"occurred_at", "2026-11-30T12:00:00Z"}})["on_behalf_of"],
            nullptr);
  json reopened = as("a", "opportunity.reopen",
                     {{"id", opportunity["id"]}, {"version", 3}, {"reason", "客户追加"}});
  EXPECT_EQ(reopened["updated_by"], "a");
  EXPECT_EQ(reopened["updated_on_behalf_of"], nullptr);

  // An administrator sees every customer but covers nobody's work.
  json by_admin =
      ok("customer.update", {{"id", a_second_},
                             {"version", ok("customer.get", {{"id", a_second_}})["version"]},
                             {"region", "华北"}});
  EXPECT_EQ(by_admin["updated_by"], "alice");
  EXPECT_EQ(by_admin["updated_on_behalf_of"], nullptr);
  EXPECT_EQ(ok("interaction.log", {{"customer_id", a_second_},
                                   {"channel", "web"},
                                   {"direction", "inbound"},
                                   {"occurred_at", "2026-11-30T13:00:00Z"}})["on_behalf_of"],
            nullptr);
  json admin_task = ok("task.create", {{"customer_id", a_first_},
                                       {"title", "管理员代办"},
                                       {"due_at", "2026-12-31T00:00:00Z"},
                                       {"owner", "a"}});
  EXPECT_EQ(admin_task["updated_on_behalf_of"], nullptr);

  // Once the delegation ends, the delegate is refused and nothing is written.
  as("a", "delegation.end", {{"id", delegation["id"]}});
  const std::string before = database_.snapshot();
  EXPECT_EQ(status_as("c", "customer.update",
                      {{"id", a_first_}, {"version", by_owner["version"]}, {"name", "不许"}}),
            CRM_E_PERMISSION_DENIED);
  EXPECT_EQ(status_as("c", "interaction.log",
                      {{"customer_id", a_first_},
                       {"channel", "tel"},
                       {"direction", "outbound"},
                       {"occurred_at", "2026-11-30T14:00:00Z"}}),
            CRM_E_PERMISSION_DENIED);
  EXPECT_EQ(database_.snapshot(), before);
}

// A delegation of chosen customers covers those customers only: a delegate who sees the
// delegator's other customers by role (the manager) records the delegator for the chosen ones
// and nobody for the rest.
TEST_F(DelegationTest, AChosenCustomersDelegationRecordsItForThoseCustomersOnly) {
  as("a", "delegation.create",
     {{"delegate", "mgr"},
      {"ends_at", "2099-01-01T00:00:00Z"},
      {"customer_ids", {a_first_}},
      {"reason", "只交接一家"}});
  as("a", "delegation.create",
     {{"delegate", "c"},
      {"ends_at", "2099-01-01T00:00:00Z"},
      {"customer_ids", {a_first_}},
      {"reason", "只交接一家"}});
  EXPECT_EQ(as("mgr", "user.me", json::object())["acting_for"], json::array({"a"}));
  auto update_as = [&](const std::string &user, const json &id, const std::string &name) {
    json current = ok("customer.get", {{"id", id}});
    return as(user, "customer.update",
              {{"id", id}, {"version", current["version"]}, {"name", name}});
  };
  EXPECT_EQ(update_as("mgr", a_first_, "经理代管的客户")["updated_on_behalf_of"], "a");
  json not_chosen = update_as("mgr", a_second_, "经理自己管的客户");
  EXPECT_EQ(not_chosen["updated_by"], "mgr");
  EXPECT_EQ(not_chosen["updated_on_behalf_of"], nullptr) << "not a delegated customer";
  auto log_as = [&](const std::string &user, const json &id) {
    return as(user, "interaction.log",
              {{"customer_id", id},
               {"channel", "face_to_face"},
               {"direction", "outbound"},
               {"occurred_at", "2026-11-30T09:00:00Z"}});
  };
  EXPECT_EQ(for_whom(log_as("mgr", a_first_)), "a");
  EXPECT_EQ(for_whom(log_as("mgr", a_second_)), nullptr);
  EXPECT_EQ(for_whom(log_as("c", a_first_)), "a");
  json opportunity = as("mgr", "opportunity.create",
                        {{"customer_id", a_second_}, {"name", "经理的商机"}, {"owner", "a"}});
  EXPECT_EQ(for_whom(opportunity), nullptr) << "a's opportunity, but of a customer not delegated";
  EXPECT_EQ(for_whom(as("mgr", "opportunity.create",
                        {{"customer_id", a_first_}, {"name", "代管商机"}, {"owner", "a"}})),
            "a");
  EXPECT_EQ(status_as("c", "customer.update",
                      {{"id", a_second_},
                       {"version", ok("customer.get", {{"id", a_second_}})["version"]},
                       {"name", "不许"}}),
            CRM_E_PERMISSION_DENIED)
      << "c sees the chosen customer only";
}

}  // namespace
}  // namespace crm::test
