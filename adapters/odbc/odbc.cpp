#include "odbc.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstring>

#include "dialect.hpp"

namespace crm::db {

namespace {

bool succeeded(SQLRETURN rc) {
  return rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO;
}

// Text buffers for bound columns hold max_bytes plus the terminating NUL.
std::size_t text_buffer_size(const Column &column) {
  return column.max_bytes + 1;
}

}  // namespace

Value optional_text(const std::optional<std::string> &text) {
  if (!text) return std::monostate{};
  return *text;
}

Diagnostics read_diagnostics(SQLSMALLINT handle_type, SQLHANDLE handle) {
  Diagnostics diagnostics;
  for (SQLSMALLINT record = 1;; ++record) {
    SQLCHAR state[6] = {0};
    SQLINTEGER native = 0;
    SQLCHAR text[1024] = {0};
    SQLSMALLINT text_length = 0;
    SQLRETURN rc = SQLGetDiagRec(handle_type, handle, record, state, &native, text, sizeof(text),
                                 &text_length);
    if (!succeeded(rc)) break;
    if (record == 1) {
      diagnostics.sqlstate = reinterpret_cast<char *>(state);
      diagnostics.native_code = native;
    } else {
      diagnostics.message += "; ";
    }
    diagnostics.message += reinterpret_cast<char *>(state);
    diagnostics.message += ": ";
    diagnostics.message += reinterpret_cast<char *>(text);
    if (record >= 8) break;
  }
  if (diagnostics.message.empty()) diagnostics.message = "no diagnostic record";
  return diagnostics;
}

// ---- Environment ---------------------------------------------------------------------------

Environment::Environment() {
  // unixODBC keeps driver-manager state in globals that it never frees. When a host unloads
  // libcrm, libodbc would go with it and that state would be lost, a little on every
  // load/unload cycle; pinned, libodbc stays loaded and reuses it.
  static const bool pinned = dlopen("libodbc.so.2", RTLD_NOW | RTLD_NODELETE) != nullptr;
  (void)pinned;
  if (!succeeded(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env_)))
    throw DbError(DbErrorKind::unavailable, "HY001", 0,
                  "cannot allocate an ODBC environment (is unixODBC installed?)");
  SQLRETURN rc =
      SQLSetEnvAttr(env_, SQL_ATTR_ODBC_VERSION, reinterpret_cast<SQLPOINTER>(SQL_OV_ODBC3), 0);
  if (!succeeded(rc)) {
    auto diagnostics = read_diagnostics(SQL_HANDLE_ENV, env_);
    SQLFreeHandle(SQL_HANDLE_ENV, env_);
    throw DbError(DbErrorKind::unavailable, diagnostics.sqlstate, diagnostics.native_code,
                  "cannot select ODBC 3 behaviour: " + diagnostics.message);
  }
}

Environment::~Environment() {
  if (env_ != SQL_NULL_HENV) SQLFreeHandle(SQL_HANDLE_ENV, env_);
}

// ---- Connection ----------------------------------------------------------------------------

Connection::Connection(Environment &environment, const Dialect &dialect,
                       const std::string &connection_string)
    : dialect_(dialect) {
  if (!succeeded(SQLAllocHandle(SQL_HANDLE_DBC, environment.handle(), &dbc_)))
    throw DbError(DbErrorKind::unavailable, "HY001", 0, "cannot allocate an ODBC connection");
  SQLSetConnectAttr(dbc_, SQL_ATTR_LOGIN_TIMEOUT, reinterpret_cast<SQLPOINTER>(10), 0);
  SQLCHAR out[1024];
  SQLSMALLINT out_length = 0;
  // The narrow entry point: unixODBC's W variant converts before it is initialised (#33).
  SQLRETURN rc = SQLDriverConnect(
      dbc_, nullptr, reinterpret_cast<SQLCHAR *>(const_cast<char *>(connection_string.c_str())),
      static_cast<SQLSMALLINT>(connection_string.size()), out, sizeof(out), &out_length,
      SQL_DRIVER_NOPROMPT);
  if (!succeeded(rc)) {
    auto diagnostics = read_diagnostics(SQL_HANDLE_DBC, dbc_);
    SQLFreeHandle(SQL_HANDLE_DBC, dbc_);
    dbc_ = SQL_NULL_HDBC;
    // Whatever the driver says, a failed connect means the database is not there for us.
    DbErrorKind kind = dialect.classify(diagnostics);
    if (kind != DbErrorKind::database) kind = DbErrorKind::unavailable;
    throw DbError(kind == DbErrorKind::database ? DbErrorKind::unavailable : kind,
                  diagnostics.sqlstate, diagnostics.native_code,
                  "cannot connect to the " + std::string(dialect.name()) +
                      " database: " + diagnostics.message);
  }
  connected_ = true;
  try {
    dialect.on_connect(*this);
  } catch (...) {
    SQLDisconnect(dbc_);
    SQLFreeHandle(SQL_HANDLE_DBC, dbc_);
    throw;
  }
}

