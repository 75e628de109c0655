// MariaDB through MariaDB Connector/ODBC (Debian odbc-mariadb 3.1.15, libmaodbc.so).
//
// Configuration: {"dialect": "mariadb", "connection_string":
//   "Server=127.0.0.1;Port=3306;Database=crm;UID=crm;PWD=..."}. Without DRIVER= (or DSN=) the
// driver is database.driver or libmaodbc.so found in the usual folders. Options the adapter
// relies on are enforced or added (see connection_string()).
//
// Driver and server notes (measured with 3.1.15 on MariaDB 10.11, see the project's ODBC
// notes for the rest):
//  - SQLRowCount after UPDATE counts rows *changed*, not rows matched: an UPDATE that finds
//    its row but writes the same values reports 0. OPTION bit 2 (FOUND_ROWS, as in MySQL
//    Connector/ODBC) makes it report matched rows, which optimistic updates ("WHERE id = ?
//    AND version = ?" must hit exactly 1 row) rely on, so it is always set.
//  - CHARSET=utf8mb4, else the connection character set may be utf8mb3, which cannot carry
//    4-byte UTF-8 (CJK Extension B, emoji).
//  - DATETIME(6) comes back as SQL_C_CHAR "YYYY-MM-DD HH:MM:SS.ffffff" (always 6 digits) and
//    takes text parameters in that form exactly; comparisons of a DATETIME column with a text
//    parameter compare as datetimes. CAST(? AS TIMESTAMP) is a syntax error in MariaDB, so
//    timestamp_param() stays "?". (MariaDB's TIMESTAMP type is TIMESTAMP(0), 1970-2038 and
//    session-time-zone converted: the schema uses DATETIME(6) holding UTC.)
//  - A killed session reports HY018/1927 on the statement that was running, then
//    08S01/2013 ("Lost connection to server during query"); a server that went away 2006.
//  - Inline column REFERENCES are honoured by 10.5+ but ignored by MySQL and older MariaDB:
//    the migrations spell table-level FOREIGN KEY constraints.
//  - DDL commits implicitly (transactional_ddl() is false): migrations run under a GET_LOCK
//    lock and are written to be re-runnable after a partial failure.
#include <cctype>
#include <cstdlib>
#include <stdexcept>

#include "dialect_support.hpp"

