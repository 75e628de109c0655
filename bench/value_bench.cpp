// crm-value-bench: value.run and customer.view of libcrm (loaded through include/crm/host.hpp,
// as an ERP host loads it) against the same work written by hand and run through the
// database's own C library (sqlite3, libpq, libmariadb) on the same database and host tables.
//
//   crm-value-bench --dialect sqlite|postgresql|mariadb [--connection ODBC-STRING]
//                   [--customers N] [--shape jinhe] [--views V] [--runs R] [--dir DIR]
//                   [--seed X] [--library PATH]
//
// 1. generates the reference ERP (jinhe shape) into the database, creates a libcrm client with
//    the host mapping, runs lifecycle.sync once and logs a few interactions;
// 2. value.run (period P1) R times, interleaved with a hand-written native INSERT ... SELECT
//    of the same aggregation into a scratch table of the same shape; checks that both sides
//    stored the same (customer, score, tier) rows;
// 3. customer.view for V random customers, interleaved with the native queries that fetch the
//    same profile and timeline sources.
#include <libpq-fe.h>
#include <mysql.h>
#include <sqlite3.h>
#include <crm/host.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "dialect.hpp"
#include "erp.hpp"
#include "odbc.hpp"
#include "stats.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace bench;

namespace {

const std::string kPeriod = "P1";
const std::string kAsOf = "2026-11-30T00:00:00+08:00";  // host local midnight
const std::string kAsOfHost = "2026-11-30 00:00:00";
const std::string kWindowStartHost = "2025-11-30 00:00:00";  // value.window_days = 365
const std::string kAsOfDate = "2026-11-30";
const std::string kWindowStartDate = "2025-11-30";

struct Options {
  std::string dialect = "sqlite";
  std::string connection;
  std::int64_t customers = 20'000;
  std::int64_t views = 2'000;
  std::int64_t runs = 3;
  std::uint64_t seed = 42;
  std::string shape = "jinhe";
  std::string dir;
  std::string library = CRM_DEFAULT_LIBRARY;
};

[[noreturn]] void usage(const std::string &problem) {
  std::cerr << "crm-value-bench: " << problem
            << "\nusage: crm-value-bench --dialect sqlite|postgresql|mariadb "
               "[--connection ODBC-STRING] [--customers N] [--shape jinhe] [--views V] "
               "[--runs R] [--dir DIR] [--seed X] [--library PATH]\n";
  std::exit(2);
}

// ---- native access through the database's own C library ---------------------------------------

// Key=value pairs of an ODBC connection string ({...} values unwrapped), keys upper-cased.
std::string odbc_value(const std::string &connection, std::initializer_list<const char *> keys) {
  std::size_t at = 0;
  while (at < connection.size()) {
    auto end = connection.find(';', at);
    if (end == std::string::npos) end = connection.size();
    const auto part = connection.substr(at, end - at);
    at = end + 1;
    const auto eq = part.find('=');
    if (eq == std::string::npos) continue;
    std::string key = part.substr(0, eq), value = part.substr(eq + 1);
    for (auto &c : key) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (value.size() >= 2 && value.front() == '{' && value.back() == '}')
      value = value.substr(1, value.size() - 2);
    for (const char *wanted : keys)
      if (key == wanted) return value;
  }
  return "";
}

// A native connection: plain statements, text results, and prepared statements with integer
// parameters (fetched in full; the result is the number of rows and bytes read).
class Native {
 public:
  virtual ~Native() = default;
  virtual void exec(const std::string &sql) = 0;
  virtual std::vector<std::vector<std::string>> rows(const std::string &sql) = 0;
  // Prepares sql with `?` markers; returns a handle for run().
  virtual std::size_t prepare(const std::string &sql) = 0;
  // Runs a prepared statement with every marker bound to `param`; returns rows read.
  virtual std::size_t run(std::size_t handle, std::int64_t param) = 0;
};

class SqliteNative final : public Native {
 public:
  explicit SqliteNative(const std::string &path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
      throw std::runtime_error("sqlite3_open " + path + ": " + sqlite3_errmsg(db_));
    sqlite3_busy_timeout(db_, 5000);
  }
  ~SqliteNative() override {
    for (auto *statement : statements_) sqlite3_finalize(statement);
    sqlite3_close(db_);
  }
  void exec(const std::string &sql) override {
    char *error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = error ? error : "?";
      sqlite3_free(error);
      throw std::runtime_error("sqlite3: " + message + " in " + sql.substr(0, 200));
    }
  }
  std::vector<std::vector<std::string>> rows(const std::string &sql) override {
    sqlite3_stmt *statement = nullptr;
    check(sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr), sql);
    std::vector<std::vector<std::string>> result;
    int status;
    while ((status = sqlite3_step(statement)) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(statement); ++i) {
        auto *text = sqlite3_column_text(statement, i);
        row.emplace_back(text ? reinterpret_cast<const char *>(text) : "");
      }
      result.push_back(std::move(row));
    }
    sqlite3_finalize(statement);
    if (status != SQLITE_DONE) check(status, sql);
    return result;
  }
  std::size_t prepare(const std::string &sql) override {
    sqlite3_stmt *statement = nullptr;
    check(sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr), sql);
    statements_.push_back(statement);
    return statements_.size() - 1;
  }
  std::size_t run(std::size_t handle, std::int64_t param) override {
    auto *statement = statements_[handle];
    sqlite3_reset(statement);
    for (int i = 1; i <= sqlite3_bind_parameter_count(statement); ++i)
      sqlite3_bind_int64(statement, i, param);
    std::size_t count = 0;
    int status;
    while ((status = sqlite3_step(statement)) == SQLITE_ROW) {
      for (int i = 0; i < sqlite3_column_count(statement); ++i) sqlite3_column_text(statement, i);
      ++count;
    }
    if (status != SQLITE_DONE) check(status, sqlite3_sql(statement));
    return count;
  }

 private:
  void check(int status, const std::string &sql) {
    if (status != SQLITE_OK && status != SQLITE_DONE && status != SQLITE_ROW)
      throw std::runtime_error(std::string("sqlite3: ") + sqlite3_errmsg(db_) + " in " +
                               sql.substr(0, 200));
  }
  sqlite3 *db_ = nullptr;
  std::vector<sqlite3_stmt *> statements_;
};