Connection::~Connection() {
  statements_.clear();
  if (dbc_ == SQL_NULL_HDBC) return;
  if (in_transaction_) rollback();
  if (connected_) SQLDisconnect(dbc_);
  SQLFreeHandle(SQL_HANDLE_DBC, dbc_);
}

void Connection::check(SQLRETURN rc, SQLSMALLINT handle_type, SQLHANDLE handle,
                       std::string_view what) {
  if (rc == SQL_SUCCESS || rc == SQL_NO_DATA) return;
  Diagnostics diagnostics = read_diagnostics(handle_type, handle);
  if (rc == SQL_SUCCESS_WITH_INFO) {
    // Truncation of data we asked for is an error; other notes (01S02 option changed, server
    // NOTICEs that psqlODBC passes on with SQLSTATE 00000 such as "table ... does not exist,
    // skipping" for DROP/CREATE ... IF [NOT] EXISTS) are not.
    if (diagnostics.sqlstate != "01004") return;
    throw DbError(DbErrorKind::data, diagnostics.sqlstate, diagnostics.native_code,
                  std::string(what) + ": value truncated: " + diagnostics.message);
  }
  DbErrorKind kind = dialect_.classify(diagnostics);
  if (kind == DbErrorKind::unavailable) broken_ = true;
  throw DbError(kind, diagnostics.sqlstate, diagnostics.native_code,
                std::string(what) + ": " + diagnostics.message);
}

Statement &Connection::prepare(const std::string &sql) {
  auto found = statements_.find(sql);
  if (found != statements_.end()) return *found->second;
  // Bounded: statement texts come from code, but multi-row inserts vary in row count.
  if (statements_.size() >= 256) statements_.clear();
  auto statement = std::make_unique<Statement>(*this, sql);
  return *statements_.emplace(sql, std::move(statement)).first->second;
}

void Connection::execute_direct(const std::string &sql) {
  execute_uncounted(sql);
  ++executed_;
}

void Connection::execute_uncounted(const std::string &sql) {
  SQLHSTMT stmt = SQL_NULL_HSTMT;
  check(SQLAllocHandle(SQL_HANDLE_STMT, dbc_, &stmt), SQL_HANDLE_DBC, dbc_, "allocate statement");
  SQLRETURN rc = SQLExecDirect(stmt, reinterpret_cast<SQLCHAR *>(const_cast<char *>(sql.c_str())),
                               static_cast<SQLINTEGER>(sql.size()));
  try {
    check(rc, SQL_HANDLE_STMT, stmt, "execute");
  } catch (...) {
    SQLFreeHandle(SQL_HANDLE_STMT, stmt);
    throw;
  }
  SQLFreeHandle(SQL_HANDLE_STMT, stmt);
}

void Connection::begin(Intent intent) {
  if (in_transaction_) throw std::logic_error("transaction already open on this connection");
  if (auto statement = dialect_.begin_write(); intent == Intent::write && !statement.empty()) {
    // In autocommit mode the driver leaves the transaction to the statements.
    execute_uncounted(std::string(statement));
    begun_by_statement_ = true;
  } else {
    check(SQLSetConnectAttr(dbc_, SQL_ATTR_AUTOCOMMIT,
                            reinterpret_cast<SQLPOINTER>(SQL_AUTOCOMMIT_OFF), SQL_IS_UINTEGER),
          SQL_HANDLE_DBC, dbc_, "begin transaction");
  }
  in_transaction_ = true;
}

void Connection::commit() {
  if (begun_by_statement_) {
    // A failed COMMIT (SQLite: busy) leaves the transaction open, to be rolled back.
    execute_uncounted("COMMIT");
    begun_by_statement_ = false;
    in_transaction_ = false;
    return;
  }
  check(SQLEndTran(SQL_HANDLE_DBC, dbc_, SQL_COMMIT), SQL_HANDLE_DBC, dbc_, "commit");
  in_transaction_ = false;
  check(SQLSetConnectAttr(dbc_, SQL_ATTR_AUTOCOMMIT,
                          reinterpret_cast<SQLPOINTER>(SQL_AUTOCOMMIT_ON), SQL_IS_UINTEGER),
        SQL_HANDLE_DBC, dbc_, "restore autocommit");
}

