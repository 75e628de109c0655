// crm-value-bench: value.run and customer.view of libcrm (loaded through include/crm/host.hpp,
// as an ERP host loads it) against the same work written by hand and run through the
// database's own C library (sqlite3, libpq, libmariadb) on the same database and host tables.
//
//   crm-value-bench --dialect sqlite|postgresql|mariadb [--connection ODBC-STRING]
//                   [--customers N] [--shape jinhe] [--views V] [--runs R] [--dir DIR]
//                   [--seed X] [--library PATH] [--only STEP[,STEP]] [--report-runs R]
//
// 1. generates the reference ERP (jinhe shape) into the database, creates a libcrm client with
//    the host mapping, runs lifecycle.sync once and logs a few interactions;
// 2. value.run (period P1) R times, interleaved with a hand-written native INSERT ... SELECT
//    of the same aggregation into a scratch table of the same shape; checks that both sides
//    stored the same (customer, score, tier) rows;
// 3. customer.view for V random customers, interleaved with the native queries that fetch the
//    same profile and timeline sources;
// 4. source.report (group_by source) over the value window's year, after 10 sources and 50
//    campaigns are created and every customer is given a first touch in that year, interleaved
//    with the same report written by hand over the jinhe tables; checks that both sides
//    computed the same figures per source.
// --only value.run,customer.view,source.report picks the steps (default: all).
#include <libpq-fe.h>
#include <mysql.h>
#include <sqlite3.h>
#include <crm/host.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
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
  std::vector<std::string> steps = {"value.run", "customer.view", "source.report"};
  std::int64_t report_runs = 5;
  bool step(const std::string &name) const {
    return std::find(steps.begin(), steps.end(), name) != steps.end();
  }
};

