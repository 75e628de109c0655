// What the scenarios of crm-bench share: the options, the client configuration, request and
// response helpers, and the report's tables.
#pragma once

#include <crm/host.hpp>

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "native_store.hpp"
#include "stats.hpp"

namespace bench {

using nlohmann::json;

constexpr int kListLimit = 50;
// The installation's bootstrap administrator: sees every customer, may do all.
inline const std::string kUser = "bench.user";

struct Options {
  std::string dialect = "sqlite";
  std::string connection;  // postgresql, mariadb: libcrm's ODBC connection string
  std::int64_t customers = 100'000;
  std::int64_t interactions = 1'000'000;
  std::int64_t batch = 5'000;
  std::int64_t lookups = 10'000;
  std::int64_t lists = 10'000;
  std::int64_t warmup = 500;
  std::optional<std::int64_t> create_sample;  // customers created through calls; rest bulk-filled
  std::uint64_t seed = 42;
  std::string dir;
  std::string library = CRM_DEFAULT_LIBRARY;
  std::string log_level = "warn";
  bool run_libcrm = true;
  bool run_native = true;
  bool insert_variant = true;  // servers: a second native side with multi-row INSERTs
  bool drop_existing = false;
  bool keep = false;
  std::string scenario = "default";  // or "permissions", "transfer"
  std::int64_t views = 2'000;        // permissions: timed customer.view calls per side
  std::int64_t rounds = 2;           // transfer: rounds of two libcrm and two native transfers
};

void remove_database(const std::filesystem::path &file);
std::string client_config(const Target &target, const std::string &log_level);
json expect_ok(const crm::host::Response &response, const char *method);
std::string get_request(std::int64_t id);

// About ten lines per phase on stderr, so that a full-size run shows it is alive.
class Progress {
 public:
  Progress(const char *what, std::int64_t total) : what_(what), total_(total) {}
  void update(std::int64_t done) {
    if (done < next_ && done != total_) return;
    std::fprintf(stderr, "  %s: %" PRId64 "/%" PRId64 "\n", what_, done, total_);
    next_ = done + std::max<std::int64_t>(1, total_ / 10);
  }

 private:
  const char *what_;
  std::int64_t total_, next_ = 0;
};

// Runs a and b in the given order: the caller alternates `a_first` so that neither side always
// runs on caches the other just warmed or evicted.
template <class A, class B>
void in_order(bool a_first, A &&a, B &&b) {
  if (a_first) {
    a();
    b();
  } else {
    b();
    a();
  }
}

// Runs every side once, starting with side `round % n` (each side takes each place in turn).
void rotated(std::int64_t round, const std::vector<std::function<void()>> &sides);

// One row of the final table.
struct Row {
  std::string operation;
  std::optional<double> libcrm, native;
  bool throughput;  // ratio = native / libcrm (slowdown); otherwise libcrm / native
  int decimals = 1;
};

// The two columns of a table and what the latency ratio (first / second) is called.
struct Columns {
  const char *first = "libcrm", *second = "native", *ratio = "libcrm/native";
};

std::string number(std::optional<double> value, int decimals);
void print_table(const std::vector<Row> &rows, const Columns &columns = {});
void print_latency(const char *what, const Recorder &recorder);
void print_batches(const char *what, const Recorder &recorder, std::int64_t batch_size,
                   double rows);
// Median and range of per-pair ratios: the figure least affected by drift during the run.
void print_pair_ratios(const char *what, const Recorder &a, const Recorder &b);
// The 1, 5 and 15 minute load averages.
std::string load_average();

// Where a scenario's data lives: a fresh SQLite file in --dir, or the server named by
// --connection, whose crm_* tables are dropped first (refused if they hold data, unless
// --drop-existing). close() removes it again unless --keep.
class ScenarioDatabase {
 public:
  explicit ScenarioDatabase(const Options &options);
  const Target &target() const { return target_; }
  bool server() const { return server_; }
  void close(bool keep);

 private:
  bool server_;
  std::filesystem::path dir_, file_;
  Target target_;
  std::unique_ptr<NativeStore> admin_;
};

// The scenarios besides the default one (crm_bench.cpp).
int run_permissions(const Options &options);
int run_transfer(const Options &options);

}  // namespace bench
