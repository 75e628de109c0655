// The value pyramid against a real database and a real host ERP schema, in both reference
// shapes (jinhe, meridian): the same hand-made facts must give the same, hand-computed values.
#include <atomic>
#include <regex>
#include <thread>

#include "erp.hpp"
#include "fixture.hpp"
#include "odbc.hpp"

namespace crm::test {
namespace {

using erp::Shape;

// Host time zone of both mappings is +08:00; all as_of values below are host noon.
const std::string kAsOf = "2026-11-30T12:00:00+08:00";

class ValueTest : public ApiTest, public ::testing::WithParamInterface<Shape> {
 protected:
  Shape shape() const { return GetParam(); }

  json mapping() const { return json::parse(erp::mapping_json(shape(), database_.dialect())); }

  // The host's tables of this shape, empty, or filled by fill(writer).
  template <class F>
  void host(F &&fill) {
    auto &connection = database_.connection();
    erp::create_schema(connection, shape());
    db::Transaction transaction(connection);
    erp::Writer writer(connection, shape());
    fill(writer);
    writer.flush();
    transaction.commit();
  }

  void configure(const json &value, std::optional<json> host_mapping = std::nullopt) {
    reconfigure({{"host", host_mapping ? *host_mapping : mapping()}, {"value", value}});
  }

  std::string crm_id(std::int64_t number) {
    auto ids = database_.column("SELECT id FROM crm_customer WHERE host_key = '" +
                                erp::customer_key(shape(), number) + "'");
    EXPECT_EQ(ids.size(), 1u) << "host customer " << number;
    return ids.empty() ? "" : ids[0];
  }

  std::int64_t count(const std::string &sql) { return std::stoll(database_.column(sql).at(0)); }

  void opportunity(const std::string &customer_id, const std::string &amount, int probability) {
    ok("opportunity.create", {{"customer_id", customer_id},
                              {"name", "deal " + amount},
                              {"amount", amount},
                              {"probability", probability}});
  }

  // The hand-made facts whose values are worked out in HandMadeFacts below.
  void write_facts() {
    host([](erp::Writer &w) {
      erp::Customer c1;
      c1.number = 1;
      c1.name = "华联超市（北京）有限公司";
      c1.credit_limit = 100000000;  // 1,000,000.00
      c1.is_reference = true;
      erp::Customer c2;
      c2.number = 2;
      c2.name = "O'Brien; DROP TABLE crm_customer --";
      c2.credit_limit = 2000000;  // 20,000.00
      c2.referred_by = 1;
      erp::Customer c3;
      c3.number = 3;
      c3.name = "Northwind Traders";
      erp::Customer c4;
      c4.number = 4;
      c4.name = "只是潜在客户";
      for (const auto *c : {&c1, &c2, &c3, &c4}) w.add(*c);

      // C2, before the window (2025-11-30 12:00 .. 2026-11-30 12:00): ignored, fully paid.
      erp::Order o0{9, 2, "2025-06-01 10:00:00", erp::OrderStatus::valid, true, {}, {}};
      o0.lines = {{91, "SP4", 1, 10000, 5000}};
      w.add(o0);
      w.add(erp::Invoice{1000, 2, 9, "2025-06-02", 10000, erp::InvoiceStatus::valid, 30});
      erp::Receivable r0{1000, 2, 1000, "2025-07-02", 10000, {{"2025-07-01", 10000}}};
      w.add(r0);

      // C1: 10 × 1000.00 at cost 600.00, one line without cost; invoice 10500.00 due
      // 2026-04-01 with 5000.00 paid; a credit note of 500.00.
      erp::Order o1{10, 1, "2026-03-01 10:00:00", erp::OrderStatus::valid, true, {}, {}};
      o1.lines = {{101, "SP1", 10, 100000, 60000}, {102, "SP2", 1, 50000, std::nullopt}};
      w.add(o1);
      w.add(erp::Invoice{1001, 1, 10, "2026-03-02", 1050000, erp::InvoiceStatus::valid, 30});
      w.add(erp::Receivable{1001, 1, 1001, "2026-04-01", 1050000, {{"2026-04-15", 500000}}});
      w.add(erp::Invoice{1002, 1, 10, "2026-04-10", -50000, erp::InvoiceStatus::valid, 30});

      // C2: 2 × 3000.00 at cost 2000.00; invoice 6000.00 due 2026-12-01 (not yet due) and
      // 1000.00 due 2026-10-31 with 400.00 paid (30 days overdue at as_of).
      erp::Order o2{11, 2, "2026-10-01 09:00:00", erp::OrderStatus::valid, true, {}, {}};
      o2.lines = {{111, "SP3", 2, 300000, 200000}};
      w.add(o2);
      w.add(erp::Invoice{1003, 2, 11, "2026-10-02", 600000, erp::InvoiceStatus::valid, 60});
      w.add(erp::Receivable{1003, 2, 1003, "2026-12-01", 600000, {}});
      w.add(erp::Invoice{1005, 2, 11, "2026-10-01", 100000, erp::InvoiceStatus::valid, 30});
      w.add(erp::Receivable{1005, 2, 1005, "2026-10-31", 100000, {{"2026-11-10", 40000}}});
      // A cancelled order of C2 with a large margin: ignored.
      erp::Order o2x{12, 2, "2026-10-15 09:00:00", erp::OrderStatus::cancelled, false, {}, {}};
      o2x.lines = {{121, "SP5", 1, 99900, 100}};
      w.add(o2x);

      // C3: one line sold below cost (100.00 at 150.00); a cancelled invoice; no receivables.
      erp::Order o3{13, 3, "2026-11-15 08:00:00", erp::OrderStatus::valid, false, {}, {}};
      o3.lines = {{131, "SP6", 1, 10000, 15000}};
      w.add(o3);
      w.add(erp::Invoice{1004, 3, 13, "2026-11-16", 200000, erp::InvoiceStatus::cancelled, 30});
    });
  }

