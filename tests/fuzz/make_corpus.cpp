// crm_fuzz_make_corpus: the seed corpus, the dictionaries and the listed regression inputs of
// tests/fuzz, made from the method catalog (system.describe) and the hand-written requests and
// configurations below.
//
//   crm_fuzz_make_corpus write DIR   (re)writes DIR/corpus/<target>/, DIR/regressions/<target>/
//                                    (the reproducers listed here; others are left alone) and
//                                    DIR/<target>.dict. Files it does not make are kept.
//   crm_fuzz_make_corpus check DIR   fails unless every method of the catalog has a seed in
//                                    DIR/corpus/crm_fuzz_call and a hand-written request here.
//
// The ids in the requests are those crm_fuzz_call's fixture creates (see seed() there):
// customers 1..20 imported (1 at version 2, stage repeat), 21 (version 2, opportunity) and 22
// (version 1, unidentified); contacts 1..2; opportunities 1 (open, version 1) and 2 (won,
// version 2); interactions 1..3; open tasks 1..9 from the plans and 11 by hand; value periods
// 2026-10 and 2026-11. The first byte of a crm_fuzz_call input chooses the client:
// '0' the one with the jinhe host mapping, '1' the one without.
#include <crm/crm.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "erp.hpp"
#include "fuzz_support.hpp"

namespace {

using nlohmann::json;
namespace fs = std::filesystem;
namespace fuzz = crm::fuzz;

// ---- the catalog ----------------------------------------------------------------------------

json describe() {
  const std::string folder = fuzz::make_temp_dir("crm-fuzz-corpus-");
  const std::string config =
      json({{"database", {{"dialect", "sqlite"}, {"path", folder + "/describe.db"}}},
            {"log", {{"sink", "none"}}},
            {"organisation", {{"bootstrap_admins", {"fuzzer"}}}}})
          .dump();
  crm_client *client = nullptr;
  crm_session *session = nullptr;
  char *message = nullptr;
  if (crm_client_create(config.c_str(), &client, &message) != CRM_OK)
    fuzz::fail("cannot create a client", message ? message : "");
  if (crm_session_open(client, "fuzzer", &session) != CRM_OK) fuzz::fail("cannot open a session");
  const std::string request = R"({"method":"system.describe"})";
  char *response = nullptr;
  std::size_t length = 0;
  const auto status = crm_call(session, request.data(), request.size(), &response, &length);
  fuzz::check_response(status, response, length, request);
  json result = json::parse(response)["result"];
  crm_string_free(response);
  crm_session_close(session);
  crm_client_destroy(client);
  fuzz::remove_tree(folder);
  return result;
}

// ---- cursors: "c1." + base64url (no padding) of the key as compact JSON ---------------------

// A cursor of raw JSON text (also numbers json cannot hold as they are spelled, e.g. 2^64-1).
std::string cursor_of_text(const std::string &text) {
  static const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out = "c1.";
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : text) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(alphabet[(buffer >> bits) & 0x3F]);
    }
  }
  if (bits > 0) out.push_back(alphabet[(buffer << (6 - bits)) & 0x3F]);
  return out;
}

std::string cursor(const json &key) {
  return cursor_of_text(key.dump());
}

// ---- crm_fuzz_call seeds --------------------------------------------------------------------

struct Seed {
  std::string name;
  std::string bytes;
};

std::string call(char client, const std::string &method, const json &params) {
  return std::string(1, client) + json({{"method", method}, {"params", params}}).dump();
}

// A sample value for one property of a method's JSON Schema.
json sample(const std::string &name, const json &schema) {
  if (schema.contains("enum")) return schema["enum"][0];
  const std::string type = schema.value("type", "");
  if (type == "integer") {
    if (name == "limit") return 10;
    return schema.value("minimum", 0);
  }
  if (type == "boolean") return true;
  if (type == "object") {
    if (schema.contains("properties")) {
      json object = json::object();
      for (const auto &[key, property] : schema["properties"].items())
        object[key] = sample(key, property);
      return object;
    }
    return {{"k", "v"}};
  }
  if (type == "array") {
    const json &items = schema["items"];
    return json::array({sample(name, items)});
  }
  if (schema.value("format", "") == "date-time") return "2026-11-30T08:00:00+08:00";
  if (schema.value("format", "") == "email") return "a@example.cn";
  if (schema.contains("pattern")) return "1";  // an id
  if (name == "amount") return "100.00";
  if (name == "period" || name == "from" || name == "to") return "2026-11";
  if (name == "expected_close") return "2027-01-31";
  if (name == "host_key") return "1";
  return "x";
}

// Two requests per method from its schema: the required parameters only (host client), and
// every parameter but the cursor (client without host mapping).
std::vector<Seed> schema_seeds(const json &catalog) {
  std::vector<Seed> seeds;
  for (const auto &method : catalog["methods"]) {
    const std::string name = method["name"];
    const json &schema = method["params"];
    json required = json::object(), all = json::object();
    for (const auto &[key, property] : schema["properties"].items()) {
      if (key == "cursor") continue;
      all[key] = sample(key, property);
    }
    for (const auto &key : schema["required"]) required[key] = all[key.get<std::string>()];
    seeds.push_back({name + ".schema-required", call('0', name, required)});
    seeds.push_back({name + ".schema-all", call('1', name, all)});
  }
  return seeds;
}

