// RAII over unixODBC: environment, connection, prepared statements, block-fetched results.
//
// Rules this layer keeps (see the measurements behind them in the project's ODBC notes):
//  - Narrow (SQL_C_CHAR) entry points with UTF-8 data; never wchar_t (unixODBC SQLWCHAR is UTF-16).
//  - Every statement is prepared with bound parameters and cached per connection by its SQL text.
//  - Results are read forward-only in column-wise blocks with explicit C types and buffer sizes
//    taken from the caller's column list, never from SQLDescribeCol's reported sizes. Columns
//    that may be long are read with SQLGetData instead, one row at a time.
//  - Truncation (01004) is an error, not a warning.
//  - A Connection is used by one thread at a time (sqliteodbc does no locking of its own);
//    ConnectionPool hands them out.
#pragma once

#include <sql.h>
#include <sqlext.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

namespace crm::db {

class Dialect;

// What went wrong, in terms the layers above can act on.
enum class DbErrorKind {
  database,     // the statement was rejected (syntax, type, unknown table ...)
  unavailable,  // the connection is gone or the server cannot be reached
  constraint,   // a unique/foreign key/check constraint refused the write
  retryable,    // serialization failure, deadlock, busy database: safe to run the transaction again
  data,         // a value the database cannot store (22xxx)
};

class DbError : public std::runtime_error {
 public:
  DbError(DbErrorKind kind, std::string sqlstate, std::int64_t native_code, std::string message)
      : std::runtime_error(std::move(message)),
        kind_(kind),
        sqlstate_(std::move(sqlstate)),
        native_code_(native_code) {}
  DbErrorKind kind() const { return kind_; }
  const std::string &sqlstate() const { return sqlstate_; }
  std::int64_t native_code() const { return native_code_; }

 private:
  DbErrorKind kind_;
  std::string sqlstate_;
  std::int64_t native_code_;
};

// A bound parameter: NULL, a 64-bit integer, or UTF-8 text (also used for timestamps and
// decimals, which every driver here converts from text exactly).
using Value = std::variant<std::monostate, std::int64_t, std::string>;

inline Value null_value() {
  return std::monostate{};
}
Value optional_text(const std::optional<std::string> &text);

// How to read one result column.
struct Column {
  enum class Type { int64, text };
  Type type = Type::text;
  // For text: the largest value in bytes (UTF-8) the column can hold. Columns above
  // kLongColumnBytes are read with SQLGetData.
  std::size_t max_bytes = 0;

  static Column integer() { return {Type::int64, 0}; }
  static Column text(std::size_t max_chars) { return {Type::text, max_chars * 4}; }
  static Column long_text() { return {Type::text, SIZE_MAX}; }
};

inline constexpr std::size_t kLongColumnBytes = 16 * 1024;
// A block's buffers stay within this many bytes: fewer rows per block for wide rows.
inline constexpr std::size_t kBlockBytes = 256 * 1024;

class Environment {
 public:
  Environment();
  ~Environment();
  Environment(const Environment &) = delete;
  Environment &operator=(const Environment &) = delete;
  SQLHENV handle() const { return env_; }

 private:
  SQLHENV env_ = SQL_NULL_HENV;
};

class Connection;

// A forward-only result. Rows are fetched in blocks; row accessors refer to the current row.
class Result {
 public:
  Result(Result &&) noexcept;
  Result &operator=(Result &&) = delete;
  ~Result();

  bool next();
  bool is_null(std::size_t column) const;
  std::int64_t int64(std::size_t column) const;
  std::optional<std::int64_t> optional_int64(std::size_t column) const;
  std::string text(std::size_t column) const;  // "" for NULL
  std::optional<std::string> optional_text(std::size_t column) const;

 private:
  friend class Statement;
  Result(SQLHSTMT stmt, const Dialect &dialect, std::vector<Column> columns,
         std::size_t rowset_size);
  void fetch_block();
  void fetch_long_row();

  SQLHSTMT stmt_;
  const Dialect *dialect_;
  std::vector<Column> columns_;
  bool by_row_ = false;  // a long column forces SQLGetData, one row at a time
  std::size_t rowset_size_;
  SQLULEN rows_fetched_ = 0;
  std::size_t row_in_block_ = 0;
  bool exhausted_ = false;
  bool open_ = true;
  // Column-wise buffers for block fetch, left uninitialised: the driver writes every cell it
  // reports, and zeroing a block of wide text columns cost more than a short query itself.
  std::vector<std::unique_ptr<std::int64_t[]>> ints_;
  std::vector<std::unique_ptr<char[]>> texts_;
  std::vector<std::unique_ptr<SQLLEN[]>> indicators_;
  std::vector<SQLUSMALLINT> row_status_;
  // SQLGetData values of the current row.
  std::vector<std::optional<std::string>> row_values_;
};

class Statement {
 public:
  Statement(Connection &connection, std::string sql);
  ~Statement();
  Statement(const Statement &) = delete;
  Statement &operator=(const Statement &) = delete;

