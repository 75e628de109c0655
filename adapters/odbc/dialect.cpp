#include "dialect.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <vector>

#include "dialect_support.hpp"

namespace crm::db {

std::string escape_like(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') escaped.push_back('\\');
    escaped.push_back(c);
  }
  return escaped;
}

std::string quote_attribute(std::string_view value) {
  // Unbraced values are read up to ";" and trimmed of white space (ODBC's rules, and parse()
  // below), so any white space, not only a space, needs the braces to survive.
  if (value.find_first_of(";{}= \t\n\v\f\r") == std::string_view::npos) return std::string(value);
  std::string quoted = "{";
  for (char c : value) {
    quoted.push_back(c);
    if (c == '}') quoted.push_back('}');
  }
  quoted.push_back('}');
  return quoted;
}

namespace detail {

// Where Debian-like systems put ODBC drivers, for each multiarch triplet we may run on.
std::optional<std::string> find_driver(std::string_view file_name) {
  const std::vector<std::string> directories = {"/usr/lib/x86_64-linux-gnu/odbc",
                                                "/usr/lib/aarch64-linux-gnu/odbc",
                                                "/usr/lib/i386-linux-gnu/odbc",
                                                "/usr/lib/odbc",
                                                "/usr/lib64/odbc",
                                                "/usr/local/lib/odbc",
                                                "/usr/lib64",
                                                "/usr/lib",
                                                "/usr/local/lib"};
  for (const auto &directory : directories) {
    std::filesystem::path candidate = std::filesystem::path(directory) / file_name;
    std::error_code error;
    if (std::filesystem::exists(candidate, error)) return candidate.string();
  }
  return std::nullopt;
}

std::string driver_attribute(const ConnectionSettings &settings, std::string_view file_name,
                             std::string_view package) {
  if (settings.driver) {
    if (settings.driver->empty()) throw std::invalid_argument("database.driver: must not be empty");
    return quote_attribute(*settings.driver);
  }
  auto path = find_driver(file_name);
  if (!path)
    throw std::invalid_argument("database.driver: the ODBC driver " + std::string(file_name) +
                                " was not found (install the Debian package " +
                                std::string(package) + " or name the driver's path)");
  return quote_attribute(*path);
}

namespace {

bool same_key(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

std::string unbrace(std::string_view raw) {
  if (raw.size() < 2 || raw.front() != '{' || raw.back() != '}') return std::string(raw);
  std::string value;
  for (std::size_t i = 1; i + 1 < raw.size(); ++i) {
    value.push_back(raw[i]);
    if (raw[i] == '}' && i + 2 < raw.size() && raw[i + 1] == '}') ++i;
  }
  return value;
}

}  // namespace

ConnectionAttributes ConnectionAttributes::parse(std::string_view text) {
  ConnectionAttributes parsed;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t equals = text.find('=', pos);
    std::size_t semicolon = text.find(';', pos);
    if (equals == std::string_view::npos ||
        (semicolon != std::string_view::npos && semicolon < equals)) {
      // Empty attributes (";;", a trailing ";") are allowed; anything else needs "=".
      std::string_view rest = trim(text.substr(
          pos, semicolon == std::string_view::npos ? std::string_view::npos : semicolon - pos));
      if (!rest.empty())
        throw std::invalid_argument("database.connection_string: attribute \"" +
                                    std::string(rest.substr(0, 64)) + "\" has no \"=\"");
      if (semicolon == std::string_view::npos) break;
      pos = semicolon + 1;
      continue;
    }
    std::string key(trim(text.substr(pos, equals - pos)));
    std::size_t value_start = equals + 1;
    while (value_start < text.size() && text[value_start] == ' ') ++value_start;
    std::size_t end;
    if (value_start < text.size() && text[value_start] == '{') {
      // Braced value: ends at the first "}" that is not doubled.
      end = value_start + 1;
      for (;; ++end) {
        if (end >= text.size())
          throw std::invalid_argument("database.connection_string: the value of " + key +
                                      " has no closing \"}\"");
        if (text[end] != '}') continue;
        if (end + 1 < text.size() && text[end + 1] == '}') {
          ++end;
          continue;
        }
        break;
      }
      ++end;
      std::size_t next = text.find(';', end);
      if (!trim(text.substr(end,
                            next == std::string_view::npos ? std::string_view::npos : next - end))
               .empty())
        throw std::invalid_argument("database.connection_string: text after the braced value of " +
                                    key);
      parsed.attributes_.emplace_back(key,
                                      std::string(text.substr(value_start, end - value_start)));
      pos = next == std::string_view::npos ? text.size() : next + 1;
      continue;
    }
    end = text.find(';', value_start);
    parsed.attributes_.emplace_back(
        key, std::string(trim(text.substr(value_start, end == std::string_view::npos
                                                           ? std::string_view::npos
                                                           : end - value_start))));
    pos = end == std::string_view::npos ? text.size() : end + 1;
  }
  return parsed;
}

bool ConnectionAttributes::has(std::string_view key) const {
  return std::any_of(attributes_.begin(), attributes_.end(),
                     [&](const auto &attribute) { return same_key(attribute.first, key); });
}

std::optional<std::string> ConnectionAttributes::get(std::string_view key) const {
  for (const auto &[name, raw] : attributes_)
    if (same_key(name, key)) return unbrace(raw);
  return std::nullopt;
}

void ConnectionAttributes::set(std::string_view key, std::string_view value) {
  for (auto &[name, raw] : attributes_)
    if (same_key(name, key)) {
      raw = quote_attribute(value);
      return;
    }
  attributes_.emplace_back(std::string(key), quote_attribute(value));
}

void ConnectionAttributes::prepend(std::string_view key, std::string_view value) {
  attributes_.insert(attributes_.begin(), {std::string(key), quote_attribute(value)});
}

std::string ConnectionAttributes::compose() const {
  std::string out;
  for (const auto &[name, raw] : attributes_) {
    if (!out.empty()) out.push_back(';');
    out += name + "=" + raw;
  }
  return out;
}

ConnectionAttributes server_attributes(const ConnectionSettings &settings, std::string_view dialect,
                                       std::string_view driver_file, std::string_view package,
                                       std::string_view example) {
  if (settings.path)
    throw std::invalid_argument("database.path: only the sqlite dialect uses a file; give the " +
                                std::string(dialect) + " server in database.connection_string");
  if (!settings.connection_string || trim(*settings.connection_string).empty())
    throw std::invalid_argument("database.connection_string: required for the " +
                                std::string(dialect) + " dialect, e.g. \"" + std::string(example) +
                                "\"");
  if (settings.connection_string->find('\0') != std::string::npos)
    throw std::invalid_argument("database.connection_string: must not contain NUL");
  auto attributes = ConnectionAttributes::parse(*settings.connection_string);
  if (attributes.has("DRIVER") || attributes.has("DSN")) {
    if (settings.driver)
      throw std::invalid_argument(
          "database.driver: database.connection_string names its driver (DRIVER= or DSN=) "
          "already; give it in one place");
  } else {
    // driver_attribute quotes; prepend() quotes again only what needs it, so unquote first.
    attributes.prepend("DRIVER", unbrace(driver_attribute(settings, driver_file, package)));
  }
  return attributes;
}

}  // namespace detail

