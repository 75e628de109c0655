// Opportunities on every database: exact money, the pipeline, history and time in stage,
// optimistic and closed-state conflicts, and the bad-input matrix (each rejection leaves the
// database unchanged).
#include <chrono>
#include <set>
#include <thread>

#include "fixture.hpp"

namespace crm::test {
namespace {

class OpportunityTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    acme_ = customer("Acme")["id"];
  }

  json create(const json &extra = json::object()) {
    json params = {{"customer_id", acme_}, {"name", "Framework order"}};
    params.update(extra);
    return ok("opportunity.create", params);
  }

  json get(const json &opportunity) { return ok("opportunity.get", {{"id", opportunity["id"]}}); }

  // A column of the opportunity's event rows, oldest first.
  std::vector<std::string> events(const json &opportunity, const std::string &column) {
    return database_.column("SELECT " + column +
                            " FROM crm_opportunity_event WHERE opportunity_id = " +
                            opportunity["id"].get<std::string>() + " ORDER BY occurred_at, id");
  }

  std::string stored(const json &opportunity, const std::string &column) {
    auto values = database_.column("SELECT " + column + " FROM crm_opportunity WHERE id = " +
                                   opportunity["id"].get<std::string>());
    EXPECT_EQ(values.size(), 1u);
    return values.empty() ? "" : values[0];
  }

  static std::int64_t micros(const json &time_in_stage, const std::string &stage) {
    return time_in_stage.at(stage).at("microseconds").get<std::int64_t>();
  }

  json acme_;
};

using Strings = std::vector<std::string>;

TEST_F(OpportunityTest, CreateAppliesDefaultsAndRecordsTheCreation) {
  const auto before_create = std::chrono::steady_clock::now();
  json o = create();
  EXPECT_EQ(o["customer_id"], acme_);
  EXPECT_EQ(o["name"], "Framework order");
  EXPECT_EQ(o["stage"], "qualify");
  EXPECT_EQ(o["status"], "open");
  EXPECT_EQ(o["probability"], 10);
  EXPECT_TRUE(o["amount"].is_null());
  EXPECT_TRUE(o["weighted_amount"].is_null());
  EXPECT_TRUE(o["expected_close"].is_null());
  EXPECT_EQ(o["owner"], "alice");
  EXPECT_EQ(o["created_by"], "alice");
  EXPECT_EQ(o["version"], 1);
  EXPECT_TRUE(o["closed_at"].is_null());
  EXPECT_EQ(o["stage_entered_at"], o["created_at"]);

  json full = get(o);
  const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::steady_clock::now() - before_create)
                           .count();
  ASSERT_EQ(full["history"].size(), 1u);
  json created = full["history"][0];
  EXPECT_EQ(created["kind"], "created");
  EXPECT_TRUE(created["from_stage"].is_null());
  EXPECT_EQ(created["to_stage"], "qualify");
  EXPECT_EQ(created["probability"], 10);
  EXPECT_EQ(created["actor"], "alice");
  EXPECT_EQ(created["occurred_at"], o["created_at"]);
  EXPECT_EQ(full["time_in_stage"].size(), 1u);
  // The open visit runs from the creation to the get, both inside what the test timed.
  EXPECT_LE(micros(full["time_in_stage"], "qualify"), elapsed);
  EXPECT_EQ(full["time_in_stage"]["qualify"]["visits"], 1);

  EXPECT_EQ(events(o, "kind"), Strings{"created"});
  EXPECT_EQ(events(o, "from_stage"), Strings{"<null>"});
  EXPECT_EQ(events(o, "amount_minor"), Strings{"<null>"});
  EXPECT_EQ(events(o, "customer_id"), Strings{acme_.get<std::string>()});
  EXPECT_EQ(stored(o, "status"), "open");
}

