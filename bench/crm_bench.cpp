// crm-bench: libcrm (loaded through include/crm/host.hpp, as an ERP host loads it) against the
// same work done with the database's own C library on the same schema: the sqlite3 C API on a
// second file (SQLite), libpq (PostgreSQL) or MariaDB Connector/C (MariaDB) on the same server
// and tables, in another id range.
//
//   crm-bench [--dialect sqlite|postgresql|mariadb] [--connection ODBC-STRING]
//             [--customers N] [--interactions M] [--batch B] [--lookups L] [--lists K]
//             [--create-sample S] [--seed X] [--dir DIR] [--library PATH]
//             [--only libcrm|native] [--no-insert-variant] [--drop-existing]
//             [--log-level LEVEL] [--keep] [--scenario default|permissions|transfer]
//             [--views V] [--rounds R]
//
// --scenario permissions measures record-level visibility instead: customer.list's first page
// for a manager of 50 salespeople and for one salesperson against the same SELECT sent
// natively, and customer.get / customer.view as a salesperson against the administrator (see
// permissions_scenario.cpp). --scenario transfer measures ownership.transfer of a departing
// salesperson's customers against the same UPDATEs sent natively, and how long other sessions'
// writes wait meanwhile (transfer_scenario.cpp).
//
// All sides run in one process, interleaved operation by operation (or batch by batch, with
// the order rotated every time), because this VM drifts by +-20 % between runs. Only the work
// itself is timed: building request JSON and parsing responses for checks happen outside the
// timed region (the JSON build time for log_batch is reported on its own).
#include <crm/host.hpp>

#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "dataset.hpp"
#include "native_store.hpp"
#include "stats.hpp"

namespace fs = std::filesystem;
#include "bench_support.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using namespace bench;

constexpr int kChinaOffsetMinutes = 480;
constexpr std::int64_t kCreateChunk = 500;  // customers per side before switching sides

[[noreturn]] void usage(const std::string &problem, int status = 2) {
  if (!problem.empty()) std::cerr << "crm-bench: " << problem << "\n";
  (status == 0 ? std::cout : std::cerr)
      << "usage: crm-bench [--dialect sqlite|postgresql|mariadb] [--connection ODBC-STRING]\n"
         "                 [--customers N] [--interactions M] [--batch B] [--lookups L]\n"
         "                 [--lists K] [--warmup W] [--create-sample S] [--seed X] [--dir DIR]\n"
         "                 [--library PATH] [--only libcrm|native] [--no-insert-variant]\n"
         "                 [--drop-existing] [--log-level LEVEL] [--keep]\n"
         "                 [--scenario default|permissions|transfer] [--views V] [--rounds R]\n"
         "defaults: sqlite (files in --dir), 100000 customers, 1000000 interactions, batches of\n"
         "5000, 10000 lookups and lists after 500 warm-up calls, every customer created through\n"
         "customer.create; quick run: --customers 10000 --interactions 100000\n"
         "postgresql/mariadb: --connection, else "
         "$CRM_POSTGRESQL_CONNECTION/$CRM_MARIADB_CONNECTION\n"
         "(scripts/db/*.sh start prints them); the crm_* tables there are dropped first and at\n"
         "the end (--keep keeps them); a database whose crm tables hold rows needs "
         "--drop-existing\n"
         "--scenario permissions: users and owners instead of interactions; customer.list as a\n"
         "manager of 50 salespeople and as a salesperson, customer.get/view as a salesperson\n"
         "and as the administrator (--lists, --lookups, --views calls; --interactions unused)\n"
         "--scenario transfer: ownership.transfer of --customers customers with their open\n"
         "opportunities and tasks against the same UPDATEs sent natively, while two other\n"
         "sessions write (--rounds R, default 2: two libcrm and two native transfers each)\n";
  std::exit(status);
}

std::int64_t count(const std::string &flag, const char *text, std::int64_t minimum) {
  char *end = nullptr;
  const long long value = std::strtoll(text, &end, 10);
  if (!*text || *end || value < minimum)
    usage(flag + " needs an integer of at least " + std::to_string(minimum));
  return value;
}