class PostgresNative final : public Native {
 public:
  explicit PostgresNative(const std::string &odbc) {
    const std::string info = "host='" + odbc_value(odbc, {"SERVER", "HOST"}) + "' port='" +
                             odbc_value(odbc, {"PORT"}) + "' dbname='" +
                             odbc_value(odbc, {"DATABASE", "DB"}) + "' user='" +
                             odbc_value(odbc, {"UID", "USER", "USERNAME"}) + "' password='" +
                             odbc_value(odbc, {"PWD", "PASSWORD"}) + "'";
    pg_ = PQconnectdb(info.c_str());
    if (PQstatus(pg_) != CONNECTION_OK)
      throw std::runtime_error(std::string("libpq: ") + PQerrorMessage(pg_));
  }
  ~PostgresNative() override { PQfinish(pg_); }
  void exec(const std::string &sql) override { PQclear(checked(PQexec(pg_, sql.c_str()), sql)); }
  std::vector<std::vector<std::string>> rows(const std::string &sql) override {
    PGresult *result = checked(PQexec(pg_, sql.c_str()), sql);
    std::vector<std::vector<std::string>> out;
    for (int r = 0; r < PQntuples(result); ++r) {
      std::vector<std::string> row;
      for (int c = 0; c < PQnfields(result); ++c) row.emplace_back(PQgetvalue(result, r, c));
      out.push_back(std::move(row));
    }
    PQclear(result);
    return out;
  }
  std::size_t prepare(const std::string &sql) override {
    std::string text;
    int markers = 0;
    for (char c : sql) text += c == '?' ? "$" + std::to_string(++markers) : std::string(1, c);
    const std::string name = "s" + std::to_string(params_.size());
    PQclear(checked(PQprepare(pg_, name.c_str(), text.c_str(), markers, nullptr), sql));
    params_.push_back(markers);
    return params_.size() - 1;
  }
  std::size_t run(std::size_t handle, std::int64_t param) override {
    const std::string value = std::to_string(param);
    std::vector<const char *> values(static_cast<std::size_t>(params_[handle]), value.c_str());
    const std::string name = "s" + std::to_string(handle);
    PGresult *result = checked(
        PQexecPrepared(pg_, name.c_str(), params_[handle], values.data(), nullptr, nullptr, 0),
        name);
    const auto count = static_cast<std::size_t>(PQntuples(result));
    PQclear(result);
    return count;
  }

 private:
  PGresult *checked(PGresult *result, const std::string &sql) {
    const auto status = PQresultStatus(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      std::string message = PQresultErrorMessage(result);
      PQclear(result);
      throw std::runtime_error("libpq: " + message + " in " + sql.substr(0, 200));
    }
    return result;
  }
  PGconn *pg_ = nullptr;
  std::vector<int> params_;
};

