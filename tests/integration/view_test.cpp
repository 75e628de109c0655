// customer.view over the reference ERP, on both of its shapes: every section, and one timeline
// that merges the CRM's interactions, lifecycle moves and opportunity events with the host's
// orders, invoices and payments in time order (host local +08:00 read as UTC), paged without
// gaps or repeats.
#include "erp.hpp"
#include "fixture.hpp"

namespace crm::test {
namespace {

class ViewTest : public ApiTest, public ::testing::WithParamInterface<erp::Shape> {
 protected:
  erp::Shape shape() const { return GetParam(); }

  void SetUp() override {
    ApiTest::SetUp();
    erp::create_schema(database_.connection(), shape());
    {
      erp::Writer writer(database_.connection(), shape());
      erp::Customer customer;
      customer.number = 1;
      customer.name = "华东百货商场";
      customer.created_at = "2025-12-01 09:00:00";
      writer.add(customer);
      writer.add(erp::Contact{7, 1, "李采购", "采购经理", "+86 21 5555 0101", std::nullopt});
      writer.add(erp::Contact{3, 1, "Chen O'Brien", std::nullopt, std::nullopt, "chen@example.cn"});
      erp::Order first{1,
                       1,
                       "2026-01-10 10:00:00",
                       erp::OrderStatus::valid,
                       true,
                       std::nullopt,
                       {{11, "ART-1", 2, 5000, 3000}}};
      writer.add(first);
      writer.add(erp::Invoice{1, 1, 1, "2026-01-12", 10000, erp::InvoiceStatus::valid, 30});
      writer.add(erp::Receivable{
          1, 1, 1, "2026-02-11", 10000, {{"2026-02-01", 4000}, {"2026-02-20", 6000}}});
      erp::Order second{2,
                        1,
                        "2026-03-01 09:30:00",
                        erp::OrderStatus::valid,
                        false,
                        std::nullopt,
                        {{21, "ART-2", 1, 12345, std::nullopt}}};
      writer.add(second);
      writer.flush();
    }
    reconfigure({{"host", json::parse(erp::mapping_json(shape(), database_.dialect()))}});
    ok("lifecycle.sync", {{"as_of", "2026-03-31T00:00:00Z"}});
    id_ = database_.column("SELECT id FROM crm_customer").at(0);
    ok("interaction.log", {{"customer_id", id_},
                           {"channel", "tel"},
                           {"direction", "outbound"},
                           {"occurred_at", "2026-02-01T11:00:00+08:00"},
                           {"subject", "催款电话"}});
    ok("interaction.log", {{"customer_id", id_},
                           {"channel", "email"},
                           {"direction", "inbound"},
                           {"occurred_at", "2026-03-05T00:00:00Z"},
                           {"subject", "询价"}});
    ok("contact.create", {{"customer_id", id_}, {"name", "王经理"}});
    opportunity_ = ok("opportunity.create",
                      {{"customer_id", id_}, {"name", "春季补货"}, {"amount", "88000.00"}});
    ok("value.run", {{"period", "2026-03"}, {"as_of", "2026-03-31T00:00:00Z"}});
  }

  static std::vector<std::string> kinds_and_times(const json &items) {
    std::vector<std::string> out;
    for (const auto &item : items)
      out.push_back(item["kind"].get<std::string>() + "@" + item["at"].get<std::string>());
    return out;
  }