  // Host facts + sync + C3's opportunities (an open one of 1234.57 at 33 %, a lost one).
  void prepare_facts(const json &value, std::optional<json> host_mapping = std::nullopt) {
    write_facts();
    configure(value, host_mapping);
    ok("lifecycle.sync", {{"as_of", kAsOf}});
    opportunity(crm_id(3), "1234.57", 33);
    auto lost = ok("opportunity.create", {{"customer_id", crm_id(3)},
                                          {"name", "lost deal"},
                                          {"amount", "99999.00"},
                                          {"probability", 50}});
    ok("opportunity.close", {{"id", lost["id"]},
                             {"version", lost["version"]},
                             {"outcome", "lost"},
                             {"reason", "price"}});
  }

  json abc_tiers() const {
    return json::array({{{"name", "A"}, {"percent", 34}},
                        {{"name", "B"}, {"percent", 33}},
                        {{"name", "C"}, {"percent", 33}}});
  }
};

TEST_P(ValueTest, HandMadeFactsGiveTheWorkedOutComponents) {
  prepare_facts({{"tiers", abc_tiers()}});
  auto run = ok("value.run", {{"period", "2026-11"}, {"as_of", kAsOf}});
  EXPECT_EQ(run["status"], "done");
  EXPECT_EQ(run["population"], 3);  // C4 has no order: still potential, not in the population
  EXPECT_EQ(run["components"],
            json::array({"sales", "expectation", "credit", "profit", "reference"}));
  EXPECT_EQ(run["unavailable"], json::array());
  EXPECT_EQ(run["tiers"], json::parse(R"([{"name":"A","percent":34,"customers":1},
      {"name":"B","percent":33,"customers":1},{"name":"C","percent":33,"customers":1}])"));

  // C1: sales 10500.00 − 500.00; profit 10 × 400.00 (the line without cost is left out);
  // credit: 5500.00 open, all overdue → 4000; 243 days past due → 3000;
  // 3000 × 5500.00 / 1000000.00 = 16 → 10000 − 7016 = 2984; reference 100 + 1 referral.
  // C2: sales 6000.00 + 1000.00 (the 2025 invoice is outside the window); profit 2 × 1000.00;
  // credit: 6600.00 open, 600.00 overdue → 4000 × 600 / 6600 = 363; 30 days → 1000;
  // 3000 × 6600.00 / 20000.00 = 990 → 10000 − 2353 = 7647.
  // C3: expectation 123457 × 33 / 100 = 40740.81 → 407.40; profit −50.00; no receivables.
  // Ranks (N = 3, (rank − 1) × 10⁶ / 2), ties share the lower rank (expectation, reference).
  // Score = (35 s + 15 e + 15 c + 25 p + 10 r) / 100.
  struct Expected {
    std::int64_t number;
    json raw, ppm;
    std::int64_t score, position;
    std::string tier;
  };
  const std::vector<Expected> expected = {
      {1,
       {"10000.00", "0.00", 2984, "4000.00", 101},
       {1000000, 0, 0, 1000000, 1000000},
       700000,
       1,
       "A"},
      {2, {"7000.00", "0.00", 7647, "2000.00", 0}, {500000, 0, 500000, 500000, 0}, 375000, 2, "B"},
      {3, {"0.00", "407.40", 10000, "-50.00", 0}, {0, 1000000, 1000000, 0, 0}, 300000, 3, "C"},
  };
  const std::vector<std::string> names = {"sales", "expectation", "credit", "profit", "reference"};
  const std::vector<std::int64_t> weights = {35, 15, 15, 25, 10};
  for (const auto &e : expected) {
    SCOPED_TRACE("customer " + std::to_string(e.number));
    auto got = ok("value.get", {{"customer_id", crm_id(e.number)}, {"period", "2026-11"}});
    EXPECT_EQ(got["score_ppm"], e.score);
    EXPECT_EQ(got["position"], e.position);
    EXPECT_EQ(got["population"], 3);
    EXPECT_EQ(got["tier"], e.tier);
    for (std::size_t i = 0; i < names.size(); ++i) {
      const auto &component = got["components"][names[i]];
      EXPECT_EQ(component["raw"], e.raw[i]) << names[i];
      EXPECT_EQ(component["normalised_ppm"], e.ppm[i]) << names[i];
      EXPECT_EQ(component["weight"], weights[i]) << names[i];
      EXPECT_EQ(component["contribution_ppm"], weights[i] * e.ppm[i].get<std::int64_t>() / 100)
          << names[i];
    }
  }
  // Latest period by default.
  EXPECT_EQ(ok("value.get", {{"customer_id", crm_id(1)}})["period"], "2026-11");
  auto tiers = ok("value.tiers", {{"period", "2026-11"}});
  EXPECT_EQ(tiers["tiers"], json::parse(R"([
      {"name":"A","percent":34,"customers":1,"sales":"10000.00"},
      {"name":"B","percent":33,"customers":1,"sales":"7000.00"},
      {"name":"C","percent":33,"customers":1,"sales":"0.00"}])"));
  // C4 is not in the population.
  rejects("value.get", {{"customer_id", crm_id(4)}, {"period", "2026-11"}}, "not_found",
          "params.customer_id");
}

TEST_P(ValueTest, ProfitIsUnavailableWhenCostsAreNotMapped) {
  auto without_cost = mapping();
  auto query = without_cost["order_lines"]["query"].get<std::string>();
  const auto cut = std::regex_replace(query, std::regex(", [^,]* AS cost"), "");
  ASSERT_NE(cut, query);
  without_cost["order_lines"]["query"] = cut;
  prepare_facts({{"tiers", abc_tiers()}}, without_cost);
  auto run = ok("value.run", {{"period", "2026-11"}, {"as_of", kAsOf}});
  EXPECT_EQ(run["components"], json::array({"sales", "expectation", "credit", "reference"}));
  ASSERT_EQ(run["unavailable"].size(), 1u);
  EXPECT_EQ(run["unavailable"][0]["component"], "profit");
  EXPECT_NE(run["unavailable"][0]["reason"].get<std::string>().find("cost"), std::string::npos);
  EXPECT_EQ(run["effective_weights"]["profit"], 0);
  // Weights renormalised over 35 + 15 + 15 + 10 = 75: C1 (35 + 10) × 10⁶ / 75 = 600000,
  // C3 (15 + 15) × 10⁶ / 75 = 400000, C2 (35 + 15) × 500000 / 75 = 333333.
  std::vector<std::pair<std::int64_t, std::pair<std::int64_t, std::int64_t>>> expected = {
      {1, {600000, 1}}, {3, {400000, 2}}, {2, {333333, 3}}};
  for (const auto &[number, score_position] : expected) {
    auto got = ok("value.get", {{"customer_id", crm_id(number)}});
    EXPECT_EQ(got["score_ppm"], score_position.first) << number;
    EXPECT_EQ(got["position"], score_position.second) << number;
    EXPECT_EQ(got["components"]["profit"]["raw"], nullptr);
    EXPECT_EQ(got["components"]["profit"]["available"], false);
  }
}

// An opportunity without a probability of its own (NULL) is expected at its stage's default,
// the probability opportunity.get reports for it: 250.00 in propose (60 %) → 150.00, plus
// 100.00 at 25 % → 25.00, so the customer's expectation is 175.00 (0 % would give 25.00).
TEST_P(ValueTest, ANullProbabilityIsExpectedAtTheStageDefault) {
  host([](erp::Writer &) {});
  configure({{"population_stages", {"potential"}}});
  const std::string id = customer("概率未定", {{"stage", "potential"}})["id"];
  auto deal = ok("opportunity.create", {{"customer_id", id},
                                        {"name", "deal without probability"},
                                        {"amount", "250.00"},
                                        {"stage", "propose"}});
  opportunity(id, "100.00", 25);
  database_.execute("UPDATE crm_opportunity SET probability = NULL WHERE id = " +
                    deal["id"].get<std::string>());
  EXPECT_EQ(ok("opportunity.get", {{"id", deal["id"]}})["probability"], 60);
  ok("value.run", {{"period", "P1"}});
  auto got = ok("value.get", {{"customer_id", id}});
  EXPECT_EQ(got["components"]["expectation"]["raw"], "175.00");
}

// Ten potential customers valued by expectation alone: ties share a rank, positions break
// ties by customer id, a 10/30/60 pyramid cuts 1/3/6.
TEST_P(ValueTest, RanksWithTiesAndACustomPyramid) {
  host([](erp::Writer &) {});
  configure({{"population_stages", {"potential"}},
             {"weights",
              {{"sales", 0}, {"expectation", 1}, {"credit", 0}, {"profit", 0}, {"reference", 0}}},
             {"tiers",
              {{{"name", "top"}, {"percent", 10}},
               {{"name", "mid"}, {"percent", 30}},
               {{"name", "rest"}, {"percent", 60}}}}});
  const std::vector<int> amounts = {0, 0, 100, 100, 100, 200, 300, 300, 400, 500};
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < amounts.size(); ++i) {
    ids.push_back(customer("客户 " + std::to_string(i), {{"stage", "potential"}})["id"]);
    if (amounts[i]) opportunity(ids.back(), std::to_string(amounts[i]) + ".00", 100);
  }
  auto run = ok("value.run", {{"period", "P1"}});
  EXPECT_EQ(run["population"], 10);
  // Ranks 1,1,3,3,3,6,7,7,9,10 → (rank − 1) × 10⁶ / 9.
  const std::vector<std::int64_t> ppm = {0,      0,      222222, 222222, 222222,
                                         555555, 666666, 666666, 888888, 1000000};
  const std::vector<std::int64_t> position = {9, 10, 6, 7, 8, 5, 3, 4, 2, 1};
  for (std::size_t i = 0; i < ids.size(); ++i) {
    auto got = ok("value.get", {{"customer_id", ids[i]}});
    EXPECT_EQ(got["components"]["expectation"]["normalised_ppm"], ppm[i]) << i;
    EXPECT_EQ(got["score_ppm"], ppm[i]) << i;
    EXPECT_EQ(got["position"], position[i]) << i;
    EXPECT_EQ(got["tier"], std::string(position[i] == 1   ? "top"
                                       : position[i] <= 4 ? "mid"
                                                          : "rest"))
        << i;
  }
  auto tiers = ok("value.tiers", {{"period", "P1"}});
  EXPECT_EQ(tiers["tiers"][0]["customers"], 1);
  EXPECT_EQ(tiers["tiers"][1]["customers"], 3);
  EXPECT_EQ(tiers["tiers"][2]["customers"], 6);
}

class MigrationTest : public ValueTest {
 protected:
  void SetUp() override {
    ValueTest::SetUp();
    host([](erp::Writer &) {});
    configure(
        {{"population_stages", {"potential"}},
         {"weights",
          {{"sales", 0}, {"expectation", 1}, {"credit", 0}, {"profit", 0}, {"reference", 0}}},
         {"tiers", {{{"name", "top"}, {"percent", 20}}, {{"name", "rest"}, {"percent", 80}}}}});
  }
};

TEST_P(MigrationTest, ReRunningAPeriodReplacesIt) {
  auto a = customer("甲", {{"stage", "potential"}})["id"].get<std::string>();
  opportunity(a, "10.00", 100);
  ok("value.run", {{"period", "2026-10"}, {"as_of", "2026-10-31T12:00:00+08:00"}});
  ok("value.run", {{"period", "2026-11"}, {"as_of", kAsOf}});
  EXPECT_EQ(ok("value.get", {{"customer_id", a}})["position"], 1);
  auto b = customer("乙", {{"stage", "potential"}})["id"].get<std::string>();
  opportunity(b, "20.00", 100);
  auto again = ok("value.run", {{"period", "2026-11"}, {"as_of", kAsOf}});
  EXPECT_EQ(again["population"], 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM crm_value_snapshot WHERE period = '2026-11'"), 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM crm_value_run WHERE period = '2026-11'"), 1);
  EXPECT_EQ(count("SELECT population FROM crm_value_run WHERE period = '2026-11'"), 2);
  EXPECT_EQ(ok("value.get", {{"customer_id", a}})["position"], 2);
  // First of two, but 20 % of 2 customers is less than one: nobody is "top".
  EXPECT_EQ(ok("value.get", {{"customer_id", b}})["position"], 1);
  EXPECT_EQ(ok("value.get", {{"customer_id", b}})["tier"], "rest");
  // The other period is untouched.
  EXPECT_EQ(count("SELECT COUNT(*) FROM crm_value_snapshot WHERE period = '2026-10'"), 1);
  EXPECT_EQ(ok("value.get", {{"customer_id", a}, {"period", "2026-10"}})["position"], 1);
  // Text with SQL metacharacters is a period like any other.
  ok("value.run", {{"period", "x'; DROP --"}});
  EXPECT_EQ(ok("value.get", {{"customer_id", b}, {"period", "x'; DROP --"}})["position"], 1);
}

