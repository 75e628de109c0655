#include "describe.hpp"

#include <cctype>
#include <memory>

namespace crm::db {

namespace {

struct StatementHandle {
  SQLHSTMT handle = SQL_NULL_HSTMT;
  ~StatementHandle() {
    if (handle != SQL_NULL_HSTMT) SQLFreeHandle(SQL_HANDLE_STMT, handle);
  }
};

}  // namespace

std::vector<ColumnDescription> describe_query(Connection &connection, const std::string &sql) {
  StatementHandle stmt;
  connection.check(SQLAllocHandle(SQL_HANDLE_STMT, connection.handle(), &stmt.handle),
                   SQL_HANDLE_DBC, connection.handle(), "allocate statement");
  // Executed rather than only prepared: psqlODBC describes a merely prepared statement by
  // running it anyway, and sqliteodbc needs the step to know expression columns.
  connection.check(
      SQLExecDirect(stmt.handle, reinterpret_cast<SQLCHAR *>(const_cast<char *>(sql.c_str())),
                    static_cast<SQLINTEGER>(sql.size())),
      SQL_HANDLE_STMT, stmt.handle, "describe query");
  SQLSMALLINT count = 0;
  connection.check(SQLNumResultCols(stmt.handle, &count), SQL_HANDLE_STMT, stmt.handle,
                   "count result columns");
  std::vector<ColumnDescription> columns;
  for (SQLUSMALLINT i = 1; i <= static_cast<SQLUSMALLINT>(count); ++i) {
    SQLCHAR name[256] = {};
    SQLSMALLINT name_length = 0, type = 0, digits = 0, nullable = 0;
    SQLULEN size = 0;
    connection.check(SQLDescribeCol(stmt.handle, i, name, sizeof name, &name_length, &type, &size,
                                    &digits, &nullable),
                     SQL_HANDLE_STMT, stmt.handle, "describe result column");
    ColumnDescription column;
    column.name.assign(reinterpret_cast<char *>(name),
                       std::min<std::size_t>(static_cast<std::size_t>(name_length), 255));
    for (auto &c : column.name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    column.sql_type = type;
    column.nullable = nullable != SQL_NO_NULLS;
    columns.push_back(std::move(column));
  }
  SQLCloseCursor(stmt.handle);
  connection.count_executed();
  return columns;
}

bool is_integer_type(SQLSMALLINT t) {
  return t == SQL_INTEGER || t == SQL_SMALLINT || t == SQL_BIGINT || t == SQL_TINYINT ||
         t == SQL_BIT;
}
bool is_exact_numeric_type(SQLSMALLINT t) {
  return is_integer_type(t) || t == SQL_DECIMAL || t == SQL_NUMERIC;
}
bool is_floating_type(SQLSMALLINT t) {
  return t == SQL_FLOAT || t == SQL_REAL || t == SQL_DOUBLE;
}
bool is_character_type(SQLSMALLINT t) {
  return t == SQL_CHAR || t == SQL_VARCHAR || t == SQL_LONGVARCHAR || t == SQL_WCHAR ||
         t == SQL_WVARCHAR || t == SQL_WLONGVARCHAR;
}
bool is_temporal_type(SQLSMALLINT t) {
  return t == SQL_TYPE_DATE || t == SQL_TYPE_TIMESTAMP || t == SQL_DATE || t == SQL_TIMESTAMP;
}

std::string sql_type_name(SQLSMALLINT t) {
  switch (t) {
    case SQL_INTEGER:
      return "INTEGER";
    case SQL_SMALLINT:
      return "SMALLINT";
    case SQL_BIGINT:
      return "BIGINT";
    case SQL_TINYINT:
      return "TINYINT";
    case SQL_BIT:
      return "BIT";
    case SQL_DECIMAL:
      return "DECIMAL";
    case SQL_NUMERIC:
      return "NUMERIC";
    case SQL_FLOAT:
      return "FLOAT";
    case SQL_REAL:
      return "REAL";
    case SQL_DOUBLE:
      return "DOUBLE";
    case SQL_CHAR:
      return "CHAR";
    case SQL_VARCHAR:
      return "VARCHAR";
    case SQL_LONGVARCHAR:
      return "LONGVARCHAR";
    case SQL_WCHAR:
      return "WCHAR";
    case SQL_WVARCHAR:
      return "WVARCHAR";
    case SQL_WLONGVARCHAR:
      return "WLONGVARCHAR";
    case SQL_TYPE_DATE:
    case SQL_DATE:
      return "DATE";
    case SQL_TYPE_TIMESTAMP:
    case SQL_TIMESTAMP:
      return "TIMESTAMP";
    case SQL_TYPE_TIME:
    case SQL_TIME:
      return "TIME";
    case SQL_BINARY:
    case SQL_VARBINARY:
    case SQL_LONGVARBINARY:
      return "BINARY";
    default:
      return "SQL type " + std::to_string(t);
  }
}

}  // namespace crm::db