TEST_F(OpportunityTest, CreateTakesEveryField) {
  json o = create({{"stage", "propose"},
                   {"amount", "12345.67"},
                   {"probability", 55},
                   {"expected_close", "2028-02-29"},
                   {"owner", "bob"}});
  EXPECT_EQ(o["stage"], "propose");
  EXPECT_EQ(o["amount"], "12345.67");
  EXPECT_EQ(o["probability"], 55);
  EXPECT_EQ(o["weighted_amount"], "6790.12");  // 6790.1185
  EXPECT_EQ(o["expected_close"], "2028-02-29");
  EXPECT_EQ(o["owner"], "bob");
  EXPECT_EQ(stored(o, "amount_minor"), "1234567");
  EXPECT_EQ(get(o)["history"][0]["amount"], "12345.67");
  // Each stage brings its own default probability.
  EXPECT_EQ(create({{"stage", "develop"}})["probability"], 30);
  EXPECT_EQ(create({{"stage", "propose"}})["probability"], 60);
  EXPECT_EQ(create({{"stage", "negotiate"}})["probability"], 80);
  EXPECT_EQ(create({{"probability", 0}})["probability"], 0);
  EXPECT_TRUE(create({{"owner", nullptr}})["owner"].is_null());
}

TEST_F(OpportunityTest, MoneyIsExact) {
  json a = create({{"amount", "0.10"}});
  json b = create({{"amount", "0.20"}});
  EXPECT_EQ(a["amount"], "0.10");
  EXPECT_EQ(b["amount"], "0.20");
  EXPECT_EQ(database_.column("SELECT SUM(amount_minor) FROM crm_opportunity"), Strings{"30"});
  EXPECT_EQ(a["weighted_amount"], "0.01");  // 0.010
  EXPECT_EQ(b["weighted_amount"], "0.02");  // 0.020

  json big = create({{"amount", "99999999999.99"}, {"stage", "negotiate"}});
  EXPECT_EQ(big["amount"], "99999999999.99");
  EXPECT_EQ(big["weighted_amount"], "79999999999.99");  // 79999999999.992
  EXPECT_EQ(stored(big, "amount_minor"), "9999999999999");
  json largest = create({{"amount", "92233720368547758.07"}, {"probability", 100}});
  EXPECT_EQ(get(largest)["amount"], "92233720368547758.07");
  EXPECT_EQ(largest["weighted_amount"], "92233720368547758.07");
  EXPECT_EQ(create({{"amount", "0.05"}})["weighted_amount"], "0.01");  // 0.005 rounds up
  EXPECT_EQ(create({{"amount", "0.04"}})["weighted_amount"], "0.00");  // 0.004 rounds down
  EXPECT_EQ(create({{"amount", "100"}})["amount"], "100.00");
  EXPECT_EQ(create({{"amount", "0"}})["amount"], "0.00");

  json page = ok("opportunity.list", {{"customer_id", acme_}, {"limit", 2}});
  ASSERT_EQ(page["items"].size(), 2u);
  EXPECT_EQ(page["items"][0]["amount"], "0.10");
  EXPECT_EQ(page["items"][1]["amount"], "0.20");
}

