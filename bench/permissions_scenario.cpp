// crm-bench --scenario permissions: record-level visibility against the same SELECTs sent natively.
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "dataset.hpp"

namespace bench {

namespace {

// ---- --scenario permissions ---------------------------------------------------------------------
//
// Record-level visibility. The organisation: a manager (role manager: sees own + everyone below)
// with kSubordinates salespeople (role sales: own customers only), and a second manager with two
// salespeople of their own who own nothing here. Customer i is owned by salesperson
// (i - 1) % kSubordinates, so each owns customers / kSubordinates, spread over the whole id
// range. The customers are bulk-filled (not timed) into libcrm's database; the native side reads
// those same rows through its own connection (reads only: there is nothing to keep apart).
//
// Timed, interleaved call by call (order rotated):
//  - customer.list, first page (limit 50), as the manager and as salesperson 0, against
//    `SELECT <all columns> ... WHERE owner IN (<the 51 keys>) ORDER BY id LIMIT 51` and
//    `... WHERE owner = ? ...`;
//  - customer.get of a random customer of salesperson 0: as that salesperson, as the
//    administrator (sees all: no visibility condition, but the same actor resolution), and the
//    native SELECT by id;
//  - customer.view of such a customer, as the salesperson and as the administrator.
constexpr std::int64_t kSubordinates = 50;
const std::string kManager = "bench.manager";
const std::string kOtherManager = "bench.other.manager";

std::string user_create_request(const std::string &key, const std::string &name,
                                const std::optional<std::string> &manager, const char *role) {
  json params = {{"user_key", key}, {"name", name}, {"roles", {role}}};
  if (manager) params["manager_key"] = *manager;
  return json({{"method", "user.create"}, {"params", params}}).dump();
}

std::string customer_list_request() {
  return R"({"method":"customer.list","params":{"limit":)" + std::to_string(kListLimit) + "}}";
}

std::string view_request(std::int64_t id) {
  return R"({"method":"customer.view","params":{"id":")" + std::to_string(id) + "\"}}";
}

}  // namespace