Options parse_options(int argc, char **argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--keep") {
      options.keep = true;
      continue;
    }
    if (flag == "--drop-existing") {
      options.drop_existing = true;
      continue;
    }
    if (flag == "--no-insert-variant") {
      options.insert_variant = false;
      continue;
    }
    if (flag == "--help" || flag == "-h") usage("", 0);
    if (i + 1 >= argc) usage(flag + " needs a value");
    const char *value = argv[++i];
    if (flag == "--dialect")
      options.dialect = value;
    else if (flag == "--connection")
      options.connection = value;
    else if (flag == "--customers")
      options.customers = count(flag, value, 1);
    else if (flag == "--interactions")
      options.interactions = count(flag, value, 1);
    else if (flag == "--batch")
      options.batch = count(flag, value, 1);
    else if (flag == "--lookups")
      options.lookups = count(flag, value, 1);
    else if (flag == "--lists")
      options.lists = count(flag, value, 1);
    else if (flag == "--warmup")
      options.warmup = count(flag, value, 0);
    else if (flag == "--create-sample")
      options.create_sample = count(flag, value, 0);
    else if (flag == "--seed")
      options.seed = static_cast<std::uint64_t>(count(flag, value, 0));
    else if (flag == "--dir")
      options.dir = value;
    else if (flag == "--library")
      options.library = value;
    else if (flag == "--log-level")
      options.log_level = value;
    else if (flag == "--scenario")
      options.scenario = value;
    else if (flag == "--views")
      options.views = count(flag, value, 1);
    else if (flag == "--rounds")
      options.rounds = count(flag, value, 1);
    else if (flag == "--only") {
      const std::string side = value;
      if (side != "libcrm" && side != "native") usage("--only takes libcrm or native");
      options.run_libcrm = side == "libcrm";
      options.run_native = side == "native";
    } else {
      usage("unknown option " + flag);
    }
  }
  if (options.scenario != "default" && options.scenario != "permissions" &&
      options.scenario != "transfer")
    usage("--scenario takes default, permissions or transfer");
  if (options.batch > 10'000) usage("--batch: interaction.log_batch takes at most 10000 items");
  if (options.dialect != "sqlite" && options.dialect != "postgresql" &&
      options.dialect != "mariadb")
    usage("--dialect takes sqlite, postgresql or mariadb");
  if (options.dialect != "sqlite" && options.connection.empty()) {
    const char *variable =
        options.dialect == "postgresql" ? "CRM_POSTGRESQL_CONNECTION" : "CRM_MARIADB_CONNECTION";
    const char *value = std::getenv(variable);
    if (!value || !*value)
      usage("--dialect " + options.dialect + " needs --connection or $" + variable);
    options.connection = value;
  }
  if (options.customers >= kIdSpaceSize || options.interactions >= kIdSpaceSize)
    usage("--customers and --interactions must stay below " + std::to_string(kIdSpaceSize));
  if (options.dir.empty())
    options.dir = (fs::temp_directory_path() / ("crm-bench-" + std::to_string(getpid()))).string();
  return options;
}

std::string create_request(const Customer &customer) {
  return json({{"method", "customer.create"},
               {"params",
                {{"name", customer.name},
                 {"kind", customer.kind},
                 {"phone", customer.phone},
                 {"email", customer.email},
                 {"address", customer.address},
                 {"region", customer.region},
                 {"industry", customer.industry},
                 {"source", customer.source},
                 {"attributes", json::parse(customer.attributes)}}}})
      .dump();
}

std::string log_batch_request(const std::vector<Interaction> &items) {
  json list = json::array();
  for (const auto &item : items)
    list.push_back({{"customer_id", std::to_string(item.customer_id)},
                    {"channel", item.channel},
                    {"direction", item.direction},
                    {"occurred_at", iso_time(item.occurred_at, kChinaOffsetMinutes)},
                    {"subject", item.subject},
                    {"body", item.body}});
  return json({{"method", "interaction.log_batch"}, {"params", {{"items", std::move(list)}}}})
      .dump();
}

std::string list_request(std::int64_t customer_id) {
  return R"({"method":"interaction.list","params":{"customer_id":")" + std::to_string(customer_id) +
         R"(","limit":)" + std::to_string(kListLimit) + "}}";
}