TEST_F(OpportunityTest, StageHistoryAndTimeInStage) {
  json o = create({{"amount", "1000.00"}});
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  o = ok("opportunity.update", {{"id", o["id"]}, {"version", 1}, {"stage", "develop"}});
  EXPECT_EQ(o["stage"], "develop");
  EXPECT_EQ(o["probability"], 30);
  EXPECT_EQ(o["weighted_amount"], "300.00");
  EXPECT_EQ(o["version"], 2);
  o = ok("opportunity.update", {{"id", o["id"]}, {"version", 2}, {"amount", "1500.50"}});
  o = ok("opportunity.update", {{"id", o["id"]}, {"version", 3}, {"probability", 45}});
  EXPECT_EQ(o["weighted_amount"], "675.23");  // 675.225 rounds up
  // Name, owner and date changes are no events; an unchanged amount is none either.
  o = ok("opportunity.update", {{"id", o["id"]},
                                {"version", 4},
                                {"name", "Renamed"},
                                {"amount", "1500.50"},
                                {"expected_close", "2027-01-31"}});
  EXPECT_EQ(o["version"], 5);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  o = ok("opportunity.update", {{"id", o["id"]}, {"version", 5}, {"stage", "qualify"}});
  EXPECT_EQ(o["probability"], 10);

  EXPECT_EQ(events(o, "kind"), (Strings{"created", "stage", "amount", "probability", "stage"}));
  EXPECT_EQ(events(o, "from_stage"),
            (Strings{"<null>", "qualify", "develop", "develop", "develop"}));
  EXPECT_EQ(events(o, "to_stage"),
            (Strings{"qualify", "develop", "develop", "develop", "qualify"}));
  EXPECT_EQ(events(o, "amount_minor"), (Strings{"100000", "100000", "150050", "150050", "150050"}));
  EXPECT_EQ(events(o, "probability"), (Strings{"10", "30", "30", "45", "10"}));
  EXPECT_EQ(events(o, "actor"), Strings(5, "alice"));

  json full = get(o);
  ASSERT_EQ(full["history"].size(), 5u);
  // Oldest first: time order (as the database sorts it) is also the order of the changes.
  Strings history_ids;
  for (const auto &event : full["history"]) history_ids.push_back(event["id"]);
  EXPECT_EQ(history_ids, events(o, "id"));
  for (std::size_t i = 1; i < history_ids.size(); ++i)
    EXPECT_LT(std::stoll(history_ids[i - 1]), std::stoll(history_ids[i]));
  EXPECT_EQ(database_.column("SELECT id FROM crm_opportunity_event ORDER BY id"), history_ids);
  EXPECT_EQ(full["history"][2]["amount"], "1500.50");
  EXPECT_EQ(full["stage_entered_at"], full["history"][4]["occurred_at"]);
  json spent = full["time_in_stage"];
  EXPECT_EQ(spent.size(), 2u);
  EXPECT_EQ(spent["qualify"]["visits"], 2);
  EXPECT_EQ(spent["develop"]["visits"], 1);
  EXPECT_GE(micros(spent, "qualify"), 20000);  // the first visit alone slept 20 ms
  EXPECT_GE(micros(spent, "develop"), 20000);
  EXPECT_DOUBLE_EQ(spent["develop"]["seconds"].get<double>(), micros(spent, "develop") / 1e6);

  // The current stage keeps counting; the others stay as they were.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  json later = get(o)["time_in_stage"];
  EXPECT_GE(micros(later, "qualify"), micros(spent, "qualify") + 20000);
  EXPECT_EQ(micros(later, "develop"), micros(spent, "develop"));

  // Closing stops the clock; reopening starts it again in the same stage.
  json closed =
      ok("opportunity.close",
         {{"id", o["id"]}, {"version", 6}, {"outcome", "lost"}, {"reason", "budget cut"}});
  json frozen = get(o)["time_in_stage"];
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(get(o)["time_in_stage"], frozen);
  ok("opportunity.reopen", {{"id", o["id"]}, {"version", 7}, {"reason", "budget back"}});
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  json reopened = get(o)["time_in_stage"];
  EXPECT_EQ(reopened["qualify"]["visits"], 3);
  EXPECT_GE(micros(reopened, "qualify"), micros(frozen, "qualify") + 20000);
  EXPECT_EQ(micros(reopened, "develop"), micros(frozen, "develop"));
  EXPECT_EQ(events(o, "kind"),
            (Strings{"created", "stage", "amount", "probability", "stage", "lost", "reopened"}));
  EXPECT_EQ(events(o, "reason").back(), "budget back");
}

TEST_F(OpportunityTest, StaleVersionIsAConflictAndChangesNothing) {
  json o = create();
  ok("opportunity.update", {{"id", o["id"]}, {"version", 1}, {"name", "v2"}});
  rejects("opportunity.update", {{"id", o["id"]}, {"version", 1}, {"stage", "develop"}}, "conflict",
          "params.version");
  rejects("opportunity.close", {{"id", o["id"]}, {"version", 1}, {"outcome", "won"}}, "conflict",
          "params.version");
  rejects("opportunity.update", {{"id", o["id"]}, {"version", 2}}, "invalid_argument", "params");
  EXPECT_EQ(get(o)["name"], "v2");
  EXPECT_EQ(events(o, "kind"), Strings{"created"});
}