TEST_P(MigrationTest, MatrixAndCellCustomersBetweenTwoPeriods) {
  std::map<std::string, std::string> id;
  const std::vector<std::pair<std::string, std::string>> first = {
      {"a", "500.00"}, {"b", "400.00"}, {"c", "300.00"}, {"d", "200.00"}, {"e", "100.00"}};
  for (const auto &[name, amount] : first) {
    id[name] = customer(name, {{"stage", "potential"}})["id"];
    opportunity(id[name], amount, 100);
  }
  ok("value.run", {{"period", "2026-10"}, {"as_of", "2026-10-31T12:00:00+08:00"}});
  // e leaves the population, f joins it, b climbs to the top.
  ok("lifecycle.transition",
     {{"customer_id", id["e"]}, {"to", "disqualified"}, {"reason_code", "no_budget"}});
  id["f"] = customer("f", {{"stage", "potential"}})["id"];
  opportunity(id["f"], "1000.00", 100);
  opportunity(id["b"], "2000.00", 100);
  ok("value.run", {{"period", "2026-11"}, {"as_of", kAsOf}});

  auto matrix = ok("value.migration", {{"from", "2026-10"}, {"to", "2026-11"}});
  EXPECT_EQ(matrix["rows"], json::array({"top", "rest", "new"}));
  EXPECT_EQ(matrix["columns"], json::array({"top", "rest", "gone"}));
  EXPECT_EQ(matrix["matrix"], json::parse("[[0,1,0],[1,2,1],[0,1,0]]"));

  auto page = ok("value.migration", {{"from", "2026-10"},
                                     {"to", "2026-11"},
                                     {"from_tier", "rest"},
                                     {"to_tier", "rest"},
                                     {"limit", 1}});
  ASSERT_EQ(page["items"].size(), 1u);
  EXPECT_EQ(page["items"][0]["customer_id"], id["c"]);
  EXPECT_EQ(page["items"][0]["from"]["position"], 3);
  EXPECT_EQ(page["items"][0]["to"]["position"], 4);
  ASSERT_TRUE(page["next_cursor"].is_string());
  auto second = ok("value.migration", {{"from", "2026-10"},
                                       {"to", "2026-11"},
                                       {"from_tier", "rest"},
                                       {"to_tier", "rest"},
                                       {"limit", 1},
                                       {"cursor", page["next_cursor"]}});
  ASSERT_EQ(second["items"].size(), 1u);
  EXPECT_EQ(second["items"][0]["customer_id"], id["d"]);
  EXPECT_TRUE(second["next_cursor"].is_null());

  auto gone =
      ok("value.migration",
         {{"from", "2026-10"}, {"to", "2026-11"}, {"from_tier", "rest"}, {"to_tier", "gone"}});
  ASSERT_EQ(gone["items"].size(), 1u);
  EXPECT_EQ(gone["items"][0]["customer_id"], id["e"]);
  EXPECT_TRUE(gone["items"][0]["to"].is_null());
  auto fresh =
      ok("value.migration",
         {{"from", "2026-10"}, {"to", "2026-11"}, {"from_tier", "new"}, {"to_tier", "rest"}});
  ASSERT_EQ(fresh["items"].size(), 1u);
  EXPECT_EQ(fresh["items"][0]["customer_id"], id["f"]);
  EXPECT_EQ(fresh["items"][0]["to"]["position"], 2);
  auto up = ok("value.migration",
               {{"from", "2026-10"}, {"to", "2026-11"}, {"from_tier", "rest"}, {"to_tier", "top"}});
  ASSERT_EQ(up["items"].size(), 1u);
  EXPECT_EQ(up["items"][0]["customer_id"], id["b"]);

  rejects("value.migration", {{"from", "2026-10"}, {"to", "2026-11"}, {"from_tier", "rest"}},
          "invalid_argument", "params.to_tier");
  rejects("value.migration",
          {{"from", "2026-10"}, {"to", "2026-11"}, {"from_tier", "gold"}, {"to_tier", "top"}},
          "invalid_argument", "params.from_tier");
  rejects("value.migration", {{"from", "1999-01"}, {"to", "2026-11"}}, "not_found", "params.from");
  rejects("value.migration", {{"from", "2026-10"}, {"to", "1999-01"}}, "not_found", "params.to");
  rejects("value.migration", {{"from", "2026-10"}, {"to", "2026-11"}, {"limit", "ten"}},
          "invalid_argument", "params.limit");
}

