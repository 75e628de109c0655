#include "params.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "cursor.hpp"
#include "error.hpp"
#include "text.hpp"
#include "time.hpp"

namespace crm::params {

Field Field::user(std::string name, std::string description) {
  Field field = string(std::move(name), text::kMaxUserKeyBytes, std::move(description));
  field.user_key = true;
  return field;
}

Field Field::string(std::string name, std::size_t max_chars, std::string description) {
  Field field;
  field.name = std::move(name);
  field.type = Type::string;
  field.max_length = max_chars;
  field.description = std::move(description);
  return field;
}

Field Field::id(std::string name, std::string description) {
  Field field;
  field.name = std::move(name);
  field.type = Type::id;
  field.description = std::move(description);
  return field;
}

Field Field::integer(std::string name, std::int64_t minimum, std::int64_t maximum,
                     std::string description) {
  Field field;
  field.name = std::move(name);
  field.type = Type::integer;
  field.minimum = minimum;
  field.maximum = maximum;
  field.description = std::move(description);
  return field;
}

Field Field::boolean(std::string name, std::string description) {
  Field field;
  field.name = std::move(name);
  field.type = Type::boolean;
  field.description = std::move(description);
  return field;
}

Field Field::object(std::string name, std::size_t max_bytes, std::string description) {
  Field field;
  field.name = std::move(name);
  field.type = Type::object;
  field.max_length = max_bytes;
  field.description = std::move(description);
  return field;
}

Field Field::timestamp(std::string name, std::string description) {
  Field field;
  field.name = std::move(name);
  field.type = Type::timestamp;
  field.description = std::move(description);
  return field;
}

Field Field::array(std::string name, std::size_t max_items, std::vector<Field> items,
                   std::string description) {
  Field field;
  field.name = std::move(name);
  field.type = Type::array;
  field.max_length = max_items;
  field.items = std::move(items);
  field.description = std::move(description);
  return field;
}

Field Field::list(std::string name, std::size_t max_items, Field item, std::string description) {
  Field field = array(std::move(name), max_items, {std::move(item)}, std::move(description));
  field.scalar_items = true;
  return field;
}

Field Field::enumerations(std::string name, std::vector<std::string> allowed,
                          std::string description) {
  Field field;
  field.name = std::move(name);
  field.type = Type::array;
  field.max_length = allowed.size();
  field.allowed = std::move(allowed);
  field.description = std::move(description);
  return field;
}

Field Field::cursor() {
  Field field;
  field.name = "cursor";
  field.type = Type::cursor;
  field.description = "next_cursor of the previous page; absent for the first page";
  return field;
}

Field Field::limit(std::int64_t default_limit, std::int64_t maximum) {
  return integer("limit", 1, maximum, "page size (default " + std::to_string(default_limit) + ")");
}

Field Field::enumeration(std::string name, std::vector<std::string> allowed,
                         std::string description) {
  Field field;
  field.name = std::move(name);
  field.type = Type::string;
  field.max_length = 64;
  field.allowed = std::move(allowed);
  field.description = std::move(description);
  return field;
}

Field &&Field::require() && {
  required = true;
  return std::move(*this);
}

Field &&Field::not_null() && {
  non_null = true;
  return std::move(*this);
}

Field &&Field::as_email() && {
  email = true;
  return std::move(*this);
}

std::optional<std::int64_t> parse_id(const std::string &text) {
  if (text.empty() || text.size() > 19 || text[0] == '0') return std::nullopt;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

namespace {

const char *type_name(const json &value) {
  return value.type_name();
}

std::string join(const std::vector<std::string> &words) {
  std::string out;
  for (const auto &word : words) out += (out.empty() ? "" : ", ") + word;
  return out;
}

bool plausible_email(const std::string &text) {
  auto at = text.find('@');
  return at != std::string::npos && at > 0 && at + 1 < text.size() &&
         text.find('@', at + 1) == std::string::npos &&
         text.find_first_of(" \t\r\n<>,;\"") == std::string::npos;
}

void check_string(const json &value, const Field &field, const std::string &path) {
  if (!value.is_string())
    throw invalid_argument(path, path + " must be a string, not " + type_name(value));
  const auto &text = value.get_ref<const std::string &>();
  // The JSON parser already rejected invalid UTF-8; text built elsewhere is checked again.
  if (auto bad = text::invalid_utf8_offset(text))
    throw invalid_argument(path, path + " is not valid UTF-8 (byte " + std::to_string(*bad) + ")");
  if (text.find('\0') != std::string::npos)
    throw invalid_argument(path, path + " must not contain NUL characters");
  if (field.user_key) {
    if (auto problem = text::user_key_problem(text))
      throw invalid_argument(path, path + " is not a user key: it " + std::string(*problem));
    return;
  }
  if (field.max_length > 0 && field.max_length <= 500 && text::has_control_characters(text))
    throw invalid_argument(path, path + " must not contain control characters");
  if ((field.required || field.non_null) && text.find_first_not_of(" \t\r\n") == std::string::npos)
    throw invalid_argument(path, path + " must not be empty");
  const auto length = text::code_points(text);
  if (field.max_length > 0 && length > field.max_length)
    throw invalid_argument(path, path + " is too long: " + std::to_string(length) +
                                     " characters, at most " + std::to_string(field.max_length));
  if (!field.allowed.empty() &&
      std::find(field.allowed.begin(), field.allowed.end(), text) == field.allowed.end())
    throw invalid_argument(path, path + " must be one of " + join(field.allowed) + ", not \"" +
                                     text.substr(0, 64) + "\"");
  if (field.email && !text.empty() && !plausible_email(text))
    throw invalid_argument(path, path + " is not an e-mail address");
}

void check_value(const json &value, const Field &field, const std::string &path) {
  switch (field.type) {
    case Type::string:
      check_string(value, field, path);
      return;
    case Type::id:
      if (!value.is_string())
        throw invalid_argument(path, path + " must be an id as a string of digits, not " +
                                         std::string(type_name(value)));
      if (!parse_id(value.get<std::string>()))
        throw invalid_argument(path, path +
                                         " is not a valid id (a positive 64-bit integer "
                                         "written as a decimal string)");
      return;
    case Type::integer: {
      if (!value.is_number_integer())
        throw invalid_argument(path,
                               path + " must be an integer, not " + std::string(type_name(value)));
      bool in_range;
      if (value.is_number_unsigned()) {
        const auto number = value.get<std::uint64_t>();
        in_range = number <= static_cast<std::uint64_t>(INT64_MAX) &&
                   static_cast<std::int64_t>(number) >= field.minimum &&
                   static_cast<std::int64_t>(number) <= field.maximum;
      } else {
        const auto number = value.get<std::int64_t>();
        in_range = number >= field.minimum && number <= field.maximum;
      }
      if (!in_range)
        throw invalid_argument(path, path + " must be between " + std::to_string(field.minimum) +
                                         " and " + std::to_string(field.maximum));
      return;
    }
    case Type::boolean:
      if (!value.is_boolean())
        throw invalid_argument(
            path, path + " must be true or false, not " + std::string(type_name(value)));
      return;
    case Type::object: {
      if (!value.is_object())
        throw invalid_argument(path,
                               path + " must be an object, not " + std::string(type_name(value)));
      auto size = value.dump().size();
      if (field.max_length > 0 && size > field.max_length)
        throw invalid_argument(path, path + " is too large: " + std::to_string(size) +
                                         " bytes as JSON, at most " +
                                         std::to_string(field.max_length));
      return;
    }
    case Type::timestamp:
      if (!value.is_string() || !time::parse_iso8601(value.get<std::string>()))
        throw invalid_argument(path, path +
                                         " must be an ISO 8601 date-time with seconds and a "
                                         "UTC offset, e.g. 2026-11-27T10:44:05+08:00, from "
                                         "1000-01-01T00:00:00Z to 9999-12-31T23:59:59Z");
      return;
    case Type::cursor:
      if (!value.is_string() || !cursor::decode(value.get<std::string>()))
        throw invalid_argument(path, path + " is not a cursor returned by this method");
      return;
    case Type::array: {
      if (!value.is_array())
        throw invalid_argument(path,
                               path + " must be an array, not " + std::string(type_name(value)));
      if (value.empty() && !field.scalar_items)
        throw invalid_argument(path, path + " must not be empty");
      if (field.max_length > 0 && value.size() > field.max_length)
        throw invalid_argument(path, path + " has " + std::to_string(value.size()) +
                                         " items, at most " + std::to_string(field.max_length));
      for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string item_path = path + "[" + std::to_string(i) + "]";
        if (!field.allowed.empty()) {  // a set of enumerated strings
          if (!value[i].is_string() ||
              std::find(field.allowed.begin(), field.allowed.end(), value[i].get<std::string>()) ==
                  field.allowed.end()) {
            std::string allowed;
            for (const auto &option : field.allowed)
              allowed += (allowed.empty() ? "" : ", ") + option;
            throw invalid_argument(item_path, item_path + " must be one of " + allowed);
          }
          continue;
        }
        if (field.scalar_items) {
          if (value[i].is_null())
            throw invalid_argument(item_path, item_path + " must not be null");
          check_value(value[i], field.items.front(), item_path);
          continue;
        }
        validate(value[i], field.items, item_path);
      }
      return;
    }
  }
}

}  // namespace

void validate(const json &object, const std::vector<Field> &fields, const std::string &path) {
  if (!object.is_object())
    throw invalid_argument(path,
                           path + " must be an object, not " + std::string(type_name(object)));
  for (const auto &[key, value] : object.items()) {
    // Lambdas capture structured bindings from C++20 on, but Clang 14 does not implement that.
    const std::string &name = key;
    auto field =
        std::find_if(fields.begin(), fields.end(), [&](const Field &f) { return f.name == name; });
    const std::string field_path = path + "." + key;
    if (field == fields.end())
      throw invalid_argument(field_path, "unknown parameter " + field_path);
    if (value.is_null()) {
      if (field->required || field->non_null)
        throw invalid_argument(field_path, field_path + " must not be null");
      continue;
    }
    check_value(value, *field, field_path);
  }
  for (const auto &field : fields)
    if (field.required && !object.contains(field.name))
      throw invalid_argument(path + "." + field.name, path + "." + field.name + " is required");
}

json property_schema(const Field &field);

json json_schema(const std::vector<Field> &fields) {
  json properties = json::object();
  json required = json::array();
  for (const auto &field : fields) {
    properties[field.name] = property_schema(field);
    if (field.required) required.push_back(field.name);
  }
  return {{"type", "object"},
          {"properties", properties},
          {"required", required},
          {"additionalProperties", false}};
}

std::optional<std::string> optional_string(const json &params, const char *name) {
  auto found = params.find(name);
  if (found == params.end() || found->is_null()) return std::nullopt;
  return found->get<std::string>();
}

std::string string(const json &params, const char *name) {
  return params.at(name).get<std::string>();
}

std::int64_t id(const json &params, const char *name) {
  return *parse_id(params.at(name).get<std::string>());
}

std::optional<std::int64_t> optional_id(const json &params, const char *name) {
  auto found = params.find(name);
  if (found == params.end() || found->is_null()) return std::nullopt;
  return parse_id(found->get<std::string>());
}

std::optional<std::int64_t> optional_integer(const json &params, const char *name) {
  auto found = params.find(name);
  if (found == params.end() || found->is_null()) return std::nullopt;
  return found->get<std::int64_t>();
}

std::optional<std::int64_t> optional_timestamp(const json &params, const char *name) {
  auto found = params.find(name);
  if (found == params.end() || found->is_null()) return std::nullopt;
  return time::parse_iso8601(found->get<std::string>());
}

std::size_t limit(const json &params, std::size_t default_limit) {
  auto value = optional_integer(params, "limit");
  return value ? static_cast<std::size_t>(*value) : default_limit;
}

std::optional<json> cursor(const json &params, std::size_t key_size, const std::string &path) {
  auto text = optional_string(params, "cursor");
  if (!text) return std::nullopt;
  auto key = cursor::decode(*text);
  if (!key || key->size() != key_size)
    throw invalid_argument(path + ".cursor", path + ".cursor is not a cursor of this method");
  return key;
}

std::optional<std::int64_t> cursor_integer(const json &element) {
  if (element.is_number_unsigned()) {
    const auto number = element.get<std::uint64_t>();
    if (number > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(number);
  }
  if (element.is_number_integer()) return element.get<std::int64_t>();
  return std::nullopt;
}

json property_schema(const Field &field) {
  json property;
  switch (field.type) {
    case Type::string:
      property = {{"type", "string"}};
      if (field.max_length) property["maxLength"] = field.max_length;
      if (!field.allowed.empty()) property["enum"] = field.allowed;
      if (field.email) property["format"] = "email";
      break;
    case Type::id:
      property = {{"type", "string"}, {"pattern", "^[1-9][0-9]{0,18}$"}};
      break;
    case Type::integer:
      property = {{"type", "integer"}, {"minimum", field.minimum}, {"maximum", field.maximum}};
      break;
    case Type::boolean:
      property = {{"type", "boolean"}};
      break;
    case Type::object:
      property = {{"type", "object"}};
      break;
    case Type::timestamp:
      property = {{"type", "string"}, {"format", "date-time"}};
      break;
    case Type::cursor:
      property = {{"type", "string"}};
      break;
    case Type::array:
      property = {
          {"type", "array"},
          {"minItems", field.scalar_items ? 0 : 1},
          {"items", field.scalar_items      ? property_schema(field.items.front())
                    : field.allowed.empty() ? json_schema(field.items)
                                            : json{{"type", "string"}, {"enum", field.allowed}}}};
      if (field.max_length) property["maxItems"] = field.max_length;
      break;
  }
  property["description"] = field.description;
  return property;
}

}  // namespace crm::params