TEST_F(OpportunityTest, CloseWonLostAndReopen) {
  json o = create({{"stage", "negotiate"}, {"amount", "8000.00"}});
  json won = ok("opportunity.close",
                {{"id", o["id"]}, {"version", 1}, {"outcome", "won"}, {"amount", "7500.25"}});
  EXPECT_EQ(won["status"], "won");
  EXPECT_EQ(won["stage"], "negotiate");
  EXPECT_EQ(won["probability"], 100);
  EXPECT_EQ(won["amount"], "7500.25");
  EXPECT_EQ(won["weighted_amount"], "7500.25");
  EXPECT_FALSE(won["closed_at"].is_null());
  EXPECT_TRUE(won["close_reason"].is_null());
  EXPECT_EQ(won["version"], 2);

  // A closed opportunity changes only through opportunity.reopen.
  rejects("opportunity.update", {{"id", o["id"]}, {"version", 2}, {"name", "x"}}, "conflict",
          "params.id");
  rejects("opportunity.close",
          {{"id", o["id"]}, {"version", 2}, {"outcome", "lost"}, {"reason", "r"}}, "conflict",
          "params.id");
  rejects("opportunity.reopen", {{"id", o["id"]}, {"version", 2}}, "invalid_argument",
          "params.reason");
  json reopened =
      ok("opportunity.reopen", {{"id", o["id"]}, {"version", 2}, {"reason", "order cancelled"}});
  EXPECT_EQ(reopened["status"], "open");
  EXPECT_EQ(reopened["stage"], "negotiate");
  EXPECT_EQ(reopened["probability"], 80);
  EXPECT_EQ(reopened["amount"], "7500.25");
  EXPECT_TRUE(reopened["closed_at"].is_null());
  rejects("opportunity.reopen", {{"id", o["id"]}, {"version", 3}, {"reason", "again"}}, "conflict",
          "params.id");

  rejects("opportunity.close", {{"id", o["id"]}, {"version", 3}, {"outcome", "lost"}},
          "invalid_argument", "params.reason");
  rejects("opportunity.close",
          {{"id", o["id"]}, {"version", 3}, {"outcome", "lost"}, {"reason", "  "}},
          "invalid_argument", "params.reason");
  rejects("opportunity.close",
          {{"id", o["id"]}, {"version", 3}, {"outcome", "lost"}, {"reason", "r"}, {"amount", "1"}},
          "invalid_argument", "params.amount");
  json lost = ok("opportunity.close",
                 {{"id", o["id"]}, {"version", 3}, {"outcome", "lost"}, {"reason", "价格太高"}});
  EXPECT_EQ(lost["status"], "lost");
  EXPECT_EQ(lost["probability"], 0);
  EXPECT_EQ(lost["weighted_amount"], "0.00");
  EXPECT_EQ(lost["close_reason"], "价格太高");

  EXPECT_EQ(events(o, "kind"), (Strings{"created", "won", "reopened", "lost"}));
  EXPECT_EQ(events(o, "amount_minor"), (Strings{"800000", "750025", "750025", "750025"}));
  EXPECT_EQ(events(o, "probability"), (Strings{"80", "100", "80", "0"}));
  EXPECT_EQ(events(o, "reason"), (Strings{"<null>", "<null>", "order cancelled", "价格太高"}));
  EXPECT_EQ(stored(o, "status"), "lost");
  EXPECT_EQ(stored(o, "close_reason"), "价格太高");
}

