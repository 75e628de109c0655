// crm-bench --scenario transfer: ownership.transfer of a departing salesperson's customers, with
// one open opportunity and one open task each (and a closed one of each for every fourth
// customer, which must stay), against the same work written by hand, while two other sessions
// keep writing:
//   - a bystander, a salesperson updating their own customers (never part of the transfer):
//     on PostgreSQL and MariaDB row locks should leave them alone; SQLite has one writer at a
//     time, so they wait for the whole transfer;
//   - an administrator updating customers that are being moved: their row is locked until the
//     transfer commits, so they wait for it on every database (the transfer is one
//     transaction by design: all or nothing).
// Each round moves leaver -> heir through libcrm, back natively (the three UPDATEs alone),
// leaver -> heir through libcrm again, and back natively with the same audit statements libcrm
// sends, so every run starts from the same rows.
#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench_support.hpp"
#include "dataset.hpp"

namespace bench {

namespace {

const std::string kLeaver = "bench.leaver";
const std::string kHeir = "bench.heir";
const std::string kBystander = "bench.bystander";
constexpr auto kQuietBefore = std::chrono::milliseconds(300);  // writers alone, before and after

struct Layout {
  std::int64_t moved = 0;      // customers 1 .. moved belong to the leaver
  std::int64_t bystander = 0;  // customers moved + 1 .. moved + bystander to the bystander
  std::int64_t closed_base() const { return moved + bystander; }  // ids of the closed records
};

// One write of a writer session: when it started and ended.
struct Write {
  Clock::time_point start, end;
  bool ok = true;
};

// A session that updates random customers of a range (customer.get for the version, then the
// timed customer.update) until told to stop.
class Writer {
 public:
  Writer(crm::host::Session session, std::int64_t first, std::int64_t last, std::uint64_t seed)
      : session_(std::move(session)), first_(first), last_(last), rng_(seed) {}

  void start() {
    stop_ = false;
    thread_ = std::thread([this] { loop(); });
  }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  // Writes that were under way at some time within [from, to].
  std::vector<double> waits_within(Clock::time_point from, Clock::time_point to,
                                   std::size_t *failed = nullptr) const {
    std::vector<double> out;
    for (const auto &write : writes_)
      if (write.start <= to && write.end >= from) {
        out.push_back(std::chrono::duration<double, std::micro>(write.end - write.start).count());
        if (failed && !write.ok) ++*failed;
      }
    return out;
  }
  void clear() { writes_.clear(); }

 private:
  void loop() {
    std::int64_t counter = 0;
    while (!stop_) {
      const std::int64_t id = rng_.between(first_, last_);
      const auto current = session_.call(get_request(id));
      if (!current.ok()) {
        writes_.push_back({Clock::now(), Clock::now(), false});
        continue;
      }
      const auto version = json::parse(current.body)["result"]["version"];
      const std::string update =
          json({{"method", "customer.update"},
                {"params",
                 {{"id", std::to_string(id)},
                  {"version", version},
                  {"phone", "010-" + std::to_string(10'000'000 + ++counter % 9'000'000)}}}})
              .dump();
      Write write;
      write.start = Clock::now();
      const auto response = session_.call(update);
      write.end = Clock::now();
      // A conflict is expected when the transfer moved the customer between the get and the
      // update; anything else the report counts as a failure.
      write.ok = response.ok() || response.body.find("\"conflict\"") != std::string::npos;
      writes_.push_back(write);
    }
  }

