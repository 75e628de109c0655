// Every method against malformed requests: each failure is a clear error naming the problem,
// and the database is left exactly as it was.
#include <functional>
#include <set>

#include "erp.hpp"
#include "fixture.hpp"
#include "odbc.hpp"

namespace crm::test {
namespace {

class BadInputTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    // A host ERP with one customer and one order, so that every method has a valid request:
    // the sync imports the customer, value.run scores it in two periods.
    auto &connection = database_.connection();
    erp::create_schema(connection, erp::Shape::jinhe);
    {
      db::Transaction transaction(connection);
      erp::Writer writer(connection, erp::Shape::jinhe);
      erp::Customer host_customer;
      host_customer.number = 1;
      host_customer.name = "华联超市（北京）有限公司";
      writer.add(host_customer);
      erp::Order order{10, 1, "2026-10-01 10:00:00", erp::OrderStatus::valid, true, {}, {}};
      order.lines = {{101, "SP1", 2, 100000, 60000}};
      writer.add(order);
      writer.flush();
      transaction.commit();
    }
    reconfigure({{"host", json::parse(erp::mapping_json(erp::Shape::jinhe, database_.dialect()))}});
    ok("lifecycle.sync", {{"as_of", kAsOf}});
    imported_ = database_.column("SELECT id FROM crm_customer WHERE host_key IS NOT NULL").at(0);
    ok("value.run", {{"period", "2026-10"}, {"as_of", "2026-10-31T00:00:00Z"}});
    ok("value.run", {{"period", "2026-11"}, {"as_of", kAsOf}});
    user("alice", {"admin"});  // a CRM user too, so that bob can delegate to alice
    user("boss", {"manager"});
    user("bob", {"sales"});
    ok("team.create", {{"team_key", "sales"}, {"name", "销售部"}});
    ok("source.create",
       {{"code", "web"}, {"name", "官网"}, {"channel", "web"}, {"kind", "website"}});
    ok("campaign.create", {{"code", "expo-2026"},
                           {"source", "web"},
                           {"name", "2026 展会"},
                           {"starts_on", "2026-01-01"},
                           {"ends_on", "2026-12-31"}});
    acme_ = customer("Acme", {{"stage", "potential"}})["id"];
    // Created at opportunity: its hand-off to sales is open, for alice to answer.
    handed_ = customer("华南贸易", {{"stage", "opportunity"}, {"owner", "alice"}})["id"];
    contact_ = ok("contact.create", {{"customer_id", acme_}, {"name", "Li"}})["id"];
    opportunity_ = ok("opportunity.create", {{"customer_id", imported_}, {"name", "deal"}})["id"];
    task_ =
        ok("task.create",
           {{"customer_id", acme_}, {"title", "call"}, {"due_at", "2030-01-01T00:00:00Z"}})["id"];
  }

  json interaction() const {
    return {{"customer_id", acme_},   {"channel", "tel"},
            {"direction", "inbound"}, {"occurred_at", "2026-01-01T00:00:00Z"},
            {"subject", "s"},         {"body", "b"},
            {"contact_id", contact_}, {"opportunity_id", nullptr},
            {"campaign", "expo-2026"}};
  }

