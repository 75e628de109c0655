// Several host processes over one database at once: ids never collide, batches are whole,
// and concurrent optimistic updates of one customer never lose a write.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "erp.hpp"
#include "fixture.hpp"

extern char **environ;

namespace crm::test {
namespace {

class ProcessesTest : public ApiTest {};

struct Worker {
  pid_t pid = 0;
  std::string output_path;
};

// One file per suite run and worker: the suites of the three databases run at the same time.
std::string report_path(const std::string &kind, int worker) {
  return ::testing::TempDir() + "crm-" + kind + "-" + std::to_string(getpid()) + "-" +
         std::to_string(worker) + ".json";
}

// The workers' environment: ours, with LeakSanitizer told not to scan thread-local storage. In
// the sanitizer build, a worker that has unloaded the plugin and the MariaDB driver at exit
// leaves a stale dynamic-TLS entry that GCC 12's LeakSanitizer reads and crashes on ("Tracer
// caught signal 11", every worker, every run). Without TLS as roots the leak check still runs
// and can only report more, never less.
std::vector<std::string> worker_environment() {
  std::vector<std::string> variables;
  bool lsan = false;
  for (char **entry = environ; *entry; ++entry) {
    std::string variable = *entry;
    if (variable.rfind("LSAN_OPTIONS=", 0) == 0) {
      variable += ":use_tls=0";
      lsan = true;
    }
    variables.push_back(std::move(variable));
  }
  if (!lsan) variables.push_back("LSAN_OPTIONS=use_tls=0");
  return variables;
}

Worker spawn_worker(const std::vector<std::string> &args, const std::string &output_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  std::vector<char *> argv;
  for (const auto &arg : args) argv.push_back(const_cast<char *>(arg.c_str()));
  argv.push_back(nullptr);
  const auto variables = worker_environment();
  std::vector<char *> envp;
  for (const auto &variable : variables) envp.push_back(const_cast<char *>(variable.c_str()));
  envp.push_back(nullptr);
  Worker worker;
  worker.output_path = output_path;
  if (posix_spawn(&worker.pid, argv[0], &actions, nullptr, argv.data(), envp.data()) != 0)
    worker.pid = 0;
  posix_spawn_file_actions_destroy(&actions);
  return worker;
}

TEST_F(ProcessesTest, ConcurrentHostsNeverCollideOrLoseWrites) {
  constexpr int kWorkers = 3, kRounds = 15;
  json shared = customer("Shared customer");
  std::vector<Worker> workers;
  for (int w = 0; w < kWorkers; ++w) user("worker" + std::to_string(w));
  for (int w = 0; w < kWorkers; ++w)
    workers.push_back(
        spawn_worker({CRM_TEST_WORKER, library_path(), database_.client_config_json(), shared["id"],
                      std::to_string(kRounds), "worker" + std::to_string(w)},
                     report_path("worker", w)));
  std::set<std::string> created;
  int logged = 0, updated = 0, conflicts = 0;
  for (auto &worker : workers) {
    ASSERT_NE(worker.pid, 0) << "cannot start " << CRM_TEST_WORKER;
    int status = 0;
    waitpid(worker.pid, &status, 0);
    std::ifstream file(worker.output_path);
    std::stringstream text;
    text << file.rdbuf();
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << text.str();
    json report = json::parse(text.str());
    for (const auto &id : report["created"]) EXPECT_TRUE(created.insert(id).second) << id;
    logged += report["logged"].get<int>();
    updated += report["updated"].get<int>();
    conflicts += report["conflicts"].get<int>();
  }
  EXPECT_EQ(created.size(), static_cast<std::size_t>(kWorkers * kRounds));
  EXPECT_EQ(logged, kWorkers * kRounds * 50);
  EXPECT_EQ(updated + conflicts, kWorkers * kRounds);
  EXPECT_GT(updated, 0);
  // Every successful update moved the version by exactly one: none was lost.
  json final_state = ok("customer.get", {{"id", shared["id"]}});
  EXPECT_EQ(final_state["version"].get<int>(), 1 + updated);
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_customer"),
            std::vector<std::string>{std::to_string(1 + kWorkers * kRounds)});
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_interaction"),
            std::vector<std::string>{std::to_string(logged)});
  // Each customer's batch is whole.
  for (const auto &count :
       database_.column("SELECT COUNT(*) FROM crm_interaction GROUP BY customer_id"))
    EXPECT_EQ(count, "50");
}