// At least one valid request per method, with ids of the fixture.
std::map<std::string, std::vector<std::pair<std::string, std::string>>> written_requests() {
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> requests;
  auto add = [&](const std::string &label, char client, const std::string &method,
                 const json &params) {
    requests[method].push_back({method + "." + label, call(client, method, params)});
  };
  // The second page of customer 1's timeline at limit 3, as customer.view returned it.
  const std::string view_cursor = cursor(json::array({1793498400000000, "interaction", "1"}));
  add("plain", '0', "system.describe", json::object());
  add("no-client-host", '1', "system.describe", json::object());
  requests["system.describe"].push_back(
      {"system.describe.no-params", std::string("0") + R"({"method":"system.describe"})"});
  requests["system.describe"].push_back(
      {"system.describe.null-params",
       std::string("1") + R"({"params":null,"method":"system.describe"})"});
  add("full", '0', "customer.create",
      {{"name", "华联超市（北京）有限公司"},
       {"kind", "company"},
       {"phone", "+86 10 5555 0101"},
       {"email", "caigou@hualian.example.cn"},
       {"address", "北京市朝阳区建国路 88 号"},
       {"region", "华北"},
       {"industry", "超市"},
       {"stage", "potential"},
       {"owner", "zhangwei001"},
       {"source", "展会"},
       {"attributes", {{"tier", "A"}, {"tags", {"vip"}}, {"credit", {{"days", 30}}}}}});
  add("minimal", '1', "customer.create", {{"name", "O'Brien \"Shop\"; --"}});
  add("person", '1', "customer.create",
      {{"name", "Zoë Ångström 😀"}, {"kind", "person"}, {"owner", nullptr}});
  add("imported", '0', "customer.get", {{"id", "1"}});
  add("created", '1', "customer.get", {{"id", "21"}});
  add("missing", '0', "customer.get", {{"id", "9223372036854775807"}});
  add("fields", '0', "customer.update",
      {{"id", "21"},
       {"version", 2},
       {"phone", "13800000001"},
       {"email", nullptr},
       {"region", "华东"},
       {"attributes", {{"tier", "B"}}}});
  add("rename", '1', "customer.update", {{"id", "22"}, {"version", 1}, {"name", "Acme Ltd."}});
  add("stale", '0', "customer.update", {{"id", "1"}, {"version", 1}, {"industry", "超市"}});
  add("all", '0', "customer.list", json::object());
  add("filtered", '0', "customer.list", {{"stage", "customer"}, {"limit", 5}});
  add("search", '1', "customer.list", {{"search", "超市"}, {"owner", "fuzzer"}});
  add("like-escape", '0', "customer.list", {{"search", "100%_\\"}});
  add("page", '0', "customer.list", {{"limit", 2}, {"cursor", cursor(json::array({5}))}});
  add("new-key", '1', "customer.link_host", {{"id", "22"}, {"host_key", "9001"}});
  add("taken-key", '0', "customer.link_host", {{"id", "21"}, {"host_key", "1"}});
  add("full", '0', "contact.create",
      {{"customer_id", "1"},
       {"name", "张三"},
       {"title", "经理"},
       {"phone", "010-5555 0102"},
       {"email", "zhang.san@example.cn"}});
  add("minimal", '1', "contact.create", {{"customer_id", "22"}, {"name", "Jane Roe"}});
  add("first", '0', "contact.list", {{"customer_id", "1"}});
  add("page", '1', "contact.list",
      {{"customer_id", "1"}, {"limit", 1}, {"cursor", cursor(json::array({1}))}});
  add("full", '0', "interaction.log",
      {{"customer_id", "1"},
       {"contact_id", "1"},
       {"opportunity_id", "1"},
       {"channel", "face_to_face"},
       {"direction", "inbound"},
       {"occurred_at", "2026-11-20T14:30:00.123456+08:00"},
       {"subject", "拜访"},
       {"body", "讨论了明年的框架协议。\n第二行"}});
  add("minimal", '1', "interaction.log",
      {{"customer_id", "21"},
       {"channel", "sms"},
       {"direction", "outbound"},
       {"occurred_at", "2026-11-21T00:00:00Z"}});
  add("two", '0', "interaction.log_batch",
      {{"items", json::array({{{"customer_id", "1"},
                               {"channel", "web"},
                               {"direction", "inbound"},
                               {"occurred_at", "2026-11-22T08:00:00-05:00"}},
                              {{"customer_id", "21"},
                               {"contact_id", "2"},
                               {"channel", "event"},
                               {"direction", "outbound"},
                               {"occurred_at", "2026-11-23T09:15:30+08:00"},
                               {"subject", "展会邀请"}}})}});
  add("all", '0', "interaction.list", {{"customer_id", "21"}});
  add("channel", '1', "interaction.list",
      {{"customer_id", "21"}, {"channel", "email"}, {"limit", 1}});
  add("page", '0', "interaction.list",
      {{"customer_id", "21"},
       {"limit", 1},
       {"cursor", cursor(json::array({"2026-11-03 07:30:00.250000", 3}))}});
  add("to-potential", '0', "lifecycle.transition",
      {{"customer_id", "22"}, {"to", "potential"}, {"reason_code", "qualified"}});
  add("nurture", '0', "lifecycle.transition",
      {{"customer_id", "21"},
       {"to", "potential"},
       {"reason_code", "no_budget"},
       {"reason_text", "预算推迟到明年"},
       {"on_behalf_of", "marketing"},
       {"version", 2}});
  add("forbidden", '1', "lifecycle.transition",
      {{"customer_id", "1"}, {"to", "unidentified"}, {"reason_code", "test"}});
  add("imported", '0', "lifecycle.history", {{"customer_id", "1"}});
  add("page", '1', "lifecycle.history",
      {{"customer_id", "21"},
       {"limit", 1},
       {"cursor", cursor(json::array({"2026-11-30 00:00:00.000000", 1}))}});
  add("later", '0', "lifecycle.sync", {{"as_of", "2027-06-30T00:00:00Z"}});
  add("now", '0', "lifecycle.sync", json::object());
  add("no-host", '1', "lifecycle.sync", json::object());
  add("full", '0', "opportunity.create",
      {{"customer_id", "21"},
       {"name", "年度框架协议"},
       {"amount", "1234567.89"},
       {"stage", "propose"},
       {"probability", 75},
       {"expected_close", "2027-02-28"},
       {"owner", "lina002"}});
  add("minimal", '1', "opportunity.create", {{"customer_id", "1"}, {"name", "补货"}});
  add("open", '0', "opportunity.get", {{"id", "1"}});
  add("won", '1', "opportunity.get", {{"id", "2"}});
  add("fields", '0', "opportunity.update",
      {{"id", "1"},
       {"version", 1},
       {"stage", "negotiate"},
       {"probability", 90},
       {"amount", "90000.00"},
       {"expected_close", nullptr},
       {"name", "春季补货（加量）"}});
  add("lost", '0', "opportunity.close",
      {{"id", "1"}, {"version", 1}, {"outcome", "lost"}, {"reason", "价格太高"}});
  add("won", '1', "opportunity.close",
      {{"id", "1"}, {"version", 1}, {"outcome", "won"}, {"amount", "87000.00"}});
  add("won", '0', "opportunity.reopen",
      {{"id", "2"}, {"version", 2}, {"reason", "客户要求重新报价"}});
  add("open", '0', "opportunity.list", {{"customer_id", "1"}, {"status", "open"}});
  add("won", '1', "opportunity.list",
      {{"status", "won"}, {"stage", "qualify"}, {"owner", "fuzzer"}});
  add("page", '0', "opportunity.list", {{"limit", 1}, {"cursor", cursor(json::array({1}))}});
  add("as-of", '0', "classification.run", {{"as_of", "2026-11-30T00:00:00Z"}});
  add("no-host", '1', "classification.run", json::object());
  add("imported", '0', "classification.explain",
      {{"customer_id", "1"}, {"as_of", "2026-11-30T00:00:00+08:00"}});
  add("created", '1', "classification.explain", {{"customer_id", "21"}});
  add("all", '0', "task.list", json::object());
  add("filtered", '0', "task.list",
      {{"customer_id", "1"},
       {"status", "open"},
       {"due_before", "2027-01-01T00:00:00Z"},
       {"owner", "fuzzer"},
       {"limit", 5}});
  add("page", '1', "task.list",
      {{"limit", 1}, {"cursor", cursor(json::array({"2026-12-07 00:00:00.000000", 1}))}});
  add("note", '0', "task.complete", {{"id", "11"}, {"note", "已回访，客户满意"}, {"version", 1}});
  add("minimal", '1', "task.complete", {{"id", "3"}});
  add("full", '0', "task.create",
      {{"customer_id", "21"},
       {"title", "寄送样品"},
       {"due_at", "2026-12-20T17:00:00+08:00"},
       {"owner", "marketing"}});
  add("minimal", '1', "task.create",
      {{"customer_id", "1"}, {"title", "call back"}, {"due_at", "2026-12-01T09:00:00Z"}});
  add("december", '0', "value.run", {{"period", "2026-12"}, {"as_of", "2026-12-31T23:59:59Z"}});
  add("no-host", '1', "value.run", {{"period", "2026-11"}});
  add("period", '0', "value.get", {{"customer_id", "1"}, {"period", "2026-11"}});
  add("latest", '1', "value.get", {{"customer_id", "2"}});
  add("november", '0', "value.tiers", {{"period", "2026-11"}});
  add("matrix", '0', "value.migration", {{"from", "2026-10"}, {"to", "2026-11"}});
  add("cell", '0', "value.migration",
      {{"from", "2026-10"},
       {"to", "2026-11"},
       {"from_tier", "basic"},
       {"to_tier", "basic"},
       {"limit", 2},
       {"cursor", cursor(json::array({3}))}});
  add("sales", '0', "user.create",
      {{"user_key", "lina002"},
       {"name", "李娜"},
       {"email", "li.na@example.cn"},
       {"manager_key", "zhangwei001"},
       {"active", true},
       {"roles", {"sales"}}});
  add("manager", '0', "user.create",
      {{"user_key", "zhangwei001"}, {"name", "张伟"}, {"roles", {"manager", "marketing"}}});
  add("minimal", '1', "user.create", {{"user_key", "viewer 9"}, {"name", "Zoë 😀"}});
  add("deactivate", '0', "user.update",
      {{"user_key", "lina002"}, {"version", 1}, {"active", false}});
  add("roles", '1', "user.update",
      {{"user_key", "zhangwei001"},
       {"version", 1},
       {"roles", {"admin"}},
       {"manager_key", nullptr},
       {"email", nullptr}});
  add("host-user", '0', "user.get", {{"user_key", "zhangwei001"}});
  add("missing", '1', "user.get", {{"user_key", "nobody"}});
  add("all", '0', "user.list", json::object());
  add("filtered", '1', "user.list",
      {{"active", true}, {"team", "marketing"}, {"manager_key", "zhangwei001"}, {"limit", 5}});
  add("page", '0', "user.list", {{"limit", 1}, {"cursor", cursor(json::array({"lina002"}))}});
  add("plain", '0', "user.me", json::object());
  add("no-client-host", '1', "user.me", json::object());
  add("marketing", '0', "team.create",
      {{"team_key", "marketing"},
       {"name", "市场部"},
       {"lead_key", "zhangwei001"},
       {"members", {"lina002", "zhangwei001"}}});
  add("minimal", '1', "team.create", {{"team_key", "service"}, {"name", "客服"}});
  add("members", '0', "team.update",
      {{"team_key", "marketing"},
       {"version", 1},
       {"add_members", {"viewer 9"}},
       {"remove_members", {"lina002"}},
       {"lead_key", nullptr}});
  add("rename", '1', "team.update",
      {{"team_key", "service"}, {"version", 1}, {"name", "售后服务"}, {"active", false}});
  add("marketing", '0', "team.get", {{"team_key", "marketing"}});
  add("all", '0', "team.list", json::object());
  add("page", '1', "team.list", {{"limit", 1}, {"cursor", cursor(json::array({"marketing"}))}});
  add("all", '0', "calendar.list", json::object());
  add("standard", '1', "calendar.list", json::object());
  add("friday-evening", '0', "calendar.due",
      {{"calendar", "beijing"}, {"from", "2026-11-27T17:30:00+08:00"}, {"business_minutes", 480}});
  add("default", '1', "calendar.due", {{"from", "2026-11-27T17:30:00Z"}, {"business_minutes", 0}});
  add("holidays", '0', "calendar.between",
      {{"calendar", "beijing"},
       {"from", "2026-09-26T00:00:00+08:00"},
       {"to", "2026-10-12T00:00:00+08:00"}});
  add("night", '0', "calendar.between",
      {{"calendar", "new-york"}, {"from", "2026-03-01T00:00:00Z"}, {"to", "2026-03-31T00:00:00Z"}});
  add("new", '0', "source.create",
      {{"code", "fair"}, {"name", "展会"}, {"channel", "event"}, {"kind", "event"}});
  add("taken", '1', "source.create",
      {{"code", "web"}, {"name", "x"}, {"channel", "web"}, {"kind", "media"}});
  add("deactivate", '0', "source.update", {{"code", "web"}, {"version", 1}, {"active", false}});
  add("stale", '1', "source.update", {{"code", "referral"}, {"version", 9}, {"name", "推荐"}});
  add("active", '0', "source.list", {{"active", true}, {"limit", 1}});
  add("kind", '1', "source.list", {{"kind", "referral"}, {"channel", "tel"}});
  add("new", '0', "campaign.create",
      {{"code", "autumn"},
       {"source", "referral"},
       {"name", "秋季推荐"},
       {"starts_on", "2026-09-01"},
       {"ends_on", "2026-11-30"},
       {"cost", "2500.50"}});
  add("reversed", '1', "campaign.create",
      {{"code", "x"},
       {"source", "web"},
       {"name", "x"},
       {"starts_on", "2026-09-01"},
       {"ends_on", "2026-08-01"}});
  add("cost", '0', "campaign.update", {{"code", "expo-2026"}, {"version", 1}, {"cost", "0.01"}});
  add("of-source", '0', "campaign.list", {{"source", "web"}, {"limit", 1}});
  add("touched", '0', "customer.create",
      {{"name", "展会线索"},
       {"first_touch_campaign", "expo-2026"},
       {"first_touch_at", "2026-03-02T10:00:00+08:00"}});
  add("campaign", '0', "interaction.log",
      {{"customer_id", "22"},
       {"channel", "web"},
       {"direction", "inbound"},
       {"occurred_at", "2026-03-03T00:00:00Z"},
       {"campaign", "expo-2026"}});
  add("fix", '0', "customer.first_touch.correct",
      {{"id", "1"}, {"source", "referral"}, {"reason", "录入错误"}});
  add("clear", '1', "customer.first_touch.correct",
      {{"id", "21"}, {"source", nullptr}, {"campaign", nullptr}, {"reason", "来源不明"}});
  add("imported", '0', "customer.first_touch.history", {{"id", "1"}});
  add("year", '0', "source.report",
      {{"from", "2026-01-01T00:00:00+08:00"}, {"to", "2027-01-01T00:00:00+08:00"}});
  add("campaigns", '0', "source.report",
      {{"from", "2026-03-01T00:00:00Z"},
       {"to", "2026-04-01T00:00:00Z"},
       {"as_of", "2026-12-01T00:00:00Z"},
       {"group_by", "campaign"}});
  add("no-host", '1', "source.report",
      {{"from", "2026-01-01T00:00:00Z"}, {"to", "2026-12-01T00:00:00Z"}, {"group_by", "channel"}});
  add("weighted", '0', "assignment.rule.create",
      {{"code", "east"},
       {"name", "华东线索"},
       {"priority", 2},
       {"on", {"create", "import"}},
       {"conditions", {{"region", {"华东"}}, {"tier", {"A"}}}},
       {"strategy", "weighted"},
       {"team", "sales"},
       {"weights", {{"zhangwei001", 3}}}});
  add("no-user", '1', "assignment.rule.create",
      {{"code", "x"}, {"name", "x"}, {"priority", 1}, {"strategy", "user"}, {"team", "sales"}});
  add("least", '0', "assignment.rule.update",
      {{"code", "north"}, {"version", 1}, {"strategy", "least_load"}, {"cap", 5}});
  add("active", '0', "assignment.rule.list", {{"active", true}});
  add("handoff", '0', "assignment.explain", {{"customer_id", "1"}, {"event", "handoff"}});
  add("north", '0', "assignment.apply", {{"customer_id", "21"}});
  add("lead", '0', "customer.create", {{"name", "华北新线索"}, {"region", "华北"}});
  add("open", '0', "handoff.accept", {{"customer_id", "21"}, {"version", 1}});
  add("none", '1', "handoff.accept", {{"customer_id", "1"}});
  add("nurture", '0', "handoff.return",
      {{"customer_id", "21"}, {"reason_code", "no_budget"}, {"reason_text", "预算明年才批"}});
  add("mine", '0', "handoff.list", json::object());
  add("team", '1', "handoff.list",
      {{"scope", "team"}, {"team", "sales"}, {"state", "returned"}, {"limit", 2}});
  add("first", '0', "handoff.get", {{"id", "1"}});
  add("people", '0', "handoff.report",
      {{"from", "2026-01-01T00:00:00+08:00"},
       {"to", "2099-01-01T00:00:00Z"},
       {"group_by", "person"}});
  add("cover", '0', "delegation.create",
      {{"delegate", "lina002"},
       {"delegator", "zhangwei001"},
       {"starts_at", "2026-11-01T00:00:00+08:00"},
       {"ends_at", "2099-01-01T00:00:00Z"},
       {"reason", "年假：代为跟进"}});
  add("chosen", '1', "delegation.create",
      {{"delegate", "viewer 9"},
       {"ends_at", "2099-01-01T00:00:00Z"},
       {"customer_ids", {"1", "2"}},
       {"reason", "r"}});
  add("first", '0', "delegation.end", {{"id", "1"}});
  add("missing", '1', "delegation.end", {{"id", "999"}});
  add("mine", '0', "delegation.list", json::object());
  add("filtered", '1', "delegation.list",
      {{"user", "zhangwei001"}, {"as", "delegator"}, {"active", true}, {"limit", 2}});
  add("leaver", '0', "ownership.transfer",
      {{"from", "lina002"}, {"to", "zhangwei001"}, {"reason", "离职交接"}});
  add("preview", '1', "ownership.transfer",
      {{"from", "ghost"},
       {"to", "zhangwei001"},
       {"stage", "customer"},
       {"customer_ids", {"1", "2"}},
       {"preview", true},
       {"reason", "r"}});
  add("first", '0', "ownership.batch.get", {{"id", "1"}, {"kind", "task"}, {"limit", 3}});
  add("all", '0', "ownership.batch.list", json::object());
  add("of-user", '1', "ownership.batch.list", {{"user", "lina002"}, {"limit", 2}});
  add("run", '0', "users.sync", json::object());
  add("preview", '0', "users.sync", {{"preview", true}});
  add("no-host", '1', "users.sync", {{"preview", false}});
  add("all", '0', "ownership.orphans", json::object());
  add("staged", '1', "ownership.orphans", {{"stage", "potential"}, {"limit", 2}});
  add("imported", '0', "customer.view", {{"id", "1"}});
  add("kinds", '0', "customer.view",
      {{"id", "1"}, {"kinds", {"order", "invoice", "payment"}}, {"limit", 3}});
  add("channel", '0', "customer.view",
      {{"id", "21"}, {"kinds", {"interaction", "lifecycle", "opportunity"}}, {"channel", "email"}});
  add("page", '0', "customer.view", {{"id", "1"}, {"limit", 2}, {"cursor", view_cursor}});
  add("no-host", '1', "customer.view", {{"id", "1"}});
  return requests;
}

