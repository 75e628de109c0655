#include "bench_support.hpp"

#include <cstdio>
#include <stdexcept>

namespace fs = std::filesystem;

namespace bench {

void remove_database(const fs::path &file) {
  for (const char *suffix : {"", "-wal", "-shm", "-journal"})
    fs::remove(fs::path(file.string() + suffix));
}

std::string client_config(const Target &target, const std::string &log_level) {
  json database = {{"dialect", target.dialect}};
  if (target.dialect == "sqlite")
    database["path"] = target.path;
  else
    database["connection_string"] = target.connection_string;
  // The benchmark's user is the installation's administrator: sees every customer, may do all.
  return json({{"database", database},
               {"log", {{"sink", "stderr"}, {"level", log_level}}},
               {"organisation", {{"bootstrap_admins", {kUser}}}}})
      .dump();
}

json expect_ok(const crm::host::Response &response, const char *method) {
  json body = json::parse(response.body);
  if (!response.ok())
    throw std::runtime_error(std::string(method) + " failed: " + body["error"].dump());
  return body["result"];
}

std::string get_request(std::int64_t id) {
  return R"({"method":"customer.get","params":{"id":")" + std::to_string(id) + "\"}}";
}

void rotated(std::int64_t round, const std::vector<std::function<void()>> &sides) {
  const auto n = static_cast<std::int64_t>(sides.size());
  for (std::int64_t i = 0; i < n; ++i) sides[static_cast<std::size_t>((round + i) % n)]();
}

std::string number(std::optional<double> value, int decimals) {
  if (!value) return "-";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, *value);
  // Thousands separators keep rates of 100,000+ readable. (Built by appending: GCC 12 reports a
  // false -Wrestrict on std::string::insert here.)
  const std::string plain = buffer;
  auto digits_end = plain.find('.');
  if (digits_end == std::string::npos) digits_end = plain.size();
  std::string text;
  for (std::size_t i = 0; i < plain.size(); ++i) {
    if (i > 0 && i < digits_end && (digits_end - i) % 3 == 0 && plain[i - 1] != '-') text += ',';
    text += plain[i];
  }
  return text;
}

// Left-aligned in `width` columns; printf pads by bytes, which misaligns "µs".
std::string padded(const std::string &text, std::size_t width) {
  std::size_t columns = 0;
  for (unsigned char c : text) columns += (c & 0xc0) != 0x80;  // count UTF-8 lead bytes only
  return text + std::string(width > columns ? width - columns : 0, ' ');
}

void print_table(const std::vector<Row> &rows, const Columns &columns) {
  std::printf("\n%-46s %14s %14s %8s  %s\n", "operation", columns.first, columns.second, "ratio",
              "ratio is");
  std::printf("%s\n", std::string(112, '-').c_str());
  for (const auto &row : rows) {
    std::string ratio = "-";
    if (row.libcrm && row.native && *row.libcrm > 0 && *row.native > 0)
      ratio = number(row.throughput ? *row.native / *row.libcrm : *row.libcrm / *row.native, 2);
    std::printf("%s %14s %14s %8s  %s\n", padded(row.operation, 46).c_str(),
                number(row.libcrm, row.decimals).c_str(), number(row.native, row.decimals).c_str(),
                ratio.c_str(), row.throughput ? "native/libcrm (slowdown)" : columns.ratio);
  }
}

void print_latency(const char *what, const Recorder &recorder) {
  if (recorder.empty()) return;
  const auto wall = summarize(recorder.wall());
  std::printf("  %-30s p50 %7.1f  p90 %7.1f  p99 %8.1f  max %8.1f  mean %7.1f µs (n=%zu)\n", what,
              wall.p50, wall.p90, wall.p99, wall.max, wall.mean, wall.count);
}

void print_batches(const char *what, const Recorder &recorder, std::int64_t batch_size,
                   double rows) {
  if (recorder.empty()) return;
  const auto wall = summarize(recorder.wall()), cpu = summarize(recorder.cpu());
  std::printf("  %-30s median batch %6.1f ms (%s rows/s), total %s rows/s; CPU %.0f%% of wall\n",
              what, wall.p50 / 1e3, number(double(batch_size) * 1e6 / wall.p50, 0).c_str(),
              number(rows * 1e6 / wall.sum, 0).c_str(), 100.0 * cpu.sum / wall.sum);
}

void print_pair_ratios(const char *what, const Recorder &a, const Recorder &b) {
  if (a.empty() || b.empty()) return;
  std::vector<double> ratios;
  for (std::size_t i = 0; i < a.wall().size() && i < b.wall().size(); ++i)
    ratios.push_back(a.wall()[i] / b.wall()[i]);
  auto summary = summarize(std::move(ratios));
  std::printf("  %-30s median %.2f (min %.2f, p90 %.2f, max %.2f) over %zu pairs\n", what,
              summary.p50, summary.min, summary.p90, summary.max, summary.count);
}

std::string load_average() {
  std::FILE *file = std::fopen("/proc/loadavg", "r");
  if (!file) return "?";
  char line[128] = {};
  const bool read = std::fgets(line, sizeof line, file) != nullptr;
  std::fclose(file);
  std::string text = read ? line : "?";
  // The first three fields: 1, 5 and 15 minute averages.
  std::size_t end = 0;
  for (int field = 0; field < 3 && end != std::string::npos; ++field)
    end = text.find(' ', end + (field ? 1 : 0));
  return text.substr(0, end);
}
ScenarioDatabase::ScenarioDatabase(const Options &options)
    : server_(options.dialect != "sqlite"),
      dir_(options.dir),
      target_{options.dialect, "", options.connection} {
  if (!server_) {
    fs::create_directories(dir_);
    file_ = dir_ / "libcrm.db";
    remove_database(file_);
    target_.path = file_.string();
    return;
  }
  admin_ = open_store(target_, IdSpace{0, ""});
  if (admin_->holds_crm_data() && !options.drop_existing)
    throw std::runtime_error(
        "the database already holds CRM data; crm-bench drops every crm_* table there "
        "before it starts: pass --drop-existing if that is what you want");
  admin_->drop_crm_tables();
}

void ScenarioDatabase::close(bool keep) {
  if (keep) return;
  if (server_) {
    admin_->drop_crm_tables();
    return;
  }
  remove_database(file_);
  std::error_code ignored;
  fs::remove(dir_, ignored);  // only if empty: never delete what the caller put there
}

}  // namespace bench
