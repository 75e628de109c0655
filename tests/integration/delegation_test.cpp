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

  int status_as(const std::string &user, const std::string &method, const json &params) {
    auto session = client_->open_session(user);
    return session.call(request(method, params)).status;
  }
  json ok_as(const std::string &user, const std::string &method, const json &params) {
    auto session = client_->open_session(user);
    return ok_on(session, method, params);
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
      ok_as("a", "delegation.create",
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
  json moved = ok_as("c", "lifecycle.transition",
                     {{"customer_id", a_first_}, {"to", "potential"}, {"reason_code", "call"}});
  EXPECT_EQ(moved["event"]["actor"], "c");
  EXPECT_EQ(moved["event"]["on_behalf_of"], "a");
  EXPECT_EQ(ok_as("c", "user.me", json::object())["acting_for"], json::array({"a"}));
  std::this_thread::sleep_until(std::chrono::system_clock::now() + std::chrono::milliseconds(1600));
  EXPECT_FALSE(sees("c", a_first_)) << "after the window";
  EXPECT_EQ(ok_as("a", "delegation.list", json::object())["items"][0]["status"], "ended");
}

TEST_F(DelegationTest, ChosenCustomersOnly) {
  ok_as("a", "delegation.create",
        {{"delegate", "c"},
         {"ends_at", "2099-01-01T00:00:00Z"},
         {"customer_ids", {a_first_}},
         {"reason", "只交接一家"}});
  EXPECT_TRUE(sees("c", a_first_));
  EXPECT_FALSE(sees("c", a_second_));
  auto list = ok_as("c", "customer.list", json::object());
  ASSERT_EQ(list["items"].size(), 1u);
  EXPECT_EQ(list["items"][0]["id"], a_first_);
}

TEST_F(DelegationTest, ChainsAreNotTransitiveAndOverlapsAreDefined) {
  ok_as("a", "delegation.create",
        {{"delegate", "b"}, {"ends_at", "2099-01-01T00:00:00Z"}, {"reason", "a 休假"}});
  ok_as("b", "delegation.create",
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
  ok_as("a", "delegation.create",
        {{"delegate", "c"}, {"ends_at", "2099-01-01T00:00:00Z"}, {"reason", "两人分担"}});
  EXPECT_TRUE(sees("c", a_first_));
}

TEST_F(DelegationTest, EndingEarlyAndDeactivatingTheDelegatorEndIt) {
  json first = ok_as("a", "delegation.create",
                     {{"delegate", "c"}, {"ends_at", "2099-01-01T00:00:00Z"}, {"reason", "r"}});
  EXPECT_TRUE(sees("c", a_first_));
  json ended = ok_as("c", "delegation.end", {{"id", first["id"]}});
  EXPECT_EQ(ended["status"], "ended");
  EXPECT_EQ(ended["ended_by"], "c");
  EXPECT_FALSE(sees("c", a_first_));
  EXPECT_EQ(status_as("c", "delegation.end", {{"id", first["id"]}}), CRM_E_CONFLICT);

  ok_as("b", "delegation.create",
        {{"delegate", "c"}, {"ends_at", "2099-01-01T00:00:00Z"}, {"reason", "r"}});
  EXPECT_TRUE(sees("c", b_customer_));
  json b = ok("user.get", {{"user_key", "b"}});
  ok("user.update", {{"user_key", "b"}, {"version", b["version"]}, {"active", false}});
  EXPECT_FALSE(sees("c", b_customer_)) << "a delegation does not outlive its delegator";
  json listed = ok_as("c", "delegation.list", {{"as", "delegate"}});
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

}  // namespace
}  // namespace crm::test
