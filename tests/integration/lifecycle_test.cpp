// Lifecycle over the reference ERP, on both of its shapes: the mapping is checked at client
// creation, lifecycle.sync derives customer / repeat / dormant from the host's orders
// incrementally, and manual moves follow the configured transitions with a ledger entry each.
#include <future>
#include <thread>

#include "erp.hpp"
#include "fixture.hpp"

namespace crm::test {
namespace {

class LifecycleTest : public ApiTest, public ::testing::WithParamInterface<erp::Shape> {
 protected:
  erp::Shape shape() const { return GetParam(); }
  std::string key(std::int64_t number) const { return erp::customer_key(shape(), number); }

  json host_mapping() const { return json::parse(erp::mapping_json(shape(), database_.dialect())); }
  json sections() const {
    return {{"host", host_mapping()},
            {"lifecycle", {{"repeat_window_days", 365}, {"dormant_after_days", 180}}}};
  }

  static erp::Order order(std::int64_t number, std::int64_t customer, std::string at,
                          erp::OrderStatus status = erp::OrderStatus::valid) {
    erp::Order order;
    order.number = number;
    order.customer = customer;
    order.ordered_at = std::move(at);
    order.status = status;
    order.lines.push_back({number * 10, "ART-1", 2, 5000, 3000});
    return order;
  }

  // Five host customers: 1 orders twice within the window (repeat), 2 once, 3 only cancelled
  // and draft orders, 4 never, 5 twice but 17 months apart and long ago (dormant).
  void write_host_facts() {
    erp::create_schema(database_.connection(), shape());
    erp::Writer writer(database_.connection(), shape());
    const char *names[] = {"华东百货商场", "Acme Trading Ltd.", "仁和大药房",
                           "O'Brien \"Shop\"; --", "北方批发"};
    for (std::int64_t n = 1; n <= 5; ++n) {
      erp::Customer customer;
      customer.number = n;
      customer.name = names[n - 1];
      customer.industry = n == 3 ? "药店" : "大型商场";
      customer.region = "华东";
      customer.created_at = "2025-12-01 09:00:00";
      if (n == 2) customer.referred_by = 1;
      writer.add(customer);
    }
    writer.add(order(1, 1, "2026-01-10 10:00:00"));
    writer.add(order(2, 1, "2026-03-01 09:30:00"));
    writer.add(order(3, 2, "2026-02-01 08:00:00"));
    writer.add(order(4, 3, "2026-02-05 08:00:00", erp::OrderStatus::cancelled));
    writer.add(order(5, 3, "2026-02-06 08:00:00", erp::OrderStatus::draft));
    writer.add(order(6, 5, "2024-01-01 12:00:00"));
    writer.add(order(7, 5, "2025-06-01 12:00:00"));
    writer.flush();
  }