void Connection::rollback() noexcept {
  if (!in_transaction_) return;
  in_transaction_ = false;
  if (begun_by_statement_) {
    begun_by_statement_ = false;
    // Fails where the database already rolled back on its own (SQLite after some errors); the
    // connection is then dropped rather than trusted.
    try {
      execute_uncounted("ROLLBACK");
    } catch (...) {
      broken_ = true;
    }
    return;
  }
  if (!succeeded(SQLEndTran(SQL_HANDLE_DBC, dbc_, SQL_ROLLBACK))) broken_ = true;
  if (!succeeded(SQLSetConnectAttr(dbc_, SQL_ATTR_AUTOCOMMIT,
                                   reinterpret_cast<SQLPOINTER>(SQL_AUTOCOMMIT_ON),
                                   SQL_IS_UINTEGER)))
    broken_ = true;
}

// ---- Statement -----------------------------------------------------------------------------

Statement::Statement(Connection &connection, std::string sql)
    : connection_(connection), sql_(std::move(sql)) {
  SQLHDBC dbc = connection_.handle();
  connection_.check(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &stmt_), SQL_HANDLE_DBC, dbc,
                    "allocate statement");
  SQLSetStmtAttr(stmt_, SQL_ATTR_CURSOR_TYPE, reinterpret_cast<SQLPOINTER>(SQL_CURSOR_FORWARD_ONLY),
                 0);
  SQLRETURN rc = SQLPrepare(stmt_, reinterpret_cast<SQLCHAR *>(sql_.data()),
                            static_cast<SQLINTEGER>(sql_.size()));
  try {
    connection_.check(rc, SQL_HANDLE_STMT, stmt_, "prepare");
    connection_.check(SQLNumParams(stmt_, &param_count_), SQL_HANDLE_STMT, stmt_,
                      "count parameters");
  } catch (...) {
    SQLFreeHandle(SQL_HANDLE_STMT, stmt_);
    stmt_ = SQL_NULL_HSTMT;
    throw;
  }
}

Statement::~Statement() {
  if (stmt_ != SQL_NULL_HSTMT) SQLFreeHandle(SQL_HANDLE_STMT, stmt_);
}

// Parameters go as SQL_C_CHAR/SQL_VARCHAR text or SQL_C_SBIGINT/SQL_BIGINT. How the drivers
// type them on the server (measured): psqlODBC 13 sends every parameter with type OID 0
// ("unknown", inferred from context) and appends a cast for SQL_BIGINT ("$1::int8"); MariaDB
// Connector/ODBC 3.1 prepares on the server and sends MYSQL_TYPE_STRING / LONGLONG, which the
// server converts where a column or LIMIT needs it; sqliteodbc binds text/int64. Timestamps
// are text, so statements spell their markers with Dialect::timestamp_param().
void Statement::bind_and_execute(const std::vector<Value> &params) {
  if (params.size() != static_cast<std::size_t>(param_count_))
    throw std::logic_error("statement expects " + std::to_string(param_count_) +
                           " parameters, got " + std::to_string(params.size()) + ": " + sql_);
  SQLFreeStmt(stmt_, SQL_CLOSE);
  SQLFreeStmt(stmt_, SQL_RESET_PARAMS);
  param_indicators_.assign(params.size(), 0);
  param_ints_.assign(params.size(), 0);
  for (std::size_t i = 0; i < params.size(); ++i) {
    const auto number = static_cast<SQLUSMALLINT>(i + 1);
    SQLRETURN rc;
    if (std::holds_alternative<std::monostate>(params[i])) {
      param_indicators_[i] = SQL_NULL_DATA;
      rc = SQLBindParameter(stmt_, number, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, 1, 0, nullptr,
                            0, &param_indicators_[i]);
    } else if (const auto *integer = std::get_if<std::int64_t>(&params[i])) {
      param_ints_[i] = *integer;
      rc = SQLBindParameter(stmt_, number, SQL_PARAM_INPUT, SQL_C_SBIGINT, SQL_BIGINT, 0, 0,
                            &param_ints_[i], 0, &param_indicators_[i]);
    } else {
      const auto &text = std::get<std::string>(params[i]);
      param_indicators_[i] = static_cast<SQLLEN>(text.size());
      // Column size in characters; long values go as LONGVARCHAR so no driver caps them.
      const bool long_text = text.size() > 4000;
      rc = SQLBindParameter(stmt_, number, SQL_PARAM_INPUT, SQL_C_CHAR,
                            long_text ? SQL_LONGVARCHAR : SQL_VARCHAR,
                            std::max<SQLULEN>(text.size(), 1), 0, const_cast<char *>(text.data()),
                            static_cast<SQLLEN>(text.size()), &param_indicators_[i]);
    }
    connection_.check(rc, SQL_HANDLE_STMT, stmt_, "bind parameter");
  }
  SQLRETURN rc = SQLExecute(stmt_);
  connection_.check(rc, SQL_HANDLE_STMT, stmt_, "execute");
  connection_.count_executed();
}

