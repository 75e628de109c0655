// Business-type classification on every database and on both reference ERP shapes: rule order
// and first match, every condition kind, the order aggregates over the host's orders (window
// edges, cancelled and draft orders left out, exact sums), explain, customer.get, and bad
// configuration and input.
#include <erp.hpp>

#include "fixture.hpp"

namespace crm::test {
namespace {

// as_of 2026-07-01 00:00 host time (+08:00): the 365-day window is [2025-07-01, 2026-07-01).
const char *kAsOf = "2026-06-30T16:00:00Z";

json rules() {
  return {{"window_days", 365},
          {"rules",
           {{{"id", "mall"},
             {"label", "大型商场"},
             {"when",
              {{"industry", {"大型商场", "购物中心"}},
               {"min_orders", 2},
               {"min_revenue", "500000.00"}}}},
            {{"id", "supermarket"},
             {"label", "超市"},
             {"when", {{"industry", {"超市"}}, {"region", {"华北", "华东"}}}}},
            {{"id", "pharmacy"},
             {"label", "药店"},
             {"when", {{"industry", {"药店"}}, {"stage", {"customer", "repeat"}}}}},
            {{"id", "active"},
             {"class", "key_account"},
             {"label", "活跃客户"},
             {"when", {{"min_orders", 2}}}},
            {{"id", "web_lead"},
             {"label", "网络线索"},
             {"when", {{"source", {"web"}}, {"stage", {"potential"}}}}}}}};
}

class ClassificationTest : public ApiTest, public ::testing::WithParamInterface<erp::Shape> {
 protected:
  erp::Shape shape() const { return GetParam(); }

  static erp::Order order(std::int64_t number, std::int64_t customer, const std::string &date,
                          std::int64_t fen, erp::OrderStatus status = erp::OrderStatus::valid) {
    erp::Order o;
    o.number = number;
    o.customer = customer;
    o.ordered_at = date + " 00:00:00";
    o.status = status;
    o.lines = {{number * 10, "SP" + std::to_string(number), 1, fen, std::nullopt}};
    return o;
  }

  // Host customers 1 (A) and 2 (B) with orders around the window's edges.
  void write_host() {
    erp::create_schema(database_.connection(), shape());
    db::Transaction transaction(database_.connection());
    erp::Writer writer(database_.connection(), shape());
    for (std::int64_t n : {1, 2}) {
      erp::Customer c;
      c.number = n;
      c.name = "主机客户" + std::to_string(n);
      c.industry = n == 1 ? "购物中心" : "大型商场";
      c.region = "华北";
      writer.add(c);
    }
    using erp::OrderStatus;
    writer.add(order(101, 1, "2025-06-30", 10000000));  // before the window
    writer.add(order(102, 1, "2025-07-01", 30000000));  // first day of the window
    writer.add(order(103, 1, "2026-01-01", 50000000, OrderStatus::cancelled));
    writer.add(order(104, 1, "2026-02-01", 50000000, OrderStatus::draft));
    writer.add(order(105, 2, "2026-01-10", 30000000));
    writer.add(order(106, 2, "2026-02-10", 19999999));
    writer.add(order(107, 1, "2026-06-30", 20000000));  // last day of the window
    writer.add(order(108, 1, "2026-07-01", 99900));     // as_of itself: outside
    writer.flush();
    transaction.commit();
  }

  void configure() {
    write_host();
    reconfigure({{"host", json::parse(erp::mapping_json(shape(), database_.dialect()))},
                 {"classification", rules()}});
  }

  std::string linked(const std::string &name, const json &extra, std::int64_t host_number) {
    auto id = customer(name, extra)["id"].get<std::string>();
    ok("customer.link_host", {{"id", id}, {"host_key", erp::customer_key(shape(), host_number)}});
    return id;
  }