  crm::host::Session session_;
  std::int64_t first_, last_;
  Rng rng_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::vector<Write> writes_;
};

std::string quoted(const std::string &text) {
  return "'" + text + "'";
}

// The time as libcrm stores it; every database reads this literal into its timestamp column.
std::string now_literal() {
  return quoted(iso_time(now_micros(), 0).substr(0, 19) + ".000000");
}

// The transfer written by hand: the three UPDATEs, open opportunities and tasks of the moved
// customers first (they are found through the customer's owner before it changes).
std::vector<std::string> native_updates(const std::string &from, const std::string &to) {
  const std::string at = now_literal(), by = quoted(kUser);
  const std::string moved =
      "customer_id IN (SELECT id FROM crm_customer WHERE owner = " + quoted(from) + ")";
  return {"UPDATE crm_opportunity SET owner = " + quoted(to) + ", updated_at = " + at +
              ", updated_by = " + by +
              ", version = version + 1 WHERE status = 'open' AND owner = " + quoted(from) +
              " AND " + moved,
          "UPDATE crm_task SET owner = " + quoted(to) +
              " WHERE status = 'open' AND owner = " + quoted(from) + " AND " + moved,
          "UPDATE crm_customer SET owner = " + quoted(to) + ", updated_at = " + at +
              ", updated_by = " + by + ", version = version + 1 WHERE owner = " + quoted(from)};
}

// The statements libcrm sends for a transfer (ownership.cpp, records::*::transfer_owner), with
// the values written in: the batch, the moves selected into the audit (the customers locked),
// the customers updated by the same condition, opportunities and tasks by joining their moves,
// the batch's counts.
std::vector<std::string> native_audited(const std::string &dialect, std::int64_t batch,
                                        const std::string &from, const std::string &to,
                                        std::int64_t moved) {
  const std::string lock = dialect == "sqlite" ? "" : " FOR UPDATE";
  const std::string id = std::to_string(batch), at = now_literal(), by = quoted(kUser);
  const std::string insert =
      "INSERT INTO crm_ownership_move (batch_id, kind, record_id, owner_before, owner_after) ";
  const std::string customers =
      "SELECT m.record_id FROM crm_ownership_move m WHERE m.batch_id = " + id +
      " AND m.kind = 'customer'";
  auto moves_of = [&](const char *kind) {
    return "SELECT m.record_id FROM crm_ownership_move m WHERE m.batch_id = " + id +
           " AND m.kind = '" + kind + "'";
  };
  const std::string count = std::to_string(moved);
  return {
      "INSERT INTO crm_ownership_batch (id, from_owner, to_owner, reason, filter, customers, "
      "opportunities, tasks, created_at, created_by) VALUES (" +
          id + ", " + quoted(from) + ", " + quoted(to) + ", 'bench', '{}', 0, 0, 0, " + at + ", " +
          by + ")",
      insert +
          "SELECT b.id, 'customer', c.id, c.owner, b.to_owner FROM crm_ownership_batch b, "
          "crm_customer c WHERE b.id = " +
          id + " AND c.owner = " + quoted(from) + lock,
      insert +
          "SELECT b.id, 'opportunity', o.id, o.owner, b.to_owner FROM crm_ownership_batch "
          "b, crm_opportunity o WHERE b.id = " +
          id + " AND o.status = 'open' AND o.owner = b.from_owner AND o.customer_id IN (" +
          customers + ")",
      insert +
          "SELECT b.id, 'task', t.id, t.owner, b.to_owner FROM crm_ownership_batch b, "
          "crm_task t WHERE b.id = " +
          id + " AND t.status = 'open' AND t.owner = b.from_owner AND t.customer_id IN (" +
          customers + ")",
      "UPDATE crm_customer SET owner = " + quoted(to) + ", updated_at = " + at +
          ", updated_by = " + by + ", version = version + 1 WHERE owner = " + quoted(from),
      "UPDATE crm_opportunity SET owner = " + quoted(to) + ", updated_at = " + at +
          ", updated_by = " + by + ", version = version + 1 WHERE id IN (" +
          moves_of("opportunity") + ")",
      "UPDATE crm_task SET owner = " + quoted(to) + " WHERE id IN (" + moves_of("task") + ")",
      "UPDATE crm_ownership_batch SET customers = " + count + ", opportunities = " + count +
          ", tasks = " + count + " WHERE id = " + id};
}

// The leaver's and the bystander's customers, an open opportunity and task for each moved
// customer, and a won opportunity and a done task for every fourth (those must not move).
std::vector<std::string> population(const Layout &layout) {
  const std::string moved = std::to_string(layout.moved),
                    closed = std::to_string(layout.closed_base());
  const std::string opportunity =
      "INSERT INTO crm_opportunity (id, customer_id, name, stage, owner, created_at, created_by, "
      "updated_at, updated_by, version, status, stage_entered_at, closed_at) SELECT ";
  const std::string task =
      "INSERT INTO crm_task (id, customer_id, kind, title, owner, due_at, status, created_at, "
      "created_by, completed_at, completed_by, version) SELECT ";
  const std::string next = std::to_string(layout.closed_base() + layout.moved + 1);
  return {
      "UPDATE crm_customer SET owner = " + quoted(kLeaver) + " WHERE id <= " + moved,
      "UPDATE crm_customer SET owner = " + quoted(kBystander) + " WHERE id > " + moved,
      opportunity +
          "id, id, '续约 Renewal', 'qualification', owner, created_at, created_by, "
          "updated_at, updated_by, 1, 'open', updated_at, NULL FROM crm_customer WHERE "
          "id <= " +
          moved,
      opportunity + "id + " + closed +
          ", id, '首单 First order', 'closing', owner, created_at, created_by, updated_at, "
          "updated_by, 1, 'won', updated_at, updated_at FROM crm_customer WHERE id <= " +
          moved + " AND id % 4 = 0",
      task +
          "id, id, 'manual', '回访 Follow-up call', owner, updated_at, 'open', created_at, "
          "created_by, NULL, NULL, 1 FROM crm_customer WHERE id <= " +
          moved,
      task + "id + " + closed +
          ", id, 'manual', '寄样 Samples sent', owner, updated_at, 'done', created_at, "
          "created_by, updated_at, created_by, 1 FROM crm_customer WHERE id <= " +
          moved + " AND id % 4 = 0",
      "UPDATE crm_id_sequence SET next_id = " + next + " WHERE name IN ('opportunity', 'task')"};
}

// A transfer's statements as one transaction, planned the way libcrm plans them: on PostgreSQL a
// transfer of many customers runs its joins with nested loops off (Dialect::join_large_sets),
// because the statistics may know nothing of the owners involved; so do the native ones, or
// they compare plans, not statements (at 10,000 the natively planned UPDATEs took 18 s).
std::vector<std::string> as_large_transfer(const std::string &dialect, std::int64_t moved,
                                           std::vector<std::string> statements) {
  if (dialect == "postgresql" && moved >= 1000)  // libcrm's kLargeTransfer
    statements.insert(statements.begin(), "SET LOCAL enable_nestloop = off");
  return statements;
}

std::string analyze(const std::string &dialect) {
  if (dialect == "postgresql") return "ANALYZE crm_customer, crm_opportunity, crm_task";
  if (dialect == "mariadb") return "ANALYZE TABLE crm_customer, crm_opportunity, crm_task";
  return "ANALYZE";
}

std::string transfer_request(const std::string &from, const std::string &to, bool preview) {
  return json({{"method", "ownership.transfer"},
               {"params",
                {{"from", from}, {"to", to}, {"preview", preview}, {"reason", "离职 left"}}}})
      .dump();
}

// What the writers saw while one transfer ran.
struct Window {
  std::vector<double> bystander, moved;
  std::size_t failed = 0;
};

struct Measured {
  Recorder time;
  Window writes;
};

}  // namespace

int run_transfer(const Options &options) {
  ScenarioDatabase database(options);
  const Target &target = database.target();
  const std::string load_at_start = load_average();
  const auto run_start = Clock::now();
  Layout layout;
  layout.moved = options.customers;
  layout.bystander = std::max<std::int64_t>(100, options.customers / 10);
  const Dataset dataset(options.seed, layout.moved + layout.bystander);
  auto plugin = crm::host::Plugin::load(options.library);
  const IdSpace space{0, ""};
  std::optional<crm::host::Client> client;
  client.emplace(plugin, client_config(target, options.log_level));
  auto native = open_store(target, space);
  const std::string versions = native->versions();
  std::fprintf(stderr, "crm-bench: %s (crm %s), %s, %s, scenario transfer\n",
               options.library.c_str(), plugin->version().c_str(), options.dialect.c_str(),
               versions.c_str());

  // ---- organisation and records (not timed) ----------------------------------------------------
  auto phase_start = Clock::now();
  std::optional<crm::host::Session> admin;
  admin.emplace(client->open_session(kUser));
  for (const auto &key : {kLeaver, kHeir, kBystander})
    expect_ok(
        admin->call(
            json({{"method", "user.create"},
                  {"params", {{"user_key", key}, {"name", "Bench " + key}, {"roles", {"sales"}}}}})
                .dump()),
        "user.create");
  native->fill_customers(dataset, 1, layout.moved + layout.bystander, kUser);
  native->execute_in_transaction(population(layout));
  if (database.server()) native->prepare_for_reads();
  native->execute_in_transaction({analyze(options.dialect)});
  const double fill_seconds = seconds_since(phase_start);

  std::optional<Writer> bystander_writer, mover_writer;
  bystander_writer.emplace(client->open_session(kBystander), layout.moved + 1,
                           layout.moved + layout.bystander, options.seed + 1);
  mover_writer.emplace(client->open_session(kUser), 1, layout.moved, options.seed + 2);
  Writer &bystander = *bystander_writer, &mover = *mover_writer;
  std::size_t mismatches = 0;

  // Runs work with both writers going, from kQuietBefore before it to kQuietBefore after it.
  auto with_writers = [&](Measured &measured, auto &&work) {
    bystander.clear();
    mover.clear();
    bystander.start();
    mover.start();
    std::this_thread::sleep_for(kQuietBefore);
    const auto from = Clock::now();
    measured.time.measure(work);
    const auto to = Clock::now();
    std::this_thread::sleep_for(kQuietBefore);
    bystander.stop();
    mover.stop();
    auto add = [](std::vector<double> &into, const std::vector<double> &more) {
      into.insert(into.end(), more.begin(), more.end());
    };
    add(measured.writes.bystander, bystander.waits_within(from, to, &measured.writes.failed));
    add(measured.writes.moved, mover.waits_within(from, to, &measured.writes.failed));
  };

  // Writers alone: what a write costs when nothing else runs.
  Measured quiet;
  {
    bystander.start();
    mover.start();
    const auto from = Clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(2));
    const auto to = Clock::now();
    bystander.stop();
    mover.stop();
    quiet.writes.bystander = bystander.waits_within(from, to, &quiet.writes.failed);
    quiet.writes.moved = mover.waits_within(from, to, &quiet.writes.failed);
  }