TEST_P(MigrationTest, BadInputIsRejectedAndChangesNothing) {
  auto a = customer("甲", {{"stage", "potential"}})["id"].get<std::string>();
  ok("value.run", {{"period", "2026-10"}});
  rejects("value.run", json::object(), "invalid_argument", "params.period");
  rejects("value.run", {{"period", "2026-11-and-more-x"}}, "invalid_argument", "params.period");
  rejects("value.run", {{"period", 202611}}, "invalid_argument", "params.period");
  rejects("value.run", {{"period", "2026-11"}, {"as_of", "yesterday"}}, "invalid_argument",
          "params.as_of");
  rejects("value.run", {{"period", "2026-11"}, {"colour", "red"}}, "invalid_argument",
          "params.colour");
  rejects("value.get", {{"customer_id", a}, {"period", "1999-01"}}, "not_found", "params.period");
  rejects("value.get", {{"customer_id", "abc"}}, "invalid_argument", "params.customer_id");
  rejects("value.get", {{"customer_id", "999999"}}, "not_found", "params.customer_id");
  rejects("value.tiers", {{"period", "1999-01"}}, "not_found", "params.period");
  rejects("value.tiers", {{"period", json::array()}}, "invalid_argument", "params.period");

  const std::string before = database_.snapshot();
  auto bad = [&](const json &value, const std::string &field) {
    auto message = client_error({{"host", mapping()}, {"value", value}});
    EXPECT_NE(message.find(field), std::string::npos) << message;
  };
  bad({{"tiers", {{{"name", "a"}, {"percent", 50}}, {{"name", "b"}, {"percent", 49}}}}},
      "value.tiers");
  bad({{"tiers", {{{"name", "a"}, {"percent", 100}}, {{"name", "a"}, {"percent", 0}}}}},
      "value.tiers[1]");
  bad({{"tiers", {{{"name", "new"}, {"percent", 100}}}}}, "value.tiers[0].name");
  bad({{"tiers", "1/4/15/80"}}, "value.tiers");
  bad({{"weights", {{"sales", -1}}}}, "value.weights.sales");
  bad({{"weights", {{"sales", "35"}}}}, "value.weights.sales");
  bad({{"weights", {{"loyalty", 5}}}}, "value.weights.loyalty");
  bad({{"weights",
        {{"sales", 0}, {"expectation", 0}, {"credit", 0}, {"profit", 0}, {"reference", 0}}}},
      "value.weights");
  bad({{"window_days", 0}}, "value.window_days");
  bad({{"population_stages", {"customer", "nobody"}}}, "value.population_stages[1]");
  bad({{"colour", "red"}}, "value.colour");
  EXPECT_EQ(database_.snapshot(), before);
}

