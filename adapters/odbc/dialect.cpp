#include "dialect.hpp"

#include <filesystem>
#include <stdexcept>
#include <vector>

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
  if (value.find_first_of(";{}= ") == std::string_view::npos) return std::string(value);
  std::string quoted = "{";
  for (char c : value) {
    quoted.push_back(c);
    if (c == '}') quoted.push_back('}');
  }
  quoted.push_back('}');
  return quoted;
}

namespace {

// Where Debian-like systems put ODBC drivers, for each multiarch triplet we may run on.
std::optional<std::string> find_driver(std::string_view file_name) {
  const std::vector<std::string> directories = {
      "/usr/lib/x86_64-linux-gnu/odbc", "/usr/lib/aarch64-linux-gnu/odbc",
      "/usr/lib/i386-linux-gnu/odbc",   "/usr/lib/odbc",
      "/usr/lib64/odbc",                "/usr/local/lib/odbc",
      "/usr/lib64",                     "/usr/lib",
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
    if (settings.driver->empty())
      throw std::invalid_argument("database.driver: must not be empty");
    return quote_attribute(*settings.driver);
  }
  auto path = find_driver(file_name);
  if (!path)
    throw std::invalid_argument("database.driver: the ODBC driver " + std::string(file_name) +
                                " was not found (install the Debian package " +
                                std::string(package) + " or name the driver's path)");
  return quote_attribute(*path);
}

class SqliteDialect final : public Dialect {
 public:
  std::string_view name() const override { return "sqlite"; }

  std::string connection_string(const ConnectionSettings &settings) const override {
    if (settings.connection_string) return *settings.connection_string;
    if (!settings.path || settings.path->empty())
      throw std::invalid_argument(
          "database.path: required for the sqlite dialect (the database file)");
    if (settings.path->find('\0') != std::string::npos)
      throw std::invalid_argument("database.path: must not contain NUL");
    // Timeout: the driver's default busy wait is 100 s. StepAPI: stream large reads.
    // BigInt: report integers as 64-bit. FKSupport: enforce foreign keys (off by default).
    return "DRIVER=" + driver_attribute(settings, "libsqlite3odbc.so", "libsqliteodbc") +
           ";Database=" + quote_attribute(*settings.path) +
           ";Timeout=" + std::to_string(settings.busy_timeout_ms) +
           ";StepAPI=1;JournalMode=WAL;SyncPragma=NORMAL;FKSupport=1;BigInt=1;NoCreat=0";
  }

  DbErrorKind classify(const Diagnostics &diagnostics) const override {
    // sqliteodbc reports SQLite's own result code as the native code.
    switch (diagnostics.native_code & 0xff) {
      case 5:   // SQLITE_BUSY
      case 6:   // SQLITE_LOCKED
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
  bool transactional_ddl() const override { return true; }
  std::string_view for_update() const override { return ""; }
};

}  // namespace

std::unique_ptr<Dialect> make_dialect(std::string_view name) {
  if (name == "sqlite") return std::make_unique<SqliteDialect>();
  return nullptr;
}

}  // namespace crm::db