  std::string crm_id(std::int64_t number) {
    auto ids =
        database_.column("SELECT id FROM crm_customer WHERE host_key = '" + key(number) + "'");
    EXPECT_EQ(ids.size(), 1u) << key(number);
    return ids.empty() ? "" : ids[0];
  }
  json customer_of(std::int64_t number) { return ok("customer.get", {{"id", crm_id(number)}}); }
  json history_of(std::int64_t number) {
    return ok("lifecycle.history", {{"customer_id", crm_id(number)}})["items"];
  }
  // A generated ERP of `customers` customers, mapped; returns the client configuration for
  // further clients of the same database.
  std::string generated_erp(std::int64_t customers) {
    erp::Options options;
    options.shape = shape();
    options.customers = customers;
    erp::generate(database_.connection(), options);
    reconfigure(sections());
    json config = json::parse(database_.client_config_json());
    config.update(sections());
    return config.dump();
  }
  std::string host_rows() {
    std::string out;
    for (const auto &table : erp::table_names(shape()))
      out += table + ":" + database_.column("SELECT COUNT(*) FROM " + table).at(0) + " ";
    return out;
  }
};

TEST_P(LifecycleTest, SyncDerivesStagesFromHostOrdersIncrementally) {
  write_host_facts();
  reconfigure(sections());
  const std::string host_before = host_rows();

  json first = ok("lifecycle.sync", {{"as_of", "2026-06-30T00:00:00Z"}});
  EXPECT_EQ(first["status"], "done");
  EXPECT_EQ(first["imported"], 5);
  EXPECT_EQ(first["orders_read"], 5);  // the valid ones only
  EXPECT_EQ(first["moved_to_customer"], 3);
  EXPECT_EQ(first["moved_to_repeat"], 1);
  EXPECT_EQ(first["unmatched_orders"], 0);
  EXPECT_EQ(first["dormant"], 1);
  EXPECT_EQ(host_rows(), host_before);  // the host's tables are only read

  EXPECT_EQ(customer_of(1)["stage"], "repeat");
  EXPECT_EQ(customer_of(1)["name"], "华东百货商场");
  EXPECT_EQ(customer_of(2)["stage"], "customer");
  EXPECT_EQ(customer_of(3)["stage"], "potential");  // cancelled and draft orders do not count
  EXPECT_EQ(customer_of(4)["stage"], "potential");
  EXPECT_EQ(customer_of(4)["name"], "O'Brien \"Shop\"; --");
  EXPECT_EQ(customer_of(5)["stage"], "customer");  // 17 months between its orders
  EXPECT_EQ(
      database_.column("SELECT referred_by FROM crm_customer WHERE host_key = '" + key(2) + "'"),
      std::vector<std::string>{crm_id(1)});
  EXPECT_EQ(database_.column("SELECT host_key FROM crm_customer WHERE dormant_since IS NOT NULL"),
            std::vector<std::string>{key(5)});

  // The ledger, newest first: repeat at order 2, customer at order 1, imported; times in UTC
  // (host local +08:00).
  json history = history_of(1);
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0]["from"], "customer");
  EXPECT_EQ(history[0]["to"], "repeat");
  EXPECT_EQ(history[0]["occurred_at"], "2026-03-01T01:30:00Z");
  EXPECT_EQ(history[0]["reason_code"], "repeat_order");
  EXPECT_EQ(history[0]["source"]["kind"], "order");
  EXPECT_EQ(history[0]["source"]["key"], "2");
  EXPECT_EQ(history[1]["from"], "potential");
  EXPECT_EQ(history[1]["to"], "customer");
  EXPECT_EQ(history[1]["occurred_at"], "2026-01-10T02:00:00Z");
  EXPECT_EQ(history[1]["source"]["key"], "1");
  EXPECT_EQ(history[2]["from"], nullptr);
  EXPECT_EQ(history[2]["to"], "potential");
  EXPECT_EQ(history[2]["reason_code"], "imported");
  EXPECT_EQ(history[2]["source"]["key"], key(1));
  EXPECT_EQ(history[2]["occurred_at"], "2025-12-01T01:00:00Z");

  // Nothing new: nothing read, nothing moved, no ledger entry.
  const auto events = database_.column("SELECT COUNT(*) FROM crm_lifecycle_event");
  json again = ok("lifecycle.sync", {{"as_of", "2026-06-30T00:00:00Z"}});
  EXPECT_EQ(again["imported"], 0);
  EXPECT_EQ(again["orders_read"], 0);
  EXPECT_EQ(again["moved_to_customer"], 0);
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_lifecycle_event"), events);

  // New host facts: customer 2 orders again within the window, customer 6 appears.
  {
    erp::Writer writer(database_.connection(), shape());
    erp::Customer sixth;
    sixth.number = 6;
    sixth.name = "深圳新客户";
    writer.add(sixth);
    writer.add(order(8, 2, "2026-05-01 10:00:00"));
    writer.add(order(9, 6, "2026-06-01 10:00:00"));
    writer.flush();
  }
  const std::string host_grown = host_rows();
  json third = ok("lifecycle.sync", {{"as_of", "2026-06-30T00:00:00Z"}});
  EXPECT_EQ(third["imported"], 1) << third.dump();
  EXPECT_EQ(third["orders_read"], 2);
  EXPECT_EQ(third["moved_to_customer"], 1);
  EXPECT_EQ(third["moved_to_repeat"], 1);
  EXPECT_EQ(customer_of(2)["stage"], "repeat");
  EXPECT_EQ(customer_of(6)["stage"], "customer");
  EXPECT_EQ(customer_of(6)["name"], "深圳新客户");

