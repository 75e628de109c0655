#include "host_query.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "../odbc/describe.hpp"

namespace crm::db {

namespace {

bool fits(ValueClass value_class, SQLSMALLINT type, bool lenient_text) {
  const bool text = is_character_type(type);
  switch (value_class) {
    case ValueClass::key:
      return is_integer_type(type) || text;
    case ValueClass::text:
      return text || is_exact_numeric_type(type);
    case ValueClass::integer:
      return is_integer_type(type) ||
             ((type == SQL_DECIMAL || type == SQL_NUMERIC) && lenient_text) ||
             (text && lenient_text);
    case ValueClass::decimal:
      return is_exact_numeric_type(type) || (text && lenient_text);
    case ValueClass::timestamp:
      return is_temporal_type(type) || (text && lenient_text);
  }
  return false;
}

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// Whether a value read as text belongs to the class (the probe of the first rows).
bool reads_as(ValueClass value_class, std::string_view value) {
  switch (value_class) {
    case ValueClass::key:
    case ValueClass::text:
      return true;
    case ValueClass::integer: {
      if (!value.empty() && value[0] == '-') value.remove_prefix(1);
      return all_digits(value);
    }
    case ValueClass::decimal: {
      if (!value.empty() && value[0] == '-') value.remove_prefix(1);
      auto dot = value.find('.');
      if (dot == std::string_view::npos) return all_digits(value);
      return all_digits(value.substr(0, dot)) &&
             (dot + 1 == value.size() || all_digits(value.substr(dot + 1)));
    }
    case ValueClass::timestamp:
      return value.size() >= 10 && all_digits(value.substr(0, 4)) && value[4] == '-' &&
             all_digits(value.substr(5, 2)) && value[7] == '-' && all_digits(value.substr(8, 2)) &&
             (value.size() == 10 || value[10] == ' ' || value[10] == 'T');
  }
  return false;
}

std::string trimmed(std::string sql) {
  while (!sql.empty() &&
         (std::isspace(static_cast<unsigned char>(sql.back())) || sql.back() == ';'))
    sql.pop_back();
  std::size_t start = 0;
  while (start < sql.size() && std::isspace(static_cast<unsigned char>(sql[start]))) ++start;
  return sql.substr(start);
}

}  // namespace

std::string value_class_name(ValueClass value_class) {
  switch (value_class) {
    case ValueClass::key:
      return "a key (integer or text)";
    case ValueClass::text:
      return "text";
    case ValueClass::integer:
      return "an integer";
    case ValueClass::decimal:
      return "an exact decimal amount";
    case ValueClass::timestamp:
      return "a date or timestamp";
  }
  return "?";
}

bool HostQuery::integer_column(const std::string &column) const {
  auto found = columns_.find(column);
  return found != columns_.end() && is_integer_type(found->second.sql_type);
}

std::optional<Value> HostQuery::try_key_value(const std::string &column,
                                              const std::string &text) const {
  if (!integer_column(column)) return text;
  std::int64_t number = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return number;
}

Value HostQuery::key_value(const std::string &column, const std::string &text) const {
  auto value = try_key_value(column, text);
  if (!value)
    throw std::invalid_argument("\"" + text.substr(0, 64) + "\" is not a key of host." + entity_ +
                                " (its " + column + " is an integer)");
  return *value;
}

HostQuery HostQuery::describe(Connection &connection, std::string entity, std::string sql,
                              const std::vector<ExpectedColumn> &expected,
                              std::optional<std::string> watermark) {
  HostQuery query;
  query.entity_ = std::move(entity);
  query.sql_ = trimmed(std::move(sql));
  const std::string where = "host." + query.entity_;
  if (query.sql_.empty()) throw HostMappingError(query.entity_, "", where + ".query is empty");
  const auto braces =
      static_cast<std::size_t>(std::count(query.sql_.begin(), query.sql_.end(), '{'));
  if (braces > connection.dialect().max_escape_braces())
    throw HostMappingError(query.entity_, "",
                           where + ".query has " + std::to_string(braces) +
                               " \"{\" (ODBC escapes); the " +
                               std::string(connection.dialect().name()) + " driver takes at most " +
                               std::to_string(connection.dialect().max_escape_braces()));

  std::vector<ColumnDescription> described;
  try {
    described =
        describe_query(connection, "SELECT * FROM " + query.derived("crm_probe") + " WHERE 1 = 0");
  } catch (const DbError &error) {
    if (error.kind() == DbErrorKind::unavailable) throw;
    throw HostMappingError(query.entity_, "",
                           where + ".query does not run on the database: " + error.what());
  }
  std::string returned;
  for (const auto &column : described) returned += (returned.empty() ? "" : ", ") + column.name;

  const bool lenient = connection.dialect().name() == "sqlite";  // declared types only
  std::vector<const ExpectedColumn *> present;
  for (const auto &want : expected) {
    auto found = std::find_if(described.begin(), described.end(),
                              [&](const ColumnDescription &c) { return c.name == want.name; });
    if (found == described.end()) {
      if (!want.required) continue;
      throw HostMappingError(
          query.entity_, want.name,
          where + ": the query returns no column " + want.name + " (it returns: " + returned + ")");
    }
    if (!fits(want.value_class, found->sql_type, lenient)) {
      std::string hint = is_floating_type(found->sql_type)
                             ? "; binary floating point cannot hold money exactly: convert it "
                               "in the query, e.g. CAST(x AS DECIMAL(18,2))"
                             : "";
      throw HostMappingError(
          query.entity_, want.name,
          where + "." + want.name + " must be " + value_class_name(want.value_class) +
              ", but the database reports " + sql_type_name(found->sql_type) + hint);
    }
    query.columns_[want.name] = {want.value_class, found->sql_type};
    present.push_back(&want);
  }
  if (watermark) {
    if (!query.has(*watermark))
      throw HostMappingError(
          query.entity_, *watermark,
          where + ".watermark names " + *watermark + ", which is not one of the mapped columns");
    query.watermark_ = std::move(watermark);
  }

  // Declared types say little on SQLite (and nothing for expressions): read the first rows.
  std::string list;
  std::vector<Column> columns;
  for (const auto *want : present) {
    list += (list.empty() ? "" : ", ") + std::string("crm_probe.") + want->name;
    columns.push_back(Column::long_text());
  }
  if (present.empty()) return query;
  try {
    auto result =
        connection.prepare("SELECT " + list + " FROM " + query.derived("crm_probe") + " LIMIT 20")
            .query({}, columns, 20);
    while (result.next()) {
      for (std::size_t i = 0; i < present.size(); ++i) {
        if (result.is_null(i)) continue;
        const auto value = result.text(i);
        if (!reads_as(present[i]->value_class, value))
          throw HostMappingError(query.entity_, present[i]->name,
                                 where + "." + present[i]->name + " must be " +
                                     value_class_name(present[i]->value_class) + ", but holds \"" +
                                     value.substr(0, 40) + "\"");
      }
    }
  } catch (const DbError &error) {
    if (error.kind() == DbErrorKind::unavailable) throw;
    throw HostMappingError(query.entity_, "",
                           where + ".query fails when read: " + std::string(error.what()));
  }
  return query;
}

}  // namespace crm::db