TEST_P(MigrationTest, ASecondRunAtTheSameTimeIsRefusedOrSerialised) {
  for (int i = 0; i < 20; ++i) customer("客户" + std::to_string(i), {{"stage", "potential"}});
  if (database_.dialect() != "sqlite") {
    // Another process holds the job: this one is told so and writes nothing.
    auto other = database_.open_connection();
    other->begin();
    {
      auto row = other->prepare("SELECT name FROM crm_job WHERE name = 'value.run' FOR UPDATE")
                     .query({}, {db::Column::text(64)});
      ASSERT_TRUE(row.next());
    }
    auto refused = ok("value.run", {{"period", "2026-11"}});
    EXPECT_EQ(refused["status"], "running_elsewhere");
    other->rollback();
    EXPECT_EQ(count("SELECT COUNT(*) FROM crm_value_run"), 0);
  }
  std::atomic<int> done{0}, elsewhere{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) user("worker" + std::to_string(t));
  for (int t = 0; t < 2; ++t)
    threads.emplace_back([&, t] {
      auto session = client_->open_session("worker" + std::to_string(t));
      auto result = ok_on(session, "value.run", {{"period", "2026-11"}});
      if (result["status"] == "done") ++done;
      if (result["status"] == "running_elsewhere") ++elsewhere;
    });
  for (auto &thread : threads) thread.join();
  EXPECT_EQ(done + elsewhere, 2);
  EXPECT_GE(done.load(), 1);
  EXPECT_EQ(count("SELECT runs FROM crm_job WHERE name = 'value.run'"), done.load());
  EXPECT_EQ(count("SELECT COUNT(*) FROM crm_value_snapshot WHERE period = '2026-11'"), 20);
}

std::string shape_label(const ::testing::TestParamInfo<Shape> &info) {
  return std::string(erp::shape_name(info.param));
}

INSTANTIATE_TEST_SUITE_P(Shapes, ValueTest, ::testing::Values(Shape::jinhe, Shape::meridian),
                         shape_label);
INSTANTIATE_TEST_SUITE_P(Shapes, MigrationTest, ::testing::Values(Shape::jinhe, Shape::meridian),
                         shape_label);

}  // namespace
}  // namespace crm::test