// Several host processes run the scheduled jobs over one database at once: each job is claimed
// through its crm_job row (FOR UPDATE SKIP LOCKED on PostgreSQL and MariaDB; SQLite's single
// writer serialises them), so no host customer is imported twice, no ledger move is recorded
// twice and the value snapshot is whole.
TEST_F(ProcessesTest, ScheduledJobsAreClaimedSoNothingRunsTwice) {
  constexpr int kWorkers = 3, kRounds = 2;
  erp::Options options;
  options.customers = 300;
  erp::generate(database_.connection(), options);
  json config = json::parse(database_.client_config_json());
  config["host"] = json::parse(erp::mapping_json(erp::Shape::jinhe, database_.dialect()));
  // Every host's scheduler acts as the configured job user, which needs no CRM user record.
  config["organisation"]["job_user"] = "scheduler";
  std::vector<Worker> workers;
  for (int w = 0; w < kWorkers; ++w)
    workers.push_back(spawn_worker({CRM_TEST_WORKER, library_path(), config.dump(), "jobs",
                                    std::to_string(kRounds), "scheduler"},
                                   report_path("jobs", w)));
  std::int64_t imported = 0, to_customer = 0, sync_done = 0, value_done = 0, elsewhere = 0;
  for (auto &worker : workers) {
    ASSERT_NE(worker.pid, 0) << "cannot start " << CRM_TEST_WORKER;
    int status = 0;
    waitpid(worker.pid, &status, 0);
    std::ifstream file(worker.output_path);
    std::stringstream text;
    text << file.rdbuf();
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << text.str();
    json report = json::parse(text.str());
    for (const auto &run : report["sync"]) {
      if (run["status"] == "done") {
        ++sync_done;
        imported += run["imported"].get<std::int64_t>();
        to_customer += run["moved_to_customer"].get<std::int64_t>();
      } else {
        EXPECT_EQ(run["status"], "running_elsewhere") << run.dump();
        ++elsewhere;
      }
    }
    for (const auto &run : report["value"]) {
      if (run["status"] == "done")
        ++value_done;
      else
        ++elsewhere;
    }
  }
  EXPECT_EQ(imported, 300);
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_customer"), std::vector<std::string>{"300"});
  EXPECT_EQ(
      database_.column("SELECT COUNT(*) FROM crm_lifecycle_event WHERE to_stage = 'customer'"),
      std::vector<std::string>{std::to_string(to_customer)});
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM (SELECT customer_id, to_stage FROM "
                             "crm_lifecycle_event GROUP BY customer_id, to_stage HAVING COUNT(*) > "
                             "1) d"),
            std::vector<std::string>{"0"});
  EXPECT_EQ(database_.column("SELECT runs FROM crm_job WHERE name = 'lifecycle.sync'"),
            std::vector<std::string>{std::to_string(sync_done)});
  EXPECT_EQ(database_.column("SELECT runs FROM crm_job WHERE name = 'value.run'"),
            std::vector<std::string>{std::to_string(value_done)});
  EXPECT_EQ(sync_done + value_done + elsewhere, 2 * kWorkers * kRounds);
  EXPECT_GE(sync_done, 1);
  EXPECT_GE(value_done, 1);
  // One snapshot row per customer of the population, whichever process wrote it last.
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_value_snapshot WHERE period = '2026-11'"),
            database_.column("SELECT COUNT(*) FROM crm_customer WHERE stage IN ('customer', "
                             "'repeat')"));
}

// Three host processes create leads at once, each placed by the assignment rules. The rule's
// row lock makes every choice see the ones before it: round robin gives each member exactly a
// third, and under least load with a cap nobody holds more than the cap, the rest queued.
TEST_F(ProcessesTest, AssignmentStaysFairAndWithinTheCapAcrossProcesses) {
  constexpr int kWorkers = 3, kRounds = 12;
  for (int w = 0; w < kWorkers; ++w) user("worker" + std::to_string(w));
  for (const char *key : {"s1", "s2", "s3"}) user(key, {"sales"});
  ok("team.create", {{"team_key", "sales"}, {"name", "销售部"}, {"members", {"s1", "s2", "s3"}}});
  ok("assignment.rule.create", {{"code", "rr"},
                                {"name", "轮询"},
                                {"priority", 1},
                                {"strategy", "round_robin"},
                                {"team", "sales"}});
  auto run = [&](const std::string &kind) {
    std::vector<Worker> workers;
    for (int w = 0; w < kWorkers; ++w)
      workers.push_back(
          spawn_worker({CRM_TEST_WORKER, library_path(), database_.client_config_json(), "assign",
                        std::to_string(kRounds), "worker" + std::to_string(w)},
                       report_path(kind, w)));
    std::map<std::string, int> owners;
    int queued = 0;
    for (auto &worker : workers) {
      EXPECT_NE(worker.pid, 0) << "cannot start " << CRM_TEST_WORKER;
      if (worker.pid == 0) continue;
      int status = 0;
      waitpid(worker.pid, &status, 0);
      std::ifstream file(worker.output_path);
      std::stringstream text;
      text << file.rdbuf();
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << text.str();
      json report = json::parse(text.str());
      for (const auto &item : report["owners"].items())
        owners[item.key()] += item.value().get<int>();
      queued += report["queued"].get<int>();
    }
    return std::make_pair(owners, queued);
  };
  auto [turns, none_queued] = run("assign-rr");
  EXPECT_EQ(turns, (std::map<std::string, int>{{"s1", 12}, {"s2", 12}, {"s3", 12}}));
  EXPECT_EQ(none_queued, 0);
  // Everyone now holds 12: a cap of 16 leaves room for 4 each, 12 in all, of the next 36.
  ok("assignment.rule.update",
     {{"code", "rr"}, {"version", 1}, {"strategy", "least_load"}, {"cap", 16}});
  auto [capped, queued] = run("assign-cap");
  EXPECT_EQ(capped, (std::map<std::string, int>{{"s1", 4}, {"s2", 4}, {"s3", 4}}));
  EXPECT_EQ(queued, 24);
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_customer WHERE queue = 'sales'"),
            std::vector<std::string>{"24"});
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_assignment"),
            std::vector<std::string>{"72"});
}

}  // namespace
}  // namespace crm::test