// Malformed envelopes and values around the edges of validation.
std::vector<Seed> edge_seeds() {
  return {
      {"edge.empty", "0"},
      {"edge.array", "0[]"},
      {"edge.object", "1{}"},
      {"edge.string", "0\"system.describe\""},
      {"edge.method-number", R"(0{"method":1})"},
      {"edge.unknown-method", R"(0{"method":"customer.delete","params":{"id":"1"}})"},
      {"edge.unknown-member", R"(0{"method":"system.describe","id":7})"},
      {"edge.params-array", R"(1{"method":"customer.get","params":["1"]})"},
      {"edge.id-zero", R"(0{"method":"customer.get","params":{"id":"0"}})"},
      {"edge.id-overflow", R"(0{"method":"customer.get","params":{"id":"9223372036854775808"}})"},
      {"edge.id-number", R"(0{"method":"customer.get","params":{"id":1}})"},
      {"edge.limit-big", R"(0{"method":"customer.list","params":{"limit":18446744073709551615}})"},
      {"edge.limit-float", R"(0{"method":"customer.list","params":{"limit":1.5}})"},
      {"edge.version-negative",
       R"(0{"method":"customer.update","params":{"id":"1","version":-9223372036854775808}})"},
      {"edge.bad-utf8", "0{\"method\":\"customer.create\",\"params\":{\"name\":\"\xff\xfe\"}}"},
      {"edge.escaped-nul", R"(0{"method":"customer.create","params":{"name":"a\u0000b"}})"},
      {"edge.control", "1{\"method\":\"customer.create\",\"params\":{\"name\":\"a\\u0007b\"}}"},
      {"edge.surrogates",
       R"(0{"method":"customer.create","params":{"name":"\ud83d\ude00 \u534e\u8054"}})"},
      {"edge.blank-name", R"(0{"method":"customer.create","params":{"name":"   "}})"},
      {"edge.bad-email",
       R"(0{"method":"contact.create","params":{"customer_id":"1","name":"x","email":"a@@b"}})"},
      {"edge.amount-exponent",
       R"(0{"method":"opportunity.create","params":{"customer_id":"1","name":"x","amount":"1e5"}})"},
      {"edge.amount-max",
       R"(0{"method":"opportunity.create","params":{"customer_id":"1","name":"x","amount":"92233720368547758.07"}})"},
      {"edge.time-no-offset",
       R"(0{"method":"lifecycle.sync","params":{"as_of":"2026-11-30T00:00:00"}})"},
      {"edge.time-leap",
       R"(0{"method":"classification.run","params":{"as_of":"2028-02-29T23:59:59.999999999-12:00"}})"},
      {"edge.period-bad", R"(0{"method":"value.run","params":{"period":"2026-13"}})"},
      {"edge.cursor-foreign", R"(0{"method":"customer.list","params":{"cursor":"c1.WyJ4Il0"}})"},
      {"edge.cursor-junk",
       R"(0{"method":"interaction.list","params":{"customer_id":"1","cursor":"c1.!!"}})"},
      {"edge.kinds-duplicate",
       R"(0{"method":"customer.view","params":{"id":"1","kinds":["order","order"]}})"},
      {"edge.batch-empty", R"(0{"method":"interaction.log_batch","params":{"items":[]}})"},
      {"edge.trailing-comma", R"(0{"method":"system.describe",})"},
      {"edge.whitespace", "0 \t\r\n{ \"method\" : \"system.describe\" } \n"},
  };
}

