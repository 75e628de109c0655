// What differs between the databases: connection strings, error classification, SQL spellings
// and limits. Domain code asks its dialect; it never spells dialect-specific SQL itself.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "odbc.hpp"

namespace crm::db {

struct ConnectionSettings {
  std::string dialect;                           // "sqlite", "postgresql", "mariadb"
  std::optional<std::string> path;               // sqlite: the database file
  std::optional<std::string> driver;             // explicit ODBC driver (path or name)
  std::optional<std::string> connection_string;  // full ODBC connection string
  int busy_timeout_ms = 5000;
};

class Dialect {
 public:
  virtual ~Dialect() = default;

  virtual std::string_view name() const = 0;
  // The ODBC connection string for these settings, with this dialect's driver defaults.
  // Throws std::invalid_argument naming the setting at fault.
  virtual std::string connection_string(const ConnectionSettings &settings) const = 0;
  // Statements run once on each new connection.
  virtual void on_connect(Connection &connection) const { (void)connection; }
  virtual DbErrorKind classify(const Diagnostics &diagnostics) const = 0;

  // "<column> LIKE ? ESCAPE '\'" matching case-insensitively (ASCII at least).
  virtual std::string like_ci(std::string_view column) const = 0;
  // A parameter marker for a timestamp written as "YYYY-MM-DD HH:MM:SS.ffffff" (UTC).
  virtual std::string timestamp_param() const { return "?"; }
  // Most parameters one statement may carry (multi-row VALUES are chunked below this).
  virtual std::size_t max_parameters() const = 0;
  // Largest parameter payload in bytes one statement should carry (multi-row VALUES are cut
  // below this as well; a single row larger than it still goes alone).
  virtual std::size_t max_statement_bytes() const { return 64 * 1024 * 1024; }
  // Most "{" (ODBC escape openings, e.g. {fn ...}, {d '...'}) a caller-written statement such as
  // a host query may hold: sqliteodbc 0.9998 rescans the rest of the statement for every "{"
  // inside an escape (fixupsql), so its time doubles with each one. psqlODBC 13.02 and
  // Connector/ODBC 3.1 refused 1,000 unmatched "{" in under 20 ms (measured).
  virtual std::size_t max_escape_braces() const { return 1000; }
  // Whether bulk inserts should go as ODBC parameter arrays (Statement::execute_batch) rather
  // than as multi-row VALUES statements: true where the driver turns an array into the
  // server's own bulk protocol (MariaDB), false where it loops or inlines per row. Measured
  // with crm-bench (interaction.log_batch, 200,000 rows in batches of 5,000, per-pair median
  // time libcrm/native): PostgreSQL 1.79 with multi-row VALUES, 4.42 with arrays (psqlODBC
  // inlines literal INSERTs); SQLite 1.28 with VALUES, 1.49 with arrays (sqliteodbc steps per
  // row); MariaDB 2.08/1.89 with VALUES, 1.84/1.88/1.56 with arrays.
  virtual bool prefers_parameter_arrays() const { return false; }
  // Whether DDL takes part in transactions (a failed migration then leaves nothing behind).
  virtual bool transactional_ddl() const = 0;
  // "SELECT ... FOR UPDATE" suffix that locks the selected rows until commit ("" where the
  // whole database is locked by the writing transaction anyway).
  virtual std::string_view for_update() const = 0;

  // "... FOR UPDATE SKIP LOCKED": rows locked by another transaction are passed over instead of
  // waited for, so several processes can claim work side by side ("" where the whole database
  // is locked by the writing transaction anyway).
  virtual std::string_view for_update_skip_locked() const = 0;

  // The statement that makes a just-begun transaction read one snapshot throughout, where the
  // default isolation does not ("" where it does: SQLite's read transaction, InnoDB's
  // REPEATABLE READ).
  virtual std::string_view read_snapshot() const { return ""; }