  json classification_of(const std::string &id) {
    return ok("customer.get", {{"id", id}})["classification"];
  }
  json class_of(const std::string &id) { return classification_of(id)["class"]; }
};

TEST_P(ClassificationTest, FirstMatchingRuleWinsWithExactOrderAggregates) {
  configure();
  const auto a = linked("万达广场", {{"industry", "购物中心"}, {"region", "华南"}}, 1);
  const auto b = linked("百货大楼", {{"industry", "大型商场"}}, 2);
  const auto c = customer("华联超市", {{"industry", "超市"}, {"region", "华北"}})["id"];
  const auto d = customer(
      "南方超市",
      {{"industry", "超市"}, {"region", "华南"}, {"source", "web"}, {"stage", "potential"}})["id"];
  const auto e = customer("同仁堂", {{"industry", "药店"}, {"stage", "potential"}})["id"];
  const auto f = customer("老百姓大药房", {{"industry", "药店"}, {"stage", "customer"}})["id"];
  const auto g = customer(
      "东方超市",
      {{"industry", "超市"}, {"region", "华东"}, {"source", "web"}, {"stage", "potential"}})["id"];

  auto run = ok("classification.run", {{"as_of", kAsOf}});
  EXPECT_EQ(run["changed"], 6);
  EXPECT_EQ(
      run["by_class"],
      json(
          {{"mall", 1}, {"key_account", 1}, {"supermarket", 2}, {"pharmacy", 1}, {"web_lead", 1}}));
  EXPECT_EQ(class_of(a), "mall");         // 2 orders, exactly 500000.00 in the window
  EXPECT_EQ(class_of(b), "key_account");  // 499999.99: not a mall, but 2 orders
  EXPECT_EQ(class_of(c), "supermarket");  // no host link: profile only
  EXPECT_EQ(class_of(d), "web_lead");     // 华南 is no supermarket region
  EXPECT_EQ(class_of(e), nullptr);        // a pharmacy that is not yet a customer
  EXPECT_EQ(class_of(f), "pharmacy");
  EXPECT_EQ(class_of(g), "supermarket");  // matches web_lead too: the earlier rule wins

  auto shown = classification_of(a);
  EXPECT_EQ(shown["rule"], "mall");
  EXPECT_EQ(shown["label"], "大型商场");
  ASSERT_TRUE(shown["classified_at"].is_string());
  EXPECT_EQ(classification_of(b)["rule"], "active");
  EXPECT_EQ(classification_of(b)["label"], "活跃客户");

  // Nothing changes: nothing is written (classified_at stays).
  EXPECT_EQ(ok("classification.run", {{"as_of", kAsOf}})["changed"], 0);
  EXPECT_EQ(classification_of(a)["classified_at"], shown["classified_at"]);

  // A profile change moves one customer; a later as_of drops A's July order out of the window.
  auto d_now = ok("customer.get", {{"id", d}});
  ok("customer.update", {{"id", d}, {"version", d_now["version"]}, {"region", "华北"}});
  EXPECT_EQ(ok("classification.run", {{"as_of", kAsOf}})["changed"], 1);
  EXPECT_EQ(class_of(d), "supermarket");
  EXPECT_EQ(ok("classification.run", {{"as_of", "2026-07-01T16:00:00Z"}})["changed"], 1);
  EXPECT_EQ(class_of(a), "key_account");  // 2 orders (06-30 and 07-01), 200999.00
}

TEST_P(ClassificationTest, HostCustomersArrivingThroughLifecycleSyncAreClassified) {
  configure();
  auto sync = ok("lifecycle.sync", {{"as_of", kAsOf}});
  EXPECT_EQ(sync["imported"], 2);
  auto run = ok("classification.run", {{"as_of", kAsOf}});
  EXPECT_EQ(run["changed"], 2);
  EXPECT_EQ(run["by_class"], json({{"mall", 1}, {"key_account", 1}}));
  EXPECT_EQ(database_.column("SELECT business_class FROM crm_customer ORDER BY host_key"),
            (std::vector<std::string>{"mall", "key_account"}));
  EXPECT_EQ(database_.column("SELECT class_rule FROM crm_customer ORDER BY host_key"),
            (std::vector<std::string>{"mall", "active"}));
}

TEST_P(ClassificationTest, ExplainShowsTheMatchAndWhyEarlierRulesFailed) {
  configure();
  const auto a = linked("万达广场", {{"industry", "购物中心"}}, 1);
  const auto b = linked("百货大楼", {{"industry", "大型商场"}, {"region", "华北"}}, 2);
  ok("classification.run", {{"as_of", kAsOf}});

  auto why = ok("classification.explain", {{"customer_id", b}, {"as_of", kAsOf}});
  EXPECT_EQ(why["values"]["orders"], 2);
  EXPECT_EQ(why["values"]["revenue"], "499999.99");
  EXPECT_EQ(why["values"]["industry"], "大型商场");
  EXPECT_EQ(why["match"]["rule"], "active");
  EXPECT_EQ(why["match"]["class"], "key_account");
  EXPECT_EQ(why["match"]["conditions"],
            json::array({{{"field", "orders"}, {"min", 2}, {"actual", 2}, {"holds", true}}}));
  ASSERT_EQ(why["skipped"].size(), 3u);
  EXPECT_EQ(why["skipped"][0]["rule"], "mall");
  EXPECT_EQ(
      why["skipped"][0]["failed"],
      json(
          {{"field", "revenue"}, {"min", "500000.00"}, {"actual", "499999.99"}, {"holds", false}}));
  EXPECT_EQ(why["skipped"][1]["failed"]["field"], "industry");
  EXPECT_EQ(why["skipped"][2]["failed"]["field"], "industry");
  EXPECT_EQ(why["stored"]["class"], "key_account");

  auto a_why = ok("classification.explain", {{"customer_id", a}, {"as_of", kAsOf}});
  EXPECT_EQ(a_why["values"]["orders"], 2);
  EXPECT_EQ(a_why["values"]["revenue"], "500000.00");
  EXPECT_EQ(a_why["match"]["rule"], "mall");
  EXPECT_EQ(a_why["match"]["conditions"].size(), 3u);
  EXPECT_TRUE(a_why["skipped"].empty());

  rejects("classification.explain", {{"customer_id", "999999"}}, "not_found", "params.customer_id");
  rejects("classification.explain", {{"customer_id", 5}}, "invalid_argument", "params.customer_id");
  rejects("classification.explain", {{"customer_id", a}, {"as_of", "yesterday"}},
          "invalid_argument", "params.as_of");
  rejects("classification.run", {{"as_of", "2026-13-01T00:00:00Z"}}, "invalid_argument",
          "params.as_of");
}

INSTANTIATE_TEST_SUITE_P(Shapes, ClassificationTest,
                         ::testing::Values(erp::Shape::jinhe, erp::Shape::meridian),
                         [](const auto &info) { return std::string(erp::shape_name(info.param)); });

class ClassificationConfigTest : public ApiTest {};

TEST_F(ClassificationConfigTest, ProfileRulesNeedNoHostAndOrderRulesDo) {
  json north_rule = {{"id", "north"}, {"label", "北方"}};
  north_rule["when"] = {{"region", {"华北"}}};
  json other_rule = {{"id", "other"}, {"label", "其他"}};
  json section = json::object();
  section["rules"] = json::array({north_rule, other_rule});
  reconfigure({{"classification", section}});
  const auto north = customer("北京'; DROP TABLE crm_customer; --", {{"region", "华北"}})["id"];
  const auto south = customer("广州", {{"region", "华南"}})["id"];
  EXPECT_EQ(ok("classification.run")["changed"], 2);
  EXPECT_EQ(ok("customer.get", {{"id", north}})["classification"]["class"], "north");
  EXPECT_EQ(ok("customer.get", {{"id", south}})["classification"]["label"], "其他");
  EXPECT_EQ(ok("classification.explain", {{"customer_id", south}})["skipped"][0]["failed"],
            json({{"field", "region"}, {"in", {"华北"}}, {"actual", "华南"}, {"holds", false}}));

  // Without rules every class is cleared (and reported as a change).
  reconfigure({{"classification", {{"rules", json::array()}}}});
  EXPECT_EQ(ok("classification.run")["changed"], 2);
  EXPECT_EQ(ok("customer.get", {{"id", north}})["classification"],
            json({{"class", nullptr},
                  {"rule", nullptr},
                  {"label", nullptr},
                  {"classified_at",
                   ok("customer.get", {{"id", north}})["classification"]["classified_at"]}}));

  reconfigure({{"classification", {{"rules", {{{"id", "big"}, {"when", {{"min_orders", 1}}}}}}}}});
  rejects("classification.run", json::object(), "unsupported", "host.orders");
}

TEST_F(ClassificationConfigTest, BadConfigurationIsRefusedNamingThePath) {
  auto refused = [&](const json &section, const std::string &path) {
    const auto message = client_error({{"classification", section}});
    EXPECT_NE(message.find(path), std::string::npos) << message;
  };
  refused({{"rules", {{{"id", "a"}, {"when", {{"stage", {"gold"}}}}}}}},
          "classification.rules[0].when.stage[0]");
  refused({{"rules", {{{"id", "a"}, {"when", {{"colour", {"red"}}}}}}}},
          "classification.rules[0].when.colour");
  refused({{"rules", {{{"id", "a"}}, {{"id", "a"}}}}}, "classification.rules[1].id");
  refused({{"rules", {{{"id", "a"}, {"when", {{"min_revenue", "12.345"}}}}}}},
          "classification.rules[0].when.min_revenue");
  refused({{"rules", {{{"id", "a"}, {"when", {{"min_revenue", 500000}}}}}}},
          "classification.rules[0].when.min_revenue");
  refused({{"rules", {{{"id", "a"}, {"when", {{"min_orders", -1}}}}}}},
          "classification.rules[0].when.min_orders");
  refused({{"rules", {{{"id", "a"}, {"when", {{"industry", json::array()}}}}}}},
          "classification.rules[0].when.industry");
  refused({{"rules", {{{"label", "no id"}}}}}, "classification.rules[0].id");
  refused({{"rules", {{{"id", "a"}, {"priority", 1}}}}}, "classification.rules[0].priority");
  refused({{"window_days", 0}}, "classification.window_days");
  refused({{"rules", "mall"}}, "classification.rules");
  refused({{"unknown", 1}}, "classification.unknown");
}

}  // namespace
}  // namespace crm::test