TEST_F(OpportunityTest, ListFiltersAndPages) {
  json other = customer("Other")["id"];
  std::vector<json> made;
  for (int i = 0; i < 5; ++i) made.push_back(create({{"name", "A" + std::to_string(i)}}));
  made.push_back(
      ok("opportunity.create",
         {{"customer_id", other}, {"name", "B"}, {"owner", "bob"}, {"stage", "propose"}}));
  ok("opportunity.close",
     {{"id", made[1]["id"]}, {"version", 1}, {"outcome", "won"}, {"amount", "10.00"}});

  auto ids = [](const json &page) {
    std::vector<std::string> out;
    for (const auto &item : page["items"]) out.push_back(item["id"]);
    return out;
  };
  EXPECT_EQ(ok("opportunity.list", {{"customer_id", other}})["items"].size(), 1u);
  EXPECT_EQ(ids(ok("opportunity.list", {{"owner", "bob"}})),
            Strings{made[5]["id"].get<std::string>()});
  EXPECT_EQ(ids(ok("opportunity.list", {{"status", "won"}})),
            Strings{made[1]["id"].get<std::string>()});
  EXPECT_EQ(ok("opportunity.list", {{"status", "open"}, {"customer_id", acme_}})["items"].size(),
            4u);
  EXPECT_EQ(ids(ok("opportunity.list", {{"stage", "propose"}})),
            Strings{made[5]["id"].get<std::string>()});
  json won = ok("opportunity.list", {{"status", "won"}})["items"][0];
  EXPECT_EQ(won["weighted_amount"], "10.00");
  EXPECT_FALSE(won.contains("history"));

  std::vector<std::string> seen;
  json params = {{"customer_id", acme_}, {"limit", 2}};
  for (int pages = 0; pages < 10; ++pages) {
    json page = ok("opportunity.list", params);
    for (auto &id : ids(page)) seen.push_back(id);
    if (page["next_cursor"].is_null()) break;
    params["cursor"] = page["next_cursor"];
  }
  std::vector<std::string> expected;
  for (int i = 0; i < 5; ++i) expected.push_back(made[i]["id"]);
  EXPECT_EQ(seen, expected);

  EXPECT_TRUE(ok("opportunity.list", {{"owner", "nobody"}})["items"].empty());
  rejects("opportunity.list", {{"customer_id", "777777"}}, "not_found", "params.customer_id");
  rejects("opportunity.list", {{"cursor", "not-a-cursor"}}, "invalid_argument", "params.cursor");
}

TEST_F(OpportunityTest, UnknownIdsAreNotFound) {
  json o = create();
  const std::string unknown = "9223372036854775807";
  rejects("opportunity.create", {{"customer_id", unknown}, {"name", "X"}}, "not_found",
          "params.customer_id");
  rejects("opportunity.get", {{"id", unknown}}, "not_found", "params.id");
  rejects("opportunity.update", {{"id", unknown}, {"version", 1}, {"name", "X"}}, "not_found",
          "params.id");
  rejects("opportunity.close", {{"id", unknown}, {"version", 1}, {"outcome", "won"}}, "not_found",
          "params.id");
  rejects("opportunity.reopen", {{"id", unknown}, {"version", 1}, {"reason", "r"}}, "not_found",
          "params.id");
  for (const char *bad : {"0", "-1", "01", "abc", "1; DROP TABLE crm_opportunity"})
    rejects("opportunity.get", {{"id", bad}}, "invalid_argument", "params.id");
  EXPECT_EQ(get(o)["version"], 1);
}