class MariadbNative final : public Native {
 public:
  explicit MariadbNative(const std::string &odbc) {
    my_ = mysql_init(nullptr);
    const auto port = odbc_value(odbc, {"PORT"});
    if (!mysql_real_connect(my_, odbc_value(odbc, {"SERVER", "HOST"}).c_str(),
                            odbc_value(odbc, {"UID", "USER"}).c_str(),
                            odbc_value(odbc, {"PWD", "PASSWORD"}).c_str(),
                            odbc_value(odbc, {"DATABASE", "DB"}).c_str(),
                            port.empty() ? 3306U : static_cast<unsigned>(std::stoul(port)), nullptr,
                            0))
      throw std::runtime_error(std::string("libmariadb: ") + mysql_error(my_));
    mysql_set_character_set(my_, "utf8mb4");
  }
  ~MariadbNative() override {
    for (auto &statement : statements_) mysql_stmt_close(statement.stmt);
    mysql_close(my_);
  }
  void exec(const std::string &sql) override {
    if (mysql_real_query(my_, sql.data(), sql.size()))
      throw std::runtime_error(std::string("libmariadb: ") + mysql_error(my_) + " in " +
                               sql.substr(0, 200));
    if (MYSQL_RES *result = mysql_store_result(my_)) mysql_free_result(result);
  }
  std::vector<std::vector<std::string>> rows(const std::string &sql) override {
    if (mysql_real_query(my_, sql.data(), sql.size()))
      throw std::runtime_error(std::string("libmariadb: ") + mysql_error(my_) + " in " +
                               sql.substr(0, 200));
    MYSQL_RES *result = mysql_use_result(my_);
    std::vector<std::vector<std::string>> out;
    const unsigned fields = mysql_num_fields(result);
    while (MYSQL_ROW row = mysql_fetch_row(result)) {
      unsigned long *lengths = mysql_fetch_lengths(result);
      std::vector<std::string> line;
      for (unsigned i = 0; i < fields; ++i)
        line.emplace_back(row[i] ? std::string(row[i], lengths[i]) : "");
      out.push_back(std::move(line));
    }
    mysql_free_result(result);
    return out;
  }
  std::size_t prepare(const std::string &sql) override {
    Statement statement;
    statement.stmt = mysql_stmt_init(my_);
    if (mysql_stmt_prepare(statement.stmt, sql.data(), sql.size()))
      throw std::runtime_error(std::string("libmariadb: ") + mysql_stmt_error(statement.stmt) +
                               " in " + sql.substr(0, 200));
    const auto fields = mysql_stmt_field_count(statement.stmt);
    statement.buffers.assign(fields, std::vector<char>(4096));
    statement.lengths.assign(fields, 0);
    statement.nulls.assign(fields, 0);
    statement.results.assign(fields, MYSQL_BIND{});
    for (unsigned i = 0; i < fields; ++i) {
      auto &bind = statement.results[i];
      bind.buffer_type = MYSQL_TYPE_STRING;
      bind.buffer = statement.buffers[i].data();
      bind.buffer_length = statement.buffers[i].size();
      bind.length = &statement.lengths[i];
      bind.is_null = &statement.nulls[i];
    }
    statement.markers = mysql_stmt_param_count(statement.stmt);
    statements_.push_back(std::move(statement));
    return statements_.size() - 1;
  }
  std::size_t run(std::size_t handle, std::int64_t param) override {
    auto &statement = statements_[handle];
    std::vector<MYSQL_BIND> params(statement.markers, MYSQL_BIND{});
    long long value = param;
    for (auto &bind : params) {
      bind.buffer_type = MYSQL_TYPE_LONGLONG;
      bind.buffer = &value;
    }
    auto fail = [&] {
      throw std::runtime_error(std::string("libmariadb: ") + mysql_stmt_error(statement.stmt));
    };
    if (statement.markers && mysql_stmt_bind_param(statement.stmt, params.data())) fail();
    if (mysql_stmt_execute(statement.stmt)) fail();
    if (mysql_stmt_bind_result(statement.stmt, statement.results.data())) fail();
    std::size_t count = 0;
    int status;
    while ((status = mysql_stmt_fetch(statement.stmt)) == 0 || status == MYSQL_DATA_TRUNCATED)
      ++count;
    if (status == 1) fail();
    mysql_stmt_free_result(statement.stmt);
    return count;
  }

 private:
  struct Statement {
    MYSQL_STMT *stmt = nullptr;
    unsigned long markers = 0;
    std::vector<std::vector<char>> buffers;
    std::vector<unsigned long> lengths;
    std::vector<my_bool> nulls;
    std::vector<MYSQL_BIND> results;
  };
  MYSQL *my_ = nullptr;
  std::vector<Statement> statements_;
};

// ---- the hand-written value aggregation -------------------------------------------------------

