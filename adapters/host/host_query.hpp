// One query over the host's own tables, written in the host's terms by whoever configures the
// plugin, and checked against the live database before anything relies on it: every column we
// need is there and of a usable type. Such a query is only ever used as a derived table,
// "(<query>) alias", so the host's schema stays the host's business.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "../odbc/dialect.hpp"
#include "../odbc/odbc.hpp"

namespace crm::db {

// What a result column must hold.
enum class ValueClass {
  key,        // identifies a host record: an integer or a text
  text,       // any character data
  integer,    // an exact whole number (flags, counts)
  decimal,    // an exact amount: integer or DECIMAL/NUMERIC, never binary floating point
  timestamp,  // a DATE or TIMESTAMP (on SQLite: text that reads as one)
};

struct ExpectedColumn {
  std::string name;
  ValueClass value_class;
  bool required = true;
};

struct MappedColumn {
  ValueClass value_class;
  SQLSMALLINT sql_type = 0;
};

// A mapping the database cannot run, or whose columns do not fit; names the entity and column.
class HostMappingError : public std::runtime_error {
 public:
  HostMappingError(std::string entity, std::string column, const std::string &message)
      : std::runtime_error(message), entity_(std::move(entity)), column_(std::move(column)) {}
  const std::string &entity() const { return entity_; }
  const std::string &column() const { return column_; }

 private:
  std::string entity_;
  std::string column_;
};

class HostQuery {
 public:
  const std::string &entity() const { return entity_; }
  const std::string &sql() const { return sql_; }
  // The query as a derived table: "(<sql>) alias".
  std::string derived(const std::string &alias) const { return "(" + sql_ + ") " + alias; }
  bool has(const std::string &column) const { return columns_.count(column) != 0; }
  // alias.column, or NULL for an optional column the mapping leaves out.
  std::string column(const std::string &alias, const std::string &name) const {
    return has(name) ? alias + "." + name : "NULL";
  }
  // Whether the database reports column as an integer type: its values are bound as integers.
  bool integer_column(const std::string &column) const;
  // The SQL type the database reports for column (0 when not mapped).
  SQLSMALLINT sql_type(const std::string &column) const {
    auto found = columns_.find(column);
    return found == columns_.end() ? 0 : found->second.sql_type;
  }
  // Whether column was mapped as a date or timestamp (bound with dialect.timestamp_param()).
  bool temporal_column(const std::string &column) const {
    auto found = columns_.find(column);
    return found != columns_.end() && found->second.value_class == ValueClass::timestamp;
  }
  // A value for comparing with column, converted from our text form where the column is an
  // integer (a key "42" is bound as 42). Throws std::invalid_argument if it cannot be.
  Value key_value(const std::string &column, const std::string &text) const;
  // The same, or nullopt where the column cannot hold the key (then no row has it).
  std::optional<Value> try_key_value(const std::string &column, const std::string &text) const;
  // The column whose values only grow (host id or change time), for incremental reads.
  const std::optional<std::string> &watermark() const { return watermark_; }

  // Checks sql against the live database: it runs (wrapped, returning no rows), has every
  // required column of a fitting type, and its first rows hold values of those classes.
  // Throws HostMappingError naming the entity and column.
  static HostQuery describe(Connection &connection, std::string entity, std::string sql,
                            const std::vector<ExpectedColumn> &expected,
                            std::optional<std::string> watermark);

 private:
  std::string entity_;
  std::string sql_;
  std::optional<std::string> watermark_;
  std::map<std::string, MappedColumn> columns_;
};

std::string value_class_name(ValueClass value_class);

}  // namespace crm::db