  // A valid request for every method of the catalog, with every parameter it can take at once;
  // the matrix below breaks one thing at a time. In this order, each one also succeeds.
  std::vector<std::pair<std::string, json>> valid_requests() const {
    return {
        {"system.describe", json::object()},
        {"user.create",
         {{"user_key", "u1"},
          {"name", "张三"},
          {"email", "u1@example.cn"},
          {"manager_key", "boss"},
          {"active", true},
          {"roles", {"sales"}}}},
        {"user.update",
         {{"user_key", "u1"},
          {"version", 1},
          {"name", "张三丰"},
          {"email", "z@example.cn"},
          {"manager_key", "boss"},
          {"active", true},
          {"roles", {"sales", "service"}}}},
        {"user.get", {{"user_key", "u1"}}},
        {"user.list", {{"active", true}, {"team", "sales"}, {"manager_key", "boss"}, {"limit", 5}}},
        {"user.me", json::object()},
        {"team.create",
         {{"team_key", "east"},
          {"name", "华东"},
          {"lead_key", "boss"},
          {"active", true},
          {"members", {"u1"}}}},
        {"team.update",
         {{"team_key", "east"},
          {"version", 1},
          {"name", "华东区"},
          {"lead_key", "boss"},
          {"active", true},
          {"add_members", {"boss"}},
          {"remove_members", {"u1"}}}},
        {"team.get", {{"team_key", "east"}}},
        {"team.list", {{"limit", 5}}},
        {"calendar.list", json::object()},
        {"calendar.due",
         {{"calendar", "standard"},
          {"from", "2026-11-27T17:30:00+08:00"},
          {"business_minutes", 90}}},
        {"calendar.between",
         {{"calendar", "standard"},
          {"from", "2026-11-27T17:30:00Z"},
          {"to", "2026-12-27T00:00:00Z"}}},
        {"customer.create",
         {{"name", "N"},
          {"phone", "1"},
          {"email", "a@b.c"},
          {"address", "addr"},
          {"region", "r"},
          {"industry", "i"},
          {"source", "s"},
          {"owner", "o"},
          {"queue", "sales"},
          {"kind", "person"},
          {"stage", "potential"},
          {"attributes", json::object()},
          {"first_touch_source", "web"},
          {"first_touch_campaign", "expo-2026"},
          {"first_touch_at", "2026-03-01T09:00:00+08:00"}}},
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
          {"queue", "sales"},
          {"kind", "company"},
          {"attributes", json::object()}}},
        {"customer.list",
         {{"stage", "potential"},
          {"owner", "o"},
          {"queue", "sales"},
          {"search", "x"},
          {"limit", 5}}},
        {"customer.link_host", {{"id", acme_}, {"host_key", "K-1"}}},
        {"contact.create",
         {{"customer_id", acme_},
          {"name", "N"},
          {"title", "t"},
          {"phone", "p"},
          {"email", "e@x.y"}}},
        {"contact.list", {{"customer_id", acme_}, {"limit", 5}}},
        {"interaction.log", interaction()},
        {"interaction.log_batch", {{"items", json::array({interaction()})}}},
        {"interaction.list", {{"customer_id", acme_}, {"channel", "tel"}, {"limit", 5}}},
        {"delegation.create",
         {{"delegate", "alice"},
          {"delegator", "bob"},
          {"starts_at", "2026-01-01T00:00:00Z"},
          {"ends_at", "2099-01-01T00:00:00Z"},
          {"customer_ids", {acme_}},
          {"reason", "休假"}}},
        {"delegation.list", {{"user", "bob"}, {"as", "delegator"}, {"active", true}, {"limit", 5}}},
        {"lifecycle.transition",
         {{"customer_id", acme_},
          {"to", "opportunity"},
          {"reason_code", "qualified"},
          {"reason_text", "budget confirmed"},
          {"on_behalf_of", "bob"},
          {"version", 3}}},
        {"lifecycle.history", {{"customer_id", acme_}, {"limit", 5}}},
        {"delegation.end", {{"id", "1"}}},
        {"ownership.transfer",
         {{"from", "o"},
          {"to", "boss"},
          {"stage", "potential"},
          {"customer_ids", {acme_}},
          {"preview", false},
          {"reason", "离职交接"}}},
        {"ownership.batch.get", {{"id", "1"}, {"kind", "customer"}, {"limit", 5}}},
        {"ownership.batch.list", {{"user", "boss"}, {"limit", 5}}},
        {"ownership.orphans", {{"stage", "potential"}, {"limit", 5}}},
        {"lifecycle.sync", {{"as_of", kAsOf}}},
        {"users.sync", {{"preview", false}}},
        {"opportunity.create",
         {{"customer_id", acme_},
          {"name", "N"},
          {"stage", "develop"},
          {"amount", "100.00"},
          {"probability", 40},
          {"expected_close", "2027-01-31"},
          {"owner", "o"}}},
        {"opportunity.get", {{"id", opportunity_}}},
        {"opportunity.update",
         {{"id", opportunity_},
          {"version", 1},
          {"name", "N"},
          {"stage", "propose"},
          {"amount", "200.00"},
          {"probability", 50},
          {"expected_close", "2027-02-28"},
          {"owner", "o"}}},
        {"opportunity.close",
         {{"id", opportunity_},
          {"version", 2},
          {"outcome", "won"},
          {"reason", "r"},
          {"amount", "250.00"}}},
        {"opportunity.reopen", {{"id", opportunity_}, {"version", 3}, {"reason", "r"}}},
        {"opportunity.list",
         {{"customer_id", imported_},
          {"owner", "o"},
          {"status", "open"},
          {"stage", "negotiate"},
          {"limit", 5}}},
        {"classification.run", {{"as_of", kAsOf}}},
        {"classification.explain", {{"customer_id", acme_}, {"as_of", kAsOf}}},
        {"task.list",
         {{"customer_id", acme_},
          {"owner", "alice"},
          {"status", "open"},
          {"due_before", "2031-01-01T00:00:00Z"},
          {"limit", 5}}},
        {"task.complete", {{"id", task_}, {"version", 1}, {"note", "done"}}},
        {"task.create",
         {{"customer_id", acme_},
          {"title", "t"},
          {"due_at", "2030-01-01T00:00:00Z"},
          {"owner", "o"}}},
        {"value.run", {{"period", "2026-12"}, {"as_of", kAsOf}}},
        {"value.get", {{"customer_id", imported_}, {"period", "2026-11"}}},
        {"value.tiers", {{"period", "2026-11"}}},
        {"value.migration",
         {{"from", "2026-10"},
          {"to", "2026-11"},
          {"from_tier", "basic"},
          {"to_tier", "basic"},
          {"limit", 5}}},
        {"customer.view",
         {{"id", imported_},
          {"kinds", {"interaction", "order"}},
          {"channel", "tel"},
          {"limit", 5}}},
        {"source.create",
         {{"code", "fair"}, {"name", "展会"}, {"channel", "event"}, {"kind", "event"}}},
        {"source.update",
         {{"code", "fair"},
          {"version", 1},
          {"name", "行业展会"},
          {"channel", "face_to_face"},
          {"kind", "event"},
          {"active", true}}},
        {"source.list",
         {{"active", true}, {"kind", "event"}, {"channel", "face_to_face"}, {"limit", 5}}},
        {"campaign.create",
         {{"code", "fair-2026"},
          {"source", "fair"},
          {"name", "2026 秋季展会"},
          {"starts_on", "2026-09-01"},
          {"ends_on", "2026-09-30"},
          {"cost", "50000.00"}}},
        {"campaign.update",
         {{"code", "fair-2026"},
          {"version", 1},
          {"name", "2026 秋季行业展会"},
          {"starts_on", "2026-09-01"},
          {"ends_on", "2026-10-15"},
          {"cost", "52000.50"},
          {"active", true}}},
        {"campaign.list", {{"active", true}, {"source", "fair"}, {"limit", 5}}},
        {"customer.first_touch.correct",
         {{"id", acme_},
          {"source", "fair"},
          {"campaign", "fair-2026"},
          {"at", "2026-09-10T10:00:00+08:00"},
          {"reason", "名片录入错误"}}},
        {"customer.first_touch.history", {{"id", acme_}, {"limit", 5}}},
        {"source.report",
         {{"from", "2026-01-01T00:00:00+08:00"},
          {"to", "2027-01-01T00:00:00+08:00"},
          {"as_of", "2026-12-01T00:00:00+08:00"},
          {"group_by", "campaign"}}},
        {"assignment.rule.create",
         {{"code", "east"},
          {"name", "华东线索"},
          {"priority", 5},
          {"active", true},
          {"on", {"create", "handoff"}},
          {"conditions", {{"region", {"华东"}}, {"stage", {"potential", "opportunity"}}}},
          {"strategy", "weighted"},
          {"team", "sales"},
          {"user", nullptr},
          {"cap", 50},
          {"weights", {{"u1", 2}}}}},
        {"assignment.rule.update",
         {{"code", "east"},
          {"version", 1},
          {"name", "华东与华北线索"},
          {"priority", 6},
          {"active", true},
          {"on", {"create", "import", "handoff"}},
          {"conditions", {{"region", {"华东", "华北"}}}},
          {"strategy", "weighted"},
          {"team", "sales"},
          {"user", nullptr},
          {"cap", 40},
          {"weights", {{"u1", 3}}}}},
        {"assignment.rule.list", {{"active", true}}},
        {"assignment.explain", {{"customer_id", acme_}, {"event", "handoff"}}},
        {"assignment.apply", {{"customer_id", imported_}, {"version", 2}}},
        {"handoff.list",
         {{"scope", "team"},
          {"team", "sales"},
          {"state", "live"},
          {"customer_id", handed_},
          {"limit", 5}}},
        {"handoff.get", {{"id", "1"}}},
        {"handoff.report",
         {{"from", "2026-01-01T00:00:00+08:00"},
          {"to", "2099-01-01T00:00:00+08:00"},
          {"group_by", "person"}}},
        {"handoff.accept", {{"customer_id", handed_}, {"version", 1}}},
        {"handoff.return",
         {{"customer_id", handed_},
          {"reason_code", "no_budget"},
          {"reason_text", "预算不足"},
          {"version", 2}}}};
  }

  // The parameter schemas of every method, as system.describe publishes them.
  json parameter_schemas() {
    json out = json::object();
    const json described = ok("system.describe");
    for (const auto &method : described["methods"])
      out[method["name"].get<std::string>()] = method["params"];
    return out;
  }

  // Values of the wrong JSON type for a property of this schema, each refused at `path`.
  static std::vector<std::pair<json, std::string>> wrong_types(const json &schema,
                                                               const std::string &path) {
    const std::string type = schema.value("type", "");
    std::vector<std::pair<json, std::string>> out;
    if (type != "string") out.push_back({"text", path});
    if (type != "integer") out.push_back({12345, path});
    if (type == "integer") out.push_back({1.5, path});
    if (type != "boolean") out.push_back({true, path});
    if (type != "object") out.push_back({json::object(), path});
    if (type != "array") out.push_back({json::array({1}), path});
    if (type == "array") out.push_back({json::array({12345}), path + "[0]"});
    return out;
  }

  // Every value this property's schema refuses that the matrix knows how to build: wrong types,
  // one character or item too many, out of range, outside the enumeration, malformed ids,
  // times and e-mail addresses, embedded NUL.
  static std::vector<std::pair<json, std::string>> refused_values(const json &schema,
                                                                  const std::string &path) {
    auto out = wrong_types(schema, path);
    const std::string type = schema.value("type", "");
    if (type == "string") {
      out.push_back({std::string("a\0b", 3), path});
      if (schema.contains("maxLength")) {
        std::string too_long;
        for (std::size_t i = 0; i <= schema["maxLength"].get<std::size_t>(); ++i) too_long += "华";
        out.push_back({too_long, path});
      }
      if (schema.contains("enum")) out.push_back({"no_such_value", path});
      if (schema.contains("pattern"))  // ids
        for (const char *bad : {"", "0", "-1", "01", "1.5", "1e3", " 1", "abc",
                                "99999999999999999999", "1; DROP TABLE crm_customer"})
          out.push_back({bad, path});
      if (schema.value("format", "") == "date-time")
        for (const char *bad : {"", "tomorrow", "2026-01-01", "2026-02-30T00:00:00Z",
                                "2026-01-01T25:00:00Z", "0999-12-31T23:59:59Z"})
          out.push_back({bad, path});
      if (schema.value("format", "") == "email") out.push_back({"no-at-sign", path});
    }
    if (type == "integer") {
      out.push_back({schema["minimum"].get<std::int64_t>() - 1, path});
      if (schema["maximum"].get<std::int64_t>() < INT64_MAX)
        out.push_back({schema["maximum"].get<std::int64_t>() + 1, path});
    }
    if (type == "array") {
      if (schema.value("minItems", 1) > 0) out.push_back({json::array(), path});
      if (schema.contains("maxItems") && schema["maxItems"].get<std::size_t>() < 100)
        out.push_back(
            {json(std::vector<json>(
                 schema["maxItems"].get<std::size_t>() + 1,
                 schema["items"].contains("enum") ? schema["items"]["enum"][0] : json::object())),
             path});
      if (schema["items"].contains("enum"))
        out.push_back({json::array({"no_such_value"}), path + "[0]"});
    }
    return out;
  }

  // Breaks each property of `request` (an object of this schema) in every refused way, and each
  // required one by leaving it out or null; every attempt must fail naming the property and leave
  // the database as it was. Arrays of objects are broken item member by item member as well.
  void break_each_property(const std::string &method, const json &request, const json &schema,
                           const std::function<json(const json &)> &wrap, const std::string &path) {
    rejects(method, wrap(with(request, {{"no_such_param", 1}})), "invalid_argument",
            path + ".no_such_param");
    for (const auto &[name, property] : schema["properties"].items()) {
      SCOPED_TRACE(method + " " + path + "." + name);
      const std::string at = path + "." + name;
      for (const auto &[value, field] : refused_values(property, at)) {
        SCOPED_TRACE(value.dump().substr(0, 40));
        rejects(method, wrap(with(request, {{name, value}})), "invalid_argument", field);
      }
      if (property.contains("pattern"))  // a well-formed id of nothing
        rejects(method, wrap(with(request, {{name, "9223372036854775807"}})), "not_found", at);
      if (property.value("type", "") == "array" &&
          property["items"].value("type", "") == "object") {
        ASSERT_TRUE(request.contains(name)) << "the valid request needs an item to break";
        const json item = request[name][0];
        break_each_property(
            method, item, property["items"],
            [&](const json &broken) {
              return wrap(with(request, {{name, json::array({broken})}}));
            },
            at + "[0]");
      }
    }
    for (const auto &name : schema["required"]) {
      const std::string at = path + "." + name.get<std::string>();
      json missing = request;
      missing.erase(name.get<std::string>());
      rejects(method, wrap(missing), "invalid_argument", at);
      rejects(method, wrap(with(request, {{name.get<std::string>(), nullptr}})), "invalid_argument",
              at);
    }
  }

  json acme_;
  json handed_;
  json contact_;
  json opportunity_;
  json task_;
  std::string imported_;
  static constexpr const char *kAsOf = "2026-11-30T12:00:00+08:00";
};

