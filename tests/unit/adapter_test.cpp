// The ODBC adapter on a real SQLite file through the real sqliteodbc driver.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "dialect.hpp"
#include "dialect_support.hpp"
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
  // A value with white space at either end survives a round trip (a password ending in a tab).
  for (const std::string value : {"pw\t", "\fpw", "p w", "\n", "a=b"}) {
    auto attributes = detail::ConnectionAttributes::parse("PWD=" + quote_attribute(value));
    EXPECT_EQ(attributes.get("PWD"), value) << quote_attribute(value);
  }
}

TEST(SqliteDialect, BuildsAConnectionStringWithSafeDefaults) {
  auto dialect = make_dialect("sqlite");
  ASSERT_TRUE(dialect);
  ConnectionSettings settings;
  settings.dialect = "sqlite";
  // sqliteodbc takes the value unquoted, up to the next ";": spaces, "=" and braces pass.
  settings.path = "/tmp/erp data=1 {x}.db";
  std::string text = dialect->connection_string(settings);
  EXPECT_NE(text.find(";Database=/tmp/erp data=1 {x}.db;"), std::string::npos) << text;
  EXPECT_NE(text.find("libsqlite3odbc.so"), std::string::npos) << text;
  for (const char *option : {"Timeout=5000", "JournalMode=WAL", "FKSupport=1", "BigInt=1"})
    EXPECT_NE(text.find(option), std::string::npos) << option;
  settings.path.reset();
  EXPECT_THROW(dialect->connection_string(settings), std::invalid_argument);
  EXPECT_FALSE(make_dialect("oracle"));
}