// ---- crm_fuzz_client_create seeds -----------------------------------------------------------

json sections() {
  return {
      {"lifecycle",
       {{"repeat_window_days", 365},
        {"dormant_after_days", 180},
        {"nurture_team", "marketing"},
        {"transitions",
         {{"unidentified", {"potential", "disqualified"}},
          {"potential", {"opportunity", "disqualified"}},
          {"opportunity", {"potential", "customer", "disqualified"}},
          {"customer", {"disqualified"}},
          {"repeat", {"disqualified"}},
          {"disqualified", {"potential"}}}}}},
      {"classification",
       {{"window_days", 365},
        {"rules",
         json::array({{{"id", "mall"},
                       {"label", "大型商场"},
                       {"when", {{"industry", {"大型商场"}}, {"min_revenue", "500000.00"}}}},
                      {{"id", "chain"},
                       {"class", "retail"},
                       {"label", "连锁零售"},
                       {"when",
                        {{"industry", {"超市", "便利店"}},
                         {"region", {"华东", "华北"}},
                         {"min_orders", 3}}}},
                      {{"id", "fresh"},
                       {"label", "新客户"},
                       {"when", {{"stage", {"potential"}}, {"source", {"展会"}}}}},
                      {{"id", "other"}, {"label", "其他"}}})}}},
      {"plans", json::array({{{"id", "care"},
                              {"class", "*"},
                              {"stage", "repeat"},
                              {"title", "客户关怀回访"},
                              {"kind", "recurring"},
                              {"every_days", 90},
                              {"owner", "customer_owner"}},
                             {{"id", "welcome"},
                              {"class", "mall"},
                              {"stage", "customer"},
                              {"title", "首单回访"},
                              {"kind", "once"},
                              {"within_days", 7},
                              {"owner", "sales"}}})},
      {"value",
       {{"weights",
         {{"sales", 35}, {"expectation", 15}, {"credit", 15}, {"profit", 25}, {"reference", 10}}},
        {"tiers", json::array({{{"name", "key"}, {"percent", 1}},
                               {{"name", "major"}, {"percent", 4}},
                               {{"name", "growth"}, {"percent", 15}},
                               {{"name", "basic"}, {"percent", 80}}})},
        {"window_days", 365},
        {"population_stages", {"customer", "repeat"}}}},
      {"calendars", json::parse(fuzz::calendars_section_json())},
      {"organisation",
       {{"bootstrap_admins", {"fuzzer", "zhangwei001"}},
        {"job_user", "crm-jobs"},
        {"host_user_roles", {{"marketing", {"marketing"}}, {"*", {"sales", "auditor"}}}},
        {"on_user_deactivated", "transfer_to_manager"},
        {"roles",
         {{"auditor", {{"capabilities", {"customer.read", "value.read"}}, {"scope", "all"}}},
          {"sales",
           {{"capabilities", {"customer.read", "customer.write"}}, {"scope", "team"}}}}}}}};
}

