// A hostile caller, as a fuzzer or an attacker inside the host process would be: deep nesting
// on a small thread stack, statement text that makes a driver take exponential time, a file
// name that smuggles in a driver option, stale handles, control characters in user keys, times
// the storage cannot order, and cursors that were never returned. Each gets a named error (or
// an invalid handle) and leaves the database as it was; none may crash or hang the host.
#include <pthread.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>

#include "erp.hpp"
#include "fixture.hpp"

namespace crm::test {
namespace {

// "[[[ ... 1 ... ]]]" or {"a":{"a": ... 1 ... }}: depth levels of nesting.
std::string nested(std::size_t depth, bool objects) {
  std::string out;
  out.reserve(depth * 6 + 1);
  for (std::size_t i = 0; i < depth; ++i) out += objects ? "{\"a\":" : "[";
  out += "1";
  for (std::size_t i = 0; i < depth; ++i) out += objects ? "}" : "]";
  return out;
}

// Runs body on a thread with a 1 MiB stack, as many hosts give their worker threads.
void on_small_stack(std::function<void()> body) {
  pthread_attr_t attributes;
  ASSERT_EQ(pthread_attr_init(&attributes), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attributes, 1 << 20), 0);
  pthread_t thread;
  auto run = [](void *argument) -> void * {
    (*static_cast<std::function<void()> *>(argument))();
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&thread, &attributes, run, &body), 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attributes);
}

class HostileTest : public ApiTest {
 protected:
  const crm_plugin_api &api() { return plugin_->api(); }

  // crm_client_create's status and message for a configuration (the client is destroyed).
  std::pair<int32_t, std::string> create(const std::string &config) {
    crm_client *client = nullptr;
    char *message = nullptr;
    const int32_t status = api().client_create(config.c_str(), &client, &message);
    std::string text = message ? message : "";
    api().string_free(message);
    api().client_destroy(client);
    return {status, text};
  }
  // The test database's configuration with `section` set to raw JSON text.
  std::string config_with(const std::string &section, const std::string &raw) {
    json base = json::parse(database_.client_config_json());
    base.erase(section);
    std::string config = base.dump();
    config.pop_back();  // the closing brace
    return config + ", \"" + section + "\": " + raw + "}";
  }
};

TEST_F(HostileTest, DeepNestingIsRefusedBeforeItCanExhaustTheStack) {
  const std::string id = customer("Acme")["id"];
  const std::string before = database_.snapshot();
  std::vector<std::string> requests;
  for (bool objects : {false, true}) {
    const std::string deep = nested(100000, objects);
    requests.push_back(R"({"method":"customer.create","params":{"name":"x","attributes":{"k":)" +
                       deep + "}}}");
    requests.push_back(R"({"method":"customer.update","params":{"id":")" + id +
                       R"(","version":1,"attributes":{"k":)" + deep + "}}}");
    requests.push_back(R"({"method":"customer.list","params":{"search":)" + deep + "}}");
    requests.push_back(deep);
  }
  std::vector<json> errors;
  on_small_stack([&] {
    for (const auto &text : requests) {
      auto response = session_->call(text);
      errors.push_back(json::parse(response.body)["error"]);
      EXPECT_EQ(response.status, CRM_E_INVALID_ARGUMENT) << response.body.substr(0, 300);
    }
  });
  ASSERT_EQ(errors.size(), requests.size());
  for (const auto &error : errors) {
    EXPECT_EQ(error["field"], "request") << error;
    EXPECT_NE(error["message"].get<std::string>().find("nested deeper than 64 levels"),
              std::string::npos)
        << error;
  }
  EXPECT_EQ(database_.snapshot(), before);
  // The limit is exact: 64 levels pass (attributes sit at depth 3), 65 do not.
  ok("customer.create",
     {{"name", "deep"}, {"attributes", {{"k", json::parse(nested(61, false))}}}});
  rejects("customer.create",
          {{"name", "deeper"}, {"attributes", {{"k", json::parse(nested(62, false))}}}},
          "invalid_argument", "request");
}

TEST_F(HostileTest, DeepConfigurationsAreRefusedNamingTheConfiguration) {
  const std::string deep = nested(100000, false);
  for (const auto &config :
       {config_with("host", "{\"customers\": " + deep + "}"), config_with("classification", deep),
        config_with("classification",
                    "{\"rules\": [{\"id\": \"r\", \"when\": {\"industry\": " + deep + "}}]}"),
        config_with("log", deep), config_with("anything", deep)}) {
    std::pair<int32_t, std::string> result;
    on_small_stack([&] { result = create(config); });
    EXPECT_EQ(result.first, CRM_E_INVALID_ARGUMENT) << result.second;
    EXPECT_NE(result.second.find("config"), std::string::npos) << result.second;
    EXPECT_NE(result.second.find("nested deeper than 64 levels"), std::string::npos)
        << result.second;
  }
}