std::int64_t Statement::execute(const std::vector<Value> &params) {
  bind_and_execute(params);
  // For UPDATE, sqliteodbc and psqlODBC count the rows the WHERE matched; MariaDB Connector/
  // ODBC counts the rows whose values changed (0 when an UPDATE writes what is already there)
  // unless the FOUND_ROWS option is set, which the mariadb dialect always does.
  SQLLEN count = -1;
  SQLRowCount(stmt_, &count);
  SQLFreeStmt(stmt_, SQL_CLOSE);
  return count;
}

Result Statement::query(const std::vector<Value> &params, std::vector<Column> columns,
                        std::size_t rowset_size) {
  bind_and_execute(params);
  return Result(stmt_, connection_.dialect(), std::move(columns), rowset_size);
}

// ---- Parameter arrays ----------------------------------------------------------------------
//
// How the drivers take column-wise parameter arrays (SQL_ATTR_PARAMSET_SIZE > 1), from their
// sources (MariaDB Connector/ODBC 3.1 ma_bulk.c/ma_statement.c, psqlODBC 13 execute.c,
// sqliteodbc 0.9998) and measured with this code (tests/unit/adapter_test.cpp):
//  - MariaDB Connector/ODBC 3.1.15 sends the whole array as one COM_STMT_BULK_EXECUTE when the
//    server is MariaDB >= 10.2, binding is column-wise, the statement is an INSERT/UPDATE and
//    no parameter is data-at-execution (MADB_BulkInsertPossible); otherwise it loops per row.
//    SQL_C_SBIGINT arrays are handed to Connector/C as they are; SQL_C_CHAR values are read
//    from the application's buffer at DataPtr + row * BufferLength, so a text array is a
//    fixed-width block per column (here padded to the column's longest value in the chunk),
//    each row's length taken from the length/indicator array (or strlen for SQL_NTS).
//  - The driver maps SQL_NULL_DATA to Connector/C's STMT_INDICATOR_NULL. Its length/indicator
//    scan (ma_bulk.c, as read) tests a separate SQL_DESC_INDICATOR_PTR the wrong way round (any
//    value that is not SQL_NULL_DATA would become NULL), which is skipped when the indicator and
//    octet-length pointers are the same array, as SQLBindParameter's StrLen_or_IndPtr makes them:
//    never set them apart through the descriptor.
//  - Errors (measured, duplicate key in row 50 of 99): MariaDB returns SQL_ERROR with the
//    server's error (1062, 23000) and marks every set SQL_PARAM_ERROR, so the failing row is
//    not known; the bulk is one statement, and none of its rows stays, in autocommit or in a
//    transaction. psqlODBC 13 marks sets 1-49 done and 50 failed, but in autocommit rows 1-49
//    are committed. sqliteodbc keeps no status array at all (PARAMS_PROCESSED only), and rows
//    1-49 stay, in a transaction too. So a failure is an error of the whole call, reported
//    with the first failed row where the driver knows it, and all or nothing needs a
//    Transaction that is rolled back. A success code with a set not marked done (or fewer
//    sets processed than sent) is an error as well.
//  - Inside a manual-commit transaction the bulk is one more statement of that transaction
//    (rolled back with it). 4-byte UTF-8 (emoji, CJK extension B) and long text (60,000 bytes)
//    go through byte for byte with CHARSET=utf8mb4, as do empty strings (not NULL).
//  - A bulk packet above the server's max_allowed_packet drops the connection (08S01), hence
//    the byte budget (Dialect::max_statement_bytes) per chunk.
//  - psqlODBC (forward-only, read-only cursor, BatchSize > 1) disables server-side prepare and
//    sends BatchSize literal INSERTs per round trip (psqlodbc #89 reports every set marked
//    SQL_PARAM_ERROR on a failure; with Protocol=7.4-1 here the sets before it were marked done).
//    sqliteodbc binds and steps once per set. Both work; whether they beat multi-row VALUES is
//    Dialect::prefers_parameter_arrays' call (measured there).

