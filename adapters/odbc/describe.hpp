// What a query returns, as the driver describes it: names and SQL types of the result columns.
#pragma once

#include <string>
#include <vector>

#include "odbc.hpp"

namespace crm::db {

struct ColumnDescription {
  std::string name;  // lower-cased: drivers differ in the case they report
  SQLSMALLINT sql_type = 0;
  bool nullable = true;
};

// Runs sql (a query returning no rows is best, e.g. with WHERE 1 = 0) on its own statement and
// describes its result columns. Throws DbError when the database rejects the query.
std::vector<ColumnDescription> describe_query(Connection &connection, const std::string &sql);

// The SQL type classes the layers above check against.
bool is_integer_type(SQLSMALLINT sql_type);
bool is_exact_numeric_type(SQLSMALLINT sql_type);  // integers, DECIMAL, NUMERIC
bool is_floating_type(SQLSMALLINT sql_type);
bool is_character_type(SQLSMALLINT sql_type);
bool is_temporal_type(SQLSMALLINT sql_type);  // DATE, TIMESTAMP (not TIME)
std::string sql_type_name(SQLSMALLINT sql_type);

}  // namespace crm::db