TEST_F(HostileTest, EscapeBracesInAHostQueryAreBoundedNotParsedForever) {
  const auto started = std::chrono::steady_clock::now();
  auto [status, message] =
      create(config_with("host", R"({"customers": {"query": "{{{{{{{{{{{{{{{{{{{{"}})"));
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
  EXPECT_EQ(status, CRM_E_INVALID_ARGUMENT) << message;
  EXPECT_NE(message.find("host.customers"), std::string::npos) << message;
  EXPECT_LT(seconds.count(), 10.0);
}

TEST_F(HostileTest, RequestsWithNulOrRepeatedKeysAreRefused) {
  const std::string before = database_.snapshot();
  const std::string with_nul = std::string(R"({"method":"system.describe"})") + '\0' + "garbage";
  json error = error_raw(with_nul);
  EXPECT_EQ(error["name"], "invalid_argument");
  EXPECT_NE(error["message"].get<std::string>().find("NUL"), std::string::npos) << error;
  error = error_raw(R"({"method":"system.describe","method":"system.describe"})");
  EXPECT_EQ(error["name"], "invalid_argument");
  EXPECT_NE(error["message"].get<std::string>().find("\"method\" appears twice"), std::string::npos)
      << error;
  error = error_raw(R"({"method":"customer.create","params":{"name":"a","name":"b"}})");
  EXPECT_NE(error["message"].get<std::string>().find("\"name\" appears twice"), std::string::npos)
      << error;
  EXPECT_EQ(database_.snapshot(), before);
}

// A parse error says where, in valid UTF-8, even when the text breaks off inside a character.
TEST_F(HostileTest, MalformedJsonIsReportedByPositionInValidUtf8) {
  const std::string broken = R"({"industry2:["超市","便利店"]})";
  auto [status, message] = create(broken);
  EXPECT_EQ(status, CRM_E_INVALID_ARGUMENT);
  EXPECT_NE(message.find("line 1, column 15"), std::string::npos) << message;
  EXPECT_TRUE(json::accept("\"" + message + "\"")) << message;  // valid UTF-8 text
  json error = error_raw(R"({"method":"customer.create","params":{"name":"超)");
  EXPECT_EQ(error["name"], "invalid_argument");
  EXPECT_NE(error["message"].get<std::string>().find("column"), std::string::npos) << error;
}

TEST_F(HostileTest, ClosedHandlesNeverComeBackAsSomeoneElses) {
  crm_client *client = nullptr;
  ASSERT_EQ(api().client_create(database_.client_config_json().c_str(), &client, nullptr), CRM_OK);
  const char request[] = "{\"method\":\"customer.create\",\"params\":{\"name\":\"x\"}}";
  std::set<crm_session *> seen;
  user("bob", {"sales"});
  for (int i = 0; i < 50; ++i) {
    crm_session *alice = nullptr, *bob = nullptr;
    ASSERT_EQ(api().session_open(client, "alice", &alice), CRM_OK);
    api().session_close(alice);
    ASSERT_EQ(api().session_open(client, "bob", &bob), CRM_OK);
    EXPECT_NE(alice, bob);
    EXPECT_TRUE(seen.insert(alice).second);
    EXPECT_TRUE(seen.insert(bob).second);
    EXPECT_EQ(api().call(alice, request, sizeof(request) - 1, nullptr, nullptr),
              CRM_E_INVALID_HANDLE);
    api().session_close(bob);
  }
  // The same for clients: a destroyed client stays invalid after new ones are created.
  crm_client *next = nullptr;
  api().client_destroy(client);
  ASSERT_EQ(api().client_create(database_.client_config_json().c_str(), &next, nullptr), CRM_OK);
  EXPECT_NE(next, client);
  crm_session *session = nullptr;
  EXPECT_EQ(api().session_open(client, "alice", &session), CRM_E_INVALID_HANDLE);
  api().client_destroy(next);
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_customer"), std::vector<std::string>{"0"});
}

TEST_F(HostileTest, UserKeysHoldNoControlCharacters) {
  crm_client *client = nullptr;
  ASSERT_EQ(api().client_create(database_.client_config_json().c_str(), &client, nullptr), CRM_OK);
  crm_session *session = nullptr;
  for (const char *bad : {"a\nb", "a\tb", "a\rb", "\tab", "a\x7F",
                          "a\xC2\x85"
                          "b"})
    EXPECT_EQ(api().session_open(client, bad, &session), CRM_E_INVALID_ARGUMENT) << bad;
  EXPECT_EQ(session, nullptr);
  api().client_destroy(client);

  const std::string id = customer("Acme", {{"stage", "potential"}})["id"];
  for (const char *bad : {"a\nb", "a\tb", " ", "a\x01"}) {
    rejects(
        "lifecycle.transition",
        {{"customer_id", id}, {"to", "opportunity"}, {"reason_code", "r"}, {"on_behalf_of", bad}},
        "invalid_argument", "params.on_behalf_of");
    rejects("customer.create", {{"name", "n"}, {"owner", bad}}, "invalid_argument", "params.owner");
    rejects("customer.update", {{"id", id}, {"version", 1}, {"owner", bad}}, "invalid_argument",
            "params.owner");
  }
  // Text fields keep their line breaks; they only refuse the other control characters.
  ok("customer.update", {{"id", id}, {"version", 1}, {"address", "第一行\n第二行"}});
  rejects("customer.update", {{"id", id}, {"version", 2}, {"address", "a\x01\nb"}},
          "invalid_argument", "params.address");
}

TEST_F(HostileTest, TimesTheStorageCannotOrderAreRefused) {
  const std::string id = customer("Acme")["id"];
  auto log = [&](const std::string &at) {
    return json{
        {"customer_id", id}, {"channel", "tel"}, {"direction", "inbound"}, {"occurred_at", at}};
  };
  for (const char *at : {"9999-12-31T23:59:59-14:00", "9999-12-31T23:59:59.5-00:01",
                         "1000-01-01T00:00:00+00:01", "1000-01-01T00:30:00+01:00"}) {
    rejects("interaction.log", log(at), "invalid_argument", "params.occurred_at");
    rejects("task.create", {{"customer_id", id}, {"title", "t"}, {"due_at", at}},
            "invalid_argument", "params.due_at");
    rejects("classification.run", {{"as_of", at}}, "invalid_argument", "params.as_of");
  }
  // The ends of the range are accepted, and pages order them with everything between.
  for (const char *at :
       {"9999-12-31T23:59:59+00:00", "9999-12-31T23:59:59.999999Z", "1000-01-01T00:00:00Z",
        "1990-06-01T00:00:00Z", "2026-06-01T08:00:00+08:00", "1000-01-01T08:00:00+08:00"})
    ok("interaction.log", log(at));
  std::vector<std::string> seen;
  json cursor = nullptr;
  do {
    json params = {{"customer_id", id}, {"limit", 3}};
    if (!cursor.is_null()) params["cursor"] = cursor;
    json page = ok("interaction.list", params);
    for (const auto &item : page["items"]) seen.push_back(item["occurred_at"]);
    cursor = page["next_cursor"];
  } while (!cursor.is_null() && seen.size() < 20);
  EXPECT_EQ(seen, (std::vector<std::string>{"9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59Z",
                                            "2026-06-01T00:00:00Z", "1990-06-01T00:00:00Z",
                                            "1000-01-01T00:00:00Z", "1000-01-01T00:00:00Z"}));
}

TEST_F(HostileTest, CursorsOutsideSixtyFourBitsAreRefusedNotWrapped) {
  const std::string first = customer("C0")["id"];
  for (int i = 1; i < 3; ++i) customer("C" + std::to_string(i));
  auto cursor_of = [](const std::string &key) {
    // The cursor encoding: "c1." and the key array as unpadded base64url.
    static const char *alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out = "c1.";
    std::uint32_t buffer = 0;
    int bits = 0;
    for (unsigned char c : key) {
      buffer = (buffer << 8) | c;
      bits += 8;
      while (bits >= 6) out.push_back(alphabet[(buffer >> (bits -= 6)) & 0x3F]);
    }
    if (bits > 0) out.push_back(alphabet[(buffer << (6 - bits)) & 0x3F]);
    return out;
  };
  for (const char *key : {"[9223372036854775808]", "[18446744073709551615]", "[1.5]", "[\"1\"]"})
    for (const char *method : {"customer.list", "opportunity.list"})
      rejects(method, {{"cursor", cursor_of(key)}}, "invalid_argument", "params.cursor");
  rejects("contact.list", {{"customer_id", first}, {"cursor", cursor_of("[9223372036854775808]")}},
          "invalid_argument", "params.cursor");
  rejects("interaction.list",
          {{"customer_id", first},
           {"cursor", cursor_of("[\"2026-01-01 00:00:00.000000\", "
                                "18446744073709551615]")}},
          "invalid_argument", "params.cursor");
  EXPECT_TRUE(
      ok("customer.list", {{"cursor", cursor_of("[9223372036854775807]")}})["items"].empty());
  EXPECT_EQ(ok("customer.list", {{"cursor", cursor_of("[" + first + "]")}})["items"].size(), 2u);
}

// Configuration errors about the database file name database.path, whatever is wrong with it.
TEST_F(HostileTest, DatabasePathIsAFileNameAndNothingElse) {
  const auto folder = std::filesystem::temp_directory_path() /
                      ("crm hostile " + std::to_string(::getpid()) + " a=b {c}");
  std::filesystem::create_directories(folder);
  { std::ofstream(folder / "notes.txt") << "plain text, not a database"; }
  // A library that, if ever loaded, leaves a mark.
  const std::string marker = (folder / "loaded").string();
  const std::string evil = CRM_TEST_EVIL_LIBRARY;
  ::setenv("CRM_TEST_EVIL_MARKER", marker.c_str(), 1);
  auto path_config = [](const std::string &path) {
    return json{{"database", {{"dialect", "sqlite"}, {"path", path}}}, {"log", {{"sink", "none"}}}}
        .dump();
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {(folder / "x.db").string() + ";LoadExt=" + evil + ";y", "\";\""},
      {folder.string(), "is a folder"},
      {(folder / "missing" / "crm.db").string(), "does not exist"},
      {(folder / "notes.txt").string(), "not a SQLite database"},
      {"{" + (folder / "x.db").string() + "}", "\"{\""},
  };
  for (const auto &[path, mentions] : cases) {
    auto [status, message] = create(path_config(path));
    EXPECT_EQ(status, CRM_E_INVALID_ARGUMENT) << path << ": " << message;
    EXPECT_EQ(message.rfind("database.path", 0), 0u) << message;
    EXPECT_NE(message.find(mentions), std::string::npos) << message;
  }
  EXPECT_FALSE(std::filesystem::exists(marker)) << "the LoadExt library was loaded";
  // The library itself does leave its mark when loaded, so the check above can fail.
  {
    auto probe = boost::dll::shared_library(evil);
    EXPECT_TRUE(std::filesystem::exists(marker));
    std::filesystem::remove(marker);
  }
  // Spaces, "=", braces and Chinese in the name work, and the file is the one named.
  const std::string real = (folder / "客户 数据=1 {x}.db").string();
  auto [status, message] = create(path_config(real));
  EXPECT_EQ(status, CRM_OK) << message;
  EXPECT_TRUE(std::filesystem::is_regular_file(real));
  for (const auto &entry : std::filesystem::directory_iterator(folder))
    EXPECT_NE(entry.path().filename().string().front(), '{') << entry.path();
  ::unsetenv("CRM_TEST_EVIL_MARKER");
  std::filesystem::remove_all(folder);
}

// The customer 360 over a host mapping: a cursor naming a host record by a key the host's key
// column cannot hold is the caller's mistake, and a CRM customer linked to such a key simply
// has no host documents.
class HostileViewTest : public ApiTest {};

TEST_F(HostileViewTest, HostKeysTheHostCannotHoldAreNotInternalErrors) {
  erp::Options options;
  options.shape = erp::Shape::jinhe;
  options.customers = 5;
  erp::generate(database_.connection(), options);
  reconfigure({{"host", json::parse(erp::mapping_json(erp::Shape::jinhe, database_.dialect()))}});
  ok("lifecycle.sync", {{"as_of", "2026-11-30T00:00:00Z"}});
  const std::string id = database_.column("SELECT MIN(id) FROM crm_customer").at(0);
  for (const char *cursor :
       {"c1.WzE3OTYxMDQ4MDYwMDAwMDAsIm9yZGVyIiwiYWJjIl0",     // [.., "order", "abc"]
        "c1.WzE3OTYxMDQ4MDYwMDAwMDAsInBheW1lbnQiLCIxZTUiXQ",  // "payment", "1e5"
        "c1.WzE3OTYxMDQ4MDYwMDAwMDAsImludm9pY2UiLCIiXQ"})     // "invoice", ""
    rejects("customer.view", {{"id", id}, {"cursor", cursor}}, "invalid_argument", "params.cursor");
  const std::string other = customer("手工客户")["id"];
  ok("customer.link_host", {{"id", other}, {"host_key", "not-a-number"}});
  json view = ok("customer.view", {{"id", other}});
  EXPECT_TRUE(view["host_contacts"].empty()) << view;
  for (const auto &item : view["timeline"]["items"]) EXPECT_NE(item["kind"], "order") << item;
}

}  // namespace
}  // namespace crm::test
