#include <set>

#include "fixture.hpp"

namespace crm::test {
namespace {

class CustomerTest : public ApiTest {};

TEST_F(CustomerTest, CreateStoresEveryFieldAndDefaults) {
  json created = ok("customer.create", {{"name", "Northwind Traders"},
                                        {"phone", "+1 206 555 0100"},
                                        {"email", "orders@northwind.example.com"},
                                        {"address", "1 Main St, Seattle"},
                                        {"region", "North America"},
                                        {"industry", "wholesale"},
                                        {"source", "website"},
                                        {"attributes", {{"tier", "gold"}, {"credit_days", 30}}}});
  EXPECT_EQ(created["kind"], "company");
  EXPECT_EQ(created["stage"], "unidentified");
  EXPECT_EQ(created["owner"], "alice");
  EXPECT_EQ(created["created_by"], "alice");
  EXPECT_EQ(created["updated_by"], "alice");
  EXPECT_EQ(created["version"], 1);
  EXPECT_TRUE(created["host_key"].is_null());
  EXPECT_EQ(created["attributes"]["credit_days"], 30);
  EXPECT_TRUE(created["id"].is_string());
  // Times come back in UTC with an offset designator.
  const std::string at = created["created_at"];
  EXPECT_EQ(at.back(), 'Z') << at;
  EXPECT_EQ(at[10], 'T') << at;

  json fetched = ok("customer.get", {{"id", created["id"]}});
  EXPECT_EQ(fetched, created);
}

TEST_F(CustomerTest, CreateHonoursKindStageAndOwner) {
  json created = customer("张伟", {{"kind", "person"}, {"stage", "potential"}, {"owner", "bob"}});
  EXPECT_EQ(created["kind"], "person");
  EXPECT_EQ(created["stage"], "potential");
  EXPECT_EQ(created["owner"], "bob");
  EXPECT_EQ(created["created_by"], "alice");
}

TEST_F(CustomerTest, IdsAreDistinctAndIncreasing) {
  std::set<long long> ids;
  long long previous = 0;
  for (int i = 0; i < 70; ++i) {  // crosses the allocator's block of 64
    long long id = std::stoll(customer("c" + std::to_string(i))["id"].get<std::string>());
    EXPECT_GT(id, previous);
    previous = id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 70u);
}

TEST_F(CustomerTest, UpdateChangesFieldsAndBumpsVersion) {
  json created = customer("Old name", {{"phone", "123"}, {"region", "East"}});
  json updated =
      ok("customer.update",
         {{"id", created["id"]}, {"version", 1}, {"name", "New name"}, {"phone", nullptr}});
  EXPECT_EQ(updated["name"], "New name");
  EXPECT_TRUE(updated["phone"].is_null());
  EXPECT_EQ(updated["region"], "East");  // untouched
  EXPECT_EQ(updated["version"], 2);
  EXPECT_EQ(updated["created_at"], created["created_at"]);
  EXPECT_EQ(ok("customer.get", {{"id", created["id"]}}), updated);
}

TEST_F(CustomerTest, StaleVersionIsAConflictAndChangesNothing) {
  json created = customer("Contoso");
  ok("customer.update", {{"id", created["id"]}, {"version", 1}, {"region", "West"}});
  json failure =
      rejects("customer.update", {{"id", created["id"]}, {"version", 1}, {"region", "South"}},
              "conflict", "params.version");
  EXPECT_NE(failure["message"].get<std::string>().find("version 2"), std::string::npos)
      << failure.dump();
  EXPECT_EQ(ok("customer.get", {{"id", created["id"]}})["region"], "West");
}

TEST_F(CustomerTest, ConcurrentUpdatesNeverLoseAWrite) {
  json created = customer("Shared");
  user("bob");
  auto other = client_->open_session("bob");
  ok("customer.update", {{"id", created["id"]}, {"version", 1}, {"phone", "1"}});
  auto response = other.call(
      request("customer.update", {{"id", created["id"]}, {"version", 1}, {"email", "x@y.z"}}));
  EXPECT_EQ(response.status, CRM_E_CONFLICT) << response.body;
  json current = ok("customer.get", {{"id", created["id"]}});
  EXPECT_EQ(current["phone"], "1");
  EXPECT_TRUE(current["email"].is_null());
}

TEST_F(CustomerTest, UpdateRejectsBadRequests) {
  json created = customer("Fabrikam");
  rejects("customer.update", {{"id", created["id"]}, {"version", 1}}, "invalid_argument", "params");
  rejects("customer.update", {{"id", created["id"]}, {"version", 1}, {"name", nullptr}},
          "invalid_argument", "params.name");
  rejects("customer.update", {{"id", created["id"]}, {"version", 1}, {"name", "  "}},
          "invalid_argument", "params.name");
  rejects("customer.update", {{"id", created["id"]}, {"name", "x"}}, "invalid_argument",
          "params.version");
  rejects("customer.update", {{"id", created["id"]}, {"version", 1}, {"stage", "customer"}},
          "invalid_argument", "params.stage");
  rejects("customer.update", {{"id", "999999"}, {"version", 1}, {"name", "x"}}, "not_found",
          "params.id");
}

TEST_F(CustomerTest, GetUnknownIdIsNotFound) {
  rejects("customer.get", {{"id", "424242"}}, "not_found", "params.id");
}

TEST_F(CustomerTest, ListFiltersByStageOwnerAndSearch) {
  customer("Northwind Traders", {{"email", "orders@northwind.example.com"}});
  customer("华联超市（北京）有限公司", {{"stage", "potential"}, {"phone", "+86 10 6512 3456"}});
  customer("Contoso 50% Off", {{"owner", "bob"}});
  customer("Contoso 50 Percent", {{"owner", "bob"}, {"stage", "potential"}});

  auto names = [&](const json &params) {
    std::vector<std::string> out;
    const json page = ok("customer.list", params);
    for (const auto &item : page["items"]) out.push_back(item["name"]);
    return out;
  };
  EXPECT_EQ(names({{"stage", "potential"}}),
            (std::vector<std::string>{"华联超市（北京）有限公司", "Contoso 50 Percent"}));
  EXPECT_EQ(names({{"owner", "bob"}}),
            (std::vector<std::string>{"Contoso 50% Off", "Contoso 50 Percent"}));
  EXPECT_EQ(names({{"owner", "bob"}, {"stage", "potential"}}),
            (std::vector<std::string>{"Contoso 50 Percent"}));
  // Case-insensitive on ASCII, substring on Chinese, on name, phone and e-mail.
  EXPECT_EQ(names({{"search", "NORTHWIND"}}), (std::vector<std::string>{"Northwind Traders"}));
  EXPECT_EQ(names({{"search", "超市"}}), (std::vector<std::string>{"华联超市（北京）有限公司"}));
  EXPECT_EQ(names({{"search", "6512"}}), (std::vector<std::string>{"华联超市（北京）有限公司"}));
  EXPECT_EQ(names({{"search", "orders@"}}), (std::vector<std::string>{"Northwind Traders"}));
  // LIKE metacharacters match literally.
  EXPECT_EQ(names({{"search", "50%"}}), (std::vector<std::string>{"Contoso 50% Off"}));
  EXPECT_EQ(names({{"search", "_"}}), (std::vector<std::string>{}));
  EXPECT_EQ(names({{"search", "nobody"}}), (std::vector<std::string>{}));
}

TEST_F(CustomerTest, ListPagesWithCursorsWithoutGapsOrRepeats) {
  std::vector<std::string> created;
  for (int i = 0; i < 23; ++i) created.push_back(customer("Customer " + std::to_string(i))["id"]);
  std::vector<std::string> seen;
  json params = {{"limit", 10}};
  std::vector<std::size_t> page_sizes;
  for (;;) {
    json page = ok("customer.list", params);
    page_sizes.push_back(page["items"].size());
    for (const auto &item : page["items"]) seen.push_back(item["id"]);
    if (page["next_cursor"].is_null()) break;
    params["cursor"] = page["next_cursor"];
  }
  EXPECT_EQ(page_sizes, (std::vector<std::size_t>{10, 10, 3}));
  EXPECT_EQ(seen, created);
}

TEST_F(CustomerTest, ListRejectsForeignCursors) {
  customer("A");
  rejects("customer.list", {{"cursor", "not-a-cursor"}}, "invalid_argument", "params.cursor");
  rejects("customer.list", {{"cursor", "c1.WyJ4Il0"}}, "invalid_argument", "params.cursor");
  rejects("customer.list", {{"limit", 0}}, "invalid_argument", "params.limit");
  rejects("customer.list", {{"limit", 501}}, "invalid_argument", "params.limit");
  rejects("customer.list", {{"stage", "vip"}}, "invalid_argument", "params.stage");
}

TEST_F(CustomerTest, LinkHostTiesOneCustomerToOneKey) {
  json a = customer("A");
  json b = customer("B");
  json linked = ok("customer.link_host", {{"id", a["id"]}, {"host_key", "ERP-C-0001"}});
  EXPECT_EQ(linked["host_key"], "ERP-C-0001");
  EXPECT_EQ(linked["version"], 2);
  // Linking again to the same key changes nothing.
  EXPECT_EQ(ok("customer.link_host", {{"id", a["id"]}, {"host_key", "ERP-C-0001"}}), linked);
  json failure = rejects("customer.link_host", {{"id", b["id"]}, {"host_key", "ERP-C-0001"}},
                         "conflict", "params.host_key");
  EXPECT_NE(failure["message"].get<std::string>().find(a["id"].get<std::string>()),
            std::string::npos);
  rejects("customer.link_host", {{"id", "987654"}, {"host_key", "K"}}, "not_found", "params.id");
  rejects("customer.link_host", {{"id", b["id"]}, {"host_key", ""}}, "invalid_argument",
          "params.host_key");
}

}  // namespace
}  // namespace crm::test