namespace {

using detail::driver_attribute;

// A database path is a file name and nothing else. sqliteodbc 0.9998 reads "Database=" up to
// the next ";" with no quoting, so a ";" would end the name and start another attribute of the
// caller's choosing (LoadExt= loads a shared library): refused, as are names the driver
// manager would read as quoting or trim. Spaces, "=" and braces inside the name are fine.
void check_database_file(const std::string &path) {
  namespace fs = std::filesystem;
  for (unsigned char c : path)
    if (c < 0x20 || c == 0x7F)
      throw std::invalid_argument("database.path: must not contain control characters or NUL");
  if (path.find(';') != std::string::npos)
    throw std::invalid_argument(
        "database.path: must not contain \";\" (the SQLite ODBC driver cannot take it in a file "
        "name)");
  if (path.front() == '{' || path.front() == ' ' || path.back() == ' ')
    throw std::invalid_argument(
        "database.path: must not start with \"{\" or start or end with a space");
  std::error_code error;
  const fs::path file(path);
  const auto status = fs::status(file, error);
  if (fs::is_directory(status))
    throw std::invalid_argument("database.path: " + path + " is a folder, not a database file");
  if (fs::exists(status)) {
    if (!fs::is_regular_file(status))
      throw std::invalid_argument("database.path: " + path + " is not a regular file");
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::invalid_argument("database.path: " + path + " cannot be read");
    char header[16] = {};
    in.read(header, sizeof(header));
    // An empty file becomes a database; anything else must be one already.
    if (in.gcount() > 0 && (in.gcount() < 16 || std::memcmp(header, "SQLite format 3", 16) != 0))
      throw std::invalid_argument("database.path: " + path + " is not a SQLite database");
    return;
  }
  const fs::path folder = file.has_parent_path() ? file.parent_path() : fs::path(".");
  if (!fs::is_directory(folder, error))
    throw std::invalid_argument("database.path: the folder " + folder.string() + " does not exist");
}

class SqliteDialect final : public Dialect {
 public:
  std::string_view name() const override { return "sqlite"; }

