// Visibility by long lists, on each database: a manager above more people, and a delegate of more
// chosen customers, than one statement binds element by element (sql::kMaxBoundList). Past it
// the list travels as one JSON parameter that the database unpacks, so no driver's parameter
// limit (psqlODBC fails near 7,500) caps how many people a manager may have.
#include <set>
#include <string>

#include "fixture.hpp"

namespace crm::test {
namespace {

constexpr int kPastOneBoundList = 501;  // sql::kMaxBoundList + 1

class VisibilityListsTest : public ApiTest {
 protected:
  // Every id of customer.list as user, page by page.
  std::set<std::string> listed(const std::string &user, int limit) {
    std::set<std::string> ids;
    json params = {{"limit", limit}};
    for (;;) {
      json page = as(user, "customer.list", params);
      for (const auto &item : page["items"]) ids.insert(item["id"].get<std::string>());
      if (page["next_cursor"].is_null()) return ids;
      params["cursor"] = page["next_cursor"];
    }
  }
};

TEST_F(VisibilityListsTest, AManagerAboveMoreThanOneBoundListOfPeopleSeesEachOfThem) {
  user("mgr", {"manager"});
  for (int i = 0; i < kPastOneBoundList; ++i)
    user("s" + std::to_string(i), {"sales"}, {{"manager_key", "mgr"}});
  user("outsider", {"sales"});
  user("other_mgr", {"manager"});
  EXPECT_EQ(as("mgr", "user.me", json::object())["sees_owners"].size(), kPastOneBoundList + 1u);
  const std::string first = customer("第一位的客户", {{"owner", "s0"}})["id"];
  const std::string last =
      customer("最后一位的客户", {{"owner", "s" + std::to_string(kPastOneBoundList - 1)}})["id"];
  const std::string outside = customer("外人的客户", {{"owner", "outsider"}})["id"];

  EXPECT_EQ(listed("mgr", 1), (std::set<std::string>{first, last}));
  EXPECT_EQ(as("mgr", "customer.get", {{"id", last}})["name"], "最后一位的客户");
  EXPECT_EQ(status_as("mgr", "customer.get", {{"id", outside}}), CRM_E_PERMISSION_DENIED);
  // The same list in a statement of another area: the transfer batches the manager may see.
  as("mgr", "ownership.transfer",
     {{"from", "s0"}, {"to", "s" + std::to_string(kPastOneBoundList - 1)}, {"reason", "调岗"}});
  EXPECT_EQ(as("mgr", "ownership.batch.list", json::object())["items"].size(), 1u);
  EXPECT_EQ(as("other_mgr", "ownership.batch.list", json::object())["items"].size(), 0u);
  EXPECT_EQ(as("mgr", "customer.get", {{"id", first}})["owner"],
            "s" + std::to_string(kPastOneBoundList - 1));
}

TEST_F(VisibilityListsTest, ADelegateOfMoreThanOneBoundListOfCustomersSeesExactlyThem) {
  user("a", {"sales"});
  user("c", {"sales"});
  json chosen = json::array();
  std::set<std::string> expected;
  for (int i = 0; i < kPastOneBoundList; ++i) {
    const std::string id = customer("代理客户 " + std::to_string(i), {{"owner", "a"}})["id"];
    chosen.push_back(id);
    expected.insert(id);
  }
  const std::string left_out = customer("不在代理内", {{"owner", "a"}})["id"];
  as("a", "delegation.create",
     {{"delegate", "c"},
      {"starts_at", "2000-01-01T00:00:00Z"},
      {"ends_at", "2999-01-01T00:00:00Z"},
      {"customer_ids", chosen},
      {"reason", "出差"}});
  EXPECT_EQ(listed("c", 200), expected) << "the chosen customers, and not the one left out";
  EXPECT_EQ(as("c", "customer.get", {{"id", chosen.back()}})["owner"], "a");
  EXPECT_EQ(status_as("c", "customer.get", {{"id", left_out}}), CRM_E_PERMISSION_DENIED);
}

}  // namespace
}  // namespace crm::test
