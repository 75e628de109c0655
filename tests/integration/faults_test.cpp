// Faults on the server databases: a connection killed in the middle of a batch, and the server
// going away between calls. Each must give a clear error, write nothing partial, and recover
// by itself. (SQLite has no connection to lose; these tests skip there.)
#include <chrono>
#include <cstdlib>
#include <future>
#include <thread>

#include "dialect.hpp"
#include "fixture.hpp"
#include "odbc.hpp"

namespace crm::test {
namespace {

class FaultsTest : public ApiTest {
 protected:
  void SetUp() override {
    if (database_.dialect() == "sqlite") GTEST_SKIP() << "no server connection to lose";
    ApiTest::SetUp();
  }

  json batch(const std::string &customer_id, int count) {
    json items = json::array();
    for (int i = 0; i < count; ++i)
      items.push_back({{"customer_id", customer_id},
                       {"channel", "tel"},
                       {"direction", "inbound"},
                       {"occurred_at", "2026-01-01T00:00:00Z"},
                       {"subject", "s"}});
    return {{"items", items}};
  }

  // The server-side id of a session blocked on a table lock, or empty.
  std::string blocked_session(db::Connection &connection) {
    const std::string sql =
        database_.dialect() == "postgresql"
            ? "SELECT CAST(pid AS VARCHAR(20)) FROM pg_stat_activity WHERE wait_event_type = "
              "'Lock' AND datname = current_database()"
            : "SELECT CAST(ID AS CHAR(20)) FROM information_schema.PROCESSLIST WHERE STATE LIKE "
              "'Waiting for table%' AND ID <> CONNECTION_ID()";
    auto result = connection.prepare(sql).query({}, {db::Column::text(20)});
    return result.next() ? result.text(0) : std::string();
  }

  // Sends call while another connection holds `table` locked, kills the library's connection
  // once it waits on that lock, then releases the lock: the response of a call whose connection
  // died in the middle of its transaction.
  host::Response killed_while_waiting_on(const std::string &table, const std::string &call) {
    auto holder = database_.open_connection();
    auto killer = database_.open_connection();
    const bool postgres = database_.dialect() == "postgresql";
    if (postgres) {
      holder->begin();
      holder->execute_direct("LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE");
    } else {
      holder->execute_direct("LOCK TABLES " + table + " WRITE");
    }
    auto pending = std::async(std::launch::async, [&] { return session_->call(call); });
    std::string victim;
    for (int i = 0; i < 200 && victim.empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      victim = blocked_session(*killer);
    }
    EXPECT_FALSE(victim.empty()) << "the call never waited on the lock of " << table;
    if (!victim.empty())
      killer->execute_direct(postgres ? "SELECT pg_terminate_backend(" + victim + ")"
                                      : "KILL " + victim);
    if (postgres)
      holder->rollback();
    else
      holder->execute_direct("UNLOCK TABLES");
    return pending.get();
  }

  // Runs the server's control script (scripts/db/<dialect>.sh stop|start DIR).
  void server(const std::string &action) {
    const char *dir = std::getenv("CRM_TEST_DB_DIR");
    ASSERT_NE(dir, nullptr) << "CRM_TEST_DB_DIR must name the servers' folder (scripts/test.sh)";
    const std::string command = std::string(CRM_SOURCE_DIR) + "/scripts/db/" + database_.dialect() +
                                ".sh " + action + " '" + dir + "' >/dev/null 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
};

TEST_F(FaultsTest, ConnectionKilledMidBatchWritesNothingAndRecovers) {
  json acme = customer("Acme");
  // Another connection holds the interactions table, so the batch waits inside its
  // transaction; then its server session is killed.
  auto response = killed_while_waiting_on(
      "crm_interaction", request("interaction.log_batch", batch(acme["id"], 2000)));
  EXPECT_EQ(response.status, CRM_E_UNAVAILABLE) << response.body;
  EXPECT_EQ(json::parse(response.body)["error"]["name"], "unavailable");
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_interaction"),
            std::vector<std::string>{"0"});
  // The next call reconnects by itself.
  json result = ok("interaction.log_batch", batch(acme["id"], 10));
  EXPECT_EQ(result["count"], 10);
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_interaction"),
            std::vector<std::string>{"10"});
}

// A transfer killed half way (its customers and opportunities already moved in its
// transaction, waiting on the tasks) leaves nothing moved and no audit behind.
TEST_F(FaultsTest, TransferKilledHalfWayMovesNothing) {
  user("leaver", {"sales"});
  user("successor", {"sales"});
  for (int i = 0; i < 30; ++i) {
    const json id = customer("客户 " + std::to_string(i), {{"owner", "leaver"}})["id"];
    ok("opportunity.create", {{"customer_id", id}, {"name", "deal"}, {"owner", "leaver"}});
    ok("task.create", {{"customer_id", id},
                       {"title", "call"},
                       {"due_at", "2030-01-01T00:00:00Z"},
                       {"owner", "leaver"}});
  }
  const std::string before = database_.snapshot();
  auto response = killed_while_waiting_on(
      "crm_task", request("ownership.transfer",
                          {{"from", "leaver"}, {"to", "successor"}, {"reason", "离职交接"}}));
  EXPECT_EQ(response.status, CRM_E_UNAVAILABLE) << response.body;
  EXPECT_EQ(database_.snapshot(), before) << "a killed transfer left something behind";
  // Run again, it moves everything at once.
  json moved =
      ok("ownership.transfer", {{"from", "leaver"}, {"to", "successor"}, {"reason", "离职交接"}});
  EXPECT_EQ(moved["batch"]["counts"],
            json({{"customers", 30}, {"opportunities", 30}, {"tasks", 30}}));
}

TEST_F(FaultsTest, ServerDownBetweenCallsAndAtClientCreation) {
  json acme = customer("Acme");
  server("stop");
  auto response = session_->call(request("customer.get", {{"id", acme["id"]}}));
  EXPECT_EQ(response.status, CRM_E_UNAVAILABLE) << response.body;
  // A client cannot be created while the server is down: a clear error, not a crash.
  crm_client *client = nullptr;
  char *message = nullptr;
  EXPECT_EQ(plugin_->api().client_create(database_.client_config_json().c_str(), &client, &message),
            CRM_E_UNAVAILABLE);
  ASSERT_NE(message, nullptr);
  EXPECT_NE(std::string(message).find("cannot connect"), std::string::npos) << message;
  plugin_->api().string_free(message);
  server("start");
  // Back: the same session works again without being reopened.
  json fetched = ok("customer.get", {{"id", acme["id"]}});
  EXPECT_EQ(fetched["name"], "Acme");
  ok("interaction.log_batch", batch(acme["id"], 5));
  // A restart while the session is idle leaves a dead connection in the pool: the next call
  // finds out on its first statement and quietly runs on a new connection.
  server("stop");
  server("start");
  EXPECT_EQ(ok("customer.get", {{"id", acme["id"]}})["name"], "Acme");
  EXPECT_EQ(ok("interaction.log_batch", batch(acme["id"], 5))["count"], 5);
}

}  // namespace
}  // namespace crm::test