// What a DBA writes for the value snapshot directly against the jinhe tables, per dialect.
struct NativeSql {
  std::string dialect;
  std::string minor(const std::string &x) const {  // decimal money -> integer minor units
    if (dialect == "postgresql") return "CAST(ROUND(" + x + " * 100) AS BIGINT)";
    if (dialect == "mariadb") return "CAST(ROUND(" + x + " * 100) AS SIGNED)";
    return "CAST(ROUND(" + x + " * 100) AS INTEGER)";
  }
  std::string sum(const std::string &x) const {  // integer sum (PostgreSQL's SUM is NUMERIC)
    return dialect == "postgresql" ? "CAST(SUM(" + x + ") AS BIGINT)" : "SUM(" + x + ")";
  }
  std::string div(const std::string &a, const std::string &b) const {  // truncating division
    return dialect == "mariadb" ? "(" + a + ") DIV (" + b + ")" : "(" + a + ") / (" + b + ")";
  }
  std::string days_overdue(const std::string &due) const {
    if (dialect == "postgresql") return "(DATE '" + kAsOfDate + "' - " + due + ")";
    if (dialect == "mariadb") return "DATEDIFF('" + kAsOfDate + "', " + due + ")";
    return "CAST(julianday('" + kAsOfDate + "') - julianday(" + due + ") AS INTEGER)";
  }
  std::string key(const std::string &column) const {
    if (dialect == "postgresql") return "CAST(" + column + " AS VARCHAR)";
    if (dialect == "mariadb") return "CAST(" + column + " AS CHAR)";
    return "CAST(" + column + " AS TEXT)";
  }
  std::string date(const std::string &text) const {
    return dialect == "postgresql" ? "DATE '" + text + "'" : "'" + text + "'";
  }
  std::string ts(const std::string &text) const {
    return dialect == "postgresql" ? "TIMESTAMP '" + text + "'" : "'" + text + "'";
  }

  std::string create_scratch() const {
    const std::string big = dialect == "sqlite" ? "INTEGER" : "BIGINT";
    std::string sql = "CREATE TABLE bench_value_native (period VARCHAR(16) NOT NULL, customer_id " +
                      big + " NOT NULL";
    for (const char *column :
         {"sales_minor", "expectation_minor", "credit_bp", "profit_minor", "reference_points",
          "sales_ppm", "expectation_ppm", "credit_ppm", "profit_ppm", "reference_ppm"})
      sql += std::string(", ") + column + " " + big;
    sql += ", score_ppm " + big + " NOT NULL, position " + big +
           " NOT NULL, tier VARCHAR(32) NOT NULL, PRIMARY KEY (period, customer_id))";
    if (dialect == "mariadb") sql += " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
    return sql;
  }