[[noreturn]] void usage(const std::string &problem) {
  std::cerr << "crm-value-bench: " << problem
            << "\nusage: crm-value-bench --dialect sqlite|postgresql|mariadb "
               "[--connection ODBC-STRING] [--customers N] [--shape jinhe] [--views V] "
               "[--runs R] [--dir DIR] [--seed X] [--library PATH] "
               "[--only value.run,customer.view,source.report] [--report-runs R]\n";
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

// ---- source.report against the same report written by hand ------------------------------------

// The report's period: the value window's year in host time (+08:00), documents up to as_of.
const std::string kReportFrom = "2025-11-30T00:00:00+08:00";
const std::string kReportTo = "2026-11-30T00:00:00+08:00";
const std::string kReportFromUtc = "2025-11-29 16:00:00";
const std::string kReportToUtc = "2026-11-29 16:00:00";
const std::string kReportFirstDay = "2025-11-30", kReportLastDay = "2026-11-29";
constexpr int kReportSources = 10, kReportCampaigns = 50;
constexpr std::int64_t kYearSeconds = 365LL * 86400;

// One group's figures, as both sides report them (money in minor units).
struct ReportFigures {
  std::int64_t leads = 0, opportunities = 0, customers = 0, revenue = 0, margin = 0, cost = 0;
  std::optional<double> median_days;
  bool operator==(const ReportFigures &) const = default;
};
using Report = std::map<std::string, ReportFigures>;  // "" for no source; "*" for the total

std::string report_text(const Report &report) {
  std::string out;
  for (const auto &[key, f] : report) {
    char line[256];
    std::snprintf(line, sizeof(line),
                  "%s leads=%lld opp=%lld cust=%lld rev=%lld mar=%lld cost=%lld "
                  "median=%s\n",
                  key.empty() ? "(none)" : key.c_str(), static_cast<long long>(f.leads),
                  static_cast<long long>(f.opportunities), static_cast<long long>(f.customers),
                  static_cast<long long>(f.revenue), static_cast<long long>(f.margin),
                  static_cast<long long>(f.cost),
                  f.median_days ? std::to_string(*f.median_days).c_str() : "null");
    out += line;
  }
  return out;
}

std::uint64_t fnv(const std::string &text) {
  std::uint64_t hash = 1469598103934665603ULL;
  for (unsigned char c : text) hash = (hash ^ c) * 1099511628211ULL;
  return hash;
}

// "-1234.56" -> -123456
std::int64_t minor_of(const json &money) {
  if (!money.is_string()) throw std::runtime_error("source.report: money is " + money.dump());
  std::string text = money.get<std::string>();
  const bool negative = !text.empty() && text.front() == '-';
  if (negative) text.erase(0, 1);
  const auto dot = text.find('.');
  const std::int64_t minor = std::stoll(text.substr(0, dot)) * 100 +
                             (dot == std::string::npos ? 0 : std::stoll(text.substr(dot + 1)));
  return negative ? -minor : minor;
}

ReportFigures figures_of(const json &row) {
  ReportFigures f;
  f.leads = row.at("leads").get<std::int64_t>();
  f.opportunities = row.at("opportunities").get<std::int64_t>();
  f.customers = row.at("customers").get<std::int64_t>();
  f.revenue = minor_of(row.at("revenue"));
  f.margin = minor_of(row.at("margin"));
  f.cost = minor_of(row.at("cost"));
  if (!row.at("median_days_to_first_order").is_null())
    f.median_days = row.at("median_days_to_first_order").get<double>();
  return f;
}

Report report_of(const json &result) {
  Report report;
  for (const auto &row : result.at("groups"))
    report[row.at("key").is_null() ? "" : row.at("key").get<std::string>()] = figures_of(row);
  report["*"] = figures_of(result.at("total"));
  return report;
}

// What a DBA writes for source.report directly against the jinhe tables and the CRM's own
// customer, lifecycle and campaign tables, per dialect: the leads of the period, each one's
// host documents from its first touch (moved to host time, +08:00) up to as_of, in one
// grouped statement; the medians in a second; the campaigns' prorated costs in a third.
struct ReportSql {
  NativeSql base;
  const std::string &dialect() const { return base.dialect; }
  // A CRM timestamp column's literal (UTC; SQLite stores fixed-width text with microseconds).
  std::string crm_ts(const std::string &text) const {
    if (dialect() == "postgresql") return "TIMESTAMP '" + text + "'";
    if (dialect() == "sqlite") return "'" + text + ".000000'";
    return "'" + text + "'";
  }
  std::string to_host(const std::string &utc) const {  // CRM time (UTC) -> host time (+08:00)
    if (dialect() == "postgresql") return "(" + utc + " + INTERVAL '8 hours')";
    if (dialect() == "mariadb") return "(" + utc + " + INTERVAL 8 HOUR)";
    return "datetime(" + utc + ", '+8 hours')";
  }
  std::string integer(const std::string &x) const {
    if (dialect() == "postgresql") return "CAST(" + x + " AS BIGINT)";
    if (dialect() == "mariadb") return "CAST(" + x + " AS SIGNED)";
    return "CAST(" + x + " AS INTEGER)";
  }
  // A document date compared with a host time: the day counts from its midnight on. SQLite's
  // dates are text, which sorts before the same day's midnight: the first whole day instead.
  std::string date_from(const std::string &host_time) const {
    if (dialect() == "sqlite") return "date(" + host_time + ", '+86399 seconds')";
    return host_time;
  }
  std::string whole_days(const std::string &from, const std::string &to) const {  // host times
    if (dialect() == "postgresql") return "EXTRACT(DAY FROM " + to + " - " + from + ")";
    if (dialect() == "mariadb") return "TIMESTAMPDIFF(DAY, " + from + ", " + to + ")";
    return "CAST(julianday(" + to + ") - julianday(" + from + ") AS INTEGER)";
  }
  std::string date_diff(const std::string &to, const std::string &from) const {  // 'YYYY-MM-DD'
    if (dialect() == "postgresql") return "(CAST(" + to + " AS DATE) - CAST(" + from + " AS DATE))";
    if (dialect() == "mariadb") return "DATEDIFF(" + to + ", " + from + ")";
    return "CAST(julianday(" + to + ") - julianday(" + from + ") AS INTEGER)";
  }
  std::string least(const std::string &a, const std::string &b) const {
    return (dialect() == "sqlite" ? "MIN(" : "LEAST(") + a + ", " + b + ")";
  }
  std::string greatest(const std::string &a, const std::string &b) const {
    return (dialect() == "sqlite" ? "MAX(" : "GREATEST(") + a + ", " + b + ")";
  }

  // Customers get a first touch: no source for every 11th, a campaign of their source unless
  // every 7th, at a time spread over the year by the id.
  std::string assign_first_touches() const {
    const std::string offset = "((id * 7919) % " + std::to_string(kYearSeconds) + ")";
    std::string source, campaign, at;
    if (dialect() == "mariadb") {
      source = "CONCAT('src-', id % 10)";
      campaign = "CONCAT('cmp-', id % 50)";
      at = "TIMESTAMP '" + kReportFromUtc + "' + INTERVAL " + offset + " SECOND";
    } else if (dialect() == "postgresql") {
      source = "'src-' || (id % 10)";
      campaign = "'cmp-' || (id % 50)";
      at = "TIMESTAMP '" + kReportFromUtc + "' + " + offset + " * INTERVAL '1 second'";
    } else {
      source = "'src-' || (id % 10)";
      campaign = "'cmp-' || (id % 50)";
      at = "strftime('%Y-%m-%d %H:%M:%S', '" + kReportFromUtc + "', '+' || " + offset +
           " || ' seconds') || '.000000'";
    }
    return "UPDATE crm_customer SET first_touch_source = CASE WHEN id % 11 = 0 THEN NULL ELSE " +
           source +
           " END, first_touch_campaign = CASE WHEN id % 11 = 0 OR id % 7 = 0 THEN NULL "
           "ELSE " +
           campaign + " END, first_touch_at = " + at;
  }

  std::string leads_and_orders() const {
    const std::string as_of_host = base.ts(kAsOfHost);
    return "WITH pop AS (SELECT c.id AS cid, " + integer("c.host_key") +
           " AS khid, c.first_touch_source AS g, c.first_touch_at AS touched, " +
           to_host("c.first_touch_at") +
           " AS touched_host FROM crm_customer c WHERE "
           "c.first_touch_at >= " +
           crm_ts(kReportFromUtc) + " AND c.first_touch_at < " + crm_ts(kReportToUtc) +
           "), "
           "ord AS (SELECT p.cid AS cid, MIN(d.djrq) AS first_at FROM pop p JOIN t_xsdd d ON "
           "d.khid = p.khid WHERE d.zt NOT IN (0, 9) AND d.djrq >= p.touched_host AND d.djrq <= " +
           as_of_host + " GROUP BY p.cid)";
  }

  std::string figures() const {
    const std::string as_of_host = base.ts(kAsOfHost);
    return leads_and_orders() + ", inv AS (SELECT p.cid AS cid, " +
           base.sum("CASE WHEN f.fplx = 2 THEN -" + base.minor("f.je") + " ELSE " +
                    base.minor("f.je") + " END") +
           " AS v FROM pop p JOIN t_xsfp f ON f.khid = p.khid WHERE f.zt <> 9 AND f.kprq >= " +
           date_from("p.touched_host") + " AND f.kprq <= " + base.date(kAsOfDate) +
           " GROUP BY p.cid), "
           "mar AS (SELECT p.cid AS cid, " +
           base.sum(base.minor("m.je") + " - " + base.minor("m.cbje")) +
           " AS v FROM pop p JOIN t_xsdd d ON d.khid = p.khid JOIN t_xsddmx m ON m.ddid = d.ddid "
           "WHERE d.zt NOT IN (0, 9) AND m.cbje IS NOT NULL AND d.djrq >= p.touched_host AND "
           "d.djrq <= " +
           as_of_host +
           " GROUP BY p.cid), "
           "led AS (SELECT e.customer_id AS cid, MAX(CASE WHEN e.to_stage IN ('customer', "
           "'repeat') THEN 1 ELSE 0 END) AS won FROM crm_lifecycle_event e JOIN pop p ON p.cid = "
           "e.customer_id WHERE e.to_stage IN ('opportunity', 'customer', 'repeat') AND "
           "e.occurred_at >= p.touched AND e.occurred_at <= " +
           crm_ts(kReportToUtc) +
           " GROUP BY e.customer_id) "
           "SELECT COALESCE(p.g, ''), COUNT(*), SUM(CASE WHEN led.cid IS NOT NULL OR ord.cid IS "
           "NOT NULL THEN 1 ELSE 0 END), SUM(CASE WHEN led.won = 1 OR ord.cid IS NOT NULL THEN 1 "
           "ELSE 0 END), " +
           base.sum("COALESCE(inv.v, 0)") + ", " + base.sum("COALESCE(mar.v, 0)") +
           " FROM pop p LEFT JOIN ord ON ord.cid = p.cid LEFT JOIN inv ON inv.cid = p.cid LEFT "
           "JOIN mar ON mar.cid = p.cid LEFT JOIN led ON led.cid = p.cid GROUP BY p.g";
  }

  // Median whole days from first touch to first order: the average of the middle one or two.
  std::string medians() const {
    const std::string middle =
        "m.rn IN (" + base.div("m.total + 1", "2") + ", " + base.div("m.total + 2", "2") + ")";
    return leads_and_orders() + ", days AS (SELECT COALESCE(p.g, '') AS k, " +
           whole_days("p.touched_host", "ord.first_at") +
           " AS n FROM pop p JOIN ord ON ord.cid = p.cid) "
           "SELECT m.k, AVG(m.n) FROM (SELECT k, n, ROW_NUMBER() OVER (PARTITION BY k ORDER BY n) "
           "AS rn, COUNT(*) OVER (PARTITION BY k) AS total FROM days) m WHERE " +
           middle +
           " GROUP BY m.k UNION ALL SELECT '*', AVG(m.n) FROM (SELECT n, ROW_NUMBER() OVER (ORDER "
           "BY n) AS rn, COUNT(*) OVER () AS total FROM days) m WHERE " +
           middle;
  }

  // Each campaign meeting the period, for the share of its days inside it (rounded half up).
  std::string costs() const {
    const std::string first = "'" + kReportFirstDay + "'", last = "'" + kReportLastDay + "'";
    return "SELECT source_code, " +
           base.sum("CASE WHEN inside >= days THEN cost_minor ELSE " +
                    base.div("cost_minor * inside * 2 + days", "days * 2") + " END") +
           " FROM (SELECT source_code, cost_minor, " +
           date_diff(least("ends_on", last), greatest("starts_on", first)) + " + 1 AS inside, " +
           date_diff("ends_on", "starts_on") +
           " + 1 AS days FROM crm_campaign WHERE starts_on <= " + last +
           " AND ends_on >= " + first + ") x GROUP BY source_code";
  }
};

// Runs the three native statements; returns the report in the shape of libcrm's.
Report native_report(Native &native, const std::string &figures, const std::string &medians,
                     const std::string &costs) {
  Report report;
  auto number = [](const std::string &text) { return text.empty() ? 0LL : std::stoll(text); };
  for (const auto &row : native.rows(figures)) {
    auto &f = report[row[0]];
    f.leads = number(row[1]);
    f.opportunities = number(row[2]);
    f.customers = number(row[3]);
    f.revenue = number(row[4]);
    f.margin = number(row[5]);
  }
  for (const auto &row : native.rows(medians))
    if (!row[1].empty()) report[row[0]].median_days = std::stod(row[1]);
  for (const auto &row : native.rows(costs)) report[row[0]].cost = number(row[1]);
  auto &total = report["*"];
  for (const auto &[key, f] : report) {
    if (key == "*") continue;
    total.leads += f.leads;
    total.opportunities += f.opportunities;
    total.customers += f.customers;
    total.revenue += f.revenue;
    total.margin += f.margin;
    total.cost += f.cost;
  }
  return report;
}

struct ReportResult {
  std::vector<double> libcrm_runs, native_runs, ratios;
  double rss_before = 0, rss_after = 0, peak_during = 0, peak_before = 0, setup_seconds = 0;
  std::int64_t leads = 0;
  std::size_t groups = 0;
  std::uint64_t libcrm_digest = 0, native_digest = 0;
  bool same = false;
};

double read_peak_mib() {  // VmHWM since the last reset_peak_rss()
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  return 0;
}

std::string day_text(std::chrono::sys_days day) {
  const std::chrono::year_month_day ymd(day);
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buffer;
}

ReportResult source_report_step(const Options &options, crm::host::Session &session,
                                Native &native) {
  const auto ok = expect_ok;
  ReportResult result;
  const ReportSql sql{NativeSql{options.dialect}};
  const auto setup_started = Clock::now();
  // 10 sources over the channels, 50 campaigns (campaign i belongs to source i % 10): most of
  // them inside the year, some starting before it or ending after it (prorated costs).
  static const char *const channels[] = {"web",          "tel", "email", "event", "media",
                                         "face_to_face", "sms", "other", "web",   "event"};
  static const char *const kinds[] = {"website",     "referral", "media", "event",   "media",
                                      "prospecting", "partner",  "other", "partner", "event"};
  for (int i = 0; i < kReportSources; ++i)
    ok(session.call(json({{"method", "source.create"},
                          {"params",
                           {{"code", "src-" + std::to_string(i)},
                            {"name", "来源 " + std::to_string(i)},
                            {"channel", channels[i]},
                            {"kind", kinds[i]}}}})
                        .dump()),
       "source.create");
  using namespace std::chrono;
  const sys_days first = sys_days(year(2025) / October / 1);
  for (int i = 0; i < kReportCampaigns; ++i) {
    const auto starts = first + days(i * 9);              // 2025-10-01 .. 2026-11-07
    const auto ends = starts + days(20 + (i * 37) % 90);  // 3 weeks to 4 months
    char cost[32];
    std::snprintf(cost, sizeof(cost), "%d.%02d", 1000 + i * 733, (i * 17) % 100);
    ok(session.call(json({{"method", "campaign.create"},
                          {"params",
                           {{"code", "cmp-" + std::to_string(i)},
                            {"source", "src-" + std::to_string(i % kReportSources)},
                            {"name", "推广活动 " + std::to_string(i)},
                            {"starts_on", day_text(starts)},
                            {"ends_on", day_text(ends)},
                            {"cost", cost}}}})
                        .dump()),
       "campaign.create");
  }
  native.exec(sql.assign_first_touches());
  // Statistics for both sides' planners after the rewrite of every customer (not timed).
  if (options.dialect == "postgresql")
    native.exec("ANALYZE crm_customer");
  else if (options.dialect == "mariadb")
    native.exec("ANALYZE TABLE crm_customer");
  else
    native.exec("ANALYZE crm_customer");
  result.setup_seconds = seconds_since(setup_started);

  const std::string request =
      json({{"method", "source.report"},
            {"params",
             {{"from", kReportFrom}, {"to", kReportTo}, {"as_of", kAsOf}, {"group_by", "source"}}}})
          .dump();
  const std::string figures = sql.figures(), medians = sql.medians(), costs = sql.costs();
  Report libcrm_report, native_sides;
  result.rss_before = rss_mib();
  result.peak_before = peak_rss_mib();
  for (std::int64_t i = 0; i < options.report_runs; ++i) {
    auto libcrm_side = [&] {
      reset_peak_rss();
      const auto at = Clock::now();
      auto response = session.call(request);
      result.libcrm_runs.push_back(seconds_since(at));
      libcrm_report = report_of(ok(response, "source.report"));
      result.peak_during = std::max(result.peak_during, read_peak_mib());
    };
    auto native_side = [&] {
      const auto at = Clock::now();
      native_sides = native_report(native, figures, medians, costs);
      result.native_runs.push_back(seconds_since(at));
    };
    if (i % 2 == 0) {
      libcrm_side();
      native_side();
    } else {
      native_side();
      libcrm_side();
    }
    result.ratios.push_back(result.libcrm_runs.back() / result.native_runs.back());
    std::fprintf(stderr, "source.report %lld: libcrm %.3f s, native %.3f s\n",
                 static_cast<long long>(i + 1), result.libcrm_runs.back(),
                 result.native_runs.back());
  }
  result.rss_after = rss_mib();
  const auto libcrm_text = report_text(libcrm_report), native_text = report_text(native_sides);
  result.libcrm_digest = fnv(libcrm_text);
  result.native_digest = fnv(native_text);
  result.same = libcrm_report == native_sides;
  result.leads = libcrm_report["*"].leads;
  result.groups = libcrm_report.size() - 1;
  if (!result.same)
    std::fprintf(stderr, "source.report DIFFERS\nlibcrm:\n%snative:\n%s", libcrm_text.c_str(),
                 native_text.c_str());
  else
    std::fprintf(stderr, "source.report figures (both sides):\n%s", libcrm_text.c_str());
  return result;
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
  std::vector<double> libcrm_runs, native_runs;
  double rss_before = 0, rss_after = 0, peak_before = 0, peak_during = 0;
  std::int64_t population = 0;
  std::pair<std::uint64_t, std::size_t> plugin_digest, native_digest;
  bool same = true;
  if (options.step("value.run")) {
    native->exec(sql.create_scratch());
    const std::string insert = sql.insert();
    const std::string run_request =
        json({{"method", "value.run"}, {"params", {{"period", kPeriod}, {"as_of", kAsOf}}}}).dump();
    rss_before = rss_mib();
    peak_before = peak_rss_mib();
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
    rss_after = rss_mib();
    plugin_digest = digest(*native, "crm_value_snapshot");
    native_digest = digest(*native, "bench_value_native");
    same = plugin_digest == native_digest &&
           plugin_digest.second == static_cast<std::size_t>(population);
  }

  // 3. customer.view against the native queries for the same sources
  std::vector<double> libcrm_views, native_views;
  std::size_t native_rows = 0, timeline_items = 0, view_queries = 0;
  if (options.step("customer.view")) {
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
    view_queries = handles.size();
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
  }
  const auto lv = summarize(libcrm_views), nv = summarize(native_views);

  // 4. source.report against the same report written by hand
  ReportResult report;
  if (options.step("source.report")) report = source_report_step(options, session, *native);

  std::printf(
      "crm-value-bench: %s, %s, %lld customers (%lld order lines), seed %llu\n",
      options.dialect.c_str(), options.shape.c_str(), static_cast<long long>(options.customers),
      static_cast<long long>(summary.order_lines), static_cast<unsigned long long>(options.seed));
  std::printf("generate ERP           %8.1f s  (%lld rows)\n", generate_seconds,
              static_cast<long long>(summary.rows()));
  std::printf("lifecycle.sync         %8.1f s  (%zu customers imported)\n", sync_seconds,
              ids.size());
  if (options.step("value.run")) {
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
  }
  if (options.step("customer.view")) {
    std::printf(
        "customer.view x%zu     libcrm p50 %.0f us p99 %.0f us | native (%zu queries) p50 "
        "%.0f us p99 %.0f us | ratio p50 %.2f p99 %.2f\n",
        lv.count, lv.p50, lv.p99, view_queries, nv.p50, nv.p99, lv.p50 / nv.p50, lv.p99 / nv.p99);
    std::printf("  (%.1f timeline items per view, %.1f native rows per view)\n",
                static_cast<double>(timeline_items) / static_cast<double>(options.views + 50),
                static_cast<double>(native_rows) / static_cast<double>(options.views + 50));
  }
  if (options.step("source.report")) {
    const auto ratio = summarize(report.ratios);
    std::printf(
        "source.report setup   %8.1f s  (%d sources, %d campaigns, first touches for "
        "every customer by one UPDATE)\n",
        report.setup_seconds, kReportSources, kReportCampaigns);
    std::printf(
        "source.report (median of %lld) libcrm %.3f s, native (3 statements) %.3f s, "
        "ratio %.2f; per-pair ratio median %.2f, min %.2f, max %.2f\n",
        static_cast<long long>(options.report_runs), median(report.libcrm_runs),
        median(report.native_runs), median(report.libcrm_runs) / median(report.native_runs),
        ratio.p50, ratio.min, ratio.max);
    std::printf(
        "source.report %lld leads in %zu groups; digest libcrm %016llx native %016llx: %s\n",
        static_cast<long long>(report.leads), report.groups,
        static_cast<unsigned long long>(report.libcrm_digest),
        static_cast<unsigned long long>(report.native_digest),
        report.same ? "same figures" : "DIFFERENT");
    std::printf(
        "memory: RSS before source.report %.1f MiB, after %.1f MiB; peak during source.report "
        "%.1f MiB (process peak before %.1f MiB)\n",
        report.rss_before, report.rss_after, report.peak_during, report.peak_before);
    same = same && report.same;
  }
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
    else if (flag == "--report-runs")
      options.report_runs = number();
    else if (flag == "--only") {
      options.steps.clear();
      std::size_t at = 0;
      while (at <= value.size()) {
        auto end = value.find(',', at);
        if (end == std::string::npos) end = value.size();
        std::string step = value.substr(at, end - at);
        std::replace(step.begin(), step.end(), '_', '.');
        if (step != "value.run" && step != "customer.view" && step != "source.report")
          usage("--only takes value.run, customer.view and source.report, comma-separated");
        options.steps.push_back(step);
        at = end + 1;
      }
    } else
      usage("unknown option " + flag);
  }
  if (options.dialect != "sqlite" && options.dialect != "postgresql" &&
      options.dialect != "mariadb")
    usage("--dialect takes sqlite, postgresql or mariadb");
  if (options.customers < 1 || options.views < 1 || options.runs < 1 || options.report_runs < 1)
    usage("--customers, --views, --runs and --report-runs must be positive");
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