  Measured libcrm_side, native_updates_side, native_audited_side;
  Recorder preview;
  const std::int64_t rounds = options.rounds;
  std::int64_t native_batch = 1'000'000'000;  // far above libcrm's batch ids
  auto libcrm_transfer = [&] {
    const auto counts = expect_ok(
        preview.measure([&] { return admin->call(transfer_request(kLeaver, kHeir, true)); }),
        "ownership.transfer preview")["counts"];
    crm::host::Response response{CRM_OK, {}};
    with_writers(libcrm_side,
                 [&] { response = admin->call(transfer_request(kLeaver, kHeir, false)); });
    const auto moved = expect_ok(response, "ownership.transfer")["batch"]["counts"];
    for (const char *kind : {"customers", "opportunities", "tasks"})
      if (moved[kind] != layout.moved || counts[kind] != layout.moved) {
        std::fprintf(stderr, "  mismatch: libcrm %s moved %s, preview %s, expected %" PRId64 "\n",
                     kind, moved[kind].dump().c_str(), counts[kind].dump().c_str(),
                     static_cast<std::int64_t>(layout.moved));
        ++mismatches;
      }
  };
  // Statements before the transfer's own (the planner setting) count nothing.
  const std::size_t planner_statements =
      as_large_transfer(options.dialect, layout.moved, {}).size();
  auto check_native = [&](const std::vector<std::int64_t> &changed, std::size_t first) {
    for (std::size_t i = planner_statements + first; i < planner_statements + first + 3; ++i)
      if (changed.at(i) != layout.moved) {
        std::fprintf(stderr,
                     "  mismatch: native statement %zu changed %" PRId64 " rows, expected %" PRId64
                     "\n",
                     i + 1, static_cast<std::int64_t>(changed.at(i)),
                     static_cast<std::int64_t>(layout.moved));
        ++mismatches;
      }
  };
  for (std::int64_t round = 0; round < rounds; ++round) {
    std::fprintf(stderr, "  round %" PRId64 "/%" PRId64 "\n", round + 1, rounds);
    libcrm_transfer();
    std::vector<std::int64_t> changed;
    with_writers(native_updates_side, [&] {
      changed = native->execute_in_transaction(
          as_large_transfer(options.dialect, layout.moved, native_updates(kHeir, kLeaver)));
    });
    check_native(changed, 0);
    libcrm_transfer();
    with_writers(native_audited_side, [&] {
      changed = native->execute_in_transaction(as_large_transfer(
          options.dialect, layout.moved,
          native_audited(options.dialect, native_batch++, kHeir, kLeaver, layout.moved)));
    });
    check_native(changed, 1);  // the three moves selected into the audit
  }

