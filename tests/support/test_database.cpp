#include "test_database.hpp"

#include <sql.h>
#include <sqlext.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "dialect.hpp"
#include "odbc.hpp"

namespace crm::test {

namespace {

std::string env(const char *name, const char *fallback = "") {
  const char *value = std::getenv(name);
  return value && *value ? value : fallback;
}

}  // namespace

// A plain ODBC connection of the test's own, beside the library's.
struct TestDatabase::Raw {
  std::unique_ptr<db::Dialect> dialect;
  db::Environment environment;
  std::unique_ptr<db::Connection> connection;
};

std::string library_path() {
  return env("CRM_LIBRARY", CRM_TEST_LIBRARY);
}

TestDatabase::TestDatabase() : dialect_(env("CRM_TEST_DIALECT", "sqlite")) {
  if (dialect_ == "sqlite") {
    char pattern[] = "/tmp/crm-test-XXXXXX";
    if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
    directory_ = pattern;
  } else {
    std::string variable = "CRM_TEST_";
    for (char c : dialect_)
      variable += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    connection_string_ = env(variable.c_str());
    if (connection_string_.empty())
      throw std::runtime_error(variable + " must hold the ODBC connection string of the " +
                               dialect_ + " test database (scripts/test.sh sets it)");
  }
  reset();
}

TestDatabase::~TestDatabase() {
  raw_.reset();
  if (!directory_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }
}

std::string TestDatabase::database_config_json() const {
  nlohmann::json database = {{"dialect", dialect_}};
  if (dialect_ == "sqlite")
    database["path"] = path_;
  else
    database["connection_string"] = connection_string_;
  return database.dump();
}

std::string TestDatabase::client_config_json() const {
  nlohmann::json config = {{"database", nlohmann::json::parse(database_config_json())}};
  // "alice" sets the installation up, as a host's first administrator would; every other user
  // a test acts as is created through user.create with the roles the test is about.
  config["organisation"] = {{"bootstrap_admins", {"alice"}}};
  if (env("CRM_TEST_LOG").empty())
    config["log"] = {{"sink", "none"}};
  else
    config["log"] = {{"sink", "stderr"}, {"level", env("CRM_TEST_LOG")}};
  return config.dump();
}

TestDatabase::Raw &TestDatabase::raw() {
  if (!raw_) {
    raw_ = std::make_unique<Raw>();
    raw_->dialect = db::make_dialect(dialect_);
    if (!raw_->dialect) throw std::runtime_error("this build has no dialect " + dialect_);
    db::ConnectionSettings settings;
    settings.dialect = dialect_;
    if (dialect_ == "sqlite")
      settings.path = path_;
    else
      settings.connection_string = connection_string_;
    raw_->connection = std::make_unique<db::Connection>(raw_->environment, *raw_->dialect,
                                                        raw_->dialect->connection_string(settings));
  }
  return *raw_;
}

void TestDatabase::reset() {
  raw_.reset();
  if (dialect_ == "sqlite") {
    path_ = directory_ + "/crm-" + std::to_string(++generation_) + ".db";
    return;
  }
  // Every crm_* table the database holds (the adapter tests' scratch table too), whatever the
  // order of their foreign keys.
  auto &connection = *raw().connection;
  const bool postgresql = dialect_ == "postgresql";
  if (!postgresql) connection.execute_direct("SET FOREIGN_KEY_CHECKS = 0");
  for (const auto &table : tables())
    connection.execute_direct("DROP TABLE IF EXISTS " + table + (postgresql ? " CASCADE" : ""));
  if (!postgresql) connection.execute_direct("SET FOREIGN_KEY_CHECKS = 1");
}

void TestDatabase::execute(const std::string &sql) {
  raw().connection->execute_direct(sql);
}

db::Connection &TestDatabase::connection() {
  return *raw().connection;
}

std::unique_ptr<db::Connection> TestDatabase::open_connection() {
  db::ConnectionSettings settings;
  settings.dialect = dialect_;
  if (dialect_ == "sqlite")
    settings.path = path_;
  else
    settings.connection_string = connection_string_;
  auto &state = raw();
  return std::make_unique<db::Connection>(state.environment, *state.dialect,
                                          state.dialect->connection_string(settings));
}

namespace {

// Runs sql and returns every row as text cells; fails the test run on an ODBC error.
std::vector<std::vector<std::string>> rows(SQLHDBC dbc, const std::string &sql) {
  SQLHSTMT stmt = SQL_NULL_HSTMT;
  if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &stmt)))
    throw std::runtime_error("cannot allocate a statement");
  auto fail = [&](const char *what) {
    auto diagnostics = db::read_diagnostics(SQL_HANDLE_STMT, stmt);
    SQLFreeHandle(SQL_HANDLE_STMT, stmt);
    throw std::runtime_error(std::string(what) + " " + sql + ": " + diagnostics.message);
  };
  if (!SQL_SUCCEEDED(SQLExecDirect(stmt, (SQLCHAR *)sql.c_str(), SQL_NTS))) fail("execute");
  SQLSMALLINT count = 0;
  SQLNumResultCols(stmt, &count);
  std::vector<std::vector<std::string>> out;
  for (;;) {
    SQLRETURN rc = SQLFetch(stmt);
    if (rc == SQL_NO_DATA) break;
    if (!SQL_SUCCEEDED(rc)) fail("fetch");
    std::vector<std::string> row;
    for (SQLSMALLINT c = 1; c <= count; ++c) {
      std::string cell;
      bool null = false;
      char buffer[4096];
      for (;;) {
        SQLLEN indicator = 0;
        rc = SQLGetData(stmt, c, SQL_C_CHAR, buffer, sizeof(buffer), &indicator);
        if (rc == SQL_NO_DATA) break;
        if (!SQL_SUCCEEDED(rc)) fail("read");
        if (indicator == SQL_NULL_DATA) {
          null = true;
          break;
        }
        std::size_t piece = (indicator == SQL_NO_TOTAL || indicator >= (SQLLEN)sizeof(buffer))
                                ? sizeof(buffer) - 1
                                : (std::size_t)indicator;
        cell.append(buffer, piece);
        if (rc == SQL_SUCCESS) break;
      }
      row.push_back(null ? "<null>" : cell);
    }
    out.push_back(std::move(row));
  }
  SQLFreeHandle(SQL_HANDLE_STMT, stmt);
  return out;
}

}  // namespace

std::vector<std::string> TestDatabase::column(const std::string &sql) {
  std::vector<std::string> out;
  for (auto &row : rows(raw().connection->handle(), sql)) out.push_back(row.at(0));
  return out;
}

std::vector<std::string> TestDatabase::tables() {
  std::string sql;
  if (dialect_ == "sqlite")
    sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'crm!_%' ESCAPE '!'";
  else if (dialect_ == "postgresql")
    sql =
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
        "AND table_name LIKE 'crm!_%' ESCAPE '!'";
  else
    sql =
        "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND "
        "table_name LIKE 'crm!_%' ESCAPE '!'";
  return column(sql + " ORDER BY 1");
}

std::string TestDatabase::snapshot() {
  std::string out;
  // Read from the database's own catalog, so that a table a migration adds is in every snapshot
  // without a list to keep.
  const auto names = tables();
  for (const auto &table : names) {
    out += "== " + table + "\n";
    const auto table_rows =
        rows(raw().connection->handle(), "SELECT * FROM " + table + " ORDER BY 1");
    for (const auto &row : table_rows) {
      for (const auto &cell : row) out += cell + "\x1f";
      out += "\n";
    }
  }
  return out;
}

}  // namespace crm::test
