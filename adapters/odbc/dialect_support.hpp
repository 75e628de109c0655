// Internals shared by the dialect implementations (dialect*.cpp): driver lookup and
// connection-string attributes. Not for use outside adapters/odbc.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dialect.hpp"

namespace crm::db::detail {

// The driver file in the places Debian-like systems install ODBC drivers, if present.
std::optional<std::string> find_driver(std::string_view file_name);

// "DRIVER=" value for settings: the configured driver, else the found file; throws
// std::invalid_argument("database.driver: ...") naming the Debian package when missing.
std::string driver_attribute(const ConnectionSettings &settings, std::string_view file_name,
                             std::string_view package);

// The attributes of an ODBC connection string, "KEY=value;KEY={va;lue}", in order. Values
// keep their braces, so that composing gives back what was parsed. Keys match
// case-insensitively, as drivers treat them.
class ConnectionAttributes {
 public:
  // Throws std::invalid_argument("database.connection_string: ...") for an unterminated
  // brace or an attribute without "=".
  static ConnectionAttributes parse(std::string_view text);

  bool has(std::string_view key) const;
  // The value (braces removed) of the first attribute named key.
  std::optional<std::string> get(std::string_view key) const;
  // Replaces the first attribute named key, or appends it; value is brace-quoted if needed.
  void set(std::string_view key, std::string_view value);
  void set_default(std::string_view key, std::string_view value) {
    if (!has(key)) set(key, value);
  }
  void prepend(std::string_view key, std::string_view value);
  std::string compose() const;

 private:
  std::vector<std::pair<std::string, std::string>> attributes_;  // key, raw value
};

// Connection string for a server dialect: database.connection_string with the driver put in
// front when it names neither DRIVER nor DSN. database.path is refused (sqlite only).
ConnectionAttributes server_attributes(const ConnectionSettings &settings, std::string_view dialect,
                                       std::string_view driver_file, std::string_view package,
                                       std::string_view example);

std::unique_ptr<Dialect> make_postgresql_dialect();
std::unique_ptr<Dialect> make_mariadb_dialect();

}  // namespace crm::db::detail