  // ---- report ----------------------------------------------------------------------------------
  auto ms = [](const Recorder &recorder, double Summary::*field) -> std::optional<double> {
    if (recorder.empty()) return std::nullopt;
    return summarize(recorder.wall()).*field / 1e3;
  };
  std::printf("crm-bench --scenario transfer: %s, %" PRId64 " customers moved with %" PRId64
              " open opportunities and %" PRId64 " open tasks (%" PRId64
              " closed ones stay), %" PRId64 " bystander customers, seed %" PRIu64 ", %s, crm %s\n",
              options.dialect.c_str(), layout.moved, layout.moved, layout.moved, layout.moved / 4,
              layout.bystander, options.seed, versions.c_str(), plugin->version().c_str());
  std::vector<Row> rows = {
      {"ownership.transfer median, ms / native UPDATEs", ms(libcrm_side.time, &Summary::p50),
       ms(native_updates_side.time, &Summary::p50), false},
      {"ownership.transfer median, ms / native + audit", ms(libcrm_side.time, &Summary::p50),
       ms(native_audited_side.time, &Summary::p50), false},
      {"ownership.transfer max, ms / native UPDATEs", ms(libcrm_side.time, &Summary::max),
       ms(native_updates_side.time, &Summary::max), false},
      {"preview median, ms / native UPDATEs", ms(preview, &Summary::p50),
       ms(native_updates_side.time, &Summary::p50), false},
  };
  print_table(rows);

