#include <set>

#include "fixture.hpp"

namespace crm::test {
namespace {

class InteractionTest : public ApiTest {
 protected:
  json item(const std::string &customer_id, const std::string &occurred_at,
            const std::string &subject = "call") {
    return {{"customer_id", customer_id},
            {"channel", "tel"},
            {"direction", "outbound"},
            {"occurred_at", occurred_at},
            {"subject", subject}};
  }
};

TEST_F(InteractionTest, ContactsBelongToTheirCustomer) {
  json acme = customer("Acme");
  json first = ok("contact.create", {{"customer_id", acme["id"]},
                                     {"name", "李娜"},
                                     {"title", "采购经理"},
                                     {"phone", "+86 138 0000 0000"},
                                     {"email", "li.na@acme.example.cn"}});
  EXPECT_EQ(first["customer_id"], acme["id"]);
  EXPECT_EQ(first["name"], "李娜");
  EXPECT_EQ(first["created_by"], "alice");
  json second = ok("contact.create", {{"customer_id", acme["id"]}, {"name", "Bob"}});
  EXPECT_TRUE(second["title"].is_null());
  json page = ok("contact.list", {{"customer_id", acme["id"]}, {"limit", 1}});
  ASSERT_EQ(page["items"].size(), 1u);
  EXPECT_EQ(page["items"][0], first);
  json rest = ok("contact.list", {{"customer_id", acme["id"]}, {"cursor", page["next_cursor"]}});
  ASSERT_EQ(rest["items"].size(), 1u);
  EXPECT_EQ(rest["items"][0], second);
  EXPECT_TRUE(rest["next_cursor"].is_null());

  rejects("contact.create", {{"customer_id", "777777"}, {"name", "X"}}, "not_found",
          "params.customer_id");
  rejects("contact.create", {{"customer_id", acme["id"]}}, "invalid_argument", "params.name");
  rejects("contact.create", {{"customer_id", acme["id"]}, {"name", "X"}, {"email", "no-at"}},
          "invalid_argument", "params.email");
  rejects("contact.list", {{"customer_id", "777777"}}, "not_found", "params.customer_id");
}

TEST_F(InteractionTest, LogStoresUtcAndReferences) {
  json acme = customer("Acme");
  json contact = ok("contact.create", {{"customer_id", acme["id"]}, {"name", "李娜"}});
  json logged = ok("interaction.log", {{"customer_id", acme["id"]},
                                       {"contact_id", contact["id"]},
                                       {"channel", "face_to_face"},
                                       {"direction", "inbound"},
                                       {"occurred_at", "2026-11-27T18:30:15.25+08:00"},
                                       {"subject", "拜访"},
                                       {"body", "讨论了第四季度的订单。\nLine two."}});
  EXPECT_EQ(logged["occurred_at"], "2026-11-27T10:30:15.250000Z");
  EXPECT_EQ(logged["contact_id"], contact["id"]);
  EXPECT_TRUE(logged["opportunity_id"].is_null());
  EXPECT_EQ(logged["body"], "讨论了第四季度的订单。\nLine two.");
  EXPECT_EQ(logged["logged_by"], "alice");
  json listed = ok("interaction.list", {{"customer_id", acme["id"]}});
  ASSERT_EQ(listed["items"].size(), 1u);
  EXPECT_EQ(listed["items"][0], logged);
}

TEST_F(InteractionTest, LogChecksEveryReference) {
  json acme = customer("Acme");
  json other = customer("Other");
  json foreign = ok("contact.create", {{"customer_id", other["id"]}, {"name", "Eve"}});
  json base = item(acme["id"], "2026-01-01T00:00:00Z");
  rejects("interaction.log", with(base, {{"customer_id", "888888"}}), "not_found",
          "params.customer_id");
  rejects("interaction.log", with(base, {{"contact_id", "888888"}}), "not_found",
          "params.contact_id");
  json failure = rejects("interaction.log", with(base, {{"contact_id", foreign["id"]}}),
                         "invalid_argument", "params.contact_id");
  EXPECT_NE(failure["message"].get<std::string>().find("belongs to customer"), std::string::npos);
  rejects("interaction.log", with(base, {{"opportunity_id", "5"}}), "not_found",
          "params.opportunity_id");
  rejects("interaction.log", with(base, {{"channel", "pigeon"}}), "invalid_argument",
          "params.channel");
  rejects("interaction.log", with(base, {{"direction", "sideways"}}), "invalid_argument",
          "params.direction");
  for (const char *when : {"2026-01-01", "2026-01-01T00:00:00", "2026-02-30T00:00:00Z",
                           "2026-01-01T24:00:00Z", "yesterday", "2026-01-01T00:00:00+25:00"})
    rejects("interaction.log", with(base, {{"occurred_at", when}}), "invalid_argument",
            "params.occurred_at");
}

TEST_F(InteractionTest, ListIsNewestFirstAndPagesExactly) {
  json acme = customer("Acme");
  json other = customer("Other");
  json items = json::array();
  // 120 interactions over 40 distinct instants: ties are broken by id, newest id first.
  for (int i = 0; i < 120; ++i) {
    char when[40];
    std::snprintf(when, sizeof(when), "2026-03-%02dT08:00:00Z", 1 + i % 28);
    items.push_back(item(acme["id"], when, "n" + std::to_string(i)));
    if (i % 10 == 0) items.push_back(item(other["id"], when, "other"));
  }
  ok("interaction.log_batch", {{"items", items}});

  std::vector<std::pair<std::string, long long>> seen;
  json params = {{"customer_id", acme["id"]}, {"limit", 50}};
  int pages = 0;
  for (;;) {
    json page = ok("interaction.list", params);
    ++pages;
    for (const auto &row : page["items"]) {
      EXPECT_EQ(row["customer_id"], acme["id"]);
      seen.emplace_back(row["occurred_at"], std::stoll(row["id"].get<std::string>()));
    }
    if (page["next_cursor"].is_null()) break;
    params["cursor"] = page["next_cursor"];
  }
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(seen.size(), 120u);
  for (std::size_t i = 1; i < seen.size(); ++i)
    EXPECT_TRUE(seen[i - 1].first > seen[i].first ||
                (seen[i - 1].first == seen[i].first && seen[i - 1].second > seen[i].second))
        << i;
  std::set<long long> ids;
  for (const auto &entry : seen) ids.insert(entry.second);
  EXPECT_EQ(ids.size(), 120u);

  rejects("interaction.list", {{"customer_id", acme["id"]}, {"cursor", "c1.W10"}},
          "invalid_argument", "params.cursor");
  rejects("interaction.list", {{"customer_id", "999999"}}, "not_found", "params.customer_id");
}

TEST_F(InteractionTest, ListFiltersByChannel) {
  json acme = customer("Acme");
  json base = item(acme["id"], "2026-01-01T00:00:00Z");
  ok("interaction.log", base);
  ok("interaction.log", with(base, {{"channel", "email"}}));
  json emails = ok("interaction.list", {{"customer_id", acme["id"]}, {"channel", "email"}});
  ASSERT_EQ(emails["items"].size(), 1u);
  EXPECT_EQ(emails["items"][0]["channel"], "email");
}

// A full-size batch (10,000 items, the most one call takes): twenty multi-row statements on
// SQLite and PostgreSQL, five parameter arrays on MariaDB.
TEST_F(InteractionTest, BatchWritesAllInOrder) {
  constexpr int kItems = 10000;
  json acme = customer("Acme");
  json items = json::array();
  for (int i = 0; i < kItems; ++i)
    items.push_back(item(acme["id"], "2026-05-01T00:00:00Z", "批量 " + std::to_string(i)));
  json result = ok("interaction.log_batch", {{"items", items}});
  EXPECT_EQ(result["count"], kItems);
  ASSERT_EQ(result["ids"].size(), static_cast<std::size_t>(kItems));
  for (std::size_t i = 1; i < kItems; ++i)
    EXPECT_EQ(std::stoll(result["ids"][i].get<std::string>()),
              std::stoll(result["ids"][i - 1].get<std::string>()) + 1);
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_interaction"),
            std::vector<std::string>{std::to_string(kItems)});
  // Ids map to items in order.
  json first = ok("interaction.list", {{"customer_id", acme["id"]}, {"limit", 1}});
  EXPECT_EQ(first["items"][0]["id"], result["ids"][kItems - 1]);
  EXPECT_EQ(first["items"][0]["subject"], "批量 " + std::to_string(kItems - 1));
}

TEST_F(InteractionTest, BatchIsAllOrNothing) {
  json acme = customer("Acme");
  json items = json::array();
  for (int i = 0; i < 2000; ++i) items.push_back(item(acme["id"], "2026-05-01T00:00:00Z"));
  items[1234]["customer_id"] = "99999999";
  rejects("interaction.log_batch", {{"items", items}}, "not_found",
          "params.items[1234].customer_id");
  items[1234]["customer_id"] = acme["id"];
  items[7]["channel"] = "telepathy";
  rejects("interaction.log_batch", {{"items", items}}, "invalid_argument",
          "params.items[7].channel");
  items[7]["channel"] = "tel";
  items[1999]["surprise"] = true;
  rejects("interaction.log_batch", {{"items", items}}, "invalid_argument",
          "params.items[1999].surprise");
  rejects("interaction.log_batch", {{"items", json::array()}}, "invalid_argument", "params.items");
  rejects("interaction.log_batch", {{"items", {1, 2}}}, "invalid_argument", "params.items[0]");
  json too_many = json::array();
  for (int i = 0; i < 10001; ++i) too_many.push_back(item(acme["id"], "2026-05-01T00:00:00Z"));
  rejects("interaction.log_batch", {{"items", too_many}}, "invalid_argument", "params.items");
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_interaction"),
            std::vector<std::string>{"0"});
}

}  // namespace
}  // namespace crm::test
