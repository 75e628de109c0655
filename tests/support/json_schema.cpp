#include "json_schema.hpp"

#include <regex>
#include <set>

namespace crm::test {

using nlohmann::json;

namespace {

bool has_type(const json &value, const std::string &type) {
  if (type == "null") return value.is_null();
  if (type == "boolean") return value.is_boolean();
  if (type == "integer") return value.is_number_integer();
  if (type == "number") return value.is_number();
  if (type == "string") return value.is_string();
  if (type == "array") return value.is_array();
  if (type == "object") return value.is_object();
  throw std::invalid_argument("unknown JSON Schema type " + type);
}

std::size_t code_points(const std::string &text) {
  std::size_t count = 0;
  for (unsigned char c : text) count += (c & 0xC0) != 0x80;
  return count;
}

// RFC 3339 date-time as the plugin writes it (UTC, optional fraction) or a caller may send it.
bool is_date_time(const std::string &text) {
  static const std::regex pattern(
      R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$)");
  return std::regex_match(text, pattern);
}

const std::set<std::string> kKeywords = {
    "type",      "enum",      "pattern",     "format",
    "minLength", "maxLength", "minimum",     "maximum",
    "minItems",  "maxItems",  "properties",  "required",
    "items",     "anyOf",     "description", "additionalProperties"};

void check(const json &schema, const json &value, const std::string &path,
           std::vector<std::string> &out) {
  if (!schema.is_object()) {
    out.push_back(path + ": the schema is not an object");
    return;
  }
  for (const auto &[keyword, argument] : schema.items())
    if (!kKeywords.count(keyword)) out.push_back(path + ": unsupported schema keyword " + keyword);
  if (auto any = schema.find("anyOf"); any != schema.end()) {
    std::vector<std::string> first_failure;
    for (const auto &branch : *any) {
      std::vector<std::string> failures;
      check(branch, value, path, failures);
      if (failures.empty()) return;
      if (first_failure.empty()) first_failure = failures;
    }
    out.push_back(path + ": matches none of anyOf (" + value.dump().substr(0, 120) + "); first: " +
                  (first_failure.empty() ? std::string("?") : first_failure.front()));
    return;
  }
  if (auto type = schema.find("type"); type != schema.end()) {
    bool matches = false;
    if (type->is_array()) {
      for (const auto &one : *type) matches = matches || has_type(value, one.get<std::string>());
    } else {
      matches = has_type(value, type->get<std::string>());
    }
    if (!matches) {
      out.push_back(path + ": expected " + type->dump() + ", got " + value.dump().substr(0, 120));
      return;
    }
  }
  if (auto allowed = schema.find("enum"); allowed != schema.end()) {
    bool found = false;
    for (const auto &one : *allowed) found = found || one == value;
    if (!found) out.push_back(path + ": " + value.dump() + " is not one of " + allowed->dump());
  }
  if (value.is_string()) {
    const auto &text = value.get_ref<const std::string &>();
    if (auto pattern = schema.find("pattern"); pattern != schema.end())
      if (!std::regex_search(text, std::regex(pattern->get<std::string>())))
        out.push_back(path + ": \"" + text.substr(0, 80) + "\" does not match " + pattern->dump());
    if (auto format = schema.find("format"); format != schema.end()) {
      if (*format == "date-time" && !is_date_time(text))
        out.push_back(path + ": \"" + text + "\" is not a date-time");
      else if (*format == "email" && text.find('@') == std::string::npos)
        out.push_back(path + ": \"" + text + "\" is not an e-mail address");
      else if (*format != "date-time" && *format != "email")
        out.push_back(path + ": unsupported format " + format->dump());
    }
    if (auto max = schema.find("maxLength"); max != schema.end())
      if (code_points(text) > max->get<std::size_t>())
        out.push_back(path + ": longer than " + max->dump() + " characters");
    if (auto min = schema.find("minLength"); min != schema.end())
      if (code_points(text) < min->get<std::size_t>())
        out.push_back(path + ": shorter than " + min->dump() + " characters");
  }
  if (value.is_number()) {
    if (auto min = schema.find("minimum"); min != schema.end())
      if (value.get<double>() < min->get<double>())
        out.push_back(path + ": " + value.dump() + " is below " + min->dump());
    if (auto max = schema.find("maximum"); max != schema.end())
      if (value.get<double>() > max->get<double>())
        out.push_back(path + ": " + value.dump() + " is above " + max->dump());
  }
  if (value.is_array()) {
    if (auto min = schema.find("minItems"); min != schema.end())
      if (value.size() < min->get<std::size_t>())
        out.push_back(path + ": fewer than " + min->dump() + " items");
    if (auto max = schema.find("maxItems"); max != schema.end())
      if (value.size() > max->get<std::size_t>())
        out.push_back(path + ": more than " + max->dump() + " items");
    if (auto items = schema.find("items"); items != schema.end())
      for (std::size_t i = 0; i < value.size(); ++i)
        check(*items, value[i], path + "[" + std::to_string(i) + "]", out);
  }
  if (value.is_object()) {
    const json properties = schema.value("properties", json::object());
    for (const auto &name : schema.value("required", json::array()))
      if (!value.contains(name.get<std::string>()))
        out.push_back(path + ": the member " + name.get<std::string>() + " is missing");
    for (const auto &[name, member] : value.items()) {
      const std::string member_path = path + "." + name;
      if (auto declared = properties.find(name); declared != properties.end()) {
        check(*declared, member, member_path, out);
        continue;
      }
      auto additional = schema.find("additionalProperties");
      if (additional == schema.end() || additional->is_boolean()) {
        if (additional != schema.end() && !additional->get<bool>())
          out.push_back(member_path + ": a member the schema does not declare");
      } else {
        check(*additional, member, member_path, out);
      }
    }
  }
}

}  // namespace

std::vector<std::string> schema_violations(const json &schema, const json &value,
                                           const std::string &path) {
  std::vector<std::string> out;
  check(schema, value, path, out);
  return out;
}

}  // namespace crm::test