  // An interaction revives the dormant customer at the next sync.
  ok("interaction.log", {{"customer_id", crm_id(5)},
                         {"channel", "tel"},
                         {"direction", "outbound"},
                         {"occurred_at", "2026-06-20T08:00:00Z"},
                         {"subject", "回访"}});
  json fourth = ok("lifecycle.sync", {{"as_of", "2026-06-30T00:00:00Z"}});
  EXPECT_EQ(fourth["revived"], 1);
  EXPECT_TRUE(database_.column("SELECT host_key FROM crm_customer WHERE dormant_since IS NOT NULL")
                  .empty());

  EXPECT_EQ(host_rows(), host_grown);
  EXPECT_EQ(database_.column("SELECT runs FROM crm_job WHERE name = 'lifecycle.sync'"),
            std::vector<std::string>{"4"});
}

TEST_P(LifecycleTest, ManualMovesFollowTheTransitionsAndRecordTheLedger) {
  write_host_facts();
  reconfigure(sections());
  json lead = customer("上海云海科技", {{"stage", "potential"}});
  const std::string id = lead["id"];
  // alice covers bob's work this week: her moves may say they are made for bob, for nobody else.
  user("alice");
  user("bob", {"sales"});
  ok("delegation.create", {{"delegate", "alice"},
                           {"delegator", "bob"},
                           {"ends_at", "2099-01-01T00:00:00Z"},
                           {"reason", "出差"}});
  rejects("lifecycle.transition",
          {{"customer_id", id},
           {"to", "opportunity"},
           {"reason_code", "qualified"},
           {"on_behalf_of", "carol"}},
          "permission_denied", "params.on_behalf_of");

  json moved = ok("lifecycle.transition", {{"customer_id", id},
                                           {"to", "opportunity"},
                                           {"reason_code", "qualified"},
                                           {"reason_text", "预算已确认"},
                                           {"on_behalf_of", "bob"}});
  EXPECT_EQ(moved["stage"], "opportunity");
  EXPECT_EQ(moved["version"], 2);
  EXPECT_EQ(moved["event"]["from"], "potential");
  EXPECT_EQ(moved["event"]["actor"], "alice");
  EXPECT_EQ(moved["event"]["on_behalf_of"], "bob");
  EXPECT_EQ(moved["event"]["reason_text"], "预算已确认");

  // Return to nurture needs its reason in words, and puts the customer in marketing's queue.
  json failure = rejects("lifecycle.transition",
                         {{"customer_id", id}, {"to", "potential"}, {"reason_code", "not_ready"}},
                         "invalid_argument", "params.reason_text");
  json nurtured = ok("lifecycle.transition", {{"customer_id", id},
                                              {"to", "potential"},
                                              {"reason_code", "not_ready"},
                                              {"reason_text", "明年再谈"}});
  EXPECT_TRUE(nurtured["owner"].is_null()) << nurtured;
  EXPECT_EQ(nurtured["queue"], "marketing");
  EXPECT_EQ(nurtured["event"]["owner_before"], "alice");
  EXPECT_TRUE(nurtured["event"]["owner_after"].is_null());
  const json nurtured_customer = ok("customer.get", {{"id", id}});
  EXPECT_TRUE(nurtured_customer["owner"].is_null());
  EXPECT_EQ(nurtured_customer["queue"], "marketing");

  // Forbidden moves name both stages; customer comes from orders only.
  json forbidden = rejects("lifecycle.transition",
                           {{"customer_id", id}, {"to", "customer"}, {"reason_code", "x"}},
                           "conflict", "params.to");
  EXPECT_NE(forbidden["message"].get<std::string>().find("from potential to customer"),
            std::string::npos)
      << forbidden.dump();
  rejects("lifecycle.transition", {{"customer_id", id}, {"to", "potential"}, {"reason_code", "x"}},
          "conflict", "params.to");
  rejects("lifecycle.transition",
          {{"customer_id", id}, {"to", "opportunity"}, {"reason_code", "x"}, {"version", 1}},
          "conflict", "params.version");
  rejects("lifecycle.transition",
          {{"customer_id", "999999"}, {"to", "potential"}, {"reason_code", "x"}}, "not_found",
          "params.customer_id");
  rejects("lifecycle.transition", {{"customer_id", id}, {"to", "vip"}, {"reason_code", "x"}},
          "invalid_argument", "params.to");
  rejects("lifecycle.transition", {{"customer_id", id}, {"to", "opportunity"}}, "invalid_argument",
          "params.reason_code");
  rejects("lifecycle.transition",
          {{"customer_id", id}, {"to", "opportunity"}, {"reason_code", std::string(65, 'x')}},
          "invalid_argument", "params.reason_code");
  rejects("lifecycle.history", {{"customer_id", "999999"}}, "not_found", "params.customer_id");
  rejects("lifecycle.sync", {{"as_of", "yesterday"}}, "invalid_argument", "params.as_of");

  // created, → opportunity, → potential; paged newest first.
  json page = ok("lifecycle.history", {{"customer_id", id}, {"limit", 2}});
  ASSERT_EQ(page["items"].size(), 2u);
  EXPECT_EQ(page["items"][0]["to"], "potential");
  EXPECT_EQ(page["items"][1]["to"], "opportunity");
  json rest =
      ok("lifecycle.history", {{"customer_id", id}, {"limit", 2}, {"cursor", page["next_cursor"]}});
  ASSERT_EQ(rest["items"].size(), 1u);
  EXPECT_EQ(rest["items"][0]["reason_code"], "created");
  EXPECT_EQ(rest["next_cursor"], nullptr);

  // Configured transitions replace the defaults.
  json custom = sections();
  custom["lifecycle"]["transitions"] = {{"potential", {"disqualified"}}};
  reconfigure(custom);
  rejects("lifecycle.transition",
          {{"customer_id", id}, {"to", "opportunity"}, {"reason_code", "x"}}, "conflict",
          "params.to");
  EXPECT_EQ(
      ok("lifecycle.transition",
         {{"customer_id", id}, {"to", "disqualified"}, {"reason_code", "no_budget"}})["stage"],
      "disqualified");
}