  std::string id_;
  json opportunity_;
};

TEST_P(ViewTest, OneCallHoldsEverySectionAndOneTimeline) {
  json view = ok("customer.view", {{"id", id_}});
  EXPECT_EQ(view["profile"]["name"], "华东百货商场");
  EXPECT_TRUE(view["owner"].is_null());  // imported: waiting in marketing's queue
  EXPECT_EQ(view["profile"]["queue"], "marketing");
  ASSERT_EQ(view["contacts"].size(), 1u);
  EXPECT_EQ(view["contacts"][0]["name"], "王经理");
  // The ERP's own contacts, in key order, as the host holds them.
  ASSERT_EQ(view["host_contacts"].size(), 2u) << view["host_contacts"];
  EXPECT_EQ(view["host_contacts"][0], (json{{"key", "3"},
                                            {"name", "Chen O'Brien"},
                                            {"title", nullptr},
                                            {"phone", nullptr},
                                            {"email", "chen@example.cn"}}));
  EXPECT_EQ(view["host_contacts"][1]["name"], "李采购");
  EXPECT_EQ(view["host_contacts"][1]["title"], "采购经理");
  ASSERT_EQ(view["opportunities"].size(), 1u);
  EXPECT_EQ(view["opportunities"][0]["amount"], "88000.00");
  EXPECT_EQ(view["lifecycle"]["stage"], "repeat");
  EXPECT_EQ(view["lifecycle"]["first_order_at"], "2026-01-10T02:00:00Z");
  EXPECT_EQ(view["lifecycle"]["last_order_at"], "2026-03-01T01:30:00Z");
  EXPECT_EQ(view["lifecycle"]["history"].size(), 3u);
  EXPECT_EQ(view["value"]["period"], "2026-03");
  // Worked out from the ERP facts above: sales = the one invoice in the window (100.00);
  // expectation = 88,000.00 at the qualify stage's default 10 %; profit = order 1's line,
  // 2 × (50.00 − 30.00) (order 2's line has no unit cost); a population of one is ranked first
  // with every component at the top, and 1 % of one customer rounds to nobody in the upper
  // tiers, so it lands in the last tier.
  const json &value = view["value"];
  EXPECT_EQ(value["components"]["sales"]["raw"], "100.00");
  EXPECT_EQ(value["components"]["expectation"]["raw"], "8800.00");
  EXPECT_EQ(value["components"]["profit"]["raw"], "40.00");
  EXPECT_EQ(value["components"]["reference"]["raw"], 0);
  EXPECT_EQ(value["population"], 1);
  EXPECT_EQ(value["position"], 1);
  EXPECT_EQ(value["score_ppm"], 1000000);
  EXPECT_EQ(value["tier"], "basic");
  // No classification rules are configured: no class, never classified.
  EXPECT_EQ(
      view["classification"],
      (json{
          {"class", nullptr}, {"classified_at", nullptr}, {"label", nullptr}, {"rule", nullptr}}));

  const std::string created_at = opportunity_["created_at"];
  const std::vector<std::string> expected = {
      "opportunity@" + created_at,         // the newest: made just now
      "interaction@2026-03-05T00:00:00Z",  // email
      "lifecycle@2026-03-01T01:30:00Z",    // → repeat, at order 2 (09:30 +08:00) ...
      "order@2026-03-01T01:30:00Z",        // ... and order 2 itself: lifecycle sorts first
      "payment@2026-02-19T16:00:00Z",      // last payment 2026-02-20 (a date, +08:00)
      "interaction@2026-02-01T03:00:00Z",  // the call, 11:00 +08:00
      "invoice@2026-01-11T16:00:00Z",      // invoiced 2026-01-12
      "lifecycle@2026-01-10T02:00:00Z",    // → customer, at order 1
      "order@2026-01-10T02:00:00Z",
      "lifecycle@2025-12-01T01:00:00Z"};  // imported from the host
  EXPECT_EQ(kinds_and_times(view["timeline"]["items"]), expected);
  EXPECT_EQ(view["timeline"]["next_cursor"], nullptr);

  const json &items = view["timeline"]["items"];
  EXPECT_EQ(items[3]["amount"], "123.45");
  EXPECT_EQ(items[3]["status"], "valid");
  EXPECT_EQ(items[4]["amount"], "100.00");
  EXPECT_EQ(items[4]["outstanding"], "0.00");
  EXPECT_EQ(items[5]["channel"], "tel");
  EXPECT_EQ(items[5]["title"], "催款电话");
  EXPECT_EQ(items[6]["amount"], "100.00");
  EXPECT_EQ(items[0]["event"], "created");
  EXPECT_EQ(items[0]["amount"], "88000.00");
  EXPECT_EQ(items[2]["to"], "repeat");
}

TEST_P(ViewTest, TimelinePagesFiltersAndRejections) {
  json full = ok("customer.view", {{"id", id_}, {"limit", 200}})["timeline"]["items"];
  ASSERT_EQ(full.size(), 10u);
  // Pages of 3 (and of 1) walk the same timeline with nothing lost or repeated; later pages
  // hold the timeline only.
  for (int size : {1, 3}) {
    json walked = json::array();
    json cursor = nullptr;
    int pages = 0;
    do {
      json params = {{"id", id_}, {"limit", size}};
      if (!cursor.is_null()) params["cursor"] = cursor;
      json view = ok("customer.view", params);
      if (!cursor.is_null()) {
        EXPECT_FALSE(view.contains("profile"));
      }
      for (const auto &item : view["timeline"]["items"]) walked.push_back(item);
      cursor = view["timeline"]["next_cursor"];
      ASSERT_LT(++pages, 20);
    } while (!cursor.is_null());
    EXPECT_EQ(walked, full) << "page size " << size;
  }

  json host_only = ok("customer.view", {{"id", id_}, {"kinds", {"order", "invoice", "payment"}}});
  EXPECT_EQ(
      kinds_and_times(host_only["timeline"]["items"]),
      (std::vector<std::string>{"order@2026-03-01T01:30:00Z", "payment@2026-02-19T16:00:00Z",
                                "invoice@2026-01-11T16:00:00Z", "order@2026-01-10T02:00:00Z"}));
  json calls = ok("customer.view", {{"id", id_}, {"channel", "tel"}});
  EXPECT_EQ(kinds_and_times(calls["timeline"]["items"]),
            std::vector<std::string>{"interaction@2026-02-01T03:00:00Z"});

  rejects("customer.view", {{"id", "999999"}}, "not_found", "params.id");
  rejects("customer.view", {{"id", id_}, {"kinds", {"order", "fax"}}}, "invalid_argument",
          "params.kinds[1]");
  rejects("customer.view", {{"id", id_}, {"kinds", "order"}}, "invalid_argument", "params.kinds");
  rejects("customer.view", {{"id", id_}, {"channel", "pigeon"}}, "invalid_argument",
          "params.channel");
  rejects("customer.view", {{"id", id_}, {"cursor", "c1.bm90LWEtY3Vyc29y"}}, "invalid_argument",
          "params.cursor");
  rejects("customer.view", {{"id", id_}, {"limit", 0}}, "invalid_argument", "params.limit");
}

INSTANTIATE_TEST_SUITE_P(Shapes, ViewTest,
                         ::testing::Values(erp::Shape::jinhe, erp::Shape::meridian),
                         [](const auto &info) { return std::string(erp::shape_name(info.param)); });

}  // namespace
}  // namespace crm::test
