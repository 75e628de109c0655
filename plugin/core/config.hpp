// The client configuration (JSON), validated field by field.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "dialect.hpp"

namespace crm {

struct LogConfig {
  std::string level = "info";       // trace, debug, info, warn, error, critical, off
  std::string sink = "callback";    // callback (crm_log_callback_set), stderr, file, none
  std::optional<std::string> path;  // for the file sink
};

struct Config {
  db::ConnectionSettings database;
  bool apply_migrations = true;
  std::size_t max_connections = 8;
  std::chrono::milliseconds acquire_timeout{30000};
  std::size_t max_request_bytes = 16 * 1024 * 1024;
  LogConfig log;
  // The domain areas' own sections ("host", "lifecycle", "value" ...), checked by their areas
  // when the client is created (see Registry::add_section).
  std::map<std::string, nlohmann::json> sections;
};

// Throws crm::Error(invalid_argument) whose field names the configuration path at fault.
// Top-level members named in domain_sections are kept as they are, for their areas to check.
Config parse_config(std::string_view json_text, const std::set<std::string> &domain_sections = {});

// For the configuration checks of every area: throws crm::Error(invalid_argument) on
// path.key, "unknown configuration field path.key" and then hint, for the first member of
// object (a JSON object) whose key is not in known.
void reject_unknown_fields(const nlohmann::json &object, const std::string &path,
                           const std::set<std::string> &known, const std::string &hint = "");

}  // namespace crm