int run(const Options &options) {
  const bool server = options.dialect != "sqlite";
  const fs::path dir = options.dir;
  fs::path libcrm_file, native_file;
  Target libcrm_target{options.dialect, "", options.connection}, native_target = libcrm_target;
  if (!server) {
    fs::create_directories(dir);
    libcrm_file = dir / "libcrm.db";
    native_file = dir / "native.db";
    remove_database(libcrm_file);
    remove_database(native_file);
    libcrm_target.path = libcrm_file.string();
    native_target.path = native_file.string();
  }
  const std::string load_at_start = load_average();
  const auto run_start = Clock::now();

  const Dataset dataset(options.seed, options.customers);
  auto plugin = crm::host::Plugin::load(options.library);

  // On a server all sides share the crm_* tables, each in its own id range (see IdSpace); on
  // SQLite each side has its own file.
  const IdSpace libcrm_space{0, ""};
  const IdSpace native_space = server ? IdSpace{kIdSpaceSize, "bench.native."} : libcrm_space;
  const IdSpace variant_space{2 * kIdSpaceSize, "bench.insert."};
  const bool with_variant = server && options.run_native && options.insert_variant;

  // A native connection of the bench's own for set-up and checks (servers).
  std::unique_ptr<NativeStore> admin;
  if (server) {
    admin = open_store(libcrm_target, libcrm_space);
    if (admin->holds_crm_data() && !options.drop_existing)
      throw std::runtime_error(
          "the database already holds CRM data; crm-bench drops every crm_* table there "
          "before it starts: pass --drop-existing if that is what you want");
    admin->drop_crm_tables();
  }
  // libcrm's migrations create the schema (on SQLite: both files), so the native side runs on
  // exactly the tables and indexes the plugin defines.
  std::optional<crm::host::Client> client;
  std::optional<crm::host::Session> session;
  std::unique_ptr<NativeStore> native, variant;
  { crm::host::Client migrate(plugin, client_config(libcrm_target, options.log_level)); }
  if (!server) {
    crm::host::Client migrate(plugin, client_config(native_target, options.log_level));
  }
  const std::string versions =
      admin ? admin->versions() : open_store(libcrm_target, libcrm_space)->versions();
  std::fprintf(stderr, "crm-bench: %s (crm %s), %s, %s%s\n", options.library.c_str(),
               plugin->version().c_str(), options.dialect.c_str(), versions.c_str(),
               server ? "" : (", files in " + dir.string()).c_str());
  if (options.run_libcrm) {
    client.emplace(plugin, client_config(libcrm_target, options.log_level));
    session.emplace(client->open_session(kUser));
  }
  if (options.run_native) {
    native = open_store(native_target, native_space, BulkPath::native_bulk);
    native->ensure_id_space();
  }
  if (with_variant) {
    variant = open_store(native_target, variant_space, BulkPath::multirow_insert);
    variant->ensure_id_space();
  }
  const double rss_setup = peak_rss_mib();
  double waited = run_queue_wait_seconds();
  // Seconds spent waiting for a CPU since the previous call.
  auto waited_since = [&waited] {
    const double now = run_queue_wait_seconds(), delta = now - waited;
    waited = now;
    return delta;
  };

  // ---- customers ------------------------------------------------------------------------------
  const std::int64_t created =
      std::min(options.customers, options.create_sample.value_or(options.customers));
  Recorder create_libcrm, create_native;
  auto phase_start = Clock::now();
  Progress customers_progress("customers created", created);
  for (std::int64_t first = 1; first <= created; first += kCreateChunk) {
    const std::int64_t last = std::min(created, first + kCreateChunk - 1);
    auto libcrm_chunk = [&] {
      if (!session) return;
      for (std::int64_t id = first; id <= last; ++id) {
        const std::string request = create_request(dataset.customer(id));
        auto response = create_libcrm.measure([&] { return session->call(request); });
        if (expect_ok(response, "customer.create")["id"] != std::to_string(id))
          throw std::runtime_error("customer.create did not hand out id " + std::to_string(id));
      }
    };
    auto native_chunk = [&] {
      if (!native) return;
      for (std::int64_t id = first; id <= last; ++id) {
        const Customer customer = dataset.customer(id);
        auto record =
            create_native.measure([&] { return native->create_customer(customer, kUser); });
        if (record.id != native_space.base + id)
          throw std::runtime_error("native create got another id");
      }
    };
    in_order((first / kCreateChunk) % 2 == 0, libcrm_chunk, native_chunk);
    customers_progress.update(last);
  }
  if (created < options.customers) {
    // Population only: the remaining customers, the same (fast) way on every side.
    if (session)
      open_store(libcrm_target, libcrm_space)
          ->fill_customers(dataset, created + 1, options.customers, kUser);
    if (native) native->fill_customers(dataset, created + 1, options.customers, kUser);
  }
  // The multi-row INSERT variant logs for customers of its own, bulk-filled (not timed).
  if (variant) variant->fill_customers(dataset, 1, options.customers, kUser);
  const double customers_seconds = seconds_since(phase_start);
  const double rss_customers = peak_rss_mib();
  const double customers_waited = waited_since();

  // ---- interactions ---------------------------------------------------------------------------
  Recorder batch_libcrm(true), batch_native(true), batch_variant(true), json_build;
  std::size_t request_bytes = 0, subject_bytes = 0, body_bytes = 0;
  phase_start = Clock::now();
  const std::int64_t batches = (options.interactions + options.batch - 1) / options.batch;
  Progress interactions_progress("interactions logged", options.interactions);
  for (std::int64_t b = 0; b < batches; ++b) {
    const std::int64_t first = b * options.batch;
    const auto count =
        static_cast<std::size_t>(std::min(options.batch, options.interactions - first));
    const auto items = dataset.interactions(first, count);
    for (const auto &item : items)
      subject_bytes += item.subject.size(), body_bytes += item.body.size();
    std::vector<std::function<void()>> sides;
    if (session)
      sides.push_back([&] {
        const std::string request = json_build.measure([&] { return log_batch_request(items); });
        request_bytes += request.size();
        auto response = batch_libcrm.measure([&] { return session->call(request); });
        if (expect_ok(response, "interaction.log_batch")["ids"].front() !=
            std::to_string(first + 1))
          throw std::runtime_error("interaction.log_batch did not start at id " +
                                   std::to_string(first + 1));
      });
    for (auto [store, recorder] :
         {std::pair{native.get(), &batch_native}, std::pair{variant.get(), &batch_variant}})
      if (store)
        sides.push_back([&, store = store, recorder = recorder] {
          if (recorder->measure([&] { return store->log_batch(items, kUser); }) !=
              store->space().base + first + 1)
            throw std::runtime_error("native batch got other ids");
        });
    rotated(b, sides);
    interactions_progress.update(first + static_cast<std::int64_t>(count));
  }
  const double interactions_seconds = seconds_since(phase_start);
  const double rss_interactions = peak_rss_mib();
  const double interactions_waited = waited_since();

  // Same starting point for the reads (SQLite: WAL folded into both files; servers: VACUUM
  // ANALYZE / ANALYZE TABLE). Then check that every side stored the same rows, so that the
  // comparison is of equal work.
  std::optional<bool> same_content;
  std::string list_plan, storage;
  phase_start = Clock::now();
  {
    auto libcrm_view = open_store(libcrm_target, libcrm_space);
    auto native_view = open_store(native_target, native_space);
    libcrm_view->prepare_for_reads();
    if (!server) native_view->prepare_for_reads();
    if (options.run_libcrm && options.run_native) {
      same_content = true;
      for (const char *table : {"crm_customer", "crm_interaction"}) {
        const auto expected = libcrm_view->content_digest(table);
        if (native_view->content_digest(table) != expected) same_content = false;
        if (with_variant &&
            open_store(native_target, variant_space)->content_digest(table) != expected)
          same_content = false;
      }
    }
    list_plan = native_view->list_plan(native_space.base + 1);
    storage = server ? libcrm_view->storage()
                     : "libcrm " + libcrm_view->storage() + ", native " + native_view->storage();
  }
  const double check_seconds = seconds_since(phase_start);
  waited_since();

  // ---- customer.get ---------------------------------------------------------------------------
  Recorder get_libcrm, get_native;
  std::size_t get_response_bytes = 0, mismatches = 0;
  Rng get_ids = dataset.stream(1);
  for (std::int64_t i = 0; i < options.warmup + options.lookups; ++i) {
    if (i == options.warmup) get_libcrm.clear(), get_native.clear(), get_response_bytes = 0;
    const std::int64_t id = get_ids.between(1, options.customers);
    const std::string request = get_request(id);
    const bool check = i % 10 == 0;
    auto libcrm_get = [&] {
      if (!session) return;
      auto response = get_libcrm.measure([&] { return session->call(request); });
      get_response_bytes += response.body.size();
      if ((check || !response.ok()) &&
          expect_ok(response, "customer.get")["name"] != dataset.customer(id).name)
        ++mismatches;
    };
    auto native_get = [&] {
      if (!native) return;
      const std::int64_t key = native_space.base + id;
      auto record = get_native.measure([&] { return native->get_customer(key); });
      if (!record || (check && record->name != dataset.customer(id).name)) ++mismatches;
    };
    in_order(i % 2 == 0, libcrm_get, native_get);
  }
  const double rss_get = peak_rss_mib();
  const double get_waited = waited_since();

  // ---- interaction.list -----------------------------------------------------------------------
  Recorder list_libcrm, list_native;
  std::size_t list_response_bytes = 0, listed_rows = 0;
  Rng list_ids = dataset.stream(2);
  for (std::int64_t i = 0; i < options.warmup + options.lists; ++i) {
    if (i == options.warmup)
      list_libcrm.clear(), list_native.clear(), list_response_bytes = listed_rows = 0;
    const std::int64_t customer_id = list_ids.between(1, options.customers);
    const std::string request = list_request(customer_id);
    std::optional<std::size_t> native_count;
    crm::host::Response response{CRM_OK, {}};
    auto libcrm_list = [&] {
      if (!session) return;
      response = list_libcrm.measure([&] { return session->call(request); });
      list_response_bytes += response.body.size();
    };
    auto native_list = [&] {
      if (!native) return;
      const std::int64_t key = native_space.base + customer_id;
      native_count =
          list_native.measure([&] { return native->list_interactions(key, kListLimit); }).size();
      listed_rows += *native_count;
    };
    in_order(i % 2 == 0, libcrm_list, native_list);
    if (session && (i % 10 == 0 || !response.ok())) {
      const auto items = expect_ok(response, "interaction.list")["items"].size();
      if (native_count && items != *native_count) ++mismatches;
    }
  }
  const double rss_list = peak_rss_mib();
  const double list_waited = waited_since();

  // ---- report ---------------------------------------------------------------------------------
  auto per_second = [](double count, const Recorder &recorder) -> std::optional<double> {
    if (recorder.empty()) return std::nullopt;
    return count * 1e6 / summarize(recorder.wall()).sum;
  };
  auto percentile = [](const Recorder &recorder, double Summary::*field) -> std::optional<double> {
    if (recorder.empty()) return std::nullopt;
    return summarize(recorder.wall()).*field;
  };
  const auto logged = static_cast<double>(options.interactions);
  const char *native_bulk = options.dialect == "postgresql" ? "libpq COPY FROM STDIN"
                            : options.dialect == "mariadb"
                                ? "Connector/C bulk arrays (STMT_ATTR_ARRAY_SIZE)"
                                : "sqlite3 prepared 500-row INSERTs";
  const char *driver = options.dialect == "postgresql" ? "psqlODBC"
                       : options.dialect == "mariadb"  ? "MariaDB Connector/ODBC"
                                                       : "sqliteodbc";

  std::printf("crm-bench: %s, %" PRId64 " customers, %" PRId64
              " interactions (avg subject %.0f B, "
              "body %.0f B), seed %" PRIu64 ", %s, crm %s\n",
              options.dialect.c_str(), options.customers, options.interactions,
              static_cast<double>(subject_bytes) / logged, static_cast<double>(body_bytes) / logged,
              options.seed, versions.c_str(), plugin->version().c_str());
  std::vector<Row> rows = {
      {"customer.create, calls/s (1 per call)",
       per_second(double(create_libcrm.wall().size()), create_libcrm),
       per_second(double(create_native.wall().size()), create_native), true, 0},
      {"interaction.log_batch, rows/s (" + std::to_string(options.batch) + " per call)",
       per_second(logged, batch_libcrm), per_second(logged, batch_native), true, 0},
  };
  if (variant)
    rows.push_back({"  native as prepared 500-row INSERTs, rows/s",
                    per_second(logged, batch_libcrm), per_second(logged, batch_variant), true, 0});
  for (Row row : std::vector<Row>{
           {"customer.get p50, µs", percentile(get_libcrm, &Summary::p50),
            percentile(get_native, &Summary::p50), false},
           {"customer.get p99, µs", percentile(get_libcrm, &Summary::p99),
            percentile(get_native, &Summary::p99), false},
           {"interaction.list (limit 50) p50, µs", percentile(list_libcrm, &Summary::p50),
            percentile(list_native, &Summary::p50), false},
           {"interaction.list (limit 50) p99, µs", percentile(list_libcrm, &Summary::p99),
            percentile(list_native, &Summary::p99), false}})
    rows.push_back(row);
  print_table(rows);
  std::printf("%-46s %14.0f  (one process: host + libcrm + %s + native side)\n", "peak RSS, MiB",
              rss_list, driver);
  std::printf("native log_batch: %s\n", native_bulk);

  std::printf("\ndetails (wall-clock times)\n");
  std::printf("  customers: %" PRId64 " created through calls on each side, %" PRId64
              " bulk-filled; phase %.1f s\n",
              created, options.customers - created, customers_seconds);
  print_latency("customer.create libcrm", create_libcrm);
  print_latency("customer.create native", create_native);
  std::printf("  interactions: %" PRId64 " batches of %" PRId64 "; phase %.1f s\n", batches,
              options.batch, interactions_seconds);
  print_batches("log_batch libcrm (crm_call)", batch_libcrm, options.batch, logged);
  print_batches("log_batch native", batch_native, options.batch, logged);
  print_batches("log_batch native 500-row INSERT", batch_variant, options.batch, logged);
  print_pair_ratios("log_batch time libcrm/native", batch_libcrm, batch_native);
  print_pair_ratios("log_batch libcrm/500-row INSERT", batch_libcrm, batch_variant);
  if (!json_build.empty()) {
    const auto build = summarize(json_build.wall());
    std::printf(
        "  %-30s median %.1f ms per batch (%.2f µs/row), %.0f B/row; "
        "with it, libcrm logs %s rows/s\n",
        "host builds request JSON", build.p50 / 1e3, build.p50 / double(options.batch),
        double(request_bytes) / logged,
        number(logged * 1e6 / (build.sum + summarize(batch_libcrm.wall()).sum), 0).c_str());
  }
  print_latency("customer.get libcrm", get_libcrm);
  print_latency("customer.get native", get_native);
  print_pair_ratios("customer.get libcrm/native", get_libcrm, get_native);
  if (!get_libcrm.empty())
    std::printf("  %-30s %.0f B\n", "customer.get response, avg",
                double(get_response_bytes) / double(get_libcrm.wall().size()));
  print_latency("interaction.list libcrm", list_libcrm);
  print_latency("interaction.list native", list_native);
  print_pair_ratios("interaction.list libcrm/native", list_libcrm, list_native);
  if (!list_native.empty())
    std::printf("  %-30s %.1f\n", "interaction.list rows, avg",
                double(listed_rows) / double(list_native.wall().size()));
  if (!list_libcrm.empty())
    std::printf("  %-30s %.0f B\n", "interaction.list response, avg",
                double(list_response_bytes) / double(list_libcrm.wall().size()));
  std::printf("  %-30s %s\n", "list query plan (native side)", list_plan.c_str());
  std::printf("  %-30s setup %.0f, customers %.0f, interactions %.0f, get %.0f, list %.0f MiB\n",
              "peak RSS after each phase", rss_setup, rss_customers, rss_interactions, rss_get,
              rss_list);
  std::printf("  %-30s %s\n", "data", storage.c_str());
  std::printf("  %-30s %.1f s\n", server ? "analyze + digests (not timed)" : "checkpoint + digests",
              check_seconds);
  if (same_content)
    std::printf("  %-30s %s\n", "stored rows identical (digest)", *same_content ? "yes" : "NO");
  std::printf("  %-30s %zu\n", "result mismatches (sampled)", mismatches);
  std::printf("  %-30s %s at start, %s at end; run %.0f s\n", "load average (1/5/15 min)",
              load_at_start.c_str(), load_average().c_str(), seconds_since(run_start));
  std::printf("  %-30s customers %.1f s, interactions %.1f s, get %.2f s, list %.2f s\n",
              "waited for a CPU (run queue)", customers_waited, interactions_waited, get_waited,
              list_waited);

  session.reset();
  client.reset();
  native.reset();
  variant.reset();
  if (!options.keep) {
    if (server) {
      admin->drop_crm_tables();
    } else {
      remove_database(libcrm_file);
      remove_database(native_file);
      std::error_code ignored;
      fs::remove(dir, ignored);  // only if empty: never delete what the caller put there
    }
  }
  return (same_content && !*same_content) || mismatches ? 1 : 0;
}

}  // namespace

int main(int argc, char **argv) {
  try {
    const Options options = parse_options(argc, argv);
    if (options.scenario == "permissions") return run_permissions(options);
    if (options.scenario == "transfer") return run_transfer(options);
    return run(options);
  } catch (const std::exception &error) {
    std::cerr << "\ncrm-bench: " << error.what() << "\n";
    return 1;
  }
}
