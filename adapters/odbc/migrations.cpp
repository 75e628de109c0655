#include "migrations.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <stdexcept>

#include "dialect.hpp"

namespace crm::db {

std::vector<std::string> split_statements(std::string_view script) {
  std::vector<std::string> statements;
  std::string current;
  auto flush = [&] {
    auto first = current.find_first_not_of(" \t\r\n");
    if (first != std::string::npos) {
      auto last = current.find_last_not_of(" \t\r\n");
      statements.push_back(current.substr(first, last - first + 1));
    }
    current.clear();
  };
  for (std::size_t i = 0; i < script.size(); ++i) {
    char c = script[i];
    if (c == '-' && i + 1 < script.size() && script[i + 1] == '-') {
      while (i < script.size() && script[i] != '\n') ++i;
      current.push_back('\n');
      continue;
    }
    if (c == '/' && i + 1 < script.size() && script[i + 1] == '*') {
      auto end = script.find("*/", i + 2);
      i = end == std::string_view::npos ? script.size() : end + 1;
      current.push_back(' ');
      continue;
    }
    if (c == '\'' || c == '"' || c == '`') {
      auto end = i + 1;
      while (end < script.size()) {
        if (script[end] == c) {
          if (end + 1 < script.size() && script[end + 1] == c) {
            end += 2;
            continue;
          }
          break;
        }
        ++end;
      }
      current.append(script.substr(i, end - i + 1));
      i = end;
      continue;
    }
    if (c == ';') {
      flush();
      continue;
    }
    current.push_back(c);
  }
  flush();
  return statements;
}

std::string checksum(std::string_view text) {
  // FNV-1a 64: enough to notice an edited migration; not a security boundary.
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  char out[17];
  std::snprintf(out, sizeof(out), "%016llx", static_cast<unsigned long long>(hash));
  return out;
}

namespace {

std::string utc_now_text() {
  auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm parts{};
  gmtime_r(&now, &parts);
  char out[32];
  std::strftime(out, sizeof(out), "%Y-%m-%d %H:%M:%S", &parts);
  return out;
}

}  // namespace

MigrationLock::MigrationLock(Connection &connection) : connection_(connection) {
  connection_.dialect().lock_migrations(connection_);
}

MigrationLock::~MigrationLock() {
  connection_.dialect().unlock_migrations(connection_);
}

Migrator::Migrator(Connection &connection, const std::vector<Migration> &migrations)
    : connection_(connection), migrations_(migrations) {}

int Migrator::latest_version() const {
  return migrations_.empty() ? 0 : migrations_.back().version;
}

void Migrator::ensure_version_table() {
  connection_.execute_direct(
      "CREATE TABLE IF NOT EXISTS crm_schema_version ("
      "version INTEGER NOT NULL PRIMARY KEY, name VARCHAR(200) NOT NULL, "
      "checksum VARCHAR(32) NOT NULL, applied_at VARCHAR(32) NOT NULL)" +
      std::string(connection_.dialect().table_options()));
}

int Migrator::current_version() {
  ensure_version_table();
  auto result = connection_.prepare("SELECT MAX(version) FROM crm_schema_version")
                    .query({}, {Column::integer()});
  int version = 0;
  if (result.next() && !result.is_null(0)) version = static_cast<int>(result.int64(0));
  return version;
}

void Migrator::verify_applied() {
  std::map<int, std::string> applied;
  {
    auto result = connection_.prepare("SELECT version, checksum FROM crm_schema_version")
                      .query({}, {Column::integer(), Column::text(32)});
    while (result.next()) applied[static_cast<int>(result.int64(0))] = result.text(1);
  }
  for (const auto &migration : migrations_) {
    auto found = applied.find(migration.version);
    if (found != applied.end() && found->second != checksum(migration.sql))
      throw std::runtime_error("migration " + std::to_string(migration.version) + " (" +
                               std::string(migration.name) +
                               ") differs from the one applied to this database");
  }
  if (!applied.empty() && applied.rbegin()->first > latest_version())
    throw std::runtime_error("the database schema is at version " +
                             std::to_string(applied.rbegin()->first) +
                             ", newer than this library's " + std::to_string(latest_version()));
}

void Migrator::migrate(int target) {
  if (target < 0) target = latest_version();
  // Where DDL commits on its own (MariaDB) a migration is not atomic: without the lock two
  // processes could both start one; with it the second finds it applied and skips it.
  MigrationLock lock(connection_);
  ensure_version_table();
  verify_applied();
  for (const auto &migration : migrations_) {
    if (migration.version > target) break;
    if (migration.version <= current_version()) continue;
    try {
      Transaction transaction(connection_);
      for (const auto &statement : split_statements(migration.sql))
        connection_.execute_direct(statement);
      connection_
          .prepare(
              "INSERT INTO crm_schema_version (version, name, checksum, applied_at) "
              "VALUES (?, ?, ?, ?)")
          .execute({static_cast<std::int64_t>(migration.version), std::string(migration.name),
                    checksum(migration.sql), utc_now_text()});
      transaction.commit();
    } catch (const DbError &) {
      // Another process may have applied it meanwhile; only then is the failure harmless.
      if (current_version() >= migration.version) continue;
      throw;
    }
  }
}

}  // namespace crm::db
