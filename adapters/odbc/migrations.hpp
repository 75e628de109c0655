// Versioned schema migrations, one transaction each, recorded in crm_schema_version with a
// checksum so that an edited, already-applied migration is detected instead of ignored.
// The SQL files in sql/<dialect>/NNNN_name.sql are compiled into the library.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "odbc.hpp"

namespace crm::db {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// The migrations compiled in for a dialect, ordered by version (empty for an unknown dialect).
const std::vector<Migration> &embedded_migrations(std::string_view dialect);

// Splits a script into statements at semicolons outside quotes and comments.
std::vector<std::string> split_statements(std::string_view script);

std::string checksum(std::string_view text);

// Holds the dialect's migration lock (Dialect::lock_migrations) on a connection for its
// lifetime. Re-entrant, so a caller may hold it around Migrator calls that take it too.
class MigrationLock {
 public:
  explicit MigrationLock(Connection &connection);
  ~MigrationLock();
  MigrationLock(const MigrationLock &) = delete;
  MigrationLock &operator=(const MigrationLock &) = delete;

 private:
  Connection &connection_;
};

class Migrator {
 public:
  Migrator(Connection &connection, const std::vector<Migration> &migrations);

  int current_version();
  int latest_version() const;
  // Applies every pending migration up to target (default: all). Safe when several processes
  // start at once: they take turns under the migration lock, and a migration another process
  // applied meanwhile is skipped. Throws DbError for database failures and std::runtime_error
  // for a checksum mismatch or a database newer than this library.
  void migrate(int target = -1);

 private:
  void ensure_version_table();
  void verify_applied();

  Connection &connection_;
  const std::vector<Migration> &migrations_;
};

}  // namespace crm::db