  // The statement that begins a transaction that will write, where the driver's manual-commit
  // mode would begin it as a reader ("" to use manual-commit mode). SQLite's deferred BEGIN
  // takes the write lock only at the first write, and a writer whose snapshot another writer
  // made stale meanwhile can never take it: it fails after waiting out the busy timeout.
  virtual std::string_view begin_write() const { return ""; }

  // Statements that make the rest of the current transaction join with hash or merge joins, and
  // that undo it ("" where not needed), for statements the caller knows join large sets.
  // PostgreSQL plans on statistics that may know nothing of an owner's recent customers or of
  // rows this transaction wrote; with both sides estimated at a row it picks a nested loop whose
  // inner side is scanned whole for every outer row: minutes at 100,000 (measured).
  virtual std::string_view join_large_sets() const { return ""; }
  virtual std::string_view join_as_planned() const { return ""; }

  // The statement that makes a just-begun write transaction keep locks only on the rows it
  // writes or selects for update, where the default isolation also keeps every row its
  // statements scan (InnoDB's REPEATABLE READ: a transfer that scans the customer table holds
  // everyone's customers until it commits). "" where writes lock only what they change
  // (PostgreSQL) or the writer holds the whole database anyway (SQLite).
  virtual std::string_view lock_only_rows_written() const { return ""; }

  // A subquery of one column, one row per element of the JSON array of strings (text_list) or of
  // integers (integer_list) bound to its only "?": a list of any length as one parameter, for
  // `column IN (<it>)` where bound IN lists would pass the driver's parameter limit. Elements of
  // text lists are at most 128 characters (user and team keys).
  virtual std::string text_list() const = 0;
  virtual std::string integer_list() const = 0;

  // Spellings for queries over the host's own tables (host-schema mapping, aggregations).
  // expr as text, e.g. to compare an integer host key with a text column.
  virtual std::string text_cast(std::string_view expr) const = 0;
  // expr (an exact decimal amount) as a 64-bit integer count of hundredths, rounded half away
  // from zero: sums of it are exact on every database.
  virtual std::string minor_units(std::string_view expr) const = 0;
  // expr (a DATE or TIMESTAMP, or SQLite text) in a form that compares correctly with a
  // timestamp_param() bound as "YYYY-MM-DD HH:MM:SS".
  virtual std::string host_time(std::string_view expr) const { return std::string(expr); }
  // expr, a timestamp column of the CRM's own tables (UTC), moved by minutes (the host's offset
  // from UTC) into the form host_time() gives, so that a CRM instant and a host time compare
  // row by row.
  virtual std::string shifted_time(std::string_view expr, int minutes) const = 0;
  // Whole days from `from` to `to` (both host times as host_time() gives them; to may be a
  // timestamp_param()); negative when to is earlier.
  virtual std::string days_between(std::string_view from, std::string_view to) const = 0;

  // Table options appended to CREATE TABLE statements the adapter writes itself (the schema
  // version table), e.g. the storage engine and character set; "" where nothing is needed.
  virtual std::string_view table_options() const { return ""; }

  // Serialises schema migrations between processes: blocks until this connection holds the
  // database's migration lock (session level, re-entrant: release as often as acquired).
  // Needed where DDL commits on its own, so that a migration cannot be run twice at once;
  // also keeps concurrent CREATE TABLE IF NOT EXISTS from racing. Throws DbError.
  virtual void lock_migrations(Connection &connection) const { (void)connection; }
  // Releases the lock; on failure marks the connection broken (a dropped session frees it).
  virtual void unlock_migrations(Connection &connection) const noexcept { (void)connection; }
};

std::unique_ptr<Dialect> make_dialect(std::string_view name);

// Escapes % _ and \ so that text matches literally inside a LIKE pattern with ESCAPE '\'.
std::string escape_like(std::string_view text);

// Brace-quotes a connection-string attribute value when it needs it ("{a;b}" with "}" doubled).
std::string quote_attribute(std::string_view value);

}  // namespace crm::db