  // Runs a statement that returns no rows; returns the affected row count (or -1 if unknown).
  std::int64_t execute(const std::vector<Value> &params);
  // Runs a query. The Result must be consumed or destroyed before this statement runs again.
  Result query(const std::vector<Value> &params, std::vector<Column> columns,
               std::size_t rowset_size = 256);

  // Runs a statement that returns no rows (an INSERT or UPDATE) once per row of parameters,
  // sent as ODBC parameter arrays (SQL_ATTR_PARAMSET_SIZE, column-wise binding): MariaDB
  // Connector/ODBC turns one array into a single COM_STMT_BULK_EXECUTE. The rows go in
  // chunks of at most max_rows rows whose bound buffers (text is padded to the longest value
  // of its column in the chunk) stay within max_bytes; a single larger row still goes alone.
  // Every row of a parameter must hold the same kind of value (int64 or text) or NULL. A
  // failure of any row throws DbError (no row is ever skipped silently); rows of earlier
  // chunks stay written, so run it inside a Transaction for all or nothing. Returns the number
  // of rows executed.
  std::int64_t execute_batch(const std::vector<std::vector<Value>> &rows, std::size_t max_rows,
                             std::size_t max_bytes);

 private:
  void bind_and_execute(const std::vector<Value> &params);
  void execute_array(const std::vector<std::vector<Value>> &rows, std::size_t first,
                     std::size_t count, const std::vector<bool> &text_columns);

  Connection &connection_;
  std::string sql_;
  SQLHSTMT stmt_ = SQL_NULL_HSTMT;
  std::vector<SQLLEN> param_indicators_;
  std::vector<std::int64_t> param_ints_;
  SQLSMALLINT param_count_ = 0;
};

class Connection {
 public:
  Connection(Environment &environment, const Dialect &dialect,
             const std::string &connection_string);
  ~Connection();
  Connection(const Connection &) = delete;
  Connection &operator=(const Connection &) = delete;

  // Cached prepared statement for this SQL text.
  Statement &prepare(const std::string &sql);
  // Runs SQL without caching it (DDL, migrations, session set-up).
  void execute_direct(const std::string &sql);

  // A transaction that only reads (and ends with a rollback) may begin as a reader; one that
  // may write begins as a writer where the dialect distinguishes them (Dialect::begin_write).
  enum class Intent { write, read };
  void begin(Intent intent = Intent::write);
  void commit();
  void rollback() noexcept;
  bool in_transaction() const { return in_transaction_; }

  // Set once a statement failed because the link to the server is gone; the pool then drops
  // this connection instead of reusing it.
  bool broken() const { return broken_; }
  void mark_broken() { broken_ = true; }
  // Statements that reached the server and succeeded on this connection so far.
  std::uint64_t executed() const { return executed_; }
  void count_executed() { ++executed_; }

  const Dialect &dialect() const { return dialect_; }
  SQLHDBC handle() const { return dbc_; }

  // Throws DbError built from the diagnostics of handle if rc is not a success code.
  void check(SQLRETURN rc, SQLSMALLINT handle_type, SQLHANDLE handle, std::string_view what);

 private:
  // execute_direct without counting: transaction control is not a statement of the caller's
  // (executed() counts as manual-commit mode would).
  void execute_uncounted(const std::string &sql);

  const Dialect &dialect_;
  SQLHDBC dbc_ = SQL_NULL_HDBC;
  bool connected_ = false;
  bool in_transaction_ = false;
  bool begun_by_statement_ = false;  // BEGIN sent in autocommit mode (Dialect::begin_write)
  bool broken_ = false;
  std::uint64_t executed_ = 0;
  std::unordered_map<std::string, std::unique_ptr<Statement>> statements_;
};

// Scoped transaction: rolls back unless commit() ran.
class Transaction {
 public:
  explicit Transaction(Connection &connection,
                       Connection::Intent intent = Connection::Intent::write)
      : connection_(connection) {
    connection_.begin(intent);
  }
  ~Transaction() {
    if (!done_) connection_.rollback();
  }
  Transaction(const Transaction &) = delete;
  Transaction &operator=(const Transaction &) = delete;
  void commit() {
    connection_.commit();
    done_ = true;
  }

 private:
  Connection &connection_;
  bool done_ = false;
};

// Collects the diagnostic records of a handle as "SQLSTATE: message; ..." plus the first
// SQLSTATE and native code.
struct Diagnostics {
  std::string sqlstate;
  std::int64_t native_code = 0;
  std::string message;
};
Diagnostics read_diagnostics(SQLSMALLINT handle_type, SQLHANDLE handle);

}  // namespace crm::db
