// A host's-eye fixture: the built libcrm loaded through include/crm/host.hpp (Boost.DLL), a
// client over the test database, and a session acting as host user "alice".
#pragma once

#include <gtest/gtest.h>
#include <crm/host.hpp>

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "json_schema.hpp"
#include "test_database.hpp"

namespace crm::test {

using nlohmann::json;

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    plugin_ = host::Plugin::load(library_path());
    client_.emplace(plugin_, database_.client_config_json());
    session_.emplace(client_->open_session("alice"));
  }
  void TearDown() override {
    session_.reset();
    client_.reset();
  }

  static std::string request(const std::string &method, const json &params) {
    return json({{"method", method}, {"params", params}}).dump();
  }

  // Calls a method that must succeed; returns its result.
  json ok(const std::string &method, const json &params = json::object()) {
    return ok_on(*session_, method, params);
  }
  static json ok_on(const host::Session &session, const std::string &method, const json &params) {
    auto response = session.call(request(method, params));
    json body = json::parse(response.body);
    EXPECT_EQ(response.status, CRM_OK) << method << " " << params.dump() << " -> " << response.body;
    EXPECT_TRUE(body.value("ok", false)) << response.body;
    json result = body.value("result", json());
    if (response.status == CRM_OK) check_result(session, method, result);
    return result;
  }
  // The same as another user, on a session of theirs; status_as returns only the status.
  json as(const std::string &user, const std::string &method, const json &params) {
    auto session = client_->open_session(user);
    return ok_on(session, method, params);
  }
  int status_as(const std::string &user, const std::string &method, const json &params) {
    auto session = client_->open_session(user);
    return session.call(request(method, params)).status;
  }

 public:
  // Every successful result of every test is checked against the result schema its method
  // publishes in system.describe (read once per test program).
  static void check_result(const host::Session &session, const std::string &method,
                           const json &result) {
    static const json schemas = [&] {
      json body = json::parse(session.call(request("system.describe", json::object())).body);
      json out = json::object();
      for (const auto &entry : body["result"]["methods"]) out[entry["name"]] = entry["result"];
      return out;
    }();
    auto schema = schemas.find(method);
    if (schema == schemas.end()) {
      ADD_FAILURE() << method << " succeeded but system.describe does not list it";
      return;
    }
    auto violations = schema_violations(*schema, result);
    std::string report;
    for (std::size_t i = 0; i < violations.size() && i < 5; ++i) report += "\n  " + violations[i];
    EXPECT_TRUE(violations.empty()) << method << "'s result breaks its published schema:" << report
                                    << "\nresult " << result.dump().substr(0, 2000);
    checked_methods().insert(method);
  }
  // The methods whose results were checked so far in this test program.
  static std::set<std::string> &checked_methods() {
    static std::set<std::string> methods;
    return methods;
  }

 protected:
  // Sends raw bytes and returns the error object; checks status and envelope agree.
  json error_raw(std::string_view bytes) {
    auto response = session_->call(bytes);
    json body = json::parse(response.body);
    EXPECT_NE(response.status, CRM_OK) << response.body;
    EXPECT_FALSE(body.value("ok", true)) << response.body;
    EXPECT_EQ(body["error"]["code"].get<int>(), response.status) << response.body;
    EXPECT_EQ(body["error"]["name"].get<std::string>(), plugin_->status_name(response.status));
    EXPECT_FALSE(body["error"]["message"].get<std::string>().empty());
    return body["error"];
  }
  json error(const std::string &method, const json &params) {
    return error_raw(request(method, params));
  }

  // Calls a method that must fail with `name`, naming `field` (when given), and leave every
  // crm_* table exactly as it was.
  json rejects(const std::string &method, const json &params, const std::string &name,
               const std::optional<std::string> &field = std::nullopt) {
    const std::string before = compare_each_rejection_ ? database_.snapshot() : std::string();
    json failure = error(method, params);
    EXPECT_EQ(failure["name"], name)
        << method << " " << params.dump().substr(0, 300) << " -> " << failure.dump();
    if (field) {
      EXPECT_EQ(failure.value("field", ""), *field) << failure.dump();
    }
    if (compare_each_rejection_) {
      EXPECT_EQ(database_.snapshot(), before) << method << " changed the database";
    }
    return failure;
  }

  // Runs calls (rejects() calls) comparing the database once, after all of them, instead of
  // around each: a matrix of thousands of refusals spends most of its time on snapshots. When
  // the database changed, the calls run again each compared on its own, to name the culprit.
  void rejecting_all(const std::string &what, const std::function<void()> &calls) {
    const std::string before = database_.snapshot();
    compare_each_rejection_ = false;
    calls();
    compare_each_rejection_ = true;
    if (database_.snapshot() == before) return;
    ADD_FAILURE() << what << ": a refused request changed the database; again one by one:";
    calls();
  }

  static json with(json base, const json &changes) {
    base.update(changes);
    return base;
  }

  // Re-creates the client with these configuration sections added (e.g. "host", "lifecycle"),
  // as a host would after changing its configuration; the session is opened again.
  void reconfigure(const json &sections) {
    session_.reset();
    client_.reset();
    json config = json::parse(database_.client_config_json());
    config.update(sections);
    client_.emplace(plugin_, config.dump());
    session_.emplace(client_->open_session("alice"));
  }
  // The message of a client creation that must fail with these sections.
  std::string client_error(const json &sections) {
    json config = json::parse(database_.client_config_json());
    config.update(sections);
    try {
      host::Client client(plugin_, config.dump());
    } catch (const std::exception &error) {
      return error.what();
    }
    ADD_FAILURE() << "client creation succeeded with " << sections.dump();
    return {};
  }

  // Creates (as alice, a bootstrap administrator) a CRM user holding roles.
  json user(const std::string &key, const std::vector<std::string> &roles = {"admin"},
            const json &extra = json::object()) {
    json params = extra;
    params["user_key"] = key;
    params["name"] = params.value("name", key);
    params["roles"] = roles;
    return ok("user.create", params);
  }
  // A session of client_ for an existing user.
  host::Session session_as(const std::string &key) { return client_->open_session(key); }

  json customer(const std::string &name, const json &extra = json::object()) {
    json params = extra;
    params["name"] = name;
    return ok("customer.create", params);
  }

  TestDatabase database_;
  std::shared_ptr<host::Plugin> plugin_;
  std::optional<host::Client> client_;
  std::optional<host::Session> session_;
  bool compare_each_rejection_ = true;
};

}  // namespace crm::test
