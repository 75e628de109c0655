#include "config.hpp"

#include <nlohmann/json.hpp>
#include <set>

#include "error.hpp"
#include "json_text.hpp"
#include "text.hpp"

namespace crm {

namespace {

using nlohmann::json;

void only_keys(const json &object, const std::string &path, const std::set<std::string> &allowed) {
  if (!object.is_object()) throw invalid_argument(path, path + " must be an object");
  reject_unknown_fields(object, path, allowed);
}

std::optional<std::string> optional_text(const json &object, const std::string &path,
                                         const char *key) {
  auto found = object.find(key);
  if (found == object.end() || found->is_null()) return std::nullopt;
  if (!found->is_string())
    throw invalid_argument(path + "." + key, path + "." + key + " must be a string");
  return found->get<std::string>();
}

std::int64_t integer(const json &object, const std::string &path, const char *key,
                     std::int64_t fallback, std::int64_t minimum, std::int64_t maximum) {
  auto found = object.find(key);
  if (found == object.end() || found->is_null()) return fallback;
  if (!found->is_number_integer() || found->get<std::int64_t>() < minimum ||
      found->get<std::int64_t>() > maximum)
    throw invalid_argument(path + "." + key, path + "." + key + " must be an integer from " +
                                                 std::to_string(minimum) + " to " +
                                                 std::to_string(maximum));
  return found->get<std::int64_t>();
}

}  // namespace

void reject_unknown_fields(const nlohmann::json &object, const std::string &path,
                           const std::set<std::string> &known, const std::string &hint) {
  for (const auto &[key, value] : object.items())
    if (!known.count(key))
      throw invalid_argument(path + "." + key,
                             "unknown configuration field " + path + "." + key + hint);
}

Config parse_config(std::string_view text, const std::set<std::string> &domain_sections) {
  if (auto bad = crm::text::invalid_utf8_offset(text))
    throw invalid_argument(
        "config", "the configuration is not valid UTF-8 (byte " + std::to_string(*bad) + ")");
  json root = json_text::parse(text, "the configuration", "config");
  std::set<std::string> known = {"database", "migrations", "pool", "log", "limits"};
  known.insert(domain_sections.begin(), domain_sections.end());
  only_keys(root, "config", known);
  Config config;
  for (const auto &name : domain_sections)
    if (root.contains(name)) config.sections[name] = root[name];

  if (!root.contains("database"))
    throw invalid_argument("database",
                           "database is required, e.g. {\"dialect\": \"sqlite\", "
                           "\"path\": \"crm.db\"}");
  const json &database = root["database"];
  only_keys(database, "database",
            {"dialect", "path", "driver", "connection_string", "busy_timeout_ms"});
  auto dialect = optional_text(database, "database", "dialect");
  if (!dialect) throw invalid_argument("database.dialect", "database.dialect is required");
  if (*dialect != "sqlite" && *dialect != "postgresql" && *dialect != "mariadb")
    throw invalid_argument("database.dialect",
                           "database.dialect must be sqlite, postgresql or mariadb, not \"" +
                               dialect->substr(0, 64) + "\"");
  config.database.dialect = *dialect;
  config.database.path = optional_text(database, "database", "path");
  config.database.driver = optional_text(database, "database", "driver");
  config.database.connection_string = optional_text(database, "database", "connection_string");
  config.database.busy_timeout_ms =
      static_cast<int>(integer(database, "database", "busy_timeout_ms", 5000, 0, 600000));
  if (config.database.path && config.database.connection_string)
    throw invalid_argument("database.path",
                           "give either database.path or database.connection_string, not both");

  if (root.contains("migrations")) {
    const json &migrations = root["migrations"];
    only_keys(migrations, "migrations", {"apply"});
    if (migrations.contains("apply")) {
      if (!migrations["apply"].is_boolean())
        throw invalid_argument("migrations.apply", "migrations.apply must be true or false");
      config.apply_migrations = migrations["apply"].get<bool>();
    }
  }
  if (root.contains("pool")) {
    const json &pool = root["pool"];
    only_keys(pool, "pool", {"max_connections", "acquire_timeout_ms"});
    config.max_connections =
        static_cast<std::size_t>(integer(pool, "pool", "max_connections", 8, 1, 256));
    config.acquire_timeout =
        std::chrono::milliseconds(integer(pool, "pool", "acquire_timeout_ms", 30000, 1, 600000));
  }
  if (root.contains("limits")) {
    const json &limits = root["limits"];
    only_keys(limits, "limits", {"max_request_bytes"});
    config.max_request_bytes = static_cast<std::size_t>(
        integer(limits, "limits", "max_request_bytes", 16 << 20, 1024, 256 << 20));
  }
  if (root.contains("log")) {
    const json &log = root["log"];
    only_keys(log, "log", {"level", "sink", "path"});
    if (auto level = optional_text(log, "log", "level")) {
      static const std::set<std::string> levels = {"trace", "debug",    "info", "warn",
                                                   "error", "critical", "off"};
      if (!levels.count(*level))
        throw invalid_argument("log.level",
                               "log.level must be one of trace, debug, info, warn, "
                               "error, critical, off");
      config.log.level = *level;
    }
    if (auto sink = optional_text(log, "log", "sink")) {
      if (*sink != "callback" && *sink != "stderr" && *sink != "file" && *sink != "none")
        throw invalid_argument("log.sink", "log.sink must be callback, stderr, file or none");
      config.log.sink = *sink;
    }
    config.log.path = optional_text(log, "log", "path");
    if (config.log.sink == "file" && (!config.log.path || config.log.path->empty()))
      throw invalid_argument("log.path", "log.path is required when log.sink is file");
  }
  return config;
}

}  // namespace crm