namespace {

// Bytes the bound buffers of `rows` rows take with these text widths (text NUL-terminated).
std::size_t array_bytes(std::size_t rows, const std::vector<std::size_t> &widths,
                        const std::vector<bool> &text_columns) {
  std::size_t per_row = 0;
  for (std::size_t c = 0; c < widths.size(); ++c)
    per_row += sizeof(SQLLEN) + (text_columns[c] ? widths[c] + 1 : sizeof(std::int64_t));
  return rows * per_row;
}

}  // namespace

std::int64_t Statement::execute_batch(const std::vector<std::vector<Value>> &rows,
                                      std::size_t max_rows, std::size_t max_bytes) {
  if (rows.empty()) return 0;
  const auto columns = static_cast<std::size_t>(param_count_);
  std::vector<bool> text_columns(columns, false);
  std::vector<bool> int_columns(columns, false);
  for (const auto &row : rows) {
    if (row.size() != columns)
      throw std::logic_error("statement expects " + std::to_string(columns) + " parameters, got " +
                             std::to_string(row.size()) + ": " + sql_);
    for (std::size_t c = 0; c < columns; ++c) {
      if (std::holds_alternative<std::string>(row[c])) text_columns[c] = true;
      if (std::holds_alternative<std::int64_t>(row[c])) int_columns[c] = true;
    }
  }
  for (std::size_t c = 0; c < columns; ++c) {
    if (text_columns[c] && int_columns[c])
      throw std::logic_error("parameter " + std::to_string(c + 1) +
                             " mixes integers and text in one array: " + sql_);
    // A parameter that is NULL in every row goes as text.
    if (!int_columns[c]) text_columns[c] = true;
  }
  max_rows = std::max<std::size_t>(1, max_rows);
  std::int64_t done = 0;
  std::vector<std::size_t> widths(columns), grown(columns);
  for (std::size_t start = 0, count = 0; start < rows.size(); start += count) {
    std::fill(widths.begin(), widths.end(), 0);
    for (count = 0; start + count < rows.size() && count < max_rows; ++count) {
      const auto &row = rows[start + count];
      for (std::size_t c = 0; c < columns; ++c) {
        const auto *text = std::get_if<std::string>(&row[c]);
        grown[c] = std::max(widths[c], text ? text->size() : 0);
      }
      if (count > 0 && array_bytes(count + 1, grown, text_columns) > max_bytes) break;
      widths = grown;
    }
    execute_array(rows, start, count, text_columns);
    done += static_cast<std::int64_t>(count);
  }
  return done;
}

