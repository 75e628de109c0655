// Migrations on a real database: upgrade from every earlier version with data in place,
// idempotence, refusal of edited migrations and of newer schemas, rollback of a failed one.
#include <gtest/gtest.h>

#include <regex>

#include "migrations.hpp"
#include "odbc.hpp"
#include "records/contact.hpp"
#include "records/customer.hpp"
#include "records/interaction.hpp"
#include "records/opportunity.hpp"
#include "records/source.hpp"
#include "records/task.hpp"
#include "test_database.hpp"

namespace crm::db {
namespace {

class MigrationTest : public ::testing::Test {
 protected:
  const std::vector<Migration> &migrations() { return embedded_migrations(database_.dialect()); }
  test::TestDatabase database_;
};

TEST_F(MigrationTest, EveryDialectHasNumberedMigrations) {
  ASSERT_GE(migrations().size(), 2u);
  for (std::size_t i = 0; i < migrations().size(); ++i)
    EXPECT_EQ(migrations()[i].version, static_cast<int>(i + 1));
}

TEST_F(MigrationTest, UpgradesFromEveryEarlierVersionKeepingData) {
  const int latest = migrations().back().version;
  for (int start = 0; start < latest; ++start) {
    SCOPED_TRACE("from version " + std::to_string(start));
    database_.reset();
    Migrator migrator(database_.connection(), migrations());
    migrator.migrate(start);
    EXPECT_EQ(migrator.current_version(), start);
    // Rows that were valid at that version must survive the upgrade.
    if (start >= 1)
      database_.execute(
          "INSERT INTO crm_customer (id, name, kind, stage, attributes, created_at, created_by, "
          "updated_at, updated_by, version) VALUES (1, '老客户', 'company', 'customer', '{}', "
          "'2020-01-01 00:00:00.000000', 'u', '2020-01-01 00:00:00.000000', 'u', 3)");
    if (start >= 2)
      database_.execute(
          "INSERT INTO crm_interaction (id, customer_id, channel, direction, occurred_at, "
          "logged_at, logged_by) VALUES (1, 1, 'tel', 'inbound', '2020-01-01 00:00:00.000000', "
          "'2020-01-01 00:00:00.000000', 'u')");
    migrator.migrate();
    EXPECT_EQ(migrator.current_version(), latest);
    if (start >= 1) {
      EXPECT_EQ(database_.column("SELECT name FROM crm_customer"),
                std::vector<std::string>{"老客户"});
      EXPECT_EQ(database_.column("SELECT version FROM crm_customer"),
                std::vector<std::string>{"3"});
    }
    if (start >= 2) {
      EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_interaction"),
                std::vector<std::string>{"1"});
    }
    EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_schema_version"),
              std::vector<std::string>{std::to_string(latest)});
  }
}

TEST_F(MigrationTest, ApplyingTwiceChangesNothing) {
  Migrator migrator(database_.connection(), migrations());
  migrator.migrate();
  const auto before = database_.snapshot();
  migrator.migrate();
  Migrator(database_.connection(), migrations()).migrate();
  EXPECT_EQ(database_.snapshot(), before);
}

TEST_F(MigrationTest, AnEditedAppliedMigrationIsRefused) {
  Migrator(database_.connection(), migrations()).migrate();
  std::vector<Migration> edited = migrations();
  edited[0].sql = "CREATE TABLE sneaky (x INTEGER)";
  Migrator migrator(database_.connection(), edited);
  EXPECT_THROW(migrator.migrate(), std::runtime_error);
}

TEST_F(MigrationTest, ANewerDatabaseIsRefused) {
  Migrator(database_.connection(), migrations()).migrate();
  database_.execute(
      "INSERT INTO crm_schema_version (version, name, checksum, applied_at) VALUES "
      "(999, 'future', 'x', '2030-01-01 00:00:00')");
  Migrator migrator(database_.connection(), migrations());
  try {
    migrator.migrate();
    FAIL() << "a schema newer than the library was accepted";
  } catch (const std::runtime_error &error) {
    EXPECT_NE(std::string(error.what()).find("newer"), std::string::npos) << error.what();
  }
}

