// The ODBC adapter on a real SQLite file through the real sqliteodbc driver.
#include <gtest/gtest.h>

#include <thread>

#include "dialect.hpp"
#include "migrations.hpp"
#include "odbc.hpp"
#include "pool.hpp"
#include "test_database.hpp"

namespace crm::db {
namespace {

TEST(SqlText, SplitsStatementsOutsideQuotesAndComments) {
  auto statements = split_statements(
      "CREATE TABLE a (x TEXT DEFAULT 'a;b');\n-- comment; here\n"
      "INSERT INTO a VALUES ('it''s; fine'); /* block; comment */ SELECT \"semi;colon\";;\n  ");
  ASSERT_EQ(statements.size(), 3u);
  EXPECT_EQ(statements[0], "CREATE TABLE a (x TEXT DEFAULT 'a;b')");
  EXPECT_EQ(statements[1], "INSERT INTO a VALUES ('it''s; fine')");
  EXPECT_EQ(statements[2], "SELECT \"semi;colon\"");
}

TEST(SqlText, EscapesLikePatternsAndConnectionAttributes) {
  EXPECT_EQ(escape_like("50%_off\\"), "50\\%\\_off\\\\");
  EXPECT_EQ(quote_attribute("/var/lib/crm.db"), "/var/lib/crm.db");
  EXPECT_EQ(quote_attribute("/tmp/a;b.db"), "{/tmp/a;b.db}");
  EXPECT_EQ(quote_attribute("x}y z"), "{x}}y z}");
}

TEST(SqliteDialect, BuildsAConnectionStringWithSafeDefaults) {
  auto dialect = make_dialect("sqlite");
  ASSERT_TRUE(dialect);
  ConnectionSettings settings;
  settings.dialect = "sqlite";
  settings.path = "/tmp/x;y.db";
  std::string text = dialect->connection_string(settings);
  EXPECT_NE(text.find("Database={/tmp/x;y.db}"), std::string::npos) << text;
  EXPECT_NE(text.find("libsqlite3odbc.so"), std::string::npos) << text;
  for (const char *option : {"Timeout=5000", "JournalMode=WAL", "FKSupport=1", "BigInt=1"})
    EXPECT_NE(text.find(option), std::string::npos) << option;
  settings.path.reset();
  EXPECT_THROW(dialect->connection_string(settings), std::invalid_argument);
  EXPECT_FALSE(make_dialect("oracle"));
}

class AdapterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    database_.execute(
        "CREATE TABLE crm_test_probe (id BIGINT PRIMARY KEY, label VARCHAR(10), note TEXT)");
  }
  test::TestDatabase database_;
};

TEST_F(AdapterTest, BlockFetchReadsEveryRowAcrossBlocks) {
  auto &connection = database_.connection();
  {
    Transaction transaction(connection);
    auto &insert =
        connection.prepare("INSERT INTO crm_test_probe (id, label, note) VALUES (?, ?, ?)");
    for (std::int64_t i = 1; i <= 1000; ++i)
      insert.execute({i, i % 7 ? Value(std::string("L") + std::to_string(i)) : null_value(),
                      std::string("n")});
    transaction.commit();
  }
  auto result = connection.prepare("SELECT id, label FROM crm_test_probe ORDER BY id")
                    .query({}, {Column::integer(), Column::text(10)}, 256);
  std::int64_t expected = 0, nulls = 0;
  while (result.next()) {
    ++expected;
    EXPECT_EQ(result.int64(0), expected);
    if (result.is_null(1))
      ++nulls;
    else
      EXPECT_EQ(result.text(1), "L" + std::to_string(expected));
  }
  EXPECT_EQ(expected, 1000);
  EXPECT_EQ(nulls, 1000 / 7);
}

TEST_F(AdapterTest, LongTextIsReadWhole) {
  auto &connection = database_.connection();
  std::string note;
  for (int i = 0; i < 20000; ++i) note += "华";  // 60,000 bytes: several SQLGetData pieces
  connection.prepare("INSERT INTO crm_test_probe (id, note) VALUES (?, ?)")
      .execute({std::int64_t{1}, note});
  auto result = connection.prepare("SELECT id, note, label FROM crm_test_probe")
                    .query({}, {Column::integer(), Column::long_text(), Column::text(10)});
  ASSERT_TRUE(result.next());
  EXPECT_EQ(result.text(1), note);
  EXPECT_TRUE(result.is_null(2));
  EXPECT_FALSE(result.next());
}

TEST_F(AdapterTest, TruncationIsAnErrorNotASilentCut) {
  auto &connection = database_.connection();
  connection.prepare("INSERT INTO crm_test_probe (id, note) VALUES (?, ?)")
      .execute({std::int64_t{1}, std::string("far too long for the buffer")});
  auto result = connection.prepare("SELECT note FROM crm_test_probe")
                    .query({}, {Column{Column::Type::text, 4}});
  try {
    result.next();
    FAIL() << "truncation went unnoticed";
  } catch (const DbError &error) {
    EXPECT_EQ(error.kind(), DbErrorKind::data);
  }
}

TEST_F(AdapterTest, ConstraintViolationsAreClassified) {
  auto &connection = database_.connection();
  auto &insert = connection.prepare("INSERT INTO crm_test_probe (id) VALUES (?)");
  insert.execute({std::int64_t{1}});
  try {
    insert.execute({std::int64_t{1}});
    FAIL() << "duplicate key accepted";
  } catch (const DbError &error) {
    EXPECT_EQ(error.kind(), DbErrorKind::constraint) << error.what();
  }
}

TEST_F(AdapterTest, RolledBackTransactionsLeaveNothing) {
  auto &connection = database_.connection();
  {
    Transaction transaction(connection);
    connection.prepare("INSERT INTO crm_test_probe (id) VALUES (?)").execute({std::int64_t{5}});
  }
  EXPECT_FALSE(connection.in_transaction());
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_test_probe"), std::vector<std::string>{"0"});
}

TEST_F(AdapterTest, PoolLendsEachConnectionToOneBorrowerAndTimesOut) {
  if (database_.dialect() != "sqlite") GTEST_SKIP() << "the pool is the same on every dialect";
  auto dialect = make_dialect("sqlite");
  ConnectionSettings settings;
  settings.dialect = "sqlite";
  // The test database's file, read back from SQLite.
  auto files = database_.column("SELECT file FROM pragma_database_list WHERE name = 'main'");
  ASSERT_EQ(files.size(), 1u);
  settings.path = files[0];
  ConnectionPool pool(std::make_shared<Environment>(), *dialect,
                      dialect->connection_string(settings), 1, std::chrono::milliseconds(50));
  {
    Lease first = pool.acquire();
    EXPECT_THROW(pool.acquire(), DbError);
  }
  EXPECT_EQ(pool.idle_count(), 1u);
  Lease again = pool.acquire();
  EXPECT_EQ(pool.idle_count(), 0u);
}

}  // namespace
}  // namespace crm::db