void Statement::execute_array(const std::vector<std::vector<Value>> &rows, std::size_t first,
                              std::size_t count, const std::vector<bool> &text_columns) {
  const std::size_t columns = text_columns.size();
  SQLFreeStmt(stmt_, SQL_CLOSE);
  SQLFreeStmt(stmt_, SQL_RESET_PARAMS);
  // Column-wise buffers; they must outlive SQLExecute.
  std::vector<std::vector<char>> texts(columns);
  std::vector<std::vector<std::int64_t>> ints(columns);
  std::vector<std::vector<SQLLEN>> lengths(columns, std::vector<SQLLEN>(count, 0));
  // Entries the driver never writes keep kNotWritten (sqliteodbc keeps no status array).
  constexpr SQLUSMALLINT kNotWritten = 0xffff;
  std::vector<SQLUSMALLINT> status(count, kNotWritten);
  SQLULEN processed = 0;
  // The statement is cached and runs single sets again later: always put it back.
  auto restore = [&] {
    SQLSetStmtAttr(stmt_, SQL_ATTR_PARAMSET_SIZE, reinterpret_cast<SQLPOINTER>(1), 0);
    SQLSetStmtAttr(stmt_, SQL_ATTR_PARAM_STATUS_PTR, nullptr, 0);
    SQLSetStmtAttr(stmt_, SQL_ATTR_PARAMS_PROCESSED_PTR, nullptr, 0);
    SQLFreeStmt(stmt_, SQL_CLOSE);
    SQLFreeStmt(stmt_, SQL_RESET_PARAMS);
  };
  try {
    connection_.check(SQLSetStmtAttr(stmt_, SQL_ATTR_PARAM_BIND_TYPE,
                                     reinterpret_cast<SQLPOINTER>(SQL_PARAM_BIND_BY_COLUMN), 0),
                      SQL_HANDLE_STMT, stmt_, "column-wise parameters");
    connection_.check(
        SQLSetStmtAttr(stmt_, SQL_ATTR_PARAMSET_SIZE, reinterpret_cast<SQLPOINTER>(count), 0),
        SQL_HANDLE_STMT, stmt_, "parameter array size");
    connection_.check(SQLSetStmtAttr(stmt_, SQL_ATTR_PARAM_STATUS_PTR, status.data(), 0),
                      SQL_HANDLE_STMT, stmt_, "parameter status array");
    connection_.check(SQLSetStmtAttr(stmt_, SQL_ATTR_PARAMS_PROCESSED_PTR, &processed, 0),
                      SQL_HANDLE_STMT, stmt_, "parameters processed");
    for (std::size_t c = 0; c < columns; ++c) {
      const auto number = static_cast<SQLUSMALLINT>(c + 1);
      auto &length = lengths[c];
      SQLRETURN rc;
      if (text_columns[c]) {
        std::size_t width = 0;
        for (std::size_t r = 0; r < count; ++r)
          if (const auto *text = std::get_if<std::string>(&rows[first + r][c]))
            width = std::max(width, text->size());
        const std::size_t stride = width + 1;
        texts[c].assign(stride * count, '\0');
        for (std::size_t r = 0; r < count; ++r) {
          const auto *text = std::get_if<std::string>(&rows[first + r][c]);
          if (!text) {
            length[r] = SQL_NULL_DATA;
            continue;
          }
          std::memcpy(texts[c].data() + r * stride, text->data(), text->size());
          length[r] = static_cast<SQLLEN>(text->size());
        }
        rc = SQLBindParameter(stmt_, number, SQL_PARAM_INPUT, SQL_C_CHAR,
                              width > 4000 ? SQL_LONGVARCHAR : SQL_VARCHAR,
                              std::max<SQLULEN>(width, 1), 0, texts[c].data(),
                              static_cast<SQLLEN>(stride), length.data());
      } else {
        ints[c].assign(count, 0);
        for (std::size_t r = 0; r < count; ++r) {
          if (const auto *integer = std::get_if<std::int64_t>(&rows[first + r][c]))
            ints[c][r] = *integer;
          else
            length[r] = SQL_NULL_DATA;
        }
        rc = SQLBindParameter(stmt_, number, SQL_PARAM_INPUT, SQL_C_SBIGINT, SQL_BIGINT, 0, 0,
                              ints[c].data(), 0, length.data());
      }
      connection_.check(rc, SQL_HANDLE_STMT, stmt_, "bind parameter array");
    }
    SQLRETURN rc = SQLExecute(stmt_);
    // The first set the driver did not report as done, if any.
    const bool kept_status =
        std::any_of(status.begin(), status.end(), [](SQLUSMALLINT s) { return s != kNotWritten; });
    std::size_t failed = count;
    for (std::size_t r = 0; kept_status && r < count && failed == count; ++r)
      if (status[r] != SQL_PARAM_SUCCESS && status[r] != SQL_PARAM_SUCCESS_WITH_INFO) failed = r;
    // MariaDB marks every set failed: then the row is not known.
    const bool row_known =
        failed < count && !std::all_of(status.begin(), status.end(),
                                       [](SQLUSMALLINT s) { return s == SQL_PARAM_ERROR; });
    const std::string where =
        "execute parameter array (rows " + std::to_string(first + 1) + "-" +
        std::to_string(first + count) +
        (row_known ? ", first failed row " + std::to_string(first + failed + 1) : "") + ")";
    if (succeeded(rc) && (failed < count || processed != count)) {
      // A set that failed or was never run behind a success code: an error all the same.
      Diagnostics diagnostics = read_diagnostics(SQL_HANDLE_STMT, stmt_);
      DbErrorKind kind = connection_.dialect().classify(diagnostics);
      if (diagnostics.sqlstate.empty() || diagnostics.sqlstate.rfind("01", 0) == 0)
        kind = DbErrorKind::database;
      throw DbError(kind, diagnostics.sqlstate, diagnostics.native_code,
                    where + ": " + std::to_string(processed) + " of " + std::to_string(count) +
                        " rows processed: " + diagnostics.message);
    }
    connection_.check(rc, SQL_HANDLE_STMT, stmt_, where);
  } catch (...) {
    restore();
    throw;
  }
  restore();
  connection_.count_executed();
}

// ---- Result --------------------------------------------------------------------------------

