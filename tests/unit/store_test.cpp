// The store's transaction retries on a real deadlock between two clients of one server
// database: the database picks a victim, the victim's transaction runs again and succeeds.
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <thread>

#include "core/config.hpp"
#include "core/logging.hpp"
#include "core/store.hpp"
#include "test_database.hpp"

namespace crm {
namespace {

TEST(StoreRetry, DeadlockedTransactionRunsAgain) {
  test::TestDatabase database;
  // SQLite lets one writer in at a time: a second writer waits (busy timeout) rather than
  // deadlocks; the multi-process test covers that path.
  if (database.dialect() == "sqlite") GTEST_SKIP() << "SQLite serialises writers";
  Config config = parse_config(database.client_config_json());
  auto logger = logging::make_logger(config.log);
  Store first(config, logger), second(config, logger);

  std::latch both_hold_their_first_row(2);
  std::atomic<int> attempts{0};
  auto lock_in_order = [&](Store &store, const char *a, const char *b) {
    store.with_connection([&](db::Connection &connection) {
      int mine = 0;
      store.transact(connection, [&] {
        ++attempts;
        auto &touch =
            connection.prepare("UPDATE crm_id_sequence SET next_id = next_id + 0 WHERE name = ?");
        touch.execute({std::string(a)});
        if (++mine == 1) both_hold_their_first_row.arrive_and_wait();
        touch.execute({std::string(b)});
      });
    });
  };
  std::thread one([&] { lock_in_order(first, "customer", "contact"); });
  std::thread two([&] { lock_in_order(second, "contact", "customer"); });
  one.join();
  two.join();
  // Both committed; exactly one of them had to run twice.
  EXPECT_EQ(attempts.load(), 3);
}

}  // namespace
}  // namespace crm