std::vector<Seed> config_seeds() {
  const json database = {{"dialect", "sqlite"}, {"path", "crm.db"}};
  const json jinhe = json::parse(crm::erp::mapping_json(crm::erp::Shape::jinhe, "sqlite"));
  const json meridian = json::parse(crm::erp::mapping_json(crm::erp::Shape::meridian, "sqlite"));
  std::vector<Seed> seeds;
  auto add = [&](const std::string &name, const json &config) {
    seeds.push_back({name, config.dump()});
  };
  add("minimal", {{"database", database}});
  add("log-none", {{"database", database}, {"log", {{"sink", "none"}}}});
  add("jinhe", {{"database", database}, {"log", {{"sink", "none"}}}, {"host", jinhe}});
  json full = {{"database", {{"dialect", "sqlite"}, {"path", "crm.db"}, {"busy_timeout_ms", 2000}}},
               {"migrations", {{"apply", true}}},
               {"pool", {{"max_connections", 4}, {"acquire_timeout_ms", 10000}}},
               {"limits", {{"max_request_bytes", 1048576}}},
               {"log", {{"level", "warn"}, {"sink", "callback"}}},
               {"host", jinhe}};
  full.update(sections());
  add("jinhe-every-section", full);
  const json every_section = sections();
  for (const auto &[name, section] : every_section.items()) {
    json config = {{"database", database}, {"log", {{"sink", "none"}}}, {name, section}};
    if (name == "value" || name == "classification") config["host"] = jinhe;
    if (name == "plans") config["classification"] = every_section["classification"];
    add("section-" + name, config);
  }
  json partial = jinhe;
  for (const char *entity : {"order_lines", "invoices", "receivables", "contacts", "users"})
    partial.erase(entity);
  add("jinhe-customers-orders", {{"database", database}, {"host", partial}});
  json changed = jinhe;
  changed["customers"]["watermark"] = "changed_at";
  changed["time_zone"] = "-05:30";
  add("jinhe-changed-at", {{"database", database}, {"host", changed}});
  json floating = jinhe;
  floating["orders"]["query"] =
      "SELECT d.ddid AS order_key, d.khid AS customer_key, d.djrq AS ordered_at, "
      "CAST(d.zje AS REAL) AS amount, 'valid' AS status FROM t_xsdd d";
  add("jinhe-float-amount", {{"database", database}, {"host", floating}});
  add("meridian-missing-tables", {{"database", database}, {"host", meridian}});
  add("new-file", {{"database", {{"dialect", "sqlite"}, {"path", "new.db"}}},
                   {"migrations", {{"apply", true}}},
                   {"log", {{"sink", "file"}, {"path", "logs/crm.log"}, {"level", "trace"}}}});
  add("no-migrations", {{"database", {{"dialect", "sqlite"}, {"path", "empty.db"}}},
                        {"migrations", {{"apply", false}}}});
  add("connection-string",
      {{"database",
        {{"dialect", "sqlite"},
         {"connection_string", "DRIVER=SQLite3;Database={crm.db};Timeout=1000;StepAPI=1"}}}});
  add("driver-name",
      {{"database", {{"dialect", "sqlite"}, {"path", "crm.db"}, {"driver", "SQLite3"}}}});
  add("postgresql-local",
      {{"database",
        {{"dialect", "postgresql"},
         {"connection_string", "Server=127.0.0.1;Port=1;Database=erp;UID=crm;PWD={p;w}}d}"}}}});
  add("mariadb-path", {{"database", {{"dialect", "mariadb"}, {"path", "crm.db"}}}});
  add("unknown-dialect", {{"database", {{"dialect", "oracle"}, {"path", "crm.db"}}}});
  add("unknown-section", {{"database", database}, {"reports", json::object()}});
  add("bad-tiers", {{"database", database},
                    {"value",
                     {{"tiers", json::array({{{"name", "a"}, {"percent", 60}},
                                             {{"name", "b"}, {"percent", 60}}})}}}});
  add("bad-plan-class", {{"database", database},
                         {"plans", json::array({{{"id", "p"},
                                                 {"class", "nosuch"},
                                                 {"stage", "customer"},
                                                 {"title", "t"},
                                                 {"kind", "once"},
                                                 {"within_days", 1}}})}});
  add("bad-query", {{"database", database},
                    {"host", {{"customers", {{"query", "SELECT khid FROM t_nosuch"}}}}}});
  seeds.push_back({"not-json", "{\"database\": "});
  seeds.push_back({"empty", ""});
  return seeds;
}