namespace crm::db::detail {

namespace {

constexpr std::int64_t kFoundRows = 2;            // OPTION flag FOUND_ROWS
constexpr std::int64_t kAutoReconnect = 4194304;  // OPTION flag AUTO_RECONNECT
constexpr int kMigrationLockSeconds = 120;
// GET_LOCK names are server-wide (max 64 characters): one lock per database.
constexpr const char *kMigrationLockName = "CONCAT('crm_migrations:', MD5(IFNULL(DATABASE(), '')))";

bool starts_with(const std::string &text, std::string_view prefix) {
  return text.rfind(prefix, 0) == 0;
}

bool equals_ci(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

bool truthy(const std::string &value) {
  return !value.empty() && value != "0" && !equals_ci(value, "no") && !equals_ci(value, "false");
}

class MariadbDialect final : public Dialect {
 public:
  std::string_view name() const override { return "mariadb"; }

  std::string connection_string(const ConnectionSettings &settings) const override {
    auto attributes = server_attributes(settings, "mariadb", "libmaodbc.so", "odbc-mariadb",
                                        "Server=127.0.0.1;Port=3306;Database=crm;UID=crm;PWD=...");
    if (auto charset = attributes.get("CHARSET")) {
      if (!equals_ci(*charset, "utf8mb4"))
        throw std::invalid_argument(
            "database.connection_string: CHARSET must be utf8mb4 (the CRM stores 4-byte "
            "UTF-8), not " +
            charset->substr(0, 32));
    } else {
      attributes.set("CHARSET", "utf8mb4");
    }
    // A silent reconnect would lose the open transaction's first half and the session set-up
    // of on_connect; the pool drops broken connections and opens new ones instead.
    if (auto reconnect = attributes.get("AUTO_RECONNECT"); reconnect && truthy(*reconnect))
      throw std::invalid_argument(
          "database.connection_string: AUTO_RECONNECT must be off (a silent reconnect loses "
          "the open transaction; the connection pool reconnects instead)");
    const char *option_key = attributes.has("OPTION")    ? "OPTION"
                             : attributes.has("OPTIONS") ? "OPTIONS"
                                                         : nullptr;
    std::int64_t options = 0;
    if (option_key) {
      const std::string value = *attributes.get(option_key);
      char *end = nullptr;
      options = std::strtoll(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || options < 0)
        throw std::invalid_argument("database.connection_string: " + std::string(option_key) +
                                    " must be a decimal number of option flags");
      if (options & kAutoReconnect)
        throw std::invalid_argument("database.connection_string: " + std::string(option_key) +
                                    " must not include AUTO_RECONNECT (4194304)");
    }
    attributes.set(option_key ? option_key : "OPTION", std::to_string(options | kFoundRows));
    return attributes.compose();
  }

  void on_connect(Connection &connection) const override {
    // The session rules the SQL here relies on, whatever the server's defaults are:
    // strict mode (too long or invalid values are errors, never silently truncated), no
    // NO_BACKSLASH_ESCAPES (backslash is the LIKE escape), no ANSI_QUOTES/PIPES_AS_CONCAT;
    // UTC for anything the server itself formats (DATETIME columns are not converted).
    connection.execute_direct(
        "SET SESSION sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ZERO_DATE,"
        "NO_ZERO_IN_DATE,NO_ENGINE_SUBSTITUTION', time_zone = '+00:00'");
  }

  DbErrorKind classify(const Diagnostics &diagnostics) const override {
    switch (diagnostics.native_code) {
      case 1040:  // too many connections
      case 1053:  // server shutdown in progress
      case 1152:  // aborted connection
      case 1159:  // net read timeout
      case 1161:  // net write timeout
      case 1927:  // connection was killed
      case 2002:  // cannot connect through the socket
      case 2003:  // cannot connect to the server
      case 2005:  // unknown server host
      case 2006:  // server has gone away
      case 2013:  // lost connection during query
      case 2055:  // lost connection (system error)
        return DbErrorKind::unavailable;
      case 1205:  // lock wait timeout (HY000)
      case 1213:  // deadlock (40001)
      case 1020:  // record changed since last read (snapshot isolation)
        return DbErrorKind::retryable;
      case 1048:  // column cannot be null
      case 1062:  // duplicate entry
      case 1451:  // row is referenced (foreign key)
      case 1452:  // referenced row missing (foreign key)
      case 4025:  // CHECK constraint failed
        return DbErrorKind::constraint;
      case 1264:  // out of range
      case 1265:  // data truncated
      case 1292:  // incorrect datetime value
      case 1366:  // incorrect string value (HY000), e.g. invalid UTF-8
      case 1406:  // data too long
        return DbErrorKind::data;
      default:
        break;
    }
    const auto &state = diagnostics.sqlstate;
    if (starts_with(state, "08")) return DbErrorKind::unavailable;
    if (state == "40001") return DbErrorKind::retryable;
    if (starts_with(state, "23")) return DbErrorKind::constraint;
    if (starts_with(state, "22")) return DbErrorKind::data;
    return DbErrorKind::database;
  }

  std::string like_ci(std::string_view column) const override {
    // The crm_* tables use utf8mb4_nopad_bin (exact, code point order, like PostgreSQL's C
    // collation and SQLite), so LIKE itself is case-sensitive: fold both sides. LOWER() folds
    // every cased letter; Chinese (no case) matches as an exact substring. Backslash is the
    // default LIKE escape (on_connect clears NO_BACKSLASH_ESCAPES).
    return "LOWER(" + std::string(column) + ") LIKE LOWER(?)";
  }

  // The server's prepared statements take 65,535 placeholders, but ODBC counts them in a
  // signed 16-bit SQLSMALLINT: Connector/ODBC 3.1 answers SQLNumParams with -1 for 65,535
  // (measured), so 32,767 is what works through ODBC
  // (AdapterTest.StatementsUpToTheDialectsParameterLimitRun).
  std::size_t max_parameters() const override { return 32767; }
  // The server refuses a packet above max_allowed_packet (16 MiB by default since 10.2.4,
  // often 4 MiB on hosts configured the MySQL way) and closes the connection ("Got a packet
  // bigger than 'max_allowed_packet' bytes", 08S01): measured with a 100-row batch of
  // 65,535-character notes (19.7 MB). Stay well below the smaller default.
  std::size_t max_statement_bytes() const override { return 4 * 1024 * 1024; }
  // Connector/ODBC 3.1 sends a parameter array as one COM_STMT_BULK_EXECUTE (see the notes at
  // Statement::execute_batch in odbc.cpp).
  bool prefers_parameter_arrays() const override { return true; }
  bool transactional_ddl() const override { return false; }
  std::string_view for_update() const override { return " FOR UPDATE"; }
  // SKIP LOCKED exists from MariaDB 10.6.
  std::string_view for_update_skip_locked() const override { return " FOR UPDATE SKIP LOCKED"; }
  // Set before the transaction's first statement, for that transaction only. READ COMMITTED
  // releases the lock of every scanned row that does not match at once, and takes no gap locks.
  std::string_view lock_only_rows_written() const override {
    return "SET TRANSACTION ISOLATION LEVEL READ COMMITTED";
  }
  // JSON_TABLE (10.6+); the column has the CRM tables' collation, so that the comparison with a
  // key column can use its index.
  std::string text_list() const override {
    return "SELECT list.k FROM JSON_TABLE(?, '$[*]' COLUMNS (k VARCHAR(128) CHARACTER SET "
           "utf8mb4 COLLATE utf8mb4_nopad_bin PATH '$')) AS list";
  }
  std::string integer_list() const override {
    return "SELECT list.k FROM JSON_TABLE(?, '$[*]' COLUMNS (k BIGINT PATH '$')) AS list";
  }
  std::string text_cast(std::string_view expr) const override {
    return "CAST(" + std::string(expr) + " AS CHAR)";
  }
  std::string minor_units(std::string_view expr) const override {
    return "CAST(ROUND((" + std::string(expr) + ") * 100) AS SIGNED)";
  }
  std::string shifted_time(std::string_view expr, int minutes) const override {
    return "(" + std::string(expr) + " + INTERVAL " + std::to_string(minutes) + " MINUTE)";
  }
  std::string days_between(std::string_view from, std::string_view to) const override {
    return "FLOOR(TIMESTAMPDIFF(SECOND, " + std::string(from) + ", " + std::string(to) +
           ") / 86400)";
  }
  std::string_view table_options() const override {
    return " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin";
  }

  void lock_migrations(Connection &connection) const override {
    // 1 = locked, 0 = timed out, NULL = error.
    auto result = connection
                      .prepare(std::string("SELECT GET_LOCK(") + kMigrationLockName + ", " +
                               std::to_string(kMigrationLockSeconds) + ")")
                      .query({}, {Column::integer()});
    if (result.next() && !result.is_null(0) && result.int64(0) == 1) return;
    throw DbError(DbErrorKind::retryable, "HY000", 0,
                  "another process has held the schema migration lock for " +
                      std::to_string(kMigrationLockSeconds) + " s");
  }

  void unlock_migrations(Connection &connection) const noexcept override {
    try {
      auto result =
          connection.prepare(std::string("SELECT RELEASE_LOCK(") + kMigrationLockName + ")")
              .query({}, {Column::integer()});
      if (result.next() && !result.is_null(0) && result.int64(0) == 1) return;
    } catch (...) {
    }
    connection.mark_broken();
  }
};

}  // namespace

std::unique_ptr<Dialect> make_mariadb_dialect() {
  return std::make_unique<MariadbDialect>();
}

}  // namespace crm::db::detail