int run_permissions(const Options &options) {
  ScenarioDatabase database(options);
  const Target &target = database.target();
  const std::string load_at_start = load_average();
  const auto run_start = Clock::now();
  const Dataset dataset(options.seed, options.customers, kSubordinates);
  auto plugin = crm::host::Plugin::load(options.library);
  const IdSpace space{0, ""};

  std::optional<crm::host::Client> client;
  client.emplace(plugin, client_config(target, options.log_level));
  const std::string versions = open_store(target, space)->versions();
  std::fprintf(stderr, "crm-bench: %s (crm %s), %s, %s, scenario permissions\n",
               options.library.c_str(), plugin->version().c_str(), options.dialect.c_str(),
               versions.c_str());

  // ---- organisation and customers (not timed) --------------------------------------------------
  auto phase_start = Clock::now();
  std::optional<crm::host::Session> admin, manager, sales;
  admin.emplace(client->open_session(kUser));
  std::vector<std::string> team_keys = {kManager};  // what the manager sees: own + below
  auto create_user = [&](const std::string &key, const std::optional<std::string> &boss,
                         const char *role) {
    expect_ok(admin->call(user_create_request(key, "Bench " + key, boss, role)), "user.create");
  };
  create_user(kManager, std::nullopt, "manager");
  for (std::int64_t i = 0; i < kSubordinates; ++i) {
    team_keys.push_back(Dataset::owner_key(i));
    create_user(team_keys.back(), kManager, "sales");
  }
  create_user(kOtherManager, std::nullopt, "manager");
  for (const char *key : {"bench.other.sales.1", "bench.other.sales.2"})
    create_user(key, kOtherManager, "sales");
  const std::string salesperson = Dataset::owner_key(0);
  {
    auto filler = open_store(target, space);
    filler->fill_customers(dataset, 1, options.customers, kUser);
    filler->prepare_for_reads();
  }
  const double fill_seconds = seconds_since(phase_start);
  manager.emplace(client->open_session(kManager));
  sales.emplace(client->open_session(salesperson));
  auto native = open_store(target, space);
  const std::vector<std::string> own_keys = {salesperson};
  const std::string manager_plan = native->owned_plan(team_keys);
  const std::string sales_plan = native->owned_plan(own_keys);
  const double rss_setup = peak_rss_mib();
  double waited = run_queue_wait_seconds();
  auto waited_since = [&waited] {
    const double now = run_queue_wait_seconds(), delta = now - waited;
    waited = now;
    return delta;
  };
  std::size_t mismatches = 0;

  // ---- customer.list, first page
  // ----------------------------------------------------------------- The same request every time:
  // the first page, as a list screen opens.
  const std::string list = customer_list_request();
  auto list_phase = [&](crm::host::Session &session, const std::vector<std::string> &owners,
                        Recorder &libcrm_side, Recorder &native_side) {
    for (std::int64_t i = 0; i < options.warmup + options.lists; ++i) {
      if (i == options.warmup) libcrm_side.clear(), native_side.clear();
      crm::host::Response response{CRM_OK, {}};
      std::vector<CustomerRecord> records;
      in_order(
          i % 2 == 0, [&] { response = libcrm_side.measure([&] { return session.call(list); }); },
          [&] {
            records = native_side.measure([&] { return native->list_owned(owners, kListLimit); });
          });
      if (i % 10 == 0 || !response.ok()) {
        const auto items = expect_ok(response, "customer.list")["items"];
        if (items.size() != records.size() ||
            (!records.empty() && items.front()["id"] != std::to_string(records.front().id)))
          ++mismatches;
      }
    }
  };
  Recorder list_manager, list_manager_native, list_sales, list_sales_native;
  list_phase(*manager, team_keys, list_manager, list_manager_native);
  const double list_manager_waited = waited_since();
  list_phase(*sales, own_keys, list_sales, list_sales_native);
  const double list_sales_waited = waited_since();

  // ---- customer.get: salesperson, administrator, native ---------------------------------------
  const std::int64_t owned = (options.customers + kSubordinates - 1) / kSubordinates;
  Recorder get_sales, get_admin, get_native;
  Rng get_ids = dataset.stream(11);
  for (std::int64_t i = 0; i < options.warmup + options.lookups; ++i) {
    if (i == options.warmup) get_sales.clear(), get_admin.clear(), get_native.clear();
    const std::int64_t id = get_ids.between(0, owned - 1) * kSubordinates + 1;  // salesperson 0's
    const std::string request = get_request(id);
    const bool check = i % 10 == 0;
    const std::string name = check ? dataset.customer(id).name : std::string();
    auto as = [&](crm::host::Session *session, Recorder *recorder) {
      return [&, session, recorder] {
        auto response = recorder->measure([&] { return session->call(request); });
        const auto result = check || !response.ok() ? expect_ok(response, "customer.get") : json();
        if (check && result["name"] != name) ++mismatches;
      };
    };
    rotated(i, {as(&*sales, &get_sales), as(&*admin, &get_admin), [&] {
                  auto record = get_native.measure([&] { return native->get_customer(id); });
                  if (!record || (check && record->name != name)) ++mismatches;
                }});
  }
  const double get_waited = waited_since();

  // ---- customer.view: salesperson, administrator ----------------------------------------------
  Recorder view_sales, view_admin;
  Rng view_ids = dataset.stream(12);
  const std::int64_t view_warmup = std::min<std::int64_t>(options.warmup, 50);
  for (std::int64_t i = 0; i < view_warmup + options.views; ++i) {
    if (i == view_warmup) view_sales.clear(), view_admin.clear();
    const std::string request = view_request(view_ids.between(0, owned - 1) * kSubordinates + 1);
    auto as = [&](crm::host::Session *session, Recorder *recorder) {
      return [&, session, recorder] {
        auto response = recorder->measure([&] { return session->call(request); });
        if (!response.ok()) expect_ok(response, "customer.view");
      };
    };
    in_order(i % 2 == 0, as(&*sales, &view_sales), as(&*admin, &view_admin));
  }
  const double view_waited = waited_since();

  // ---- report
  // -------------------------------------------------------------------------------------
  auto percentile = [](const Recorder &recorder, double Summary::*field) -> std::optional<double> {
    if (recorder.empty()) return std::nullopt;
    return summarize(recorder.wall()).*field;
  };
  auto latency_rows = [&](const std::string &what, const Recorder &a, const Recorder &b) {
    return std::vector<Row>{
        {what + " p50, µs", percentile(a, &Summary::p50), percentile(b, &Summary::p50), false},
        {what + " p99, µs", percentile(a, &Summary::p99), percentile(b, &Summary::p99), false}};
  };
  std::printf("crm-bench --scenario permissions: %s, %" PRId64 " customers, %" PRId64
              " salespeople under one manager (%" PRId64 " customers each), seed %" PRIu64
              ", %s, crm %s\n",
              options.dialect.c_str(), options.customers, kSubordinates, owned, options.seed,
              versions.c_str(), plugin->version().c_str());
  std::vector<Row> rows;
  for (auto part :
       {latency_rows("customer.list manager (51 owners)", list_manager, list_manager_native),
        latency_rows("customer.list salesperson (own)", list_sales, list_sales_native),
        latency_rows("customer.get salesperson", get_sales, get_native),
        latency_rows("customer.get administrator", get_admin, get_native)})
    rows.insert(rows.end(), part.begin(), part.end());
  print_table(rows);
  std::vector<Row> checks;
  for (auto part : {latency_rows("customer.get", get_sales, get_admin),
                    latency_rows("customer.view", view_sales, view_admin)})
    checks.insert(checks.end(), part.begin(), part.end());
  print_table(checks, {"salesperson", "administrator", "salesperson/administrator"});
  std::printf("%-46s %14.0f  (one process: host + libcrm + driver + native side)\n",
              "peak RSS, MiB", peak_rss_mib());

  std::printf("\ndetails (wall-clock times)\n");
  std::printf("  %-30s %zu users, %" PRId64 " customers bulk-filled (not timed): %.1f s\n",
              "organisation and customers", team_keys.size() + 3, options.customers, fill_seconds);
  print_latency("list manager libcrm", list_manager);
  print_latency("list manager native", list_manager_native);
  print_pair_ratios("list manager libcrm/native", list_manager, list_manager_native);
  print_latency("list salesperson libcrm", list_sales);
  print_latency("list salesperson native", list_sales_native);
  print_pair_ratios("list sales libcrm/native", list_sales, list_sales_native);
  print_latency("get salesperson", get_sales);
  print_latency("get administrator", get_admin);
  print_latency("get native", get_native);
  print_pair_ratios("get salesperson/administrator", get_sales, get_admin);
  print_pair_ratios("get administrator/native", get_admin, get_native);
  print_pair_ratios("get salesperson/native", get_sales, get_native);
  print_latency("view salesperson", view_sales);
  print_latency("view administrator", view_admin);
  print_pair_ratios("view salesperson/administrator", view_sales, view_admin);
  std::printf("  %-30s %s\n", "plan, manager's 51 owners", manager_plan.c_str());
  std::printf("  %-30s %s\n", "plan, salesperson's owner", sales_plan.c_str());
  std::printf("  %-30s %s\n", "data", native->storage().c_str());
  std::printf("  %-30s %zu\n", "result mismatches (sampled)", mismatches);
  std::printf("  %-30s setup %.0f MiB\n", "peak RSS after set-up", rss_setup);
  std::printf("  %-30s %s at start, %s at end; run %.0f s\n", "load average (1/5/15 min)",
              load_at_start.c_str(), load_average().c_str(), seconds_since(run_start));
  std::printf("  %-30s list manager %.2f s, list sales %.2f s, get %.2f s, view %.2f s\n",
              "waited for a CPU (run queue)", list_manager_waited, list_sales_waited, get_waited,
              view_waited);

  admin.reset();
  manager.reset();
  sales.reset();
  client.reset();
  native.reset();
  database.close(options.keep);
  return mismatches ? 1 : 0;
}

}  // namespace bench