// ---- crm_fuzz_cursor seeds ------------------------------------------------------------------

std::vector<Seed> cursor_seeds() {
  return {
      {"cursor.customer", cursor(json::array({5}))},
      {"cursor.max-id", cursor(json::array({INT64_MAX}))},
      {"cursor.keyset", cursor(json::array({"2026-11-02 09:00:00.000000", 2}))},
      {"cursor.view", cursor(json::array({1796104806000000, "order", "5"}))},
      {"cursor.float", cursor(json::array({1.5e300, -0.0, "华"}))},
      {"cursor.nested", cursor(json::array({json::object({{"a", json::array({nullptr, true})}})}))},
      {"cursor.prefix-only", "c1."},
      {"cursor.bad-alphabet", "c1.WzE+XQ=="},
      {"money.plain", "12345.67"},
      {"money.negative", "-0.50"},
      {"money.integer", "100"},
      {"money.max", "92233720368547758.07"},
      {"money.min", "-92233720368547758.08"},
      {"money.db-postgresql", "1234.5000"},
      {"money.db-sqlite", "1234.5"},
      {"time.offset", "2026-11-27T10:44:05+08:00"},
      {"time.fraction", "2026-11-27T02:44:05.5Z"},
      {"time.nanos", "2026-02-28T23:59:59.123456789-09:30"},
      {"time.db", "2026-11-27 02:44:05.123456"},
      {"time.db-zone", "2026-11-27 02:44:05+0800"},
      {"time.first", "1000-01-01T00:00:00Z"},
      {"time.last", "9999-12-31T23:59:59Z"},
      {"text.chinese", "华联超市（北京）有限公司"},
      {"text.emoji", "😀 Zoë"},
      {"text.surrogate", "\xed\xa0\x80"},
      {"text.overlong", "\xc0\xaf"},
      {"odbc.sqlite", "DRIVER={SQLite3};Database={a;b}}c};Timeout=5000;StepAPI=1"},
      {"odbc.server", "Server=db1; Port=5432;Database=erp;UID=crm;PWD={p;w}}d};"},
      {"config.minimal", R"({"database":{"dialect":"sqlite","path":"crm.db"}})"},
      {"config.sections", json({{"database", {{"dialect", "sqlite"}, {"path", "x.db"}}},
                                {"pool", {{"max_connections", 2}}},
                                {"log", {{"sink", "file"}, {"path", "x.log"}}}})
                              .dump()},
      {"params.create",
       call('0', "customer.create", {{"name", "x"}, {"attributes", {{"k", 1}}}}).substr(1)},
      {"params.batch", call('0', "interaction.log_batch",
                            {{"items", json::array({{{"customer_id", "1"},
                                                     {"channel", "tel"},
                                                     {"direction", "inbound"},
                                                     {"occurred_at", "2026-11-01T00:00:00Z"}}})}})
                           .substr(1)},
      {"params.view", call('0', "customer.view", {{"id", "1"}, {"kinds", {"order"}}}).substr(1)},
  };
}

// ---- regressions ----------------------------------------------------------------------------

std::string repeat(const std::string &text, int count) {
  std::string out;
  out.reserve(text.size() * static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) out += text;
  return out;
}

std::string deep_array() {
  return repeat("[", 100000) + "1" + repeat("]", 100000);
}
std::string deep_object() {
  return repeat("{\"a\":", 100000) + "1" + repeat("}", 100000);
}