TEST_F(MigrationTest, AFailedMigrationLeavesNoTrace) {
  if (database_.dialect() == "mariadb") GTEST_SKIP() << "MariaDB DDL commits implicitly";
  std::vector<Migration> broken = migrations();
  broken.push_back(
      {broken.back().version + 1, "broken",
       "CREATE TABLE crm_half_done (x INTEGER); INSERT INTO no_such_table VALUES (1)"});
  Migrator migrator(database_.connection(), broken);
  EXPECT_THROW(migrator.migrate(), DbError);
  EXPECT_EQ(migrator.current_version(), migrations().back().version);
  EXPECT_THROW(database_.execute("SELECT * FROM crm_half_done"), DbError);
}

// The limits each records module declares (and the method parameters use) are the lengths every
// dialect's DDL gives those columns of its table, in its CREATE TABLE or a later ALTER TABLE (the
// last declaration wins).
template <std::size_t N>
void expect_declared_limits(const std::string &table_name, const records::Limit (&limits)[N]) {
  SCOPED_TRACE(table_name);
  const std::regex table(
      R"(^\s*(CREATE|ALTER)\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?)" + table_name + R"(\s)",
      std::regex::icase);
  for (const char *dialect : {"sqlite", "postgresql", "mariadb"}) {
    SCOPED_TRACE(dialect);
    ASSERT_FALSE(embedded_migrations(dialect).empty());
    std::vector<std::string> statements;
    for (const auto &migration : embedded_migrations(dialect))
      for (auto statement : split_statements(migration.sql)) {
        // Comments out, so that a statement starts with its verb.
        statement = std::regex_replace(statement, std::regex("--[^\n]*"), "");
        if (std::regex_search(statement, table)) statements.push_back(statement);
      }
    ASSERT_FALSE(statements.empty());
    for (const auto &limit : limits) {
      SCOPED_TRACE(limit.column);
      const std::regex declared(
          std::string(R"((^|[\s,(]))") + limit.column + R"(\s+(TYPE\s+)?VARCHAR\((\d+)\))",
          std::regex::icase);
      std::optional<std::size_t> length;
      for (const auto &statement : statements)
        for (std::sregex_iterator it(statement.begin(), statement.end(), declared), end; it != end;
             ++it)
          length = std::stoul((*it)[3].str());
      ASSERT_TRUE(length.has_value())
          << "no VARCHAR declaration of " << table_name << "." << limit.column;
      EXPECT_EQ(*length, limit.chars);
    }
  }
}

TEST(CustomerColumns, EveryDialectDeclaresTheLimitsOfRecordsCustomer) {
  expect_declared_limits("crm_customer", records::customer::kLimits);
}

TEST(RecordColumns, EveryDialectDeclaresTheLimitsOfRecordsContact) {
  expect_declared_limits("crm_contact", records::contact::kLimits);
}

TEST(RecordColumns, EveryDialectDeclaresTheLimitsOfRecordsInteraction) {
  expect_declared_limits("crm_interaction", records::interaction::kLimits);
}

TEST(RecordColumns, EveryDialectDeclaresTheLimitsOfRecordsTask) {
  expect_declared_limits("crm_task", records::task::kLimits);
}

TEST(RecordColumns, EveryDialectDeclaresTheLimitsOfRecordsOpportunity) {
  expect_declared_limits("crm_opportunity", records::opportunity::kLimits);
  expect_declared_limits("crm_opportunity_event", records::opportunity::kEventLimits);
}

TEST(RecordColumns, EveryDialectDeclaresTheLimitsOfRecordsSource) {
  expect_declared_limits("crm_source", records::source::kSourceLimits);
  expect_declared_limits("crm_campaign", records::source::kCampaignLimits);
  expect_declared_limits("crm_first_touch_change", records::source::kChangeLimits);
}

}  // namespace
}  // namespace crm::db