TEST_P(LifecycleTest, TheMappingIsCheckedAtClientCreation) {
  write_host_facts();
  json mapping = host_mapping();
  auto with_orders = [&](const std::string &query) {
    json changed = mapping;
    changed["orders"]["query"] = query;
    return json{{"host", changed}};
  };
  std::string message = client_error(with_orders("SELECT 1 AS order_key FROM no_such_erp_table"));
  EXPECT_NE(message.find("host.orders"), std::string::npos) << message;
  EXPECT_NE(message.find("does not run"), std::string::npos) << message;

  json without_amount = mapping;
  std::string query = mapping["orders"]["query"];
  without_amount["orders"]["query"] =
      "SELECT h.order_key, h.customer_key, h.ordered_at, h.status FROM (" + query + ") h";
  message = client_error({{"host", without_amount}});
  EXPECT_NE(message.find("host.orders"), std::string::npos) << message;
  EXPECT_NE(message.find("amount"), std::string::npos) << message;

  json text_amount = mapping;
  text_amount["orders"]["query"] =
      "SELECT h.order_key, h.customer_key, h.ordered_at, h.status, h.status AS amount FROM (" +
      query + ") h";
  message = client_error({{"host", text_amount}});
  EXPECT_NE(message.find("host.orders.amount must be an exact decimal amount"), std::string::npos)
      << message;

  json bad_watermark = mapping;
  bad_watermark["orders"]["watermark"] = "changed_on";
  message = client_error({{"host", bad_watermark}});
  EXPECT_NE(message.find("host.orders.watermark"), std::string::npos) << message;

  message = client_error({{"host", {{"invoice", {{"query", "SELECT 1"}}}}}});
  EXPECT_NE(message.find("host.invoice"), std::string::npos) << message;
  message = client_error({{"host", {{"time_zone", "Asia/Shanghai"}}}});
  EXPECT_NE(message.find("host.time_zone"), std::string::npos) << message;
  message = client_error({{"lifecycle", {{"transitions", {{"potential", {"vip"}}}}}}});
  EXPECT_NE(message.find("lifecycle.transitions.potential"), std::string::npos) << message;
  message = client_error({{"lifecycle", {{"dormant_after_days", 0}}}});
  EXPECT_NE(message.find("lifecycle.dormant_after_days"), std::string::npos) << message;

  // Without an orders mapping there is nothing to sync from.
  reconfigure({{"lifecycle", json::object()}});
  rejects("lifecycle.sync", json::object(), "unsupported", "host.orders");
}