std::vector<Seed> call_regressions() {
  const std::string create =
      R"(0{"method":"customer.create","params":{"name":"x","attributes":{"k":)";
  const std::string update =
      R"(0{"method":"customer.update","params":{"id":"1","version":1,"attributes":{"k":)";
  const std::string end = "}}}";
  return {
      {"create-attributes-deep-array", create + deep_array() + end},
      {"create-attributes-deep-object", create + deep_object() + end},
      {"update-attributes-deep-array", update + deep_array() + end},
      {"update-attributes-deep-object", update + deep_object() + end},
      {"request-nul-garbage", std::string("0{\"method\":\"system.describe\"}") + '\0' + "garbage"},
      {"request-duplicate-key", R"(0{"method":"system.describe","method":"system.describe"})"},
      {"interaction-log-year-10000", call('0', "interaction.log",
                                          {{"customer_id", "1"},
                                           {"channel", "tel"},
                                           {"direction", "outbound"},
                                           {"occurred_at", "9999-12-31T23:59:59-14:00"}})},
      {"view-cursor-text-key",
       call('0', "customer.view",
            {{"id", "1"}, {"cursor", "c1.WzE3OTYxMDQ4MDYwMDAwMDAsIm9yZGVyIiwiYWJjIl0"}})},
      {"list-cursor-2pow63",
       call('0', "customer.list", {{"cursor", cursor_of_text("[9223372036854775808]")}})},
      {"list-cursor-2pow64-1",
       call('0', "customer.list", {{"cursor", cursor_of_text("[18446744073709551615]")}})},
  };
}