Result::Result(SQLHSTMT stmt, const Dialect &dialect, std::vector<Column> columns,
               std::size_t rowset_size)
    : stmt_(stmt), dialect_(&dialect), columns_(std::move(columns)), rowset_size_(rowset_size) {
  by_row_ = std::any_of(columns_.begin(), columns_.end(), [](const Column &column) {
    return column.type == Column::Type::text && column.max_bytes > kLongColumnBytes;
  });
  if (by_row_) {
    rowset_size_ = 1;
    row_values_.resize(columns_.size());
    return;
  }
  std::size_t row_bytes = 0;
  for (const auto &column : columns_)
    row_bytes += sizeof(SQLLEN) + (column.type == Column::Type::int64 ? sizeof(std::int64_t)
                                                                      : text_buffer_size(column));
  rowset_size_ = std::clamp<std::size_t>(kBlockBytes / std::max<std::size_t>(row_bytes, 1), 1,
                                         std::max<std::size_t>(1, rowset_size_));
  ints_.resize(columns_.size());
  texts_.resize(columns_.size());
  indicators_.resize(columns_.size());
  row_status_.resize(rowset_size_);
  auto fail = [&](SQLRETURN rc, const char *what) {
    if (succeeded(rc)) return;
    auto diagnostics = read_diagnostics(SQL_HANDLE_STMT, stmt_);
    SQLFreeStmt(stmt_, SQL_CLOSE);
    SQLFreeStmt(stmt_, SQL_UNBIND);
    open_ = false;
    throw DbError(dialect_->classify(diagnostics), diagnostics.sqlstate, diagnostics.native_code,
                  std::string(what) + ": " + diagnostics.message);
  };
  fail(SQLSetStmtAttr(stmt_, SQL_ATTR_ROW_BIND_TYPE,
                      reinterpret_cast<SQLPOINTER>(SQL_BIND_BY_COLUMN), 0),
       "column-wise binding");
  fail(
      SQLSetStmtAttr(stmt_, SQL_ATTR_ROW_ARRAY_SIZE, reinterpret_cast<SQLPOINTER>(rowset_size_), 0),
      "rowset size");
  fail(SQLSetStmtAttr(stmt_, SQL_ATTR_ROWS_FETCHED_PTR, &rows_fetched_, 0), "rows fetched");
  fail(SQLSetStmtAttr(stmt_, SQL_ATTR_ROW_STATUS_PTR, row_status_.data(), 0), "row status");
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    indicators_[c] = std::make_unique_for_overwrite<SQLLEN[]>(rowset_size_);
    const auto number = static_cast<SQLUSMALLINT>(c + 1);
    if (columns_[c].type == Column::Type::int64) {
      ints_[c] = std::make_unique_for_overwrite<std::int64_t[]>(rowset_size_);
      fail(SQLBindCol(stmt_, number, SQL_C_SBIGINT, ints_[c].get(), sizeof(std::int64_t),
                      indicators_[c].get()),
           "bind column");
    } else {
      const std::size_t size = text_buffer_size(columns_[c]);
      texts_[c] = std::make_unique_for_overwrite<char[]>(size * rowset_size_);
      fail(SQLBindCol(stmt_, number, SQL_C_CHAR, texts_[c].get(), static_cast<SQLLEN>(size),
                      indicators_[c].get()),
           "bind column");
    }
  }
}

Result::Result(Result &&other) noexcept
    : stmt_(other.stmt_),
      dialect_(other.dialect_),
      columns_(std::move(other.columns_)),
      by_row_(other.by_row_),
      rowset_size_(other.rowset_size_),
      rows_fetched_(other.rows_fetched_),
      row_in_block_(other.row_in_block_),
      exhausted_(other.exhausted_),
      open_(other.open_),
      ints_(std::move(other.ints_)),
      texts_(std::move(other.texts_)),
      indicators_(std::move(other.indicators_)),
      row_status_(std::move(other.row_status_)),
      row_values_(std::move(other.row_values_)) {
  other.open_ = false;
  // The statement attributes point at buffers that moved with their owners (moves keep
  // the heap storage), except rows_fetched_ and row_status_ which must be re-pointed.
  if (open_ && !by_row_) {
    SQLSetStmtAttr(stmt_, SQL_ATTR_ROWS_FETCHED_PTR, &rows_fetched_, 0);
    SQLSetStmtAttr(stmt_, SQL_ATTR_ROW_STATUS_PTR, row_status_.data(), 0);
  }
}

Result::~Result() {
  if (!open_) return;
  SQLFreeStmt(stmt_, SQL_CLOSE);
  SQLFreeStmt(stmt_, SQL_UNBIND);
  if (!by_row_) {
    SQLSetStmtAttr(stmt_, SQL_ATTR_ROW_ARRAY_SIZE, reinterpret_cast<SQLPOINTER>(1), 0);
    SQLSetStmtAttr(stmt_, SQL_ATTR_ROWS_FETCHED_PTR, nullptr, 0);
    SQLSetStmtAttr(stmt_, SQL_ATTR_ROW_STATUS_PTR, nullptr, 0);
  }
}