TEST_P(LifecycleTest, ConcurrentSyncsApplyEachMoveOnce) {
  const std::string config = generated_erp(200);
  std::vector<json> results(3);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < results.size(); ++i) user("sync-" + std::to_string(i));
  for (std::size_t i = 0; i < results.size(); ++i)
    threads.emplace_back([&, i] {
      host::Client client(plugin_, config);
      auto session = client.open_session("sync-" + std::to_string(i));
      results[i] = ok_on(session, "lifecycle.sync", {{"as_of", "2026-11-30T00:00:00Z"}});
    });
  for (auto &thread : threads) thread.join();
  std::int64_t imported = 0, customers = 0;
  for (const auto &result : results) {
    imported += result.value("imported", 0);
    customers += result.value("moved_to_customer", 0);
  }
  EXPECT_EQ(imported, 200) << json(results).dump();
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_customer"), std::vector<std::string>{"200"});
  EXPECT_EQ(
      database_.column("SELECT COUNT(*) FROM crm_lifecycle_event WHERE to_stage = 'customer'"),
      std::vector<std::string>{std::to_string(customers)});
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM (SELECT customer_id, to_stage FROM "
                             "crm_lifecycle_event GROUP BY customer_id, to_stage HAVING COUNT(*) > "
                             "1) d"),
            std::vector<std::string>{"0"});
  EXPECT_GT(customers, 150);
}

