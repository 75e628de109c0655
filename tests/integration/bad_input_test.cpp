// Every method against malformed requests: each failure is a clear error naming the problem,
// and the database is left exactly as it was.
#include "fixture.hpp"

namespace crm::test {
namespace {

class BadInputTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    acme_ = customer("Acme")["id"];
    contact_ = ok("contact.create", {{"customer_id", acme_}, {"name", "Li"}})["id"];
  }

  // A valid request for each method; the matrix below breaks one thing at a time.
  std::vector<std::pair<std::string, json>> valid_requests() {
    json interaction = {{"customer_id", acme_},   {"channel", "tel"},
                        {"direction", "inbound"}, {"occurred_at", "2026-01-01T00:00:00Z"},
                        {"subject", "s"},         {"body", "b"},
                        {"contact_id", contact_}};
    return {
        {"customer.create",
         {{"name", "N"},
          {"phone", "1"},
          {"email", "a@b.c"},
          {"address", "addr"},
          {"region", "r"},
          {"industry", "i"},
          {"source", "s"},
          {"owner", "o"},
          {"kind", "person"},
          {"stage", "potential"},
          {"attributes", json::object()}}},
        {"customer.get", {{"id", acme_}}},
        {"customer.update",
         {{"id", acme_},
          {"version", 1},
          {"name", "N"},
          {"phone", "1"},
          {"email", "a@b.c"},
          {"address", "a"},
          {"region", "r"},
          {"industry", "i"},
          {"source", "s"},
          {"owner", "o"},
          {"kind", "company"},
          {"attributes", json::object()}}},
        {"customer.list", {{"stage", "potential"}, {"owner", "o"}, {"search", "x"}, {"limit", 5}}},
        {"customer.link_host", {{"id", acme_}, {"host_key", "K-1"}}},
        {"contact.create",
         {{"customer_id", acme_},
          {"name", "N"},
          {"title", "t"},
          {"phone", "p"},
          {"email", "e@x.y"}}},
        {"contact.list", {{"customer_id", acme_}, {"limit", 5}}},
        {"interaction.log", interaction},
        {"interaction.log_batch", {{"items", json::array({interaction})}}},
        {"interaction.list", {{"customer_id", acme_}, {"channel", "tel"}, {"limit", 5}}}};
  }

  json acme_;
  json contact_;
};

TEST_F(BadInputTest, MalformedEnvelopes) {
  const std::string before = database_.snapshot();
  EXPECT_EQ(error_raw("")["name"], "invalid_argument");
  EXPECT_EQ(error_raw("{")["name"], "invalid_argument");
  EXPECT_EQ(error_raw("[1,2]")["name"], "invalid_argument");
  EXPECT_EQ(error_raw("\"customer.get\"")["name"], "invalid_argument");
  EXPECT_EQ(error_raw("{\"params\": {}}")["field"], "method");
  EXPECT_EQ(error_raw("{\"method\": 7}")["field"], "method");
  EXPECT_EQ(error_raw("{\"method\": \"customer.get\", \"params\": [1]}")["field"], "params");
  EXPECT_EQ(error_raw("{\"method\": \"customer.get\", \"extra\": 1}")["field"], "extra");
  json unknown = error_raw("{\"method\": \"customer.delete_everything\"}");
  EXPECT_EQ(unknown["name"], "unsupported");
  EXPECT_EQ(unknown["field"], "method");
  // Invalid UTF-8: a lone continuation byte, an overlong '/', a UTF-16 surrogate.
  for (std::string bad :
       {std::string("{\"method\":\"customer.create\",\"params\":{\"name\":\"\x80\"}}"),
        std::string("{\"method\":\"customer.create\",\"params\":{\"name\":\"\xC0\xAF\"}}"),
        std::string("{\"method\":\"customer.create\",\"params\":{\"name\":\"\xED\xA0\x80\"}}")}) {
    json failure = error_raw(bad);
    EXPECT_EQ(failure["name"], "invalid_argument");
    EXPECT_NE(failure["message"].get<std::string>().find("UTF-8"), std::string::npos);
  }
  // A request cut short inside a multi-byte character.
  std::string cut = "{\"method\":\"customer.create\",\"params\":{\"name\":\"华";
  EXPECT_EQ(error_raw(cut.substr(0, cut.size() - 1))["name"], "invalid_argument");
  // Embedded NUL in a string value (escaped) is refused, raw NUL bytes too.
  EXPECT_EQ(
      error_raw("{\"method\":\"customer.create\",\"params\":{\"name\":\"a\\u0000b\"}}")["field"],
      "params.name");
  EXPECT_EQ(error_raw(std::string("{\"method\":\"customer.get\"}\0", 26))["name"],
            "invalid_argument");
  EXPECT_EQ(database_.snapshot(), before);
}