TEST_F(OpportunityTest, EveryParameterRejectsWrongTypes) {
  json open = create({{"amount", "1.00"}});
  json closed = create();
  ok("opportunity.close", {{"id", closed["id"]}, {"version", 1}, {"outcome", "won"}});
  const std::vector<std::pair<std::string, json>> requests = {
      {"opportunity.create",
       {{"customer_id", acme_},
        {"name", "N"},
        {"stage", "develop"},
        {"amount", "1.00"},
        {"probability", 20},
        {"expected_close", "2027-01-01"},
        {"owner", "o"}}},
      {"opportunity.get", {{"id", open["id"]}}},
      {"opportunity.update",
       {{"id", open["id"]},
        {"version", 1},
        {"name", "N"},
        {"stage", "develop"},
        {"amount", "2.00"},
        {"probability", 20},
        {"expected_close", "2027-01-01"},
        {"owner", "o"}}},
      {"opportunity.close",
       {{"id", open["id"]}, {"version", 1}, {"outcome", "won"}, {"reason", "r"}, {"amount", "3"}}},
      {"opportunity.reopen", {{"id", closed["id"]}, {"version", 2}, {"reason", "r"}}},
      {"opportunity.list",
       {{"customer_id", acme_},
        {"owner", "o"},
        {"status", "open"},
        {"stage", "qualify"},
        {"limit", 5}}}};
  for (const auto &[method, params] : requests) {
    SCOPED_TRACE(method);
    rejects(method, with(params, {{"no_such_param", 1}}), "invalid_argument",
            "params.no_such_param");
    if (method != "opportunity.list") rejects(method, json::object(), "invalid_argument");
    for (const auto &[key, value] : params.items()) {
      SCOPED_TRACE(key);
      json wrong = value.is_string() ? json(12345) : json("text");
      rejects(method, with(params, {{key, wrong}}), "invalid_argument", "params." + key);
      rejects(method, with(params, {{key, json::array({1})}}), "invalid_argument", "params." + key);
      rejects(method, with(params, {{key, json::object()}}), "invalid_argument", "params." + key);
      rejects(method, with(params, {{key, true}}), "invalid_argument", "params." + key);
      rejects(method, with(params, {{key, 1.5}}), "invalid_argument", "params." + key);
    }
  }
}

TEST_F(OpportunityTest, BadValuesAreRejectedNamingTheField) {
  json o = create();
  const json base_create = {{"customer_id", acme_}, {"name", "N"}};
  const json base_update = {{"id", o["id"]}, {"version", 1}};
  const json base_close = {{"id", o["id"]}, {"version", 1}, {"outcome", "won"}};
  for (const char *bad :
       {"1.234", "1e3", " 1", "1 ", "１", "--1", "+1", ".5", "5.", "", "-1", "-0.01", "1,5",
        "92233720368547758.08", "1'; DROP TABLE crm_opportunity"}) {
    SCOPED_TRACE(bad);
    rejects("opportunity.create", with(base_create, {{"amount", bad}}), "invalid_argument",
            "params.amount");
    rejects("opportunity.update", with(base_update, {{"amount", bad}}), "invalid_argument",
            "params.amount");
    rejects("opportunity.close", with(base_close, {{"amount", bad}}), "invalid_argument",
            "params.amount");
  }
  json failure = rejects("opportunity.create", with(base_create, {{"amount", "1.234"}}),
                         "invalid_argument", "params.amount");
  EXPECT_NE(failure["message"].get<std::string>().find("more than 2 decimals"), std::string::npos)
      << failure.dump();
  for (const char *bad : {"2026-02-30", "2026-02-29", "1900-02-29", "2026-13-01", "2026-00-10",
                          "2026-04-31", "2026-1-01", "26-01-01", "2026/01/01", "2026-01-01T00",
                          "0999-01-01", "２０２６-01-01", "2026-01-0a", ""}) {
    SCOPED_TRACE(bad);
    rejects("opportunity.create", with(base_create, {{"expected_close", bad}}), "invalid_argument",
            "params.expected_close");
    rejects("opportunity.update", with(base_update, {{"expected_close", bad}}), "invalid_argument",
            "params.expected_close");
  }
  EXPECT_EQ(create({{"expected_close", "2024-02-29"}})["expected_close"], "2024-02-29");
  for (int probability : {-1, 101, 1000})
    rejects("opportunity.create", with(base_create, {{"probability", probability}}),
            "invalid_argument", "params.probability");
  rejects("opportunity.create", with(base_create, {{"stage", "won"}}), "invalid_argument",
          "params.stage");
  rejects("opportunity.create", with(base_create, {{"stage", nullptr}}), "invalid_argument",
          "params.stage");
  rejects("opportunity.create", with(base_create, {{"name", "   "}}), "invalid_argument",
          "params.name");
  rejects("opportunity.update", with(base_update, {{"name", nullptr}}), "invalid_argument",
          "params.name");
  rejects("opportunity.update", with(base_update, {{"version", 0}}), "invalid_argument",
          "params.version");
  rejects("opportunity.close", with(base_close, {{"outcome", "maybe"}}), "invalid_argument",
          "params.outcome");
  rejects("opportunity.list", {{"status", "closed"}}, "invalid_argument", "params.status");
  rejects("opportunity.list", {{"limit", 0}}, "invalid_argument", "params.limit");
  // Oversized values.
  rejects("opportunity.create", with(base_create, {{"name", std::string(201, 'x')}}),
          "invalid_argument", "params.name");
  std::string long_chinese;
  for (int i = 0; i < 201; ++i) long_chinese += "字";
  rejects("opportunity.create", with(base_create, {{"name", long_chinese}}), "invalid_argument",
          "params.name");
  rejects("opportunity.create", with(base_create, {{"owner", std::string(129, 'o')}}),
          "invalid_argument", "params.owner");
  rejects("opportunity.close", with(base_close, {{"reason", std::string(501, 'r')}}),
          "invalid_argument", "params.reason");
  rejects("opportunity.create", with(base_create, {{"amount", std::string(25, '1')}}),
          "invalid_argument", "params.amount");
  // Exactly at the limits is fine.
  std::string chinese_200;
  for (int i = 0; i < 200; ++i) chinese_200 += "字";
  EXPECT_EQ(create({{"name", chinese_200}})["name"], chinese_200);
  EXPECT_EQ(get(o)["version"], 1);
}

