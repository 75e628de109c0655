// The C ABI's own functions, called through the plugin's function table as a host would:
// NULL pointers, closed and foreign handles, bad configurations.
#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "fixture.hpp"

namespace crm::test {
namespace {

class HandlesTest : public ApiTest {
 protected:
  const crm_plugin_api &api() { return plugin_->api(); }

  // crm_client_create's status and message for a configuration.
  std::pair<int32_t, std::string> create(const char *config) {
    crm_client *client = reinterpret_cast<crm_client *>(0x1);
    char *message = nullptr;
    int32_t status = api().client_create(config, &client, &message);
    std::string text = message ? message : "";
    api().string_free(message);
    if (status == CRM_OK) {
      EXPECT_NE(client, nullptr);
      api().client_destroy(client);
    } else {
      EXPECT_EQ(client, nullptr);
    }
    return {status, text};
  }
};

TEST_F(HandlesTest, VersionsAndStatusNames) {
  EXPECT_EQ(api().abi_version, static_cast<uint32_t>(CRM_ABI_VERSION));
  EXPECT_STREQ(api().version_string(), CRM_VERSION_STRING);
  EXPECT_EQ(api().version_number(), static_cast<uint32_t>(CRM_VERSION_NUMBER));
  EXPECT_STREQ(api().status_string(CRM_OK), "ok");
  EXPECT_STREQ(api().status_string(CRM_E_NOT_FOUND), "not_found");
  EXPECT_STREQ(api().status_string(CRM_E_INVALID_HANDLE), "invalid_handle");
  EXPECT_STREQ(api().status_string(5), "unknown");
  EXPECT_STREQ(api().status_string(-1000), "unknown");
  json manifest = json::parse(plugin_->manifest());
  EXPECT_EQ(manifest["name"], "crm");
  EXPECT_EQ(manifest["abi_version"], CRM_ABI_VERSION);
  EXPECT_NE(
      std::find(manifest["methods"].begin(), manifest["methods"].end(), "interaction.log_batch"),
      manifest["methods"].end());
}

TEST_F(HandlesTest, WrongAbiVersionIsRefused) {
  boost::dll::shared_library library(library_path());
  auto &query = library.get<int32_t(uint32_t, const crm_plugin_api **)>("crm_plugin_query");
  const crm_plugin_api *table = reinterpret_cast<const crm_plugin_api *>(0x1);
  EXPECT_EQ(query(CRM_ABI_VERSION + 1, &table), CRM_E_ABI_MISMATCH);
  EXPECT_EQ(table, nullptr);
  EXPECT_EQ(query(CRM_ABI_VERSION, nullptr), CRM_E_INVALID_ARGUMENT);
}

TEST_F(HandlesTest, NullAndForeignHandlesAreReportedNotDereferenced) {
  char *body = nullptr;
  size_t length = 0;
  const char request[] = "{\"method\":\"system.describe\"}";
  EXPECT_EQ(api().call(nullptr, request, sizeof(request) - 1, &body, &length),
            CRM_E_INVALID_HANDLE);
  ASSERT_NE(body, nullptr);
  EXPECT_EQ(json::parse(std::string(body, length))["error"]["name"], "invalid_handle");
  api().string_free(body);

  // A pointer to something that is not a session.
  long long not_a_session[8] = {0};
  EXPECT_EQ(api().call(reinterpret_cast<crm_session *>(not_a_session), request, sizeof(request) - 1,
                       nullptr, nullptr),
            CRM_E_INVALID_HANDLE);
  // A client handle passed where a session belongs, and the reverse.
  crm_session *session = nullptr;
  EXPECT_EQ(api().session_open(reinterpret_cast<crm_client *>(session_->handle()), "bob", &session),
            CRM_E_INVALID_HANDLE);
  EXPECT_EQ(session, nullptr);
  EXPECT_EQ(api().session_open(nullptr, "bob", &session), CRM_E_INVALID_HANDLE);
  // NULL request, NULL out-parameters.
  EXPECT_EQ(api().call(session_->handle(), nullptr, 0, &body, &length), CRM_E_INVALID_ARGUMENT);
  api().string_free(body);
  EXPECT_EQ(api().call(session_->handle(), request, sizeof(request) - 1, nullptr, nullptr), CRM_OK);
  // Destroy/close accept NULL and unknown pointers.
  api().client_destroy(nullptr);
  api().session_close(nullptr);
  api().session_close(reinterpret_cast<crm_session *>(not_a_session));
  api().client_destroy(reinterpret_cast<crm_client *>(not_a_session));
  api().string_free(nullptr);
}

TEST_F(HandlesTest, ClosedSessionsAndDestroyedClientsAreInvalid) {
  crm_client *client = nullptr;
  char *message = nullptr;
  ASSERT_EQ(api().client_create(database_.client_config_json().c_str(), &client, &message), CRM_OK);
  crm_session *first = nullptr, *second = nullptr;
  user("carol");
  user("dave");
  ASSERT_EQ(api().session_open(client, "carol", &first), CRM_OK);
  ASSERT_EQ(api().session_open(client, "dave", &second), CRM_OK);
  const char request[] = "{\"method\":\"customer.list\"}";
  EXPECT_EQ(api().call(first, request, sizeof(request) - 1, nullptr, nullptr), CRM_OK);
  api().session_close(first);
  EXPECT_EQ(api().call(first, request, sizeof(request) - 1, nullptr, nullptr),
            CRM_E_INVALID_HANDLE);
  api().session_close(first);  // twice: harmless
  api().client_destroy(client);
  // Destroying the client ends its sessions.
  EXPECT_EQ(api().call(second, request, sizeof(request) - 1, nullptr, nullptr),
            CRM_E_INVALID_HANDLE);
  EXPECT_EQ(api().session_open(client, "erin", &first), CRM_E_INVALID_HANDLE);
}

TEST_F(HandlesTest, SessionUserKeysAreChecked) {
  crm_session *session = nullptr;
  crm_client *client = nullptr;
  ASSERT_EQ(api().client_create(database_.client_config_json().c_str(), &client, nullptr), CRM_OK);
  for (const char *bad : {"", "   ", "tab\x01", "bad\xC3", "\xFF"})
    EXPECT_EQ(api().session_open(client, bad, &session), CRM_E_INVALID_ARGUMENT) << bad;
  EXPECT_EQ(api().session_open(client, std::string(129, 'u').c_str(), &session),
            CRM_E_INVALID_ARGUMENT);
  EXPECT_EQ(api().session_open(client, nullptr, &session), CRM_E_INVALID_ARGUMENT);
  EXPECT_EQ(api().session_open(client, "ok", nullptr), CRM_E_INVALID_ARGUMENT);
  user("王芳", {"sales"});
  ASSERT_EQ(api().session_open(client, "王芳", &session), CRM_OK);
  char *body = nullptr;
  size_t length = 0;
  const std::string request = R"({"method":"customer.create","params":{"name":"X"}})";
  ASSERT_EQ(api().call(session, request.data(), request.size(), &body, &length), CRM_OK);
  EXPECT_EQ(json::parse(std::string(body, length))["result"]["created_by"], "王芳");
  api().string_free(body);
  api().session_close(session);
  api().client_destroy(client);
}

TEST_F(HandlesTest, BadConfigurationsNameTheField) {
  auto [status, message] = create(nullptr);
  EXPECT_EQ(status, CRM_E_INVALID_ARGUMENT);
  EXPECT_NE(message.find("config_json"), std::string::npos);
  EXPECT_EQ(api().client_create("{}", nullptr, nullptr), CRM_E_INVALID_ARGUMENT);

  struct Case {
    std::string config;
    int32_t status;
    std::string mentions;
  };
  const std::string sqlite_dir = "/nonexistent-dir/for/sure/crm.db";
  const std::vector<Case> cases = {
      {"not json", CRM_E_INVALID_ARGUMENT, "JSON"},
      {"{\"database\": {\"dialect\": \"sqlite\", \"path\": \"\xFF\"}}", CRM_E_INVALID_ARGUMENT,
       "UTF-8"},
      {"[]", CRM_E_INVALID_ARGUMENT, "config"},
      {"{}", CRM_E_INVALID_ARGUMENT, "database"},
      {"{\"database\": {}}", CRM_E_INVALID_ARGUMENT, "database.dialect"},
      {"{\"database\": {\"dialect\": \"oracle\"}}", CRM_E_INVALID_ARGUMENT, "database.dialect"},
      {"{\"database\": {\"dialect\": \"sqlite\"}}", CRM_E_INVALID_ARGUMENT, "database.path"},
      {"{\"database\": {\"dialect\": \"sqlite\", \"path\": 5}}", CRM_E_INVALID_ARGUMENT,
       "database.path"},
      {"{\"database\": {\"dialect\": \"sqlite\", \"path\": \"x.db\", \"colour\": 1}}",
       CRM_E_INVALID_ARGUMENT, "database.colour"},
      {"{\"database\": {\"dialect\": \"sqlite\", \"path\": \"x.db\"}, \"pool\": "
       "{\"max_connections\": 0}}",
       CRM_E_INVALID_ARGUMENT, "pool.max_connections"},
      {"{\"database\": {\"dialect\": \"sqlite\", \"path\": \"x.db\"}, \"log\": {\"level\": "
       "\"loud\"}}",
       CRM_E_INVALID_ARGUMENT, "log.level"},
      {"{\"database\": {\"dialect\": \"sqlite\", \"path\": \"x.db\"}, \"log\": {\"sink\": "
       "\"file\"}}",
       CRM_E_INVALID_ARGUMENT, "log.path"},
      {"{\"database\": {\"dialect\": \"sqlite\", \"path\": \"x.db\", \"driver\": "
       "\"/no/such/driver.so\"}}",
       CRM_E_UNAVAILABLE, "driver"},
      {"{\"database\": {\"dialect\": \"sqlite\", \"path\": \"" + sqlite_dir + "\"}}",
       CRM_E_INVALID_ARGUMENT,
       "database.path: the folder /nonexistent-dir/for/sure does not exist"},
      {"{\"database\": {\"dialect\": \"postgresql\", \"connection_string\": "
       "\"Server=127.0.0.1;Port=1;Database=none;UID=x;PWD=y\"}}",
       CRM_E_UNAVAILABLE, "postgresql"},
  };
  for (const auto &c : cases) {
    SCOPED_TRACE(c.config);
    auto [got, text] = create(c.config.c_str());
    // A dialect this build lacks is "unsupported"; with it, an unreachable server is
    // "unavailable".
    if (c.mentions == "postgresql" && got == CRM_E_UNSUPPORTED) continue;
    EXPECT_EQ(got, c.status) << text;
    EXPECT_NE(text.find(c.mentions), std::string::npos) << text;
  }
}

TEST_F(HandlesTest, LogCallbackReceivesRecords) {
  struct Sink {
    std::mutex mutex;
    std::vector<std::pair<int, std::string>> records;
  } sink;
  auto callback = [](int32_t level, const char *message, void *user_data) {
    auto *s = static_cast<Sink *>(user_data);
    std::lock_guard lock(s->mutex);
    s->records.emplace_back(level, message);
  };
  ASSERT_EQ(api().log_callback_set(callback, CRM_LOG_INFO, &sink), CRM_OK);
  EXPECT_EQ(api().log_callback_set(callback, 99, &sink), CRM_E_INVALID_ARGUMENT);
  json config = json::parse(database_.client_config_json());
  config["log"] = {{"sink", "callback"}, {"level", "debug"}};
  user("logger");
  {
    host::Client client(plugin_, config.dump());
    auto session = client.open_session("logger");
    ok_on(session, "customer.create", {{"name", "Logged"}});
  }
  api().log_callback_set(nullptr, CRM_LOG_INFO, nullptr);
  std::lock_guard lock(sink.mutex);
  bool saw_create = false;
  for (const auto &[level, message] : sink.records) {
    EXPECT_GE(level, CRM_LOG_INFO);
    if (message.find("created by logger") != std::string::npos) saw_create = true;
  }
  EXPECT_TRUE(saw_create);
}

// crm_log_callback_set returns only once no record is inside the previous callback, which is
// then never called again: the host may free its user_data right away.
TEST_F(HandlesTest, ReplacingTheLogCallbackWaitsForRecordsInsideIt) {
  struct Probe {
    std::atomic<int> inside{0};
    std::atomic<bool> entered{false};
    std::atomic<bool> replaced{false};
    std::atomic<int> calls_after{0};
  } probe;
  auto slow = [](int32_t, const char *, void *user_data) {
    auto *p = static_cast<Probe *>(user_data);
    if (p->replaced) ++p->calls_after;
    ++p->inside;
    p->entered = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    --p->inside;
  };
  ASSERT_EQ(api().log_callback_set(slow, CRM_LOG_TRACE, &probe), CRM_OK);
  json config = json::parse(database_.client_config_json());
  config["log"] = {{"sink", "callback"}, {"level", "debug"}};
  user("logger");
  host::Client client(plugin_, config.dump());
  std::atomic<bool> stop{false};
  std::thread worker([&] {
    auto session = client.open_session("logger");
    while (!stop) ok_on(session, "customer.create", {{"name", "Logged"}});
  });
  while (!probe.entered) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_EQ(api().log_callback_set(nullptr, CRM_LOG_INFO, nullptr), CRM_OK);
  EXPECT_EQ(probe.inside.load(), 0) << "a record was still inside the replaced callback";
  probe.replaced = true;
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  stop = true;
  worker.join();
  EXPECT_EQ(probe.calls_after.load(), 0);
}

TEST_F(HandlesTest, SessionsOnManyThreadsShareOneClient) {
  constexpr int kThreads = 4, kPerThread = 40;
  std::vector<std::thread> threads;
  std::mutex mutex;
  std::set<std::string> ids;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) user("worker" + std::to_string(t), {"sales"});
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto session = client_->open_session("worker" + std::to_string(t));
      for (int i = 0; i < kPerThread; ++i) {
        auto response = session.call(request(
            "customer.create", {{"name", "T" + std::to_string(t) + "-" + std::to_string(i)}}));
        if (response.status != CRM_OK) {
          ++failures;
          continue;
        }
        std::string id = json::parse(response.body)["result"]["id"];
        auto logged =
            session.call(request("interaction.log", {{"customer_id", id},
                                                     {"channel", "tel"},
                                                     {"direction", "outbound"},
                                                     {"occurred_at", "2026-01-01T00:00:00Z"}}));
        if (logged.status != CRM_OK) ++failures;
        std::lock_guard lock(mutex);
        ids.insert(id);
      }
    });
  }
  for (auto &thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kThreads * kPerThread));
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_interaction"),
            std::vector<std::string>{std::to_string(kThreads * kPerThread)});
}

TEST_F(HandlesTest, DescribeListsEveryMethodWithItsSchema) {
  json described = ok("system.describe");
  EXPECT_EQ(described["dialect"], database_.dialect());
  EXPECT_GE(described["schema_version"].get<int>(), 2);
  EXPECT_EQ(described["user"], "alice");
  std::set<std::string> names;
  for (const auto &method : described["methods"]) {
    names.insert(method["name"]);
    EXPECT_EQ(method["params"]["type"], "object");
    EXPECT_EQ(method["params"]["additionalProperties"], false);
    EXPECT_FALSE(method["summary"].get<std::string>().empty());
  }
  for (const char *name : {"system.describe", "customer.create", "customer.get", "customer.update",
                           "customer.list", "customer.link_host", "contact.create", "contact.list",
                           "interaction.log", "interaction.log_batch", "interaction.list"})
    EXPECT_TRUE(names.count(name)) << name;
  const auto &create = *std::find_if(described["methods"].begin(), described["methods"].end(),
                                     [](const json &m) { return m["name"] == "customer.create"; });
  EXPECT_EQ(create["params"]["required"], json::array({"name"}));
  EXPECT_EQ(create["params"]["properties"]["name"]["maxLength"], 200);
}

}  // namespace
}  // namespace crm::test
