// Method parameter schemas: one declaration per method serves validation (every request is
// checked before any SQL runs) and system.describe (rendered as JSON Schema).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace crm::params {

using nlohmann::json;

enum class Type { string, id, integer, boolean, object, timestamp, array, cursor };

struct Field {
  std::string name;
  Type type = Type::string;
  bool required = false;
  std::size_t max_length = 0;  // string: code points; array: items; object: bytes as JSON
  std::int64_t minimum = 0;
  std::int64_t maximum = 0;
  std::vector<std::string> allowed;  // string enumerations
  bool email = false;
  bool non_null = false;  // optional, but when given it must hold a value (not null/blank)
  bool user_key = false;  // a host user's key (text::user_key_problem)
  std::string description;
  std::vector<Field> items;   // fields of each object in an array
  bool scalar_items = false;  // an array of values each checked as items[0] (may be empty)

  static Field string(std::string name, std::size_t max_chars, std::string description);
  // A host user's key: the rules of crm_session_open's user_key.
  static Field user(std::string name, std::string description);
  static Field id(std::string name, std::string description);
  static Field integer(std::string name, std::int64_t minimum, std::int64_t maximum,
                       std::string description);
  static Field boolean(std::string name, std::string description);
  static Field object(std::string name, std::size_t max_bytes, std::string description);
  static Field timestamp(std::string name, std::string description);
  static Field array(std::string name, std::size_t max_items, std::vector<Field> items,
                     std::string description);
  // An array of up to max_items values, each checked as item (whose name is unused); empty is
  // allowed (e.g. "no roles").
  static Field list(std::string name, std::size_t max_items, Field item, std::string description);
  // An array of distinct-purpose strings, each one of allowed (e.g. kinds to include).
  static Field enumerations(std::string name, std::vector<std::string> allowed,
                            std::string description);
  static Field cursor();
  static Field limit(std::int64_t default_limit, std::int64_t maximum);
  static Field enumeration(std::string name, std::vector<std::string> allowed,
                           std::string description);

  Field &&require() &&;
  Field &&as_email() &&;
  Field &&not_null() &&;
};

// Throws crm::Error(invalid_argument) naming the path of the first offending value.
// Absent and null optional values are accepted (null means "none"/"clear").
void validate(const json &object, const std::vector<Field> &fields, const std::string &path);

json json_schema(const std::vector<Field> &fields);

// Accessors for validated parameters. Absent and null read as nullopt.
std::optional<std::string> optional_string(const json &params, const char *name);
std::string string(const json &params, const char *name);
std::int64_t id(const json &params, const char *name);
std::optional<std::int64_t> optional_id(const json &params, const char *name);
std::optional<std::int64_t> optional_integer(const json &params, const char *name);
std::optional<std::int64_t> optional_timestamp(const json &params, const char *name);
std::size_t limit(const json &params, std::size_t default_limit);
// The decoded cursor key, checked against the expected element count.
std::optional<json> cursor(const json &params, std::size_t key_size, const std::string &path);
// A cursor element that must be a 64-bit signed integer (JSON numbers above INT64_MAX, which
// the parser keeps as unsigned, are not); nullopt otherwise.
std::optional<std::int64_t> cursor_integer(const json &element);

// "123" → 123 for a positive 64-bit id; nullopt otherwise.
std::optional<std::int64_t> parse_id(const std::string &text);

}  // namespace crm::params
