// JSON renderings of column values that every area returns alike: optional text as a string or
// null, and database times (UTC text) as ISO 8601 instants.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "time.hpp"

namespace crm::json_values {

using nlohmann::json;

// The text, or null.
inline json nullable(const std::optional<std::string> &value) {
  return value ? json(*value) : json(nullptr);
}

// A database time as "YYYY-MM-DDTHH:MM:SS.ffffffZ"; text that is not one is returned as it is.
inline json instant(const std::string &db_text) {
  auto micros = time::from_db_text(db_text);
  return micros ? json(time::format_iso8601(*micros)) : json(db_text);
}

// The same, or null for a NULL column.
inline json instant(const std::optional<std::string> &db_text) {
  return db_text ? instant(*db_text) : json(nullptr);
}

}  // namespace crm::json_values