void Result::fetch_block() {
  row_in_block_ = 0;
  rows_fetched_ = 0;
  SQLRETURN rc = SQLFetch(stmt_);
  if (rc == SQL_NO_DATA) {
    exhausted_ = true;
    return;
  }
  if (!succeeded(rc) || rc == SQL_SUCCESS_WITH_INFO) {
    auto diagnostics = read_diagnostics(SQL_HANDLE_STMT, stmt_);
    if (rc == SQL_SUCCESS_WITH_INFO && diagnostics.sqlstate != "01004") return;
    exhausted_ = true;
    DbErrorKind kind =
        rc == SQL_SUCCESS_WITH_INFO ? DbErrorKind::data : dialect_->classify(diagnostics);
    throw DbError(kind, diagnostics.sqlstate, diagnostics.native_code,
                  "fetch: " + diagnostics.message);
  }
}

void Result::fetch_long_row() {
  SQLRETURN rc = SQLFetch(stmt_);
  if (rc == SQL_NO_DATA) {
    exhausted_ = true;
    return;
  }
  auto raise = [&](const char *what) {
    auto diagnostics = read_diagnostics(SQL_HANDLE_STMT, stmt_);
    exhausted_ = true;
    throw DbError(dialect_->classify(diagnostics), diagnostics.sqlstate, diagnostics.native_code,
                  std::string(what) + ": " + diagnostics.message);
  };
  if (!succeeded(rc)) raise("fetch");
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    const auto number = static_cast<SQLUSMALLINT>(c + 1);
    auto &value = row_values_[c];
    value.reset();
    if (columns_[c].type == Column::Type::int64) {
      std::int64_t integer = 0;
      SQLLEN indicator = 0;
      if (!succeeded(SQLGetData(stmt_, number, SQL_C_SBIGINT, &integer, 0, &indicator)))
        raise("read column");
      if (indicator != SQL_NULL_DATA) value = std::to_string(integer);
      continue;
    }
    // Text in pieces: each SQLGetData call returns the next part, NUL-terminated.
    std::string text;
    char buffer[8192];
    for (;;) {
      SQLLEN indicator = 0;
      rc = SQLGetData(stmt_, number, SQL_C_CHAR, buffer, sizeof(buffer), &indicator);
      if (rc == SQL_NO_DATA) break;
      if (!succeeded(rc)) raise("read column");
      if (indicator == SQL_NULL_DATA) break;
      if (!value) value.emplace();
      std::size_t piece = (indicator == SQL_NO_TOTAL || indicator >= SQLLEN(sizeof(buffer)))
                              ? sizeof(buffer) - 1
                              : static_cast<std::size_t>(indicator);
      text.append(buffer, piece);
      if (rc == SQL_SUCCESS) break;
    }
    if (value) value = std::move(text);
  }
}

bool Result::next() {
  if (exhausted_ || !open_) return false;
  if (by_row_) {
    fetch_long_row();
    return !exhausted_;
  }
  if (rows_fetched_ > 0 && row_in_block_ + 1 < rows_fetched_) {
    ++row_in_block_;
    return true;
  }
  // The block is used up; a short block means the driver had no more rows.
  if (rows_fetched_ > 0 && rows_fetched_ < rowset_size_) {
    exhausted_ = true;
    return false;
  }
  fetch_block();
  return !exhausted_ && rows_fetched_ > 0;
}

bool Result::is_null(std::size_t column) const {
  if (by_row_) return !row_values_.at(column).has_value();
  return indicators_.at(column)[row_in_block_] == SQL_NULL_DATA;
}

std::int64_t Result::int64(std::size_t column) const {
  if (is_null(column)) throw std::logic_error("column " + std::to_string(column) + " is NULL");
  if (by_row_) return std::stoll(*row_values_[column]);
  return ints_.at(column)[row_in_block_];
}

std::optional<std::int64_t> Result::optional_int64(std::size_t column) const {
  if (is_null(column)) return std::nullopt;
  return int64(column);
}

std::string Result::text(std::size_t column) const {
  auto value = optional_text(column);
  return value ? std::move(*value) : std::string();
}

std::optional<std::string> Result::optional_text(std::size_t column) const {
  if (is_null(column)) return std::nullopt;
  if (by_row_) return row_values_.at(column);
  const std::size_t size = text_buffer_size(columns_.at(column));
  const char *start = texts_[column].get() + size * row_in_block_;
  SQLLEN length = indicators_[column][row_in_block_];
  if (length == SQL_NO_TOTAL || length < 0) return std::string(start);
  return std::string(start, std::min<std::size_t>(static_cast<std::size_t>(length), size - 1));
}

}  // namespace crm::db
