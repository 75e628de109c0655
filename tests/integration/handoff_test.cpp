// The hand-off SLA on every database: a move to opportunity opens a hand-off whose due times come
// from the receiving team's business calendar and the configured windows; accept, the first
// contact by the owner, the return to nurture through the ledger, a claim from a queue, a
// delegate's answer, a transfer carrying the running clock, the report's breaches and
// percentiles, and the bulk paths (more than one chunk of customers at once).
#include <ctime>
#include <iomanip>
#include <sstream>

#include "erp.hpp"
#include "fixture.hpp"

namespace crm::test {
namespace {

json every_day(const std::string &hours) {
  json week = json::object();
  for (const char *day :
       {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"})
    week[day] = json::array({hours});
  return week;
}

class HandoffTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    reconfigure(sections());
    for (const char *key : {"s1", "s2"}) user(key, {"sales"});
    user("e1", {"sales"});
    user("mkt", {"marketing"});
    ok("team.create", {{"team_key", "sales"}, {"name", "销售部"}, {"members", {"s1", "s2"}}});
    ok("team.create", {{"team_key", "east"}, {"name", "华东销售"}, {"members", {"e1"}}});
    ok("team.create", {{"team_key", "marketing"}, {"name", "市场部"}, {"members", {"mkt"}}});
  }

  // A round-the-clock default calendar (so that a window is plain elapsed time), Shanghai
  // office hours for team east; two hours to answer, four to call, half an hour for referrals.
  static json sections() {
    return {{"calendars",
             {{"default", "always"},
              {"teams", {{"east", "shanghai"}}},
              {"definitions",
               {{"always", {{"time_zone", "+00:00"}, {"week", every_day("00:00-24:00")}}},
                {"shanghai", {{"time_zone", "Asia/Shanghai"}}}}}}},
            {"handoff",
             {{"accept_hours", 2},
              {"contact_hours", 4},
              {"windows", {{{"source", "referral"}, {"accept_hours", 0.5}}}}}}};
  }

  json lead(const std::string &name, const json &extra = json::object()) {
    json params = extra;
    params["stage"] = "potential";
    return customer(name, params);
  }

  json hand_over(const json &customer, const std::string &by = "alice") {
    return as(
        by, "lifecycle.transition",
        {{"customer_id", customer["id"]}, {"to", "opportunity"}, {"reason_code", "qualified"}});
  }

  json only_handoff(const std::string &user, const json &params = {{"scope", "mine"}}) {
    auto items = as(user, "handoff.list", params)["items"];
    EXPECT_EQ(items.size(), 1u) << items.dump();
    return items.empty() ? json() : items[0];
  }

  // Whole seconds between two instants the API wrote ("...Z").
  static std::int64_t seconds_between(const json &from, const json &to) {
    auto seconds = [](const std::string &text) {
      std::tm parts{};
      std::istringstream in(text);
      in >> std::get_time(&parts, "%Y-%m-%dT%H:%M:%S");
      EXPECT_FALSE(in.fail()) << text;
      return static_cast<std::int64_t>(timegm(&parts));
    };
    return seconds(to.get<std::string>()) - seconds(from.get<std::string>());
  }
};

TEST_F(HandoffTest, AMoveToOpportunityOpensAHandoffDueInTheTeamsBusinessTime) {
  auto customer = lead("上海精密机械", {{"owner", "e1"}});
  hand_over(customer);
  auto handoff = only_handoff("e1");
  EXPECT_EQ(handoff["customer_id"], customer["id"]);
  EXPECT_EQ(handoff["customer_name"], "上海精密机械");
  EXPECT_EQ(handoff["state"], "open");
  EXPECT_EQ(handoff["owner"], "e1");
  EXPECT_EQ(handoff["team"], "east");
  EXPECT_EQ(handoff["calendar"], "shanghai");
  EXPECT_EQ(handoff["accept_window_seconds"], 7200);
  EXPECT_EQ(handoff["opened_by"], "alice");
  // Due when two working hours of Shanghai's week have passed, as calendar.due says.
  auto due =
      ok("calendar.due",
         {{"calendar", "shanghai"}, {"from", handoff["opened_at"]}, {"business_minutes", 120}});
  EXPECT_EQ(handoff["accept_due_at"], due["due"]);
  EXPECT_EQ(handoff["due_at"], due["due"]);
  const auto remaining = handoff["remaining_business_seconds"].get<std::int64_t>();
  EXPECT_GT(remaining, 7000);
  EXPECT_LE(remaining, 7200);
  EXPECT_TRUE(handoff["accept_breached"].is_null());
  EXPECT_TRUE(handoff["contact_breached"].is_null());
  auto detail = ok("handoff.get", {{"id", handoff["id"]}});
  ASSERT_EQ(detail["steps"].size(), 1u);
  EXPECT_EQ(detail["steps"][0]["kind"], "opened");
  EXPECT_EQ(detail["steps"][0]["owner"], "e1");
  // Somebody else's hand-off is not in "mine", and a customer outside one's sight is refused.
  EXPECT_TRUE(as("s1", "handoff.list", {{"scope", "mine"}})["items"].empty());
  EXPECT_EQ(status_as("s1", "handoff.get", {{"id", handoff["id"]}}), CRM_E_PERMISSION_DENIED);
  EXPECT_EQ(status_as("s1", "handoff.accept", {{"customer_id", customer["id"]}}),
            CRM_E_PERMISSION_DENIED);
}

TEST_F(HandoffTest, AcceptanceThenTheOwnersFirstContactStopTheClocks) {
  auto customer = lead("北京数据", {{"owner", "s1"}});
  hand_over(customer);
  auto opened = only_handoff("s1");
  EXPECT_EQ(seconds_between(opened["opened_at"], opened["accept_due_at"]), 7200);
  auto accepted = as("s1", "handoff.accept", {{"customer_id", customer["id"]}, {"version", 1}});
  EXPECT_EQ(accepted["state"], "accepted");
  EXPECT_EQ(accepted["answer"], "accepted");
  EXPECT_EQ(accepted["responded_by"], "s1");
  EXPECT_EQ(accepted["accept_breached"], false);
  EXPECT_LT(accepted["response_business_seconds"].get<std::int64_t>(), 60);
  EXPECT_EQ(seconds_between(accepted["responded_at"], accepted["contact_due_at"]), 4 * 3600);
  EXPECT_EQ(accepted["due_at"], accepted["contact_due_at"]);
  EXPECT_EQ(accepted["version"], 2);
  // Twice is a conflict, and so is a stale version.
  EXPECT_EQ(status_as("s1", "handoff.accept", {{"customer_id", customer["id"]}}), CRM_E_CONFLICT);
  // An administrator's interaction is not the owner's first contact.
  ok("interaction.log", {{"customer_id", customer["id"]},
                         {"channel", "tel"},
                         {"direction", "outbound"},
                         {"occurred_at", "2026-12-01T09:00:00Z"},
                         {"subject", "经理致电"}});
  EXPECT_EQ(only_handoff("s1")["state"], "accepted");
  as("s1", "interaction.log",
     {{"customer_id", customer["id"]},
      {"channel", "tel"},
      {"direction", "outbound"},
      {"occurred_at", "2026-12-01T09:30:00Z"},
      {"subject", "首次联系"}});
  EXPECT_TRUE(as("s1", "handoff.list", {{"scope", "mine"}})["items"].empty());
  auto contacted = only_handoff("s1", {{"scope", "mine"}, {"state", "contacted"}});
  EXPECT_EQ(contacted["contacted_by"], "s1");
  EXPECT_EQ(contacted["contact_breached"], false);
  EXPECT_LT(contacted["contact_business_seconds"].get<std::int64_t>(), 60);
  EXPECT_TRUE(contacted["remaining_business_seconds"].is_null());
  auto steps = ok("handoff.get", {{"id", contacted["id"]}})["steps"];
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps[1]["kind"], "accepted");
  EXPECT_EQ(steps[2]["kind"], "contacted");
  EXPECT_EQ(steps[2]["actor"], "s1");
  // A hand-off accepted by its first contact: both answers at once.
  auto second = lead("天津港务", {{"owner", "s1"}});
  hand_over(second);
  as("s1", "interaction.log",
     {{"customer_id", second["id"]},
      {"channel", "email"},
      {"direction", "outbound"},
      {"occurred_at", "2026-12-01T10:00:00Z"}});
  auto both = only_handoff(
      "s1", {{"scope", "mine"}, {"state", "contacted"}, {"customer_id", second["id"]}});
  EXPECT_EQ(both["answer"], "accepted");
  EXPECT_EQ(both["responded_at"], both["contacted_at"]);
  EXPECT_EQ(ok("handoff.get", {{"id", both["id"]}})["steps"].size(), 3u);
}

TEST_F(HandoffTest, AReturnSendsTheCustomerBackToNurtureThroughTheLedger) {
  auto customer = lead("广州外贸", {{"owner", "s1"}});
  hand_over(customer);
  // A return needs its reason in words; refused, it changes nothing.
  {
    auto session = client_->open_session("s1");
    const std::string before = database_.snapshot();
    auto response = session.call(
        request("handoff.return", {{"customer_id", customer["id"]}, {"reason_code", "no_budget"}}));
    EXPECT_EQ(response.status, CRM_E_INVALID_ARGUMENT);
    EXPECT_NE(response.body.find("params.reason_text"), std::string::npos) << response.body;
    EXPECT_EQ(database_.snapshot(), before);
  }
  auto returned = as("s1", "handoff.return",
                     {{"customer_id", customer["id"]},
                      {"reason_code", "no_budget"},
                      {"reason_text", "预算明年才批"}});
  EXPECT_EQ(returned["handoff"]["state"], "returned");
  EXPECT_EQ(returned["handoff"]["answer"], "returned");
  EXPECT_EQ(returned["handoff"]["responded_by"], "s1");
  EXPECT_EQ(returned["handoff"]["reason_code"], "no_budget");
  EXPECT_EQ(returned["handoff"]["reason_text"], "预算明年才批");
  EXPECT_EQ(returned["lifecycle"]["stage"], "potential");
  EXPECT_TRUE(returned["lifecycle"]["owner"].is_null());
  EXPECT_EQ(returned["lifecycle"]["queue"], "marketing");
  auto history = ok("lifecycle.history", {{"customer_id", customer["id"]}})["items"];
  EXPECT_EQ(history[0]["from"], "opportunity");
  EXPECT_EQ(history[0]["to"], "potential");
  EXPECT_EQ(history[0]["actor"], "s1");
  EXPECT_EQ(history[0]["reason_text"], "预算明年才批");
  // s1 no longer sees it; nothing is left to answer; a second hand-off opens when marketing
  // hands it over again.
  EXPECT_EQ(status_as("s1", "handoff.accept", {{"customer_id", customer["id"]}}),
            CRM_E_PERMISSION_DENIED);
  EXPECT_EQ(error("handoff.accept", {{"customer_id", customer["id"]}})["name"], "conflict");
  hand_over(customer, "mkt");
  auto reopened = as("mkt", "handoff.list", {{"scope", "all"}, {"customer_id", customer["id"]}});
  ASSERT_EQ(reopened["items"].size(), 1u);
  EXPECT_EQ(reopened["items"][0]["queue"], "marketing");
  EXPECT_NE(reopened["items"][0]["id"], returned["handoff"]["id"]);
  // Any other way out of opportunity closes it too, as what it became.
  ok("lifecycle.transition",
     {{"customer_id", customer["id"]}, {"to", "disqualified"}, {"reason_code", "duplicate"}});
  auto disqualified = ok("handoff.get", {{"id", reopened["items"][0]["id"]}});
  EXPECT_EQ(disqualified["state"], "disqualified");
  EXPECT_TRUE(disqualified["answer"].is_null());
  EXPECT_TRUE(disqualified["responded_at"].is_null());
  // Closed unanswered within its window: no breach, now or ever; no contact clock ever ran.
  EXPECT_EQ(disqualified["accept_breached"], false);
  EXPECT_TRUE(disqualified["contact_breached"].is_null());
  EXPECT_EQ(disqualified["steps"].back()["kind"], "disqualified");
  // Closed unanswered after its due time: breached at closing.
  database_.execute(
      "UPDATE crm_handoff SET accept_due_at = '2026-01-01 00:00:00.000000' WHERE id = " +
      disqualified["id"].get<std::string>());
  EXPECT_EQ(ok("handoff.get", {{"id", disqualified["id"]}})["accept_breached"], true);
}

TEST_F(HandoffTest, AQueueMemberClaimsByAcceptingAndADelegateAnswersForTheOwner) {
  auto queued = lead("深圳电子", {{"queue", "sales"}});
  hand_over(queued);
  auto waiting = only_handoff("s2", {{"scope", "team"}, {"team", "sales"}});
  EXPECT_EQ(waiting["team"], "sales");
  EXPECT_TRUE(waiting["owner"].is_null());
  EXPECT_EQ(status_as("e1", "handoff.list", {{"scope", "team"}, {"team", "sales"}}),
            CRM_E_PERMISSION_DENIED);
  auto claimed = as("s2", "handoff.accept", {{"customer_id", queued["id"]}});
  EXPECT_EQ(claimed["owner"], "s2");
  EXPECT_TRUE(claimed["queue"].is_null());
  EXPECT_EQ(ok("customer.get", {{"id", queued["id"]}})["owner"], "s2");
  // s1 is away; s2 covers s1's work and answers s1's hand-off, recorded as done for s1.
  auto covered = lead("苏州纺织", {{"owner", "s1"}});
  hand_over(covered);
  as("s1", "delegation.create",
     {{"delegate", "s2"},
      {"starts_at", "2026-01-01T00:00:00Z"},
      {"ends_at", "2099-01-01T00:00:00Z"},
      {"reason", "出差"}});
  // Mine: s2's own (accepted, its contact clock running) and s1's, which s2 covers.
  auto mine = as("s2", "handoff.list", {{"scope", "mine"}})["items"];
  ASSERT_EQ(mine.size(), 2u);
  auto answered = as("s2", "handoff.accept", {{"customer_id", covered["id"]}});
  EXPECT_EQ(answered["responded_by"], "s2");
  EXPECT_EQ(answered["owner"], "s1");
  auto steps = ok("handoff.get", {{"id", answered["id"]}})["steps"];
  EXPECT_EQ(steps.back()["on_behalf_of"], "s1");
}

TEST_F(HandoffTest, ATransferCarriesTheRunningClockAndReferralsGetTheirOwnWindow) {
  ok("source.create",
     {{"code", "referral"}, {"name", "客户推荐"}, {"channel", "tel"}, {"kind", "referral"}});
  auto referred = lead("杭州茶业", {{"owner", "s1"}, {"first_touch_source", "referral"}});
  hand_over(referred);
  auto before = only_handoff("s1");
  EXPECT_EQ(before["source"], "referral");
  EXPECT_EQ(before["accept_window_seconds"], 1800);
  EXPECT_EQ(seconds_between(before["opened_at"], before["accept_due_at"]), 1800);
  ok("ownership.transfer", {{"from", "s1"}, {"to", "s2"}, {"reason", "调岗"}});
  EXPECT_TRUE(as("s1", "handoff.list", {{"scope", "mine"}})["items"].empty());
  auto after = only_handoff("s2");
  EXPECT_EQ(after["id"], before["id"]);
  EXPECT_EQ(after["owner"], "s2");
  EXPECT_EQ(after["accept_due_at"], before["accept_due_at"]);
  EXPECT_EQ(after["opened_owner"], "s1");
  EXPECT_EQ(as("s2", "handoff.accept", {{"customer_id", referred["id"]}})["responded_by"], "s2");
}

// Ten hand-offs answered after 1 to 10 hours (set in the database, as if time had passed), two
// still open past their due time: breaches, rates and nearest-rank percentiles per person, and
// what a salesperson's own report sees.
TEST_F(HandoffTest, TheReportCountsBreachesAndPercentilesOfWhatTheCallerSees) {
  std::vector<std::string> ids;
  for (int i = 1; i <= 12; ++i) {
    auto customer = lead("客户 " + std::to_string(i), {{"owner", i <= 10 ? "s1" : "s2"}});
    hand_over(customer);
    if (i <= 10) as("s1", "handoff.accept", {{"customer_id", customer["id"]}});
  }
  const auto answered =
      database_.column("SELECT id FROM crm_handoff WHERE state = 'accepted' ORDER BY id");
  ASSERT_EQ(answered.size(), 10u);
  for (int hours = 1; hours <= 10; ++hours)
    database_.execute(
        "UPDATE crm_handoff SET response_us = " + std::to_string(hours * 3'600'000'000LL) +
        (hours > 2 ? ", accept_due_at = '2026-01-01 00:00:00.000000'" : "") +
        " WHERE id = " + answered[static_cast<std::size_t>(hours - 1)]);
  database_.execute(
      "UPDATE crm_handoff SET accept_due_at = '2026-01-01 00:00:00.000000', due_at = "
      "'2026-01-01 00:00:00.000000' WHERE state = 'open'");
  auto report = ok(
      "handoff.report",
      {{"from", "2026-01-01T00:00:00Z"}, {"to", "2099-01-01T00:00:00Z"}, {"group_by", "person"}});
  ASSERT_EQ(report["items"].size(), 2u) << report.dump();
  const auto &s1 = report["items"][0];
  EXPECT_EQ(s1["group"], "s1");
  EXPECT_EQ(s1["handoffs"], 10);
  EXPECT_EQ(s1["answered"], 10);
  EXPECT_EQ(s1["accepted"], 10);
  EXPECT_EQ(s1["accept_breaches"], 8);
  EXPECT_EQ(s1["accept_breach_ppm"], 800000);
  EXPECT_EQ(s1["response_median_seconds"], 5 * 3600);
  EXPECT_EQ(s1["response_p90_seconds"], 9 * 3600);
  EXPECT_EQ(s1["contact_breaches"], 0);
  const auto &s2 = report["items"][1];
  EXPECT_EQ(s2["group"], "s2");
  EXPECT_EQ(s2["handoffs"], 2);
  EXPECT_EQ(s2["answered"], 0);
  EXPECT_EQ(s2["accept_breaches"], 2);
  EXPECT_TRUE(s2["response_median_seconds"].is_null());
  // Overdue open hand-offs say so in the list, with the business time they are late by.
  auto overdue = as("s2", "handoff.list", {{"scope", "mine"}})["items"];
  ASSERT_EQ(overdue.size(), 2u);
  EXPECT_EQ(overdue[0]["accept_breached"], true);
  EXPECT_LT(overdue[0]["remaining_business_seconds"].get<std::int64_t>(), -86400);
  // By team: everything went to sales; a manager outside sees nothing of it.
  auto teams = ok("handoff.report", {{"from", "2026-01-01T00:00:00Z"},
                                     {"to", "2099-01-01T00:00:00Z"},
                                     {"group_by", "team"}})["items"];
  ASSERT_EQ(teams.size(), 1u);
  EXPECT_EQ(teams[0]["group"], "sales");
  EXPECT_EQ(teams[0]["handoffs"], 12);
  user("boss", {"manager"});
  EXPECT_TRUE(as("boss", "handoff.report",
                 {{"from", "2026-01-01T00:00:00Z"},
                  {"to", "2099-01-01T00:00:00Z"},
                  {"group_by", "source"}})["items"]
                  .empty());
  rejects("handoff.report",
          {{"from", "2026-02-01T00:00:00Z"}, {"to", "2026-01-01T00:00:00Z"}, {"group_by", "team"}},
          "invalid_argument", "params.to");
}

// More than one chunk of customers at once on every database: 1,200 imported customers at
// opportunity with live hand-offs; one interaction batch is the first contact of 600 of them,
// and the host's orders, read again, win the others (closed by the sync's change listener).
TEST_F(HandoffTest, BatchesOfContactsAndOrdersCloseHandoffsInBulk) {
  erp::Options options;
  options.customers = 1200;
  erp::generate(database_.connection(), options);
  auto config = sections();
  config["host"] = json::parse(erp::mapping_json(options.shape, database_.dialect()));
  reconfigure(config);
  ok("lifecycle.sync", {{"as_of", "2026-11-30T00:00:00Z"}});
  database_.execute(
      "UPDATE crm_customer SET stage = 'opportunity', owner = 's1', queue = NULL WHERE stage IN "
      "('customer', 'repeat')");
  const auto won = std::stoll(
      database_.column("SELECT COUNT(*) FROM crm_customer WHERE stage = 'opportunity'").at(0));
  ASSERT_GT(won, 1000);
  database_.execute(
      "INSERT INTO crm_handoff (id, customer_id, state, team_key, calendar_name, "
      "accept_window_us, contact_window_us, opened_at, opened_by, opened_owner, accept_due_at, "
      "due_at, version) SELECT id, id, 'open', 'sales', 'always', 7200000000, 14400000000, "
      "'2026-12-01 00:00:00.000000', 'alice', owner, '2026-12-01 02:00:00.000000', "
      "'2026-12-01 02:00:00.000000', 1 FROM crm_customer WHERE stage = 'opportunity'");
  database_.execute("UPDATE crm_id_sequence SET next_id = 100000 WHERE name = 'handoff'");
  auto customers =
      database_.column("SELECT id FROM crm_customer WHERE stage = 'opportunity' ORDER BY id");
  json items = json::array();
  for (std::size_t i = 0; i < 600; ++i)
    items.push_back({{"customer_id", customers[i]},
                     {"channel", "tel"},
                     {"direction", "outbound"},
                     {"occurred_at", "2026-12-01T09:00:00Z"}});
  as("s1", "interaction.log_batch", {{"items", items}});
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_handoff WHERE state = 'contacted' AND "
                             "contacted_by = 's1' AND answer = 'accepted'"),
            std::vector<std::string>{"600"});
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_handoff_step WHERE kind IN ('accepted', "
                             "'contacted')"),
            std::vector<std::string>{"1200"});
  database_.execute("UPDATE crm_job SET watermark = NULL WHERE name = 'lifecycle.sync'");
  ok("lifecycle.sync", {{"as_of", "2026-11-30T00:00:00Z"}});
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_handoff WHERE state = 'won'"),
            std::vector<std::string>{std::to_string(won - 600)});
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_handoff WHERE state IN ('open', "
                             "'accepted')"),
            std::vector<std::string>{"0"});
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_handoff_step WHERE kind = 'won'"),
            std::vector<std::string>{std::to_string(won - 600)});
}

TEST_F(HandoffTest, TheConfigurationIsChecked) {
  auto config = sections();
  config["handoff"]["accept_hours"] = 0;
  EXPECT_NE(client_error(config).find("handoff.accept_hours"), std::string::npos);
  config = sections();
  config["handoff"]["contact_hours"] = 1.0 / 7;
  EXPECT_NE(client_error(config).find("whole minutes"), std::string::npos);
  config = sections();
  config["handoff"]["windows"] = json::array({{{"accept_hours", 1}}});
  EXPECT_NE(client_error(config).find("handoff.windows[0]"), std::string::npos);
  config = sections();
  config["handoff"]["windows"] = json::array({{{"team", "east"}, {"colour", "red"}}});
  EXPECT_NE(client_error(config).find("handoff.windows[0].colour"), std::string::npos);
}

}  // namespace
}  // namespace crm::test