TEST_F(BadInputTest, EveryMethodRejectsUnknownParamsAndWrongTypes) {
  for (auto &[method, params] : valid_requests()) {
    SCOPED_TRACE(method);
    rejects(method, with(params, {{"no_such_param", 1}}), "invalid_argument",
            "params.no_such_param");
    if (method != "customer.list") rejects(method, json::object(), "invalid_argument");
    for (auto &[key, value] : params.items()) {
      SCOPED_TRACE(key);
      // Whatever the field's type, a JSON value of another type is refused with its path.
      json wrong = value.is_string() ? json(12345) : json("text");
      if (value.is_array()) wrong = json("text");
      rejects(method, with(params, {{key, wrong}}), "invalid_argument", "params." + key);
      rejects(method, with(params, {{key, json::array({1})}}), "invalid_argument",
              value.is_array() ? "params." + key + "[0]" : "params." + key);
    }
  }
}

TEST_F(BadInputTest, EveryIdParameterRejectsMalformedAndUnknownIds) {
  for (auto &[method, params] : valid_requests()) {
    for (const char *key : {"id", "customer_id", "contact_id"}) {
      if (!params.contains(key)) continue;
      SCOPED_TRACE(method + " " + key);
      for (const char *bad : {"", "0", "-1", "01", "1.5", "1e3", " 1", "abc",
                              "99999999999999999999", "1; DROP TABLE crm_customer"})
        rejects(method, with(params, {{key, bad}}), "invalid_argument",
                std::string("params.") + key);
      rejects(method, with(params, {{key, 12}}), "invalid_argument", std::string("params.") + key);
      rejects(method, with(params, {{key, "9223372036854775807"}}), "not_found",
              std::string("params.") + key);
    }
  }
}

TEST_F(BadInputTest, OversizedValuesAreRefused) {
  const std::string long_name(201, 'x');
  std::string chinese_200;
  for (int i = 0; i < 200; ++i) chinese_200 += "华";
  // 200 Chinese characters are 600 bytes and still fit: limits count characters.
  ok("customer.create", {{"name", chinese_200}});
  rejects("customer.create", {{"name", chinese_200 + "华"}}, "invalid_argument", "params.name");
  rejects("customer.create", {{"name", long_name}}, "invalid_argument", "params.name");
  rejects("customer.create", {{"name", "n"}, {"phone", std::string(51, '1')}}, "invalid_argument",
          "params.phone");
  json big = json::object();
  for (int i = 0; i < 3000; ++i) big["key" + std::to_string(i)] = std::string(20, 'v');
  rejects("customer.create", {{"name", "n"}, {"attributes", big}}, "invalid_argument",
          "params.attributes");
  rejects("interaction.log",
          {{"customer_id", acme_},
           {"channel", "tel"},
           {"direction", "inbound"},
           {"occurred_at", "2026-01-01T00:00:00Z"},
           {"body", std::string(65536, 'b')}},
          "invalid_argument", "params.body");
  // The whole request is bounded too (16 MiB by default).
  std::string huge = "{\"method\":\"customer.get\",\"params\":{\"id\":\"1\"},\"pad\":\"" +
                     std::string(17 * 1024 * 1024, ' ') + "\"}";
  EXPECT_EQ(error_raw(huge)["field"], "request");
}

TEST_F(BadInputTest, SqlMetacharactersAreStoredVerbatim) {
  const std::vector<std::string> nasty = {"'; DROP TABLE crm_customer; --",
                                          "\" OR 1=1 --",
                                          "back\\slash",
                                          "100% _done_",
                                          "Robert'); DELETE FROM crm_interaction;--",
                                          "`tick` $1 ? :name @v"};
  for (const auto &text : nasty) {
    SCOPED_TRACE(text);
    json created = ok("customer.create", {{"name", text},
                                          {"phone", text.substr(0, 50)},
                                          {"address", text},
                                          {"region", text},
                                          {"industry", text},
                                          {"source", text},
                                          {"owner", text},
                                          {"attributes", {{text, text}}}});
    json fetched = ok("customer.get", {{"id", created["id"]}});
    for (const char *field : {"name", "address", "region", "industry", "source", "owner"})
      EXPECT_EQ(fetched[field], text) << field;
    EXPECT_EQ(fetched["attributes"][text], text);
    json listed = ok("customer.list", {{"search", text.substr(0, 100)}});
    ASSERT_GE(listed["items"].size(), 1u);
    EXPECT_EQ(listed["items"][0]["name"], text);
    ok("customer.link_host", {{"id", created["id"]}, {"host_key", text}});
    json contact =
        ok("contact.create", {{"customer_id", created["id"]}, {"name", text}, {"title", text}});
    EXPECT_EQ(contact["name"], text);
    json logged = ok("interaction.log", {{"customer_id", created["id"]},
                                         {"channel", "web"},
                                         {"direction", "inbound"},
                                         {"occurred_at", "2026-01-01T00:00:00Z"},
                                         {"subject", text},
                                         {"body", text}});
    EXPECT_EQ(logged["subject"], text);
    EXPECT_EQ(logged["body"], text);
  }
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_customer"),
            std::vector<std::string>{std::to_string(nasty.size() + 1)});
}

}  // namespace
}  // namespace crm::test