  std::string insert() const {
    const std::string open = minor("y.ysje") + " - " + minor("y.yishje");
    return "INSERT INTO bench_value_native (period, customer_id, sales_minor, "
           "expectation_minor, credit_bp, profit_minor, reference_points, sales_ppm, "
           "expectation_ppm, credit_ppm, profit_ppm, reference_ppm, score_ppm, position, tier) "
           "WITH sales AS (SELECT f.khid AS khid, " +
           sum("CASE WHEN f.fplx = 2 THEN -" + minor("f.je") + " ELSE " + minor("f.je") + " END") +
           " AS v FROM t_xsfp f WHERE f.zt <> 9 AND f.kprq > " + date(kWindowStartDate) +
           " AND f.kprq <= " + date(kAsOfDate) +
           " GROUP BY f.khid), "
           "expect AS (SELECT customer_id AS cid, " +
           sum("amount_minor * COALESCE(probability, 0)") +
           " AS v FROM crm_opportunity WHERE status = 'open' AND amount_minor IS NOT NULL "
           "GROUP BY customer_id), "
           "ar AS (SELECT y.khid AS khid, y.dqrq AS due, " +
           open +
           " AS open_minor FROM t_yszk y), "
           "credit AS (SELECT khid, " +
           sum("CASE WHEN open_minor > 0 THEN open_minor ELSE 0 END") + " AS outstanding, " +
           sum("CASE WHEN open_minor > 0 AND due < " + date(kAsOfDate) +
               " THEN open_minor ELSE 0 END") +
           " AS overdue, MAX(CASE WHEN open_minor > 0 AND due < " + date(kAsOfDate) + " THEN " +
           days_overdue("due") +
           " END) AS days FROM ar GROUP BY khid), "
           "lim AS (SELECT khid, " +
           minor("xyed") +
           " AS v FROM t_khda WHERE xyed IS NOT NULL), "
           "profit AS (SELECT d.khid AS khid, " +
           sum(minor("m.je") + " - " + minor("m.cbje")) +
           " AS v FROM t_xsddmx m JOIN t_xsdd d ON d.ddid = m.ddid WHERE m.cbje IS NOT NULL AND "
           "d.zt NOT IN (0, 9) AND d.djrq > " +
           ts(kWindowStartHost) + " AND d.djrq <= " + ts(kAsOfHost) +
           " GROUP BY d.khid), "
           "refs AS (SELECT referred_by AS cid, COUNT(*) AS n FROM crm_customer WHERE "
           "referred_by IS NOT NULL GROUP BY referred_by), "
           "population AS (SELECT c.id AS cid, COALESCE(s.sv, 0) AS sales_minor, " +
           div("COALESCE(e.v, 0)", "100") +
           " AS expectation_minor, 10000 - (CASE WHEN COALESCE(r.outstanding, 0) <= 0 THEN 0 "
           "ELSE " +
           div("4000 * r.overdue", "r.outstanding") +
           " END + CASE WHEN r.days IS NULL THEN 0 WHEN r.days >= 90 THEN 3000 ELSE " +
           div("100 * r.days", "3") +
           " END + CASE WHEN l.v IS NULL OR l.v <= 0 OR COALESCE(r.outstanding, 0) <= 0 THEN 0 "
           "WHEN r.outstanding >= l.v THEN 3000 ELSE " +
           div("3000 * r.outstanding", "l.v") +
           " END) AS credit_bp, COALESCE(p.v, 0) AS profit_minor, "
           "100 * COALESCE(c.is_reference, 0) + COALESCE(rf.n, 0) AS reference_points "
           "FROM crm_customer c "
           "LEFT JOIN (SELECT cc.id AS cid, MAX(x.v) AS sv FROM sales x CROSS JOIN crm_customer cc "
           "WHERE cc.host_key = " +
           key("x.khid") +
           " GROUP BY cc.id) s ON s.cid = c.id "
           "LEFT JOIN expect e ON e.cid = c.id "
           "LEFT JOIN (SELECT cc.id AS cid, MAX(x.outstanding) AS outstanding, MAX(x.overdue) AS "
           "overdue, MAX(x.days) AS days FROM credit x CROSS JOIN crm_customer cc "
           "WHERE cc.host_key = " +
           key("x.khid") +
           " GROUP BY cc.id) r ON r.cid = c.id "
           "LEFT JOIN (SELECT cc.id AS cid, MAX(x.v) AS v FROM lim x CROSS JOIN crm_customer cc "
           "WHERE cc.host_key = " +
           key("x.khid") +
           " GROUP BY cc.id) l ON l.cid = c.id "
           "LEFT JOIN (SELECT cc.id AS cid, MAX(x.v) AS v FROM profit x CROSS JOIN crm_customer cc "
           "WHERE cc.host_key = " +
           key("x.khid") +
           " GROUP BY cc.id) p ON p.cid = c.id "
           "LEFT JOIN refs rf ON rf.cid = c.id "
           "WHERE c.stage IN ('customer', 'repeat')), "
           "ranked AS (SELECT population.*, COUNT(*) OVER () AS n, "
           "RANK() OVER (ORDER BY sales_minor) - 1 AS r0, "
           "RANK() OVER (ORDER BY expectation_minor) - 1 AS r1, "
           "RANK() OVER (ORDER BY credit_bp) - 1 AS r2, "
           "RANK() OVER (ORDER BY profit_minor) - 1 AS r3, "
           "RANK() OVER (ORDER BY reference_points) - 1 AS r4 FROM population), "
           "normed AS (SELECT ranked.*, " +
           ppm("r0") + " AS p0, " + ppm("r1") + " AS p1, " + ppm("r2") + " AS p2, " + ppm("r3") +
           " AS p3, " + ppm("r4") +
           " AS p4 FROM ranked), "
           "scored AS (SELECT normed.*, " +
           div("35 * p0 + 15 * p1 + 15 * p2 + 25 * p3 + 10 * p4", "100") +
           " AS score FROM normed), "
           "positioned AS (SELECT scored.*, ROW_NUMBER() OVER (ORDER BY score DESC, cid) AS pos "
           "FROM scored) "
           "SELECT '" +
           kPeriod +
           "', cid, sales_minor, expectation_minor, credit_bp, profit_minor, reference_points, "
           "p0, p1, p2, p3, p4, score, pos, CASE WHEN 1 * n >= pos * 100 THEN 'key' "
           "WHEN 5 * n >= pos * 100 THEN 'major' WHEN 20 * n >= pos * 100 THEN 'growth' "
           "ELSE 'basic' END FROM positioned";
  }
  std::string ppm(const std::string &rank) const {
    return "CASE WHEN n = 1 THEN 1000000 ELSE " + div(rank + " * 1000000", "n - 1") + " END";
  }
  std::string begin() const { return dialect == "mariadb" ? "START TRANSACTION" : "BEGIN"; }
};

// FNV-1a over (customer, score, tier) rows of a snapshot table, ordered by customer.
std::pair<std::uint64_t, std::size_t> digest(Native &native, const std::string &table) {
  auto rows = native.rows("SELECT customer_id, score_ppm, tier FROM " + table +
                          " WHERE period = '" + kPeriod + "' ORDER BY customer_id");
  std::uint64_t hash = 1469598103934665603ULL;
  for (const auto &row : rows)
    for (const auto &field : row) {
      for (unsigned char c : field + "|") hash = (hash ^ c) * 1099511628211ULL;
    }
  return {hash, rows.size()};
}

double rss_mib() {  // current resident set
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  return 0;
}

void reset_peak_rss() {
  std::ofstream("/proc/self/clear_refs") << "5";
}