TEST_F(OpportunityTest, TextIsStoredVerbatim) {
  const std::string tricky = "Robert'); DROP TABLE crm_opportunity; -- \"%_\\";
  const std::string chinese = "华联超市（北京）2027 年框架合同 · 第一期 🚀";
  json a = create({{"name", tricky}, {"owner", tricky}});
  json b = create({{"name", chinese}, {"owner", "王经理"}});
  EXPECT_EQ(get(a)["name"], tricky);
  EXPECT_EQ(get(a)["owner"], tricky);
  EXPECT_EQ(get(b)["name"], chinese);
  EXPECT_EQ(stored(b, "name"), chinese);
  EXPECT_EQ(ok("opportunity.list", {{"owner", tricky}})["items"].size(), 1u);
  json listed = ok("opportunity.list", {{"owner", "王经理"}});
  ASSERT_EQ(listed["items"].size(), 1u);
  EXPECT_EQ(listed["items"][0]["name"], chinese);
  json closed = ok("opportunity.close",
                   {{"id", b["id"]}, {"version", 1}, {"outcome", "lost"}, {"reason", tricky}});
  EXPECT_EQ(closed["close_reason"], tricky);
  EXPECT_EQ(get(b)["history"][1]["reason"], tricky);
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_opportunity"), Strings{"2"});
}

TEST_F(OpportunityTest, DescribePublishesTheSchemas) {
  json described = ok("system.describe");
  std::set<std::string> names;
  json create_schema;
  for (const auto &method : described["methods"]) {
    names.insert(method["name"].get<std::string>());
    if (method["name"] == "opportunity.create") create_schema = method["params"];
  }
  for (const char *name : {"opportunity.create", "opportunity.get", "opportunity.update",
                           "opportunity.close", "opportunity.reopen", "opportunity.list"})
    EXPECT_TRUE(names.count(name)) << name;
  ASSERT_TRUE(create_schema.is_object()) << described.dump().substr(0, 500);
  EXPECT_EQ(create_schema["properties"]["amount"]["type"], "string");
  EXPECT_EQ(create_schema["properties"]["stage"]["enum"],
            json({"qualify", "develop", "propose", "negotiate"}));
  EXPECT_EQ(create_schema["required"], json({"customer_id", "name"}));
}

}  // namespace
}  // namespace crm::test
