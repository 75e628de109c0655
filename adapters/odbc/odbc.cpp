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
  ++executed_;
}

void Connection::begin() {
  if (in_transaction_) throw std::logic_error("transaction already open on this connection");
  check(SQLSetConnectAttr(dbc_, SQL_ATTR_AUTOCOMMIT,
                          reinterpret_cast<SQLPOINTER>(SQL_AUTOCOMMIT_OFF), SQL_IS_UINTEGER),
        SQL_HANDLE_DBC, dbc_, "begin transaction");
  in_transaction_ = true;
}

void Connection::commit() {
  check(SQLEndTran(SQL_HANDLE_DBC, dbc_, SQL_COMMIT), SQL_HANDLE_DBC, dbc_, "commit");
  in_transaction_ = false;
  check(SQLSetConnectAttr(dbc_, SQL_ATTR_AUTOCOMMIT,
                          reinterpret_cast<SQLPOINTER>(SQL_AUTOCOMMIT_ON), SQL_IS_UINTEGER),
        SQL_HANDLE_DBC, dbc_, "restore autocommit");
}

void Connection::rollback() noexcept {
  if (!in_transaction_) return;
  in_transaction_ = false;
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
  rowset_size_ = std::max<std::size_t>(1, rowset_size_);
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
    indicators_[c].resize(rowset_size_);
    const auto number = static_cast<SQLUSMALLINT>(c + 1);
    if (columns_[c].type == Column::Type::int64) {
      ints_[c].resize(rowset_size_);
      fail(SQLBindCol(stmt_, number, SQL_C_SBIGINT, ints_[c].data(), sizeof(std::int64_t),
                      indicators_[c].data()),
           "bind column");
    } else {
      const std::size_t size = text_buffer_size(columns_[c]);
      texts_[c].resize(size * rowset_size_);
      fail(SQLBindCol(stmt_, number, SQL_C_CHAR, texts_[c].data(), static_cast<SQLLEN>(size),
                      indicators_[c].data()),
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
  // The statement attributes point at buffers that moved with their vectors (vector moves keep
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
  const char *start = texts_[column].data() + size * row_in_block_;
  SQLLEN length = indicators_[column][row_in_block_];
  if (length == SQL_NO_TOTAL || length < 0) return std::string(start);
  return std::string(start, std::min<std::size_t>(static_cast<std::size_t>(length), size - 1));
}

}  // namespace crm::db