// The sync's bulk writes (customers, their ledger entries, their plan tasks) go in multi-row
// statements cut to the dialect's parameter limit: 1,500 new host customers take at least three
// full statements of each on every database (PostgreSQL takes 441 customers of 17 columns per
// statement, below libpq's 7,498-parameter ceiling), and the generator writes the ERP the same way.
TEST_P(LifecycleTest, SyncImportsThousandsOfNewHostCustomersInFullStatements) {
  constexpr int kCustomers = 1500;
  erp::Options options;
  options.shape = shape();
  options.customers = kCustomers;
  erp::generate(database_.connection(), options);
  json custom = sections();
  custom["plans"] = json::array();
  for (const char *stage : {"potential", "customer", "repeat"})
    custom["plans"].push_back({{"id", std::string("plan_") + stage},
                               {"class", "*"},
                               {"stage", stage},
                               {"title", std::string("跟进 ") + stage},
                               {"kind", "once"},
                               {"within_days", 7}});
  reconfigure(custom);

  json result = ok("lifecycle.sync", {{"as_of", "2026-11-30T00:00:00Z"}});
  EXPECT_EQ(result["imported"], kCustomers) << result;
  const auto count = [&](const std::string &sql) { return database_.column(sql).at(0); };
  EXPECT_EQ(count("SELECT COUNT(*) FROM crm_customer"), std::to_string(kCustomers));
  EXPECT_EQ(count("SELECT COUNT(DISTINCT host_key) FROM crm_customer"), std::to_string(kCustomers));
  EXPECT_EQ(count("SELECT COUNT(*) FROM crm_lifecycle_event WHERE reason_code = 'imported'"),
            std::to_string(kCustomers));
  // Most customers ordered: their import and their first order are both in the ledger.
  EXPECT_GT(std::stoi(count("SELECT COUNT(*) FROM crm_lifecycle_event WHERE to_stage = "
                            "'customer'")),
            kCustomers / 2);
  // Every customer has exactly one open plan task, the one of the stage it ended in.
  EXPECT_EQ(count("SELECT COUNT(*) FROM crm_task WHERE status = 'open'"),
            std::to_string(kCustomers));
  EXPECT_EQ(count("SELECT COUNT(*) FROM crm_task t JOIN crm_customer c ON c.id = t.customer_id "
                  "WHERE t.status = 'open' AND t.plan_id = " +
                  std::string(database_.dialect() == "mariadb" ? "CONCAT('plan_', c.stage)"
                                                               : "'plan_' || c.stage")),
            std::to_string(kCustomers));
  // A second run finds nothing new.
  EXPECT_EQ(ok("lifecycle.sync", {{"as_of", "2026-11-30T00:00:00Z"}})["imported"], 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM crm_task"), std::to_string(kCustomers));
}

// With the customers' change time as their watermark, a sync also carries the ERP's changes
// to customers it imported before (name, industry, region, reference flag); the CRM's own
// fields (stage, owner) stay, and a row stamped without a change to those fields is no update.
TEST_P(LifecycleTest, ChangedHostCustomersAreRefreshedThroughAChangeTimeWatermark) {
  write_host_facts();
  json custom = sections();
  custom["host"]["customers"]["watermark"] = "changed_at";
  reconfigure(custom);
  json first = ok("lifecycle.sync", {{"as_of", "2026-06-30T00:00:00Z"}});
  EXPECT_EQ(first["imported"], 5);
  EXPECT_EQ(first["refreshed"], 0);
  const json before = customer_of(2);
  ok("customer.update", {{"id", before["id"]}, {"version", before["version"]}, {"owner", "bob"}});

  const bool jinhe = shape() == erp::Shape::jinhe;
  const std::string table = jinhe ? "t_khda" : "cust_master";
  const std::string where = jinhe ? " WHERE khid = " : " WHERE cust_code = ";
  database_.execute("UPDATE " + table + " SET " +
                    (jinhe ? "khmc = 'Acme Trading (Shanghai) Ltd.', dq = '华南', xgsj = "
                           : "cust_name = 'Acme Trading (Shanghai) Ltd.', sales_area = '华南', "
                             "changed_ts = ") +
                    "'2026-06-01 10:00:00'" + where + "'" + key(2) + "'");
  database_.execute("UPDATE " + table + " SET " + (jinhe ? "xgsj" : "changed_ts") +
                    " = '2026-06-01 11:00:00'" + where + "'" + key(3) + "'");
  {
    erp::Writer writer(database_.connection(), shape());
    erp::Customer arrival;
    arrival.number = 6;
    arrival.name = "南方新客户";
    arrival.created_at = "2026-06-02 09:00:00";
    writer.add(arrival);
    writer.flush();
  }

  json second = ok("lifecycle.sync", {{"as_of", "2026-06-30T00:00:00Z"}});
  EXPECT_EQ(second["imported"], 1) << second;
  EXPECT_EQ(second["refreshed"], 1) << second;
  const json after = customer_of(2);
  EXPECT_EQ(after["name"], "Acme Trading (Shanghai) Ltd.");
  EXPECT_EQ(after["region"], "华南");
  EXPECT_EQ(after["industry"], before["industry"]);
  EXPECT_EQ(after["stage"], before["stage"]);
  EXPECT_EQ(after["owner"], "bob");
  EXPECT_EQ(after["version"], before["version"].get<std::int64_t>() + 2);
  EXPECT_EQ(customer_of(3)["name"], "仁和大药房");
  EXPECT_EQ(customer_of(6)["stage"], "potential");

  json third = ok("lifecycle.sync", {{"as_of", "2026-06-30T00:00:00Z"}});
  EXPECT_EQ(third["imported"], 0);
  EXPECT_EQ(third["refreshed"], 0);
}

// On SQLite a job cannot skip a run that holds the database: it waits for it, for longer than
// the busy timeout (runs take minutes at scale), and then does its own.
TEST_P(LifecycleTest, OnSqliteAJobWaitsOutAnotherWriterBeyondTheBusyTimeout) {
  if (database_.dialect() != "sqlite") GTEST_SKIP() << "servers skip a locked job instead";
  write_host_facts();
  json config = json::parse(database_.client_config_json());
  config.update(sections());
  config["database"]["busy_timeout_ms"] = 100;
  user("nightly");
  host::Client client(plugin_, config.dump());
  auto session = client.open_session("nightly");
  auto holder = database_.open_connection();
  holder->begin();
  holder->execute_direct("UPDATE crm_job SET runs = runs WHERE name = 'lifecycle.sync'");
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    holder->rollback();
  });
  const auto started = std::chrono::steady_clock::now();
  json result = ok_on(session, "lifecycle.sync", {{"as_of", "2026-06-30T00:00:00Z"}});
  release.join();
  EXPECT_EQ(result["status"], "done") << result;
  EXPECT_EQ(result["imported"], 5);
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(1400));
}

