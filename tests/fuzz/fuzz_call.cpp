// crm_fuzz_call: requests through the public C ABI (crm_call) on two clients over one SQLite
// database in a temporary folder. Client 0 maps the reference ERP (jinhe shape, 20 generated
// customers in the same file) and has every domain section configured; client 1 has no host
// mapping; both name the session's user as a bootstrap administrator (sessions open only for CRM
// users), so every method is allowed. The first input byte chooses the client (its lowest bit), the
// rest is request_json. Every response is checked by crm::fuzz::check_response (envelope, status,
// UTF-8; never internal or no_memory).
//
// The database is put back to its state after LLVMFuzzerInitialize every kResetEvery
// executions, and sooner when its files grow past kResetBytes, so a long campaign neither
// fills the disk nor slows down as tables grow.
#include <crm/crm.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "dialect.hpp"
#include "erp.hpp"
#include "fuzz_support.hpp"
#include "odbc.hpp"

namespace {

using nlohmann::json;
namespace fuzz = crm::fuzz;

constexpr std::uint64_t kResetEvery = 20000;
constexpr std::uint64_t kResetBytes = 64ull << 20;
constexpr const char *kUser = "fuzzer";

struct Fixture {
  std::string folder;
  std::string database;
  std::string pristine;
  crm_client *clients[2] = {nullptr, nullptr};
  crm_session *sessions[2] = {nullptr, nullptr};
  std::uint64_t executions = 0;
  bool verbose = false;  // CRM_FUZZ_VERBOSE set: print each status and response
};

Fixture *fixture = nullptr;

json database_section() {
  return {{"dialect", "sqlite"}, {"path", fixture->database}};
}

// The configuration of client 0: the jinhe mapping and every domain section.
std::string host_config() {
  json config = {{"database", database_section()}, {"log", {{"sink", "none"}}}};
  config["organisation"] = {{"bootstrap_admins", {kUser}}};
  config["host"] = json::parse(crm::erp::mapping_json(crm::erp::Shape::jinhe, "sqlite"));
  config["lifecycle"] = {
      {"repeat_window_days", 365}, {"dormant_after_days", 180}, {"nurture_team", "marketing"}};
  config["classification"] = {
      {"window_days", 365},
      {"rules", json::array({{{"id", "mall"},
                              {"label", "大型商场"},
                              {"when", {{"industry", {"大型商场"}}, {"min_revenue", "500000.00"}}}},
                             {{"id", "pharmacy"},
                              {"class", "retail"},
                              {"label", "药店"},
                              {"when", {{"industry", {"药店", "便利店"}}}}},
                             {{"id", "regular"},
                              {"label", "常客"},
                              {"when", {{"min_orders", 2}, {"stage", {"customer", "repeat"}}}}},
                             {{"id", "other"}, {"label", "其他"}}})}};
  config["plans"] = json::array({{{"id", "care"},
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
                                  {"owner", "customer_owner"}},
                                 {{"id", "nurture"},
                                  {"class", "*"},
                                  {"stage", "potential"},
                                  {"title", "培育跟进"},
                                  {"kind", "once"},
                                  {"within_days", 30},
                                  {"owner", "marketing"}}});
  config["value"] = {
      {"weights",
       {{"sales", 35}, {"expectation", 15}, {"credit", 15}, {"profit", 25}, {"reference", 10}}},
      {"tiers", json::array({{{"name", "key"}, {"percent", 1}},
                             {{"name", "major"}, {"percent", 4}},
                             {{"name", "growth"}, {"percent", 15}},
                             {{"name", "basic"}, {"percent", 80}}})},
      {"window_days", 365},
      {"population_stages", {"customer", "repeat"}}};
  config["calendars"] = json::parse(fuzz::calendars_section_json());
  return config.dump();
}

// The configuration of client 1: the same database, no host mapping.
std::string plain_config() {
  return json({{"database", database_section()},
               {"log", {{"sink", "none"}}},
               {"organisation", {{"bootstrap_admins", {kUser}}}}})
      .dump();
}

void open_clients() {
  const std::string configs[2] = {host_config(), plain_config()};
  for (int i = 0; i < 2; ++i) {
    char *message = nullptr;
    const auto status = crm_client_create(configs[i].c_str(), &fixture->clients[i], &message);
    if (status != CRM_OK)
      fuzz::fail("crm_fuzz_call: cannot create client " + std::to_string(i),
                 message ? message : crm_status_string(status));
    if (crm_session_open(fixture->clients[i], kUser, &fixture->sessions[i]) != CRM_OK)
      fuzz::fail("crm_fuzz_call: cannot open a session");
  }
}

void close_clients() {
  for (int i = 0; i < 2; ++i) {
    crm_session_close(fixture->sessions[i]);
    crm_client_destroy(fixture->clients[i]);
    fixture->sessions[i] = nullptr;
    fixture->clients[i] = nullptr;
  }
}

// A call of the fixture's own that must succeed.
json must(int client, const std::string &method, const json &params) {
  const std::string request = json({{"method", method}, {"params", params}}).dump();
  char *response = nullptr;
  std::size_t length = 0;
  const auto status =
      crm_call(fixture->sessions[client], request.data(), request.size(), &response, &length);
  fuzz::check_response(status, response, length, request);
  if (status != CRM_OK) fuzz::fail("crm_fuzz_call: the fixture's " + method + " failed", response);
  json result = json::parse(response)["result"];
  crm_string_free(response);
  return result;
}

// The CRM data the seed corpus refers to (ids start at 1 for each kind of record): customers
// 1..20 imported from the host (21 and 22 created here), contact 1 and 2, interactions 1..3,
// opportunities 1 (open) and 2 (won), tasks from the plans and one by hand, lifecycle moves,
// classes and value periods 2026-10 and 2026-11.
void seed() {
  must(0, "lifecycle.sync", {{"as_of", "2026-11-30T00:00:00Z"}});
  must(0, "source.create",
       {{"code", "web"}, {"name", "官网"}, {"channel", "web"}, {"kind", "website"}});
  must(0, "source.create",
       {{"code", "referral"}, {"name", "老客户推荐"}, {"channel", "tel"}, {"kind", "referral"}});
  must(0, "campaign.create",
       {{"code", "expo-2026"},
        {"source", "web"},
        {"name", "2026 春季展会"},
        {"starts_on", "2026-03-01"},
        {"ends_on", "2026-03-31"},
        {"cost", "1000.00"}});
  must(0, "customer.create",
       {{"name", "华联超市（北京）有限公司"},
        {"region", "华北"},
        {"industry", "超市"},
        {"phone", "+86 10 5555 0100"},
        {"email", "buyer@hualian.example.cn"},
        {"stage", "potential"},
        {"attributes", {{"tier", "A"}, {"tags", {"vip", "north"}}}}});
  must(0, "customer.create", {{"name", "Acme Trading Ltd."}, {"kind", "company"}});
  must(0, "contact.create",
       {{"customer_id", "1"},
        {"name", "李采购"},
        {"title", "采购经理"},
        {"email", "li@example.cn"}});
  must(0, "contact.create", {{"customer_id", "21"}, {"name", "王经理"}, {"phone", "13800000000"}});
  must(0, "opportunity.create",
       {{"customer_id", "1"},
        {"name", "春季补货"},
        {"amount", "88000.00"},
        {"stage", "develop"},
        {"probability", 40},
        {"expected_close", "2027-03-31"}});
  json won = must(0, "opportunity.create",
                  {{"customer_id", "21"}, {"name", "首批订货"}, {"amount", "12345.67"}});
  must(
      0, "opportunity.close",
      {{"id", won["id"]}, {"version", won["version"]}, {"outcome", "won"}, {"reason", "价格合适"}});
  must(0, "interaction.log",
       {{"customer_id", "1"},
        {"contact_id", "1"},
        {"opportunity_id", "1"},
        {"channel", "tel"},
        {"direction", "outbound"},
        {"occurred_at", "2026-11-01T10:00:00+08:00"},
        {"subject", "催款电话"},
        {"body", "客户同意下周付款。"}});
  must(0, "interaction.log_batch",
       {{"items", json::array({{{"customer_id", "21"},
                                {"channel", "email"},
                                {"direction", "inbound"},
                                {"occurred_at", "2026-11-02T09:00:00Z"},
                                {"subject", "询价"}},
                               {{"customer_id", "21"},
                                {"channel", "face_to_face"},
                                {"direction", "outbound"},
                                {"occurred_at", "2026-11-03T15:30:00.25+08:00"}}})}});
  must(0, "lifecycle.transition",
       {{"customer_id", "21"},
        {"to", "opportunity"},
        {"reason_code", "qualified"},
        {"reason_text", "有明确采购需求"}});
  must(0, "task.create",
       {{"customer_id", "1"},
        {"title", "回访"},
        {"due_at", "2026-12-15T09:00:00+08:00"},
        {"owner", kUser}});
  must(0, "classification.run", {{"as_of", "2026-11-30T00:00:00Z"}});
  must(0, "value.run", {{"period", "2026-10"}, {"as_of", "2026-10-31T23:59:59Z"}});
  must(0, "value.run", {{"period", "2026-11"}, {"as_of", "2026-11-30T00:00:00Z"}});
  // Last, so that the customers above keep their owners: a sales team (no
  // members yet: its queue takes the leads) and a rule for new leads.
  must(0, "team.create", {{"team_key", "sales"}, {"name", "销售部"}});
  must(0, "assignment.rule.create",
       {{"code", "north"},
        {"name", "华北线索"},
        {"priority", 1},
        {"on", {"create", "handoff"}},
        {"conditions", {{"region", {"华北"}}}},
        {"strategy", "round_robin"},
        {"team", "sales"},
        {"cap", 100}});
}

void generate_erp() {
  crm::db::Environment environment;
  auto dialect = crm::db::make_dialect("sqlite");
  crm::db::ConnectionSettings settings;
  settings.dialect = "sqlite";
  settings.path = fixture->database;
  crm::db::Connection connection(environment, *dialect, dialect->connection_string(settings));
  crm::erp::Options options;
  options.shape = crm::erp::Shape::jinhe;
  options.customers = 20;
  crm::erp::generate(connection, options);
}

void remove_database() {
  for (const char *suffix : {"", "-wal", "-shm", "-journal"})
    std::remove((fixture->database + suffix).c_str());
}

void reset_database() {
  close_clients();
  remove_database();
  fuzz::copy_file(fixture->pristine, fixture->database);
  open_clients();
}

void cleanup() {
  if (!fixture) return;
  close_clients();
  fuzz::remove_tree(fixture->folder);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  fixture = new Fixture;
  fixture->verbose = std::getenv("CRM_FUZZ_VERBOSE") != nullptr;
  fixture->folder = fuzz::make_temp_dir("crm-fuzz-call-");
  fixture->database = fixture->folder + "/crm.db";
  fixture->pristine = fixture->folder + "/pristine.db";
  try {
    generate_erp();
  } catch (const std::exception &error) {
    fuzz::fail("crm_fuzz_call: cannot generate the reference ERP", error.what());
  }
  open_clients();
  seed();
  close_clients();  // the last connection checkpoints the WAL into the file
  fuzz::copy_file(fixture->database, fixture->pristine);
  open_clients();
  std::atexit(cleanup);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  if (size == 0) return 0;
  ++fixture->executions;
  if (fixture->executions % kResetEvery == 0 ||
      (fixture->executions % 256 == 0 &&
       fuzz::file_size(fixture->database) + fuzz::file_size(fixture->database + "-wal") >
           kResetBytes))
    reset_database();
  const int client = data[0] & 1;
  const auto *request = reinterpret_cast<const char *>(data + 1);
  const std::size_t length = size - 1;
  char *response = nullptr;
  std::size_t response_length = 0;
  const auto status =
      crm_call(fixture->sessions[client], request, length, &response, &response_length);
  fuzz::check_response(status, response, response_length, std::string_view(request, length));
  if (fixture->verbose) std::fprintf(stderr, "client %d status %d: %s\n", client, status, response);
  crm_string_free(response);
  return 0;
}