json expect_ok(const crm::host::Response &response, const char *method) {
  json body = json::parse(response.body);
  if (!response.ok())
    throw std::runtime_error(std::string(method) + " failed: " + body["error"].dump());
  return body["result"];
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

int run(const Options &options) {
  const auto shape = crm::erp::parse_shape(options.shape);
  if (shape != crm::erp::Shape::jinhe)
    throw std::invalid_argument("--shape: the native side is written for jinhe only");
  crm::db::ConnectionSettings settings;
  settings.dialect = options.dialect;
  std::string sqlite_path;
  if (options.dialect == "sqlite") {
    fs::create_directories(options.dir);
    sqlite_path = (fs::path(options.dir) / "erp.db").string();
    for (const char *suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(sqlite_path + suffix);
    settings.path = sqlite_path;
  } else {
    settings.connection_string = options.connection;
  }
  auto dialect = crm::db::make_dialect(options.dialect);
  crm::db::Environment environment;

  // 1. the host ERP
  std::fprintf(stderr, "generating %lld customers (%s) ...\n",
               static_cast<long long>(options.customers), options.shape.c_str());
  crm::erp::Summary summary;
  double generate_seconds = 0;
  {
    crm::db::Connection connection(environment, *dialect, dialect->connection_string(settings));
    if (options.dialect != "sqlite") {  // a scratch database: leave no CRM tables behind
      std::unique_ptr<Native> native;
      if (options.dialect == "postgresql")
        native = std::make_unique<PostgresNative>(options.connection);
      else
        native = std::make_unique<MariadbNative>(options.connection);
      const std::string list =
          options.dialect == "postgresql"
              ? "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND "
                "(tablename LIKE 'crm\\_%' OR tablename = 'bench_value_native')"
              : "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                "DATABASE() AND (table_name LIKE 'crm\\_%' OR table_name = 'bench_value_native')";
      if (options.dialect == "mariadb") native->exec("SET FOREIGN_KEY_CHECKS = 0");
      for (const auto &row : native->rows(list))
        native->exec("DROP TABLE IF EXISTS " + row[0] +
                     (options.dialect == "postgresql" ? " CASCADE" : ""));
    }
    crm::erp::Options erp;
    erp.shape = shape;
    erp.seed = options.seed;
    erp.customers = options.customers;
    const auto started = Clock::now();
    summary = crm::erp::generate(connection, erp);
    generate_seconds = seconds_since(started);
  }
  std::fprintf(stderr, "  %lld rows (%lld orders, %lld lines) in %.1f s\n",
               static_cast<long long>(summary.rows()), static_cast<long long>(summary.orders),
               static_cast<long long>(summary.order_lines), generate_seconds);

  // the libcrm client with the host mapping
  json database = {{"dialect", options.dialect}};
  if (options.dialect == "sqlite")
    database["path"] = sqlite_path;
  else
    database["connection_string"] = options.connection;
  const json config = {{"database", database},
                       {"host", json::parse(crm::erp::mapping_json(shape, options.dialect))},
                       {"log", {{"sink", "stderr"}, {"level", "warn"}}},
                       {"organisation", {{"bootstrap_admins", {"bench.user"}}}}};
  auto plugin = crm::host::Plugin::load(options.library);
  crm::host::Client client(plugin, config.dump());
  // An administrator (organisation.bootstrap_admins): value.get shows margins and credit.
  auto session = client.open_session("bench.user");

  auto started = Clock::now();
  const json synced = expect_ok(
      session.call(json({{"method", "lifecycle.sync"}, {"params", {{"as_of", kAsOf}}}}).dump()),
      "lifecycle.sync");
  const double sync_seconds = seconds_since(started);
  std::fprintf(stderr, "lifecycle.sync %.1f s: %s\n", sync_seconds, synced.dump().c_str());

  std::unique_ptr<Native> native;
  if (options.dialect == "sqlite")
    native = std::make_unique<SqliteNative>(sqlite_path);
  else if (options.dialect == "postgresql")
    native = std::make_unique<PostgresNative>(options.connection);
  else
    native = std::make_unique<MariadbNative>(options.connection);

  std::vector<std::int64_t> ids;
  for (const auto &row : native->rows("SELECT id FROM crm_customer ORDER BY id"))
    ids.push_back(std::stoll(row[0]));
  if (ids.empty()) throw std::runtime_error("lifecycle.sync imported no customers");
  std::mt19937_64 random(options.seed);
  {  // a few interactions for a sample of customers (Chinese subjects)
    json items = json::array();
    for (std::size_t i = 0; i < std::min<std::size_t>(ids.size(), 2000); ++i) {
      const auto id = ids[random() % ids.size()];
      items.push_back(
          {{"customer_id", std::to_string(id)},
           {"channel", i % 2 ? "tel" : "email"},
           {"direction", i % 3 ? "outbound" : "inbound"},
           {"occurred_at", "2026-11-" + std::to_string(10 + i % 18) + "T09:30:00+08:00"},
           {"subject", "回访客户 " + std::to_string(i) + "：确认下季度订单"}});
    }
    expect_ok(
        session.call(
            json({{"method", "interaction.log_batch"}, {"params", {{"items", items}}}}).dump()),
        "interaction.log_batch");
  }

  // 2. value.run against the hand-written aggregation
  const NativeSql sql{options.dialect};
  native->exec(sql.create_scratch());
  const std::string insert = sql.insert();
  const std::string run_request =
      json({{"method", "value.run"}, {"params", {{"period", kPeriod}, {"as_of", kAsOf}}}}).dump();
  std::vector<double> libcrm_runs, native_runs;
  double rss_before = rss_mib(), peak_before = peak_rss_mib(), peak_during = 0;
  std::int64_t population = 0;
  for (std::int64_t i = 0; i < options.runs; ++i) {
    auto libcrm_side = [&] {
      reset_peak_rss();
      const auto at = Clock::now();
      auto response = session.call(run_request);
      libcrm_runs.push_back(seconds_since(at));
      population = expect_ok(response, "value.run")["population"].get<std::int64_t>();
      std::ifstream status("/proc/self/status");
      std::string line;
      while (std::getline(status, line))
        if (line.rfind("VmHWM:", 0) == 0)
          peak_during = std::max(peak_during, std::stod(line.substr(6)) / 1024.0);
    };
    auto native_side = [&] {
      const auto at = Clock::now();
      native->exec(sql.begin());
      native->exec("DELETE FROM bench_value_native WHERE period = '" + kPeriod + "'");
      native->exec(insert);
      native->exec("COMMIT");
      native_runs.push_back(seconds_since(at));
    };
    if (i % 2 == 0) {
      libcrm_side();
      native_side();
    } else {
      native_side();
      libcrm_side();
    }
    std::fprintf(stderr, "value.run %lld: libcrm %.2f s, native %.2f s\n",
                 static_cast<long long>(i + 1), libcrm_runs.back(), native_runs.back());
  }
  const double rss_after = rss_mib();
  const auto plugin_digest = digest(*native, "crm_value_snapshot");
  const auto native_digest = digest(*native, "bench_value_native");
  const bool same = plugin_digest == native_digest &&
                    plugin_digest.second == static_cast<std::size_t>(population);

  // 3. customer.view against the native queries for the same sources
  const std::vector<std::string> view_sql = {
      "SELECT * FROM crm_customer WHERE id = ?",
      "SELECT * FROM crm_contact WHERE customer_id = ? ORDER BY id LIMIT 50",
      "SELECT * FROM crm_opportunity WHERE customer_id = ? AND status = 'open' ORDER BY id "
      "LIMIT 50",
      "SELECT * FROM crm_task WHERE customer_id = ? AND status = 'open' ORDER BY id LIMIT 50",
      "SELECT v.*, r.population, r.weights FROM crm_value_snapshot v JOIN crm_value_run r ON "
      "r.period = v.period WHERE v.customer_id = ? AND v.period = '" +
          kPeriod + "'",
      "SELECT * FROM crm_lifecycle_event WHERE customer_id = ? ORDER BY occurred_at DESC, id "
      "DESC LIMIT 20",
      "SELECT id, occurred_at, channel, direction, subject FROM crm_interaction WHERE "
      "customer_id = ? ORDER BY occurred_at DESC, id DESC LIMIT 20",
      "SELECT e.*, o.name FROM crm_opportunity_event e JOIN crm_opportunity o ON o.id = "
      "e.opportunity_id WHERE e.customer_id = ? ORDER BY e.occurred_at DESC, e.id DESC LIMIT 20",
      // host sources: jinhe keys are the customer numbers, which lifecycle.sync keeps as ids
      "SELECT ddid, djrq, zje, zt FROM t_xsdd WHERE khid = ? ORDER BY djrq DESC, ddid DESC "
      "LIMIT 20",
      "SELECT fpid, kprq, je, fplx, zt FROM t_xsfp WHERE khid = ? ORDER BY kprq DESC, fpid DESC "
      "LIMIT 20",
      "SELECT yszkid, zhskrq, yishje FROM t_yszk WHERE khid = ? AND zhskrq IS NOT NULL ORDER BY "
      "zhskrq DESC, yszkid DESC LIMIT 20"};
  std::vector<std::size_t> handles;
  for (const auto &text : view_sql) handles.push_back(native->prepare(text));
  // crm ids and host keys: map id -> khid through host_key
  std::vector<std::pair<std::int64_t, std::int64_t>> keys;
  for (const auto &row : native->rows("SELECT id, host_key FROM crm_customer ORDER BY id"))
    keys.emplace_back(std::stoll(row[0]), std::stoll(row[1]));
  std::vector<double> libcrm_views, native_views;
  std::size_t native_rows = 0, timeline_items = 0;
  for (std::int64_t i = 0; i < options.views + 50; ++i) {
    const auto [id, khid] = keys[random() % keys.size()];
    const std::string request =
        json({{"method", "customer.view"}, {"params", {{"id", std::to_string(id)}}}}).dump();
    auto libcrm_side = [&] {
      const auto at = Clock::now();
      auto response = session.call(request);
      const double micros = micros_since(at);
      if (i >= 50) libcrm_views.push_back(micros);
      timeline_items += expect_ok(response, "customer.view")["timeline"]["items"].size();
    };
    auto native_side = [&] {
      const auto at = Clock::now();
      for (std::size_t q = 0; q < handles.size(); ++q)
        native_rows += native->run(handles[q], q < 8 ? id : khid);
      const double micros = micros_since(at);
      if (i >= 50) native_views.push_back(micros);
    };
    if (i % 2 == 0) {
      libcrm_side();
      native_side();
    } else {
      native_side();
      libcrm_side();
    }
  }
  const auto lv = summarize(libcrm_views), nv = summarize(native_views);

  std::printf(
      "crm-value-bench: %s, %s, %lld customers (%lld order lines), seed %llu\n",
      options.dialect.c_str(), options.shape.c_str(), static_cast<long long>(options.customers),
      static_cast<long long>(summary.order_lines), static_cast<unsigned long long>(options.seed));
  std::printf("generate ERP           %8.1f s  (%lld rows)\n", generate_seconds,
              static_cast<long long>(summary.rows()));
  std::printf("lifecycle.sync         %8.1f s  (%zu customers imported)\n", sync_seconds,
              ids.size());
  std::printf("value.run (median of %lld) libcrm %.2f s, native %.2f s, ratio %.2f\n",
              static_cast<long long>(options.runs), median(libcrm_runs), median(native_runs),
              median(libcrm_runs) / median(native_runs));
  std::printf("value.run population %lld; digest libcrm %016llx/%zu native %016llx/%zu: %s\n",
              static_cast<long long>(population),
              static_cast<unsigned long long>(plugin_digest.first), plugin_digest.second,
              static_cast<unsigned long long>(native_digest.first), native_digest.second,
              same ? "same rows" : "DIFFERENT");
  std::printf(
      "memory: RSS before value.run %.1f MiB, after %.1f MiB; peak during value.run %.1f MiB "
      "(process peak before %.1f MiB)\n",
      rss_before, rss_after, peak_during, peak_before);
  std::printf(
      "customer.view x%zu     libcrm p50 %.0f us p99 %.0f us | native (%zu queries) p50 "
      "%.0f us p99 %.0f us | ratio p50 %.2f p99 %.2f\n",
      lv.count, lv.p50, lv.p99, handles.size(), nv.p50, nv.p99, lv.p50 / nv.p50, lv.p99 / nv.p99);
  std::printf("  (%.1f timeline items per view, %.1f native rows per view)\n",
              static_cast<double>(timeline_items) / static_cast<double>(options.views + 50),
              static_cast<double>(native_rows) / static_cast<double>(options.views + 50));
  if (options.dialect == "sqlite")
    for (const char *suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(sqlite_path + suffix);
  return same ? 0 : 1;
}

}  // namespace

int main(int argc, char **argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) usage(flag + " needs a value");
    const std::string value = argv[++i];
    auto number = [&] {
      try {
        return std::stoll(value);
      } catch (const std::exception &) {
        usage(flag + " needs a number");
      }
    };
    if (flag == "--dialect")
      options.dialect = value;
    else if (flag == "--connection")
      options.connection = value;
    else if (flag == "--customers")
      options.customers = number();
    else if (flag == "--views")
      options.views = number();
    else if (flag == "--runs")
      options.runs = number();
    else if (flag == "--seed")
      options.seed = static_cast<std::uint64_t>(number());
    else if (flag == "--shape")
      options.shape = value;
    else if (flag == "--dir")
      options.dir = value;
    else if (flag == "--library")
      options.library = value;
    else
      usage("unknown option " + flag);
  }
  if (options.dialect != "sqlite" && options.dialect != "postgresql" &&
      options.dialect != "mariadb")
    usage("--dialect takes sqlite, postgresql or mariadb");
  if (options.customers < 1 || options.views < 1 || options.runs < 1)
    usage("--customers, --views and --runs must be positive");
  if (options.dialect != "sqlite" && options.connection.empty()) {
    const char *value = std::getenv(options.dialect == "postgresql" ? "CRM_POSTGRESQL_CONNECTION"
                                                                    : "CRM_MARIADB_CONNECTION");
    if (!value || !*value) usage("--dialect " + options.dialect + " needs --connection");
    options.connection = value;
  }
  if (options.dir.empty())
    options.dir =
        (fs::temp_directory_path() / ("crm-value-bench-" + std::to_string(getpid()))).string();
  try {
    return run(options);
  } catch (const std::exception &error) {
    std::fprintf(stderr, "crm-value-bench: %s\n", error.what());
    return 1;
  }
}