// A first sync of a large ERP runs for a while in one transaction. The ids it takes must not
// keep the id sequence locked meanwhile: another client's customer.create goes through while
// the sync waits (here on a lock the test holds on the host's orders table, so the sync is
// caught after its imports reserved their ids).
TEST_P(LifecycleTest, CreatesGoOnWhileASyncIsInItsTransaction) {
  if (database_.dialect() == "sqlite") GTEST_SKIP() << "SQLite's writer holds the whole database";
  const std::string config = generated_erp(40);
  // Both clients exist before the lock: creating one reads the host tables (mapping check).
  user("nightly");
  user("clerk", {"sales"});
  host::Client nightly(plugin_, config), clerk(plugin_, config);
  auto nightly_session = nightly.open_session("nightly");
  auto clerk_session = clerk.open_session("clerk");
  const std::string orders = shape() == erp::Shape::jinhe ? "t_xsdd" : "so_header";
  const bool postgresql = database_.dialect() == "postgresql";
  auto holder = database_.open_connection();
  if (postgresql) {
    holder->begin();
    holder->execute_direct("LOCK TABLE " + orders + " IN ACCESS EXCLUSIVE MODE");
  } else {
    holder->execute_direct("LOCK TABLES " + orders + " WRITE");
  }
  auto release = [&] {
    if (postgresql)
      holder->rollback();
    else
      holder->execute_direct("UNLOCK TABLES");
  };
  json sync_result;
  std::thread sync([&] {
    sync_result = ok_on(nightly_session, "lifecycle.sync", {{"as_of", "2026-11-30T00:00:00Z"}});
  });
  // Wait until the sync is blocked on the orders table: its customers are imported by then.
  const std::string blocked =
      postgresql ? "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND "
                   "datname = current_database()"
                 : "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE STATE LIKE "
                   "'Waiting for table%'";
  for (int i = 0; i < 200 && database_.column(blocked).at(0) == "0"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_NE(database_.column(blocked).at(0), "0") << "the sync never reached the orders table";

  auto create = std::async(std::launch::async, [&] {
    return ok_on(clerk_session, "customer.create", {{"name", "新客户 during sync"}});
  });
  const bool created = create.wait_for(std::chrono::seconds(20)) == std::future_status::ready;
  release();
  sync.join();
  ASSERT_TRUE(created) << "customer.create waited for the sync's transaction";
  const auto created_id = create.get()["id"].get<std::string>();
  EXPECT_EQ(sync_result["imported"], 40) << sync_result;
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_customer"), std::vector<std::string>{"41"});
  EXPECT_EQ(database_.column("SELECT COUNT(DISTINCT id) FROM crm_customer"),
            std::vector<std::string>{"41"});
  EXPECT_EQ(ok("customer.get", {{"id", created_id}})["name"], "新客户 during sync");
}

INSTANTIATE_TEST_SUITE_P(Shapes, LifecycleTest,
                         ::testing::Values(erp::Shape::jinhe, erp::Shape::meridian),
                         [](const auto &info) { return std::string(erp::shape_name(info.param)); });

}  // namespace
}  // namespace crm::test
