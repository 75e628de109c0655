// PostgreSQL through psqlODBC (Debian odbc-postgresql 13.02, psqlodbcw.so).
//
// Configuration: {"dialect": "postgresql", "connection_string":
//   "Server=127.0.0.1;Port=5432;Database=crm;UID=crm;PWD=..."}. Without DRIVER= (or DSN=) the
// driver is database.driver or psqlodbcw.so found in the usual folders. Options the adapter
// relies on are added unless the connection string sets them (see connection_string()).
//
// Driver notes (measured, see the project's ODBC notes):
//  - Debian's /etc/odbcinst.ini ships [PostgreSQL Unicode] CommLog=1, and psqlODBC reads that
//    section by its compiled-in name even for DRIVER=/path connections: every connecting
//    process then writes /tmp/psqlodbc_*.log. CommLog=0 in the connection string does not
//    stop it. Run with ODBCSYSINI pointing at a clean odbcinst.ini (scripts/db/*.sh write one
//    and export it) or fix the system file.
//  - psqlODBC sends every parameter with type OID 0 ("unknown", pgtypes.c
//    sqltype_to_bind_pgtype) and appends a cast for some SQL types only (SQL_BIGINT ->
//    ::int8). Text bound as SQL_VARCHAR is therefore inferred from context, and a plain ?
//    works for timestamp columns with this version; older ones sent the SQL type's OID
//    (varchar), which PostgreSQL refuses to assign to a timestamp. timestamp_param() casts
//    explicitly so as not to depend on that policy.
//  - timestamp (without time zone) columns come back as SQL_C_CHAR in PostgreSQL's own text
//    form: fraction trimmed ("2024-03-01 00:00:00", "... 00:00:00.12"). timestamptz would
//    lose its zone on the way (psqlodbc #95), so the schema stores UTC in timestamp.
//  - Lost connections surface as SQLSTATE 08S01 (native 35) with the server's FATAL text,
//    e.g. 57P01 "terminating connection due to administrator command" inside the message.
#include <chrono>
#include <stdexcept>
#include <thread>

#include "dialect_support.hpp"

namespace crm::db::detail {

namespace {

// Key of the session-level advisory lock that serialises migrations ("crm_migr" in ASCII).
constexpr const char *kMigrationLockKey = "7165910213724825458";
constexpr auto kMigrationLockWait = std::chrono::seconds(120);

bool starts_with(const std::string &text, std::string_view prefix) {
  return text.rfind(prefix, 0) == 0;
}

class PostgresqlDialect final : public Dialect {
 public:
  std::string_view name() const override { return "postgresql"; }

  std::string connection_string(const ConnectionSettings &settings) const override {
    auto attributes = server_attributes(settings, "postgresql", "psqlodbcw.so", "odbc-postgresql",
                                        "Server=127.0.0.1;Port=5432;Database=crm;UID=crm;PWD=...");
    // Protocol=7.4-1: transaction-level rollback on error. The default (7.4-2, statement
    // level) wraps every statement of a manual-commit transaction in SAVEPOINT/RELEASE, one
    // extra round trip each; an error aborts our transactions anyway (Transaction rolls back).
    attributes.set_default("Protocol", "7.4-1");
    // Server-side prepared plans, reused by the per-connection statement cache.
    attributes.set_default("UseServerSidePrepare", "1");
    // Never a cursor per SELECT: it adds BEGIN/DECLARE/FETCH/CLOSE round trips to every
    // lookup (3x slower) and breaks some statements (psqlodbc #102). Streaming exports would
    // need their own connection profile.
    attributes.set_default("UseDeclareFetch", "0");
    // Booleans as SQL_BIT rather than '1'/'0' text.
    attributes.set_default("BoolsAsChar", "0");
    return attributes.compose();
  }

  DbErrorKind classify(const Diagnostics &diagnostics) const override {
    const auto &state = diagnostics.sqlstate;
    // 08xxx: connection exceptions (psqlODBC reports a lost connection as 08S01);
    // 57P01..57P03: admin/crash shutdown, cannot connect now; 53300: too many connections.
    if (starts_with(state, "08") || state == "57P01" || state == "57P02" || state == "57P03" ||
        state == "53300")
      return DbErrorKind::unavailable;
    // 40001 serialization failure, 40P01 deadlock, 55P03 lock not available (lock_timeout,
    // NOWAIT): the transaction can simply run again.
    if (state == "40001" || state == "40P01" || state == "55P03") return DbErrorKind::retryable;
    if (starts_with(state, "23")) return DbErrorKind::constraint;
    if (starts_with(state, "22")) return DbErrorKind::data;
    // psqlODBC's own errors carry driver states (HY000 ...); the lost-connection ones say so.
    if (diagnostics.message.find("connection has been lost") != std::string::npos ||
        diagnostics.message.find("server closed the connection") != std::string::npos ||
        diagnostics.message.find("no connection to the server") != std::string::npos)
      return DbErrorKind::unavailable;
    return DbErrorKind::database;
  }