  std::printf("\nother sessions' writes (customer.update) under way during a transfer, ms\n");
  std::printf("  %-34s %8s %8s %8s %8s\n", "", "writes", "p50", "p99", "max");
  auto line = [](const char *what, const std::vector<double> &waits) {
    if (waits.empty()) return std::printf("  %-34s %8s\n", what, "0"), void();
    const auto s = summarize(waits);
    std::printf("  %-34s %8zu %8.2f %8.2f %8.2f\n", what, s.count, s.p50 / 1e3, s.p99 / 1e3,
                s.max / 1e3);
  };
  line("bystander, no transfer", quiet.writes.bystander);
  line("bystander, libcrm transfer", libcrm_side.writes.bystander);
  line("bystander, native UPDATEs", native_updates_side.writes.bystander);
  line("bystander, native + audit", native_audited_side.writes.bystander);
  line("moved customer, no transfer", quiet.writes.moved);
  line("moved customer, libcrm transfer", libcrm_side.writes.moved);
  line("moved customer, native UPDATEs", native_updates_side.writes.moved);
  line("moved customer, native + audit", native_audited_side.writes.moved);

  std::printf("\ndetails (wall-clock times)\n");
  std::printf("  %-30s 3 users, %" PRId64 " customers, %" PRId64
              " opportunities and tasks bulk-filled (not timed): %.1f s\n",
              "organisation and records", layout.moved + layout.bystander,
              (layout.moved + layout.moved / 4) * 2, fill_seconds);
  print_latency("transfer libcrm", libcrm_side.time);
  print_latency("transfer native UPDATEs", native_updates_side.time);
  print_latency("transfer native + audit", native_audited_side.time);
  print_latency("preview libcrm", preview);
  std::printf("  %-30s %zu (failed writes: %zu)\n", "count mismatches", mismatches,
              quiet.writes.failed + libcrm_side.writes.failed + native_updates_side.writes.failed +
                  native_audited_side.writes.failed);
  std::printf("  %-30s %s\n", "data", native->storage().c_str());
  std::printf("  %-30s %.0f MiB\n", "peak RSS", peak_rss_mib());
  std::printf("  %-30s %s at start, %s at end; run %.0f s\n", "load average (1/5/15 min)",
              load_at_start.c_str(), load_average().c_str(), seconds_since(run_start));

  bystander_writer.reset();
  mover_writer.reset();
  admin.reset();
  client.reset();
  native.reset();
  database.close(options.keep);
  return mismatches ? 1 : 0;
}

}  // namespace bench
