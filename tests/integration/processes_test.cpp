// Several host processes over one database at once: ids never collide, batches are whole,
// and concurrent optimistic updates of one customer never lose a write.
#include <spawn.h>
#include <sys/wait.h>

#include <fcntl.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "fixture.hpp"

extern char **environ;

namespace crm::test {
namespace {

class ProcessesTest : public ApiTest {};

struct Worker {
  pid_t pid = 0;
  std::string output_path;
};

Worker spawn_worker(const std::vector<std::string> &args, const std::string &output_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  std::vector<char *> argv;
  for (const auto &arg : args) argv.push_back(const_cast<char *>(arg.c_str()));
  argv.push_back(nullptr);
  Worker worker;
  worker.output_path = output_path;
  if (posix_spawn(&worker.pid, argv[0], &actions, nullptr, argv.data(), environ) != 0)
    worker.pid = 0;
  posix_spawn_file_actions_destroy(&actions);
  return worker;
}

TEST_F(ProcessesTest, ConcurrentHostsNeverCollideOrLoseWrites) {
  constexpr int kWorkers = 3, kRounds = 15;
  json shared = customer("Shared customer");
  std::vector<Worker> workers;
  for (int w = 0; w < kWorkers; ++w)
    workers.push_back(
        spawn_worker({CRM_TEST_WORKER, library_path(), database_.client_config_json(), shared["id"],
                      std::to_string(kRounds), "worker" + std::to_string(w)},
                     ::testing::TempDir() + "crm-worker-" + std::to_string(w) + ".json"));
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

}  // namespace
}  // namespace crm::test