  std::string like_ci(std::string_view column) const override {
    // ILIKE folds case by the database's LC_CTYPE (C.UTF-8 in scripts/db/postgresql.sh: all
    // cased letters, not only ASCII). Backslash is PostgreSQL's default LIKE escape whatever
    // standard_conforming_strings says, so no ESCAPE literal is spelled.
    return std::string(column) + " ILIKE ?";
  }

  std::string timestamp_param() const override { return "CAST(? AS TIMESTAMP)"; }
  // Not the protocol's 65,535 (Bind counts parameters in 16 bits): psqlODBC's server-side
  // prepare describes each statement, and the server answers with a ParameterDescription of
  // 4 + 2 + 4 × n bytes (length, count, one type oid per parameter). libpq's pqParseInput3
  // (fe-protocol3.c, PostgreSQL 15) drops the connection, "lost synchronization with server:
  // got message type "t"", on any message longer than 30,000 bytes whose type is not in
  // VALID_LONG_MESSAGE_TYPE, and 't' is not. So n ≤ (30,000 − 6) / 4 = 7,498. Measured with
  // Debian 12's odbc-postgresql 13.02 on libpq5 15: 7,498 parameters work, 7,499 fail
  // (AdapterTest.StatementsUpToTheDialectsParameterLimitRun).
  std::size_t max_parameters() const override { return 7498; }
  bool transactional_ddl() const override { return true; }
  std::string_view for_update() const override { return " FOR UPDATE"; }
  std::string_view for_update_skip_locked() const override { return " FOR UPDATE SKIP LOCKED"; }
  std::string_view join_large_sets() const override { return "SET LOCAL enable_nestloop = off"; }
  std::string_view join_as_planned() const override {
    return "SET LOCAL enable_nestloop = DEFAULT";
  }
  std::string_view read_snapshot() const override {
    return "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";
  }
  std::string text_list() const override {
    return "SELECT jsonb_array_elements_text(CAST(? AS jsonb))";
  }
  std::string integer_list() const override {
    return "SELECT CAST(jsonb_array_elements_text(CAST(? AS jsonb)) AS BIGINT)";
  }
  std::string text_cast(std::string_view expr) const override {
    return "CAST(" + std::string(expr) + " AS VARCHAR)";
  }
  std::string minor_units(std::string_view expr) const override {
    return "CAST(ROUND(CAST(" + std::string(expr) + " AS NUMERIC) * 100) AS BIGINT)";
  }
  std::string shifted_time(std::string_view expr, int minutes) const override {
    return "(" + std::string(expr) + " + INTERVAL '" + std::to_string(minutes) + " minutes')";
  }
  std::string days_between(std::string_view from, std::string_view to) const override {
    return "CAST(FLOOR(EXTRACT(EPOCH FROM (CAST(" + std::string(to) + " AS TIMESTAMP) - CAST(" +
           std::string(from) + " AS TIMESTAMP))) / 86400) AS BIGINT)";
  }

  void lock_migrations(Connection &connection) const override {
    // pg_try_advisory_lock in a loop rather than pg_advisory_lock: a process that hangs while
    // holding the lock must not hang every other one forever.
    const auto deadline = std::chrono::steady_clock::now() + kMigrationLockWait;
    auto &statement = connection.prepare(std::string("SELECT CASE WHEN pg_try_advisory_lock(") +
                                         kMigrationLockKey + ") THEN 1 ELSE 0 END");
    for (;;) {
      bool locked = false;
      {
        auto result = statement.query({}, {Column::integer()});
        locked = result.next() && result.int64(0) == 1;
      }
      if (locked) return;
      if (std::chrono::steady_clock::now() >= deadline)
        throw DbError(DbErrorKind::retryable, "55P03", 0,
                      "another process has held the schema migration lock for " +
                          std::to_string(kMigrationLockWait.count()) + " s");
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  void unlock_migrations(Connection &connection) const noexcept override {
    try {
      auto result = connection
                        .prepare(std::string("SELECT CASE WHEN pg_advisory_unlock(") +
                                 kMigrationLockKey + ") THEN 1 ELSE 0 END")
                        .query({}, {Column::integer()});
      if (result.next() && result.int64(0) == 1) return;
    } catch (...) {
    }
    // Closing the session releases the lock for sure.
    connection.mark_broken();
  }
};

}  // namespace

std::unique_ptr<Dialect> make_postgresql_dialect() {
  return std::make_unique<PostgresqlDialect>();
}

}  // namespace crm::db::detail