// A path is a file name and nothing else: what the driver would read as another attribute
// (";LoadExt=..." loads a shared library) or as quoting is refused, and so are folders, missing
// folders and files that are not SQLite databases, each naming database.path.
TEST(SqliteDialect, RefusesPathsThatAreNotADatabaseFile) {
  auto dialect = make_dialect("sqlite");
  ConnectionSettings settings;
  settings.dialect = "sqlite";
  const auto folder =
      std::filesystem::temp_directory_path() / ("crm-path-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(folder);
  {
    std::ofstream(folder / "notes.txt") << "not a database";
    std::ofstream(folder / "empty.db");
  }
  auto refusal = [&](const std::string &path) {
    settings.path = path;
    try {
      dialect->connection_string(settings);
    } catch (const std::invalid_argument &error) {
      return std::string(error.what());
    }
    return std::string("accepted");
  };
  const std::vector<std::string> refused = {"x.db;LoadExt=/nonexistent/evil.so;y",
                                            "a;b.db",
                                            "{x.db}",
                                            " x.db",
                                            "x.db ",
                                            "a\nb.db",
                                            std::string("a\0b", 3),
                                            folder.string(),
                                            (folder / "missing" / "crm.db").string(),
                                            (folder / "notes.txt").string()};
  for (const auto &path : refused) {
    const auto message = refusal(path);
    EXPECT_EQ(message.rfind("database.path: ", 0), 0u) << path << ": " << message;
  }
  EXPECT_NE(refusal(folder.string()).find("is a folder"), std::string::npos);
  EXPECT_NE(refusal((folder / "missing" / "crm.db").string()).find("does not exist"),
            std::string::npos);
  EXPECT_NE(refusal((folder / "notes.txt").string()).find("not a SQLite database"),
            std::string::npos);
  EXPECT_EQ(refusal((folder / "empty.db").string()), "accepted");
  EXPECT_EQ(refusal((folder / "new.db").string()), "accepted");
  std::filesystem::remove_all(folder);
}

// The driver opens exactly the file named, spaces, "=" and braces included.
TEST(SqliteDialect, OpensAPathWithSpacesEqualsAndBraces) {
  auto dialect = make_dialect("sqlite");
  const auto folder = std::filesystem::temp_directory_path() /
                      ("crm erp data=" + std::to_string(::getpid()) + " {x}");
  std::filesystem::create_directories(folder);
  ConnectionSettings settings;
  settings.dialect = "sqlite";
  settings.path = (folder / "客户 a=b {c}.db").string();
  Environment environment;
  {
    Connection connection(environment, *dialect, dialect->connection_string(settings));
    connection.execute_direct("CREATE TABLE crm_path_probe (id BIGINT)");
  }
  EXPECT_TRUE(std::filesystem::is_regular_file(*settings.path));
  std::size_t files = 0;
  for (const auto &entry : std::filesystem::directory_iterator(folder)) {
    (void)entry;
    ++files;
  }
  EXPECT_GE(files, 1u);
  EXPECT_FALSE(std::filesystem::exists(folder.parent_path() / ("{" + folder.filename().string())));
  std::filesystem::remove_all(folder);
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

  // Wide columns make small blocks (kBlockBytes): 12 KB rows come 21 to a block, and a block
  // that the driver fills only in part must not show a previous block's or unset bytes.
  auto wide = connection.prepare("SELECT id, label FROM crm_test_probe ORDER BY id DESC")
                  .query({}, {Column::integer(), Column::text(12 * 1024)}, 256);
  std::int64_t id = 1001;
  while (wide.next()) {
    --id;
    ASSERT_EQ(wide.int64(0), id);
    if (id % 7)
      ASSERT_EQ(wide.text(1), "L" + std::to_string(id));
    else
      ASSERT_TRUE(wide.is_null(1));
  }
  EXPECT_EQ(id, 1);
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

// Two writers that both read before they write, as the store's transactions do: neither fails.
// Begun deferred on SQLite, the second would commit between the first one's read and its write,
// and the first could then never take the write lock (SQLITE_BUSY after the whole busy
// timeout); begun as writers (Dialect::begin_write) the second waits at its BEGIN instead.
TEST_F(AdapterTest, WritersThatReadFirstDoNotFailEachOther) {
  database_.execute("INSERT INTO crm_test_probe (id, label) VALUES (1, 'a')");
  database_.execute("INSERT INTO crm_test_probe (id, label) VALUES (2, 'b')");
  auto first = database_.open_connection();
  auto second = database_.open_connection();
  auto rows_seen = [](Connection &connection) {
    auto result =
        connection.prepare("SELECT COUNT(*) FROM crm_test_probe").query({}, {Column::integer()});
    return result.next() ? result.int64(0) : -1;
  };
  std::string second_failure;
  {
    Transaction transaction(*first);
    EXPECT_EQ(rows_seen(*first), 2);
    std::thread other([&] {
      try {
        Transaction concurrent(*second);
        second->prepare("UPDATE crm_test_probe SET label = 'B' WHERE id = 2").execute({});
        concurrent.commit();
      } catch (const std::exception &error) {
        second_failure = error.what();
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the second one is under way
    try {
      first->prepare("UPDATE crm_test_probe SET label = 'A' WHERE id = 1").execute({});
      transaction.commit();
    } catch (const DbError &error) {
      ADD_FAILURE() << "the first writer failed: " << error.what();
    }
    other.join();
  }
  EXPECT_EQ(second_failure, "");
  EXPECT_EQ(database_.column("SELECT label FROM crm_test_probe ORDER BY id"),
            (std::vector<std::string>{"A", "B"}));
}

// Dialect::join_large_sets: on statistics that know nothing of a set (an owner analysed before
// it had any rows), PostgreSQL joins two sides it estimates at a row each with a nested loop;
// inside join_large_sets the same join is hashed or merged, and join_as_planned undoes it.
TEST_F(AdapterTest, JoinsOfLargeSetsAreNotPlannedAsNestedLoops) {
  auto &connection = database_.connection();
  const auto &dialect = connection.dialect();
  if (dialect.join_large_sets().empty())
    GTEST_SKIP() << dialect.name() << " needs no planner setting";
  database_.execute("CREATE TABLE crm_test_owned (id BIGINT PRIMARY KEY, owner VARCHAR(16))");
  database_.execute("CREATE INDEX crm_test_owned_owner ON crm_test_owned (owner)");
  database_.execute(
      "CREATE TABLE crm_test_work (id BIGINT PRIMARY KEY, owned_id BIGINT, owner VARCHAR(16))");
  database_.execute("CREATE INDEX crm_test_work_owner ON crm_test_work (owner)");
  database_.execute(
      "INSERT INTO crm_test_owned SELECT g, 'old' FROM generate_series(1, 5000) AS g");
  database_.execute(
      "INSERT INTO crm_test_work SELECT g, g, 'old' FROM generate_series(1, 5000) AS g");
  database_.execute("ANALYZE crm_test_owned, crm_test_work");
  database_.execute("UPDATE crm_test_owned SET owner = 'new'");
  database_.execute("UPDATE crm_test_work SET owner = 'new'");
  auto plan = [&] {
    auto result = connection
                      .prepare(
                          "EXPLAIN SELECT COUNT(*) FROM crm_test_work w WHERE w.owner = "
                          "'new' AND w.owned_id IN (SELECT o.id FROM crm_test_owned o "
                          "WHERE o.owner = 'new')")
                      .query({}, {Column::text(4000)});
    std::string text;
    while (result.next()) text += result.text(0) + "\n";
    return text;
  };
  {
    Transaction transaction(connection);
    const auto misled = plan();
    EXPECT_NE(misled.find("Nested Loop"), std::string::npos)
        << "the statistics no longer mislead the planner here; the test shows nothing:\n"
        << misled;
    connection.execute_direct(std::string(dialect.join_large_sets()));
    const auto large = plan();
    EXPECT_EQ(large.find("Nested Loop"), std::string::npos) << large;
    connection.execute_direct(std::string(dialect.join_as_planned()));
    EXPECT_EQ(plan(), misled);
  }
  database_.execute("DROP TABLE crm_test_owned");
  database_.execute("DROP TABLE crm_test_work");
}

// Parameter arrays (Statement::execute_batch) on a table with an integer that may be NULL.
class ArrayInsertTest : public ::testing::Test {
 protected:
  // The server databases' reset drops only crm_test_probe and the CRM tables: this test
  // drops its own table.
  void SetUp() override {
    database_.execute("DROP TABLE IF EXISTS crm_test_bulk");
    database_.execute(
        "CREATE TABLE crm_test_bulk (id BIGINT PRIMARY KEY, ref BIGINT, label VARCHAR(40), "
        "note TEXT)");
  }
  void TearDown() override { database_.execute("DROP TABLE IF EXISTS crm_test_bulk"); }
  Statement &insert() {
    return database_.connection().prepare(
        "INSERT INTO crm_test_bulk (id, ref, label, note) VALUES (?, ?, ?, ?)");
  }
  std::int64_t count() {
    return std::stoll(database_.column("SELECT COUNT(*) FROM crm_test_bulk")[0]);
  }
  test::TestDatabase database_;
};

// Row i of the generated data: NULLs in every 7th ref and every 5th label, text of varying
// length with Chinese and 4-byte UTF-8.
std::vector<Value> bulk_row(std::int64_t i) {
  std::string note = "第" + std::to_string(i) + "行 🚀";
  for (std::int64_t k = 0; k < i % 13; ++k) note += "客户𠜎";
  return {i, i % 7 ? Value(i * 10) : null_value(),
          i % 5 ? Value("L" + std::to_string(i)) : null_value(), note};
}

TEST_F(ArrayInsertTest, InsertsEveryRowAcrossChunksWithNulls) {
  auto &connection = database_.connection();
  std::vector<std::vector<Value>> rows;
  for (std::int64_t i = 1; i <= 1234; ++i) rows.push_back(bulk_row(i));
  const auto before = connection.executed();
  {
    Transaction transaction(connection);
    EXPECT_EQ(insert().execute_batch(rows, 100, 1 << 20), 1234);
    transaction.commit();
  }
  // 1234 rows at most 100 per array: 13 executes.
  EXPECT_EQ(connection.executed() - before, 13u);
  ASSERT_EQ(count(), 1234);
  auto result =
      connection.prepare("SELECT id, ref, label, note FROM crm_test_bulk ORDER BY id")
          .query({}, {Column::integer(), Column::integer(), Column::text(40), Column::text(400)});
  std::int64_t i = 0;
  while (result.next()) {
    ++i;
    auto expected = bulk_row(i);
    ASSERT_EQ(result.int64(0), i);
    if (i % 7)
      EXPECT_EQ(result.int64(1), i * 10);
    else
      EXPECT_TRUE(result.is_null(1)) << i;
    if (i % 5)
      EXPECT_EQ(result.text(2), std::get<std::string>(expected[2]));
    else
      EXPECT_TRUE(result.is_null(2)) << i;
    EXPECT_EQ(result.text(3), std::get<std::string>(expected[3])) << i;
  }
  EXPECT_EQ(i, 1234);
}

TEST_F(ArrayInsertTest, ByteBudgetCutsChunksAndALargeRowGoesAlone) {
  auto &connection = database_.connection();
  std::string long_note;
  for (int k = 0; k < 20000; ++k) long_note += "华";  // 60,000 bytes
  std::vector<std::vector<Value>> rows = {
      {std::int64_t{1}, std::int64_t{1}, std::string("a"), std::string("short")},
      {std::int64_t{2}, null_value(), std::string(""), long_note},
      {std::int64_t{3}, std::int64_t{3}, std::string("emoji"), std::string("😀🚀𠜎 e\xcc\x81")},
      {std::int64_t{4}, std::int64_t{4}, null_value(), null_value()}};
  const auto before = connection.executed();
  // 100 bytes: no two rows fit together, so four arrays of one row each.
  EXPECT_EQ(insert().execute_batch(rows, 1000, 100), 4);
  EXPECT_EQ(connection.executed() - before, 4u);
  auto result = connection.prepare("SELECT id, label, note FROM crm_test_bulk ORDER BY id")
                    .query({}, {Column::integer(), Column::text(40), Column::long_text()});
  ASSERT_TRUE(result.next());
  EXPECT_EQ(result.text(2), "short");
  ASSERT_TRUE(result.next());
  EXPECT_FALSE(result.is_null(1)) << "an empty string became NULL";
  EXPECT_EQ(result.text(1), "");
  EXPECT_EQ(result.text(2), long_note);
  ASSERT_TRUE(result.next());
  EXPECT_EQ(result.text(2), "😀🚀𠜎 e\xcc\x81");
  ASSERT_TRUE(result.next());
  EXPECT_TRUE(result.is_null(1));
  EXPECT_TRUE(result.is_null(2));
  EXPECT_FALSE(result.next());
  // A generous budget: one array for all four.
  database_.execute("DELETE FROM crm_test_bulk");
  const auto again = connection.executed();
  EXPECT_EQ(insert().execute_batch(rows, 1000, 1 << 20), 4);
  EXPECT_EQ(connection.executed() - again, 1u);
  EXPECT_EQ(count(), 4);
}

TEST_F(ArrayInsertTest, AFailingMiddleRowFailsTheWholeExecute) {
  auto &connection = database_.connection();
  insert().execute({std::int64_t{50}, null_value(), std::string("already"), null_value()});
  std::vector<std::vector<Value>> rows;
  for (std::int64_t i = 1; i <= 99; ++i) rows.push_back(bulk_row(i));  // row 50 is a duplicate
  for (std::size_t max_rows : {std::size_t{1000}, std::size_t{30}}) {
    {
      Transaction transaction(connection);
      try {
        insert().execute_batch(rows, max_rows, 1 << 20);
        FAIL() << "a duplicate key in row 50 went unnoticed (max_rows " << max_rows << ")";
      } catch (const DbError &error) {
        EXPECT_EQ(error.kind(), DbErrorKind::constraint) << error.what();
      }
    }
    EXPECT_EQ(count(), 1) << "max_rows " << max_rows;
  }
  // The cached statement runs single rows again afterwards.
  EXPECT_EQ(insert().execute({std::int64_t{51}, null_value(), std::string("x"), null_value()}), 1);
  EXPECT_EQ(count(), 2);
  // A value the column cannot hold in the middle: an error too, nothing kept.
  rows.clear();
  for (std::int64_t i = 100; i < 110; ++i) rows.push_back(bulk_row(i));
  rows[5][2] = std::string(41, 'x');
  if (database_.dialect() != "sqlite") {  // SQLite does not enforce VARCHAR lengths
    {
      Transaction transaction(connection);
      EXPECT_THROW(insert().execute_batch(rows, 1000, 1 << 20), DbError);
    }
    EXPECT_EQ(count(), 2);
  }
}

TEST_F(ArrayInsertTest, RefusesRowsOfTheWrongShape) {
  std::vector<std::vector<Value>> rows = {
      {std::int64_t{1}, std::int64_t{1}, std::string("a"), null_value()},
      {std::int64_t{2}, std::string("2"), std::string("b"), null_value()}};
  EXPECT_THROW(insert().execute_batch(rows, 1000, 1 << 20), std::logic_error);
  rows[1] = {std::int64_t{2}, std::int64_t{2}};
  EXPECT_THROW(insert().execute_batch(rows, 1000, 1 << 20), std::logic_error);
  EXPECT_EQ(insert().execute_batch({}, 1000, 1 << 20), 0);
  EXPECT_EQ(count(), 0);
}

// Dialect::max_parameters() is what the driver really takes: a statement with that many
// parameters runs on every database. On PostgreSQL one more is refused by libpq (a
// ParameterDescription over 30,000 bytes, see dialect_postgresql.cpp) and drops the connection;
// this fails, and says to raise the limit, once a client library accepts it.
TEST_F(AdapterTest, StatementsUpToTheDialectsParameterLimitRun) {
  database_.execute("INSERT INTO crm_test_probe (id, label) VALUES (7, 'seven')");
  const std::size_t limit = database_.connection().dialect().max_parameters();
  auto count_in = [](Connection &connection, std::size_t parameters) {
    std::string sql = "SELECT COUNT(*) FROM crm_test_probe WHERE id IN (";
    std::vector<Value> values;
    for (std::size_t i = 0; i < parameters; ++i) {
      sql += i ? ", ?" : "?";
      values.emplace_back(static_cast<std::int64_t>(i + 1));
    }
    auto result = connection.prepare(sql + ")").query(values, {Column::integer()});
    return result.next() ? result.int64(0) : -1;
  };
  EXPECT_EQ(count_in(database_.connection(), limit), 1) << limit << " parameters";
  if (database_.dialect() == "postgresql") {
    EXPECT_EQ(limit, 7498u);
    auto other = database_.open_connection();
    try {
      count_in(*other, limit + 1);
      ADD_FAILURE() << "PostgreSQL took " << limit + 1
                    << " parameters: raise PostgresqlDialect::max_parameters()";
    } catch (const DbError &error) {
      EXPECT_NE(std::string(error.what()).find("lost synchronization"), std::string::npos)
          << error.what();
    }
  }
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