  std::string connection_string(const ConnectionSettings &settings) const override {
    if (settings.connection_string) return *settings.connection_string;
    if (!settings.path || settings.path->empty())
      throw std::invalid_argument(
          "database.path: required for the sqlite dialect (the database file)");
    check_database_file(*settings.path);
    // Timeout: the driver's default busy wait is 100 s. StepAPI: stream large reads.
    // BigInt: report integers as 64-bit. FKSupport: enforce foreign keys (off by default).
    // The path goes unquoted: sqliteodbc takes a value up to the next ";" and does not
    // honour ODBC's {braces} (a braced path is opened as a file whose name starts with "{").
    return "DRIVER=" + driver_attribute(settings, "libsqlite3odbc.so", "libsqliteodbc") +
           ";Database=" + *settings.path + ";Timeout=" + std::to_string(settings.busy_timeout_ms) +
           ";StepAPI=1;JournalMode=WAL;SyncPragma=NORMAL;FKSupport=1;BigInt=1;NoCreat=0";
  }

  DbErrorKind classify(const Diagnostics &diagnostics) const override {
    // sqliteodbc reports SQLite's own result code as the native code.
    switch (diagnostics.native_code & 0xff) {
      case 5:  // SQLITE_BUSY
      case 6:  // SQLITE_LOCKED
        return DbErrorKind::retryable;
      case 19:  // SQLITE_CONSTRAINT
        return DbErrorKind::constraint;
      case 10:  // SQLITE_IOERR
      case 14:  // SQLITE_CANTOPEN
      case 26:  // SQLITE_NOTADB
        return DbErrorKind::unavailable;
      default:
        break;
    }
    const auto &state = diagnostics.sqlstate;
    if (state.rfind("08", 0) == 0) return DbErrorKind::unavailable;
    if (state.rfind("23", 0) == 0) return DbErrorKind::constraint;
    if (state.rfind("22", 0) == 0) return DbErrorKind::data;
    if (diagnostics.message.find("database is locked") != std::string::npos)
      return DbErrorKind::retryable;
    if (diagnostics.message.find("constraint failed") != std::string::npos)
      return DbErrorKind::constraint;
    return DbErrorKind::database;
  }

  std::string like_ci(std::string_view column) const override {
    // SQLite's LIKE folds ASCII case already.
    return std::string(column) + " LIKE ? ESCAPE '\\'";
  }
  std::size_t max_parameters() const override { return 32766; }
  // Measured with unmatched "{": 16 take 0.23 s, 20 take 10 s, 22 over a minute; 12 take
  // under 20 ms, and no real host query needs more.
  std::size_t max_escape_braces() const override { return 12; }
  bool transactional_ddl() const override { return true; }
  std::string_view for_update() const override { return ""; }
  std::string_view for_update_skip_locked() const override { return ""; }
  // Writers queue for the lock at BEGIN (under the busy timeout), before they read anything.
  std::string_view begin_write() const override { return "BEGIN IMMEDIATE"; }
  // json_each is built into SQLite since 3.38 (Debian 12 has 3.40).
  std::string text_list() const override { return "SELECT value FROM json_each(?)"; }
  std::string integer_list() const override { return "SELECT value FROM json_each(?)"; }
  std::string text_cast(std::string_view expr) const override {
    return "CAST(" + std::string(expr) + " AS TEXT)";
  }
  std::string minor_units(std::string_view expr) const override {
    return "CAST(ROUND((" + std::string(expr) + ") * 100) AS INTEGER)";
  }
  // DATE columns hold 'YYYY-MM-DD' text, which sorts before the same day at midnight.
  std::string host_time(std::string_view expr) const override {
    return "datetime(" + std::string(expr) + ")";
  }
  std::string shifted_time(std::string_view expr, int minutes) const override {
    return "datetime(" + std::string(expr) + ", '" + (minutes < 0 ? "" : "+") +
           std::to_string(minutes) + " minutes')";
  }
  std::string days_between(std::string_view from, std::string_view to) const override {
    return "CAST(julianday(" + std::string(to) + ") - julianday(" + std::string(from) +
           ") AS INTEGER)";
  }
};

}  // namespace

std::unique_ptr<Dialect> make_dialect(std::string_view name) {
  if (name == "sqlite") return std::make_unique<SqliteDialect>();
  if (name == "postgresql") return detail::make_postgresql_dialect();
  if (name == "mariadb") return detail::make_mariadb_dialect();
  return nullptr;
}

}  // namespace crm::db
