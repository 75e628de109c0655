// The store's transactions on real databases: a deadlock between two clients of one server
// database is retried (the victim runs again and succeeds), and a read scope gives nested reads
// one connection and one snapshot.
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
  Config config = parse_config(database.client_config_json(), {"organisation"});
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

// customer.view composes several methods inside a ReadScope: each of them asks the store for a
// connection, and all must get the scope's, seeing the data as of the scope's first read even
// when another client commits in between.
TEST(StoreReadScope, NestedReadsShareOneConnectionAndOneSnapshot) {
  test::TestDatabase database;
  Config config = parse_config(database.client_config_json(), {"organisation"});
  auto logger = logging::make_logger(config.log);
  Store store(config, logger);
  auto count_sequences = [](db::Connection &connection) {
    auto result = connection.prepare("SELECT COUNT(*) FROM crm_id_sequence")
                      .query({}, {db::Column::integer()});
    result.next();
    return result.int64(0);
  };
  const auto before = store.with_connection(count_sequences);

  store.with_connection([&](db::Connection &connection) {
    Store::ReadScope scope(store, connection);
    EXPECT_EQ(count_sequences(connection), before);  // the snapshot starts here
    // Another client commits a row the scope must not see.
    database.execute("INSERT INTO crm_id_sequence (name, next_id) VALUES ('scope_probe', 1)");
    store.with_connection([&](db::Connection &nested) {
      EXPECT_EQ(&nested, &connection);
      EXPECT_EQ(count_sequences(nested), before);
    });
  });
  // Out of the scope: a pooled connection again, and the committed row is there.
  EXPECT_EQ(store.with_connection(count_sequences), before + 1);
  // The scope does not leak into another store.
  Store other(config, logger);
  store.with_connection([&](db::Connection &connection) {
    Store::ReadScope scope(store, connection);
    other.with_connection([&](db::Connection &nested) { EXPECT_NE(&nested, &connection); });
  });
}

}  // namespace
}  // namespace crm
