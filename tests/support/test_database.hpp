// The database a test runs against, chosen by the environment so that one suite runs on every
// dialect: CRM_TEST_DIALECT (sqlite, postgresql, mariadb; default sqlite) and, for the server
// dialects, CRM_TEST_POSTGRESQL / CRM_TEST_MARIADB (an ODBC connection string). A SQLite database
// is a fresh file per test; a server database is emptied of crm_* tables before each test.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace crm::db {
class Connection;
}

namespace crm::test {

class TestDatabase {
 public:
  TestDatabase();
  ~TestDatabase();

  const std::string &dialect() const { return dialect_; }
  // The "database" member of a client configuration for this database.
  std::string database_config_json() const;
  // A complete client configuration (logs off unless CRM_TEST_LOG is set).
  std::string client_config_json() const;

  // Drops every crm_* table (server dialects) or starts a new file (SQLite).
  void reset();
  // Every row of every crm_* table as text, to prove that a failed call changed nothing.
  std::string snapshot();
  // The names of the crm_* tables in the database, from its catalog.
  std::vector<std::string> tables();
  // The first column of every row of a query, as text (NULL as "<null>").
  std::vector<std::string> column(const std::string &sql);
  void execute(const std::string &sql);
  // The test's own ODBC connection (not the library's).
  db::Connection &connection();
  // Another connection of the test's own, e.g. to hold a lock while the library waits on it.
  std::unique_ptr<db::Connection> open_connection();

 private:
  struct Raw;
  std::string dialect_;
  std::string connection_string_;  // server dialects
  std::string directory_;          // sqlite
  std::string path_;               // sqlite
  int generation_ = 0;
  std::unique_ptr<Raw> raw_;
  Raw &raw();
};

// Path of the built libcrm (from the build, or CRM_LIBRARY).
std::string library_path();

}  // namespace crm::test