std::vector<Seed> client_regressions() {
  const std::string database = R"({"database":{"dialect":"sqlite","path":"crm.db"},)";
  return {
      {"host-query-braces",
       R"({"database":{"dialect":"sqlite","path":"h.db"},"host":{"customers":{"query":"{{{{{{{{{{{{{{{{{{{{"}}})"},
      {"host-deep", database + "\"host\":" + deep_array() + "}"},
      {"classification-deep", database + "\"classification\":" + deep_array() + "}"},
      {"classification-when-deep",
       database + R"("classification":{"rules":[{"id":"r","when":{"industry":)" + deep_array() +
           "}}]}}"},
      {"sqlite-path-attributes",
       R"({"database":{"dialect":"sqlite","path":"x.db;LoadExt=/nonexistent/evil.so;y"}})"},
  };
}

// ---- dictionaries ---------------------------------------------------------------------------

std::string dictionary_entry(const std::string &text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7F) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

const std::vector<std::string> kJsonTokens = {"{",
                                              "}",
                                              "[",
                                              "]",
                                              ":",
                                              ",",
                                              "\"",
                                              "\\\"",
                                              "\\u0000",
                                              "\\",
                                              "null",
                                              "true",
                                              "false",
                                              "-0",
                                              "1e308",
                                              "0.5",
                                              "-1",
                                              "\\ud83d\\ude00",
                                              "\\/",
                                              "\\n",
                                              "\\u00",
                                              "{\"\":",
                                              "[[[[",
                                              "]]]]",
                                              "9223372036854775807",
                                              "18446744073709551615"};

std::string call_dictionary(const json &catalog) {
  std::set<std::string> words;
  std::function<void(const json &)> schema_words = [&](const json &schema) {
    if (schema.contains("properties"))
      for (const auto &[key, property] : schema["properties"].items()) {
        words.insert("\"" + key + "\"");
        schema_words(property);
      }
    if (schema.contains("enum"))
      for (const auto &value : schema["enum"]) words.insert("\"" + value.get<std::string>() + "\"");
    if (schema.contains("items")) schema_words(schema["items"]);
  };
  for (const auto &method : catalog["methods"]) {
    words.insert("\"" + method["name"].get<std::string>() + "\"");
    schema_words(method["params"]);
  }
  for (const char *word : {"\"method\"",
                           "\"params\"",
                           "c1.",
                           "2026-11-30T08:00:00+08:00",
                           "2026-11-30T00:00:00Z",
                           "2026-11-30 00:00:00.000000",
                           ".123456",
                           "+08:00",
                           "-14:00",
                           "Z",
                           "T",
                           "2026-11",
                           "2026-Q4",
                           "12345.67",
                           "-0.01",
                           "0.00",
                           "92233720368547758.07",
                           "\"1\"",
                           "\"21\"",
                           "\"22\"",
                           "customer_owner",
                           "marketing",
                           "fuzzer",
                           "\"admin\"",
                           "\"manager\"",
                           "\"sales\"",
                           "\"service\"",
                           "\"viewer\"",
                           "zhangwei001",
                           "lina002",
                           "%",
                           "_"})
    words.insert(word);
  for (const auto &token : kJsonTokens) words.insert(token);
  std::string out = "# crm_fuzz_call: made by crm_fuzz_make_corpus from system.describe\n";
  for (const auto &word : words) out += dictionary_entry(word) + "\n";
  return out;
}

std::string client_dictionary() {
  std::set<std::string> words = {
      // configuration members and values
      "database", "dialect", "sqlite", "postgresql", "mariadb", "path", "driver",
      "connection_string", "busy_timeout_ms", "migrations", "apply", "pool", "max_connections",
      "acquire_timeout_ms", "limits", "max_request_bytes", "log", "level", "sink", "callback",
      "stderr", "file", "none", "trace", "debug", "info", "warn", "error", "critical", "off",
      "host", "time_zone", "query", "watermark", "customers", "contacts", "users", "orders",
      "order_lines", "invoices", "receivables", "lifecycle", "repeat_window_days",
      "dormant_after_days", "nurture_team", "transitions", "unidentified", "potential",
      "opportunity", "customer", "repeat", "disqualified", "classification", "window_days", "rules",
      "id", "class", "label", "when", "industry", "region", "source", "stage", "min_orders",
      "min_revenue", "plans", "title", "kind", "once", "recurring", "within_days", "every_days",
      "owner", "value", "weights", "sales", "expectation", "credit", "profit", "reference", "tiers",
      "name", "percent", "population_stages", "new", "gone", "crm.db", "+08:00", "Z",
      "organisation", "bootstrap_admins", "job_user", "host_user_roles", "on_user_deactivated",
      "orphan", "transfer_to_manager", "*", "roles", "capabilities", "scope", "own", "team",
      "subordinates", "all", "admin", "manager", "marketing", "service", "viewer", "customer.read",
      "customer.write", "value.sensitive", "organisation.manage", "fuzzer", "calendars", "default",
      "teams", "definitions", "week", "holidays", "working_days", "monday", "tuesday", "wednesday",
      "thursday", "friday", "saturday", "sunday", "09:00-18:00", "22:00-06:00", "00:00-24:00",
      "2026-10-01", "2026-10-01..2026-10-07", "Asia/Shanghai", "America/New_York", "UTC",
      "../../etc/passwd",
      // the columns host queries return
      "customer_key", "credit_limit", "referred_by_key", "is_reference", "created_at", "changed_at",
      "contact_key", "phone", "email", "user_key", "department", "is_active", "manager_key",
      "order_key", "ordered_at", "amount", "status", "salesperson_key", "line_key", "cost",
      "invoice_key", "invoiced_at", "receivable_key", "due_date", "paid_amount", "paid_at", "valid",
      "cancelled", "draft",
      // SQL and the jinhe tables
      "SELECT ", " FROM ", " AS ", " WHERE ", " JOIN ", " LEFT JOIN ", " ON ", "CASE ", " WHEN ",
      " THEN ", " ELSE ", " END", "CAST(", " AS DECIMAL(18,2))", " AS TEXT)", "NULL", "COUNT(*)",
      "SUM(", "MAX(", " UNION ALL ", " GROUP BY ", "--", "/*", "*/", "'", "t_khda", "t_khlxr",
      "t_zyda", "t_bmda", "t_xsdd", "t_xsddmx", "t_xsfp", "t_yszk", "khid", "khmc", "ddid", "zje",
      "djrq", "zt",
      // ODBC attributes
      "DRIVER=", "SQLite3", "Database=", ";", "={", "}}", "Timeout=", "StepAPI=1",
      "JournalMode=WAL", "Server=127.0.0.1", "Port=", "UID=", "PWD=", "LoadExt=/nonexistent/x.so"};
  for (const auto &token : kJsonTokens) words.insert(token);
  std::string out = "# crm_fuzz_client_create: configuration members, SQL, ODBC attributes\n";
  for (const auto &word : words) out += dictionary_entry(word) + "\n";
  return out;
}

std::string cursor_dictionary() {
  std::set<std::string> words = {"c1.",
                                 "Wz",
                                 "XQ",
                                 "LC",
                                 "-",
                                 "_",
                                 ".",
                                 ":",
                                 "T",
                                 "t",
                                 "Z",
                                 "z",
                                 "+",
                                 " ",
                                 "+08:00",
                                 "-14:00",
                                 "+0800",
                                 "+00",
                                 "1000-",
                                 "9999-",
                                 "-02-29",
                                 "-12-31",
                                 "23:59:59",
                                 ".999999",
                                 ".123456789",
                                 "00:00:00",
                                 "92233720368547758",
                                 ".07",
                                 ".08",
                                 "e",
                                 "DRIVER=",
                                 "Database=",
                                 "={",
                                 "}}",
                                 ";",
                                 "\xe5\x8d\x8e",
                                 "\xf0\x9f\x98\x80",
                                 "\xed\xa0\x80",
                                 "\xc0\x80",
                                 "\"database\"",
                                 "\"dialect\"",
                                 "\"sqlite\"",
                                 "\"path\"",
                                 "\"method\"",
                                 "\"params\"",
                                 "\"customer.create\"",
                                 "\"attributes\"",
                                 "\"name\""};
  for (const auto &token : kJsonTokens) words.insert(token);
  std::string out = "# crm_fuzz_cursor: cursors, amounts, instants, UTF-8, ODBC, JSON\n";
  for (const auto &word : words) out += dictionary_entry(word) + "\n";
  return out;
}

// ---- files ----------------------------------------------------------------------------------

void write_file(const fs::path &path, const std::string &bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) fuzz::fail("cannot write " + path.string());
}

void write_seeds(const fs::path &folder, const std::vector<Seed> &seeds) {
  std::set<std::string> names;
  for (const auto &seed : seeds) {
    if (!names.insert(seed.name).second) fuzz::fail("two seeds named " + seed.name);
    write_file(folder / seed.name, seed.bytes);
  }
}

std::vector<Seed> call_seeds(const json &catalog) {
  std::vector<Seed> seeds = schema_seeds(catalog);
  for (const auto &[method, requests] : written_requests())
    for (const auto &[name, bytes] : requests) seeds.push_back({name, bytes});
  for (auto &seed : edge_seeds()) seeds.push_back(std::move(seed));
  return seeds;
}

int check(const fs::path &root, const json &catalog) {
  std::set<std::string> seeded;
  for (const auto &entry : fs::directory_iterator(root / "corpus" / "crm_fuzz_call")) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    const std::string bytes = text.str();
    if (bytes.empty()) continue;
    json request = json::parse(bytes.substr(1), nullptr, false);
    if (request.is_object() && request.contains("method") && request["method"].is_string())
      seeded.insert(request["method"].get<std::string>());
  }
  const auto written = written_requests();
  int missing = 0;
  for (const auto &method : catalog["methods"]) {
    const std::string name = method["name"];
    if (!seeded.count(name)) {
      std::cerr << "no seed in corpus/crm_fuzz_call for method " << name << "\n";
      ++missing;
    }
    if (!written.count(name)) {
      std::cerr << "no hand-written request in make_corpus.cpp for method " << name << "\n";
      ++missing;
    }
  }
  if (missing)
    std::cerr << "add requests to tests/fuzz/make_corpus.cpp and run: cmake --build BUILD "
                 "--target crm_fuzz_corpus\n";
  else
    std::cout << catalog["methods"].size() << " methods, each with seeds\n";
  return missing ? 1 : 0;
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 3 || (std::string(argv[1]) != "write" && std::string(argv[1]) != "check")) {
    std::cerr << "usage: crm_fuzz_make_corpus write|check TESTS_FUZZ_DIR\n";
    return 2;
  }
  const fs::path root = argv[2];
  const json catalog = describe();
  if (std::string(argv[1]) == "check") return check(root, catalog);

  write_seeds(root / "corpus" / "crm_fuzz_call", call_seeds(catalog));
  write_seeds(root / "corpus" / "crm_fuzz_client_create", config_seeds());
  write_seeds(root / "corpus" / "crm_fuzz_cursor", cursor_seeds());
  write_seeds(root / "regressions" / "crm_fuzz_call", call_regressions());
  write_seeds(root / "regressions" / "crm_fuzz_client_create", client_regressions());
  write_file(root / "crm_fuzz_call.dict", call_dictionary(catalog));
  write_file(root / "crm_fuzz_client_create.dict", client_dictionary());
  write_file(root / "crm_fuzz_cursor.dict", cursor_dictionary());
  return check(root, catalog);
}