TEST_F(BadInputTest, EveryMethodOfTheCatalogHasAValidRequestThatSucceeds) {
  const json schemas = parameter_schemas();
  std::set<std::string> covered;
  for (const auto &[method, params] : valid_requests()) {
    SCOPED_TRACE(method);
    covered.insert(method);
    ASSERT_TRUE(schemas.contains(method)) << method << " is not in the catalog";
    // Each valid request uses every parameter its method has (a cursor needs a page first).
    for (const auto &[name, property] : schemas[method]["properties"].items())
      if (name != "cursor") {
        EXPECT_TRUE(params.contains(name)) << "the valid request lacks " << name;
      }
    ok(method, params);
  }
  for (const auto &[method, schema] : schemas.items())
    EXPECT_TRUE(covered.count(method)) << method << " has no valid request in the bad-input matrix";
}

TEST_F(BadInputTest, EveryParameterOfEveryMethodRefusesWhatItsSchemaRefuses) {
  const json schemas = parameter_schemas();
  for (const auto &[method, params] : valid_requests()) {
    SCOPED_TRACE(method);
    rejecting_all(method, [&] {
      break_each_property(
          method, params, schemas[method], [](const json &p) { return p; }, "params");
    });
  }
}

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
  EXPECT_EQ(
      database_.column("SELECT COUNT(*) FROM crm_customer"),
      std::vector<std::string>{std::to_string(nasty.size() + 3)});  // + Acme, 华南贸易, the import
}

}  // namespace
}  // namespace crm::test
