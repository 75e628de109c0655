#include <gtest/gtest.h>

#include "core/config.hpp"
#include "core/error.hpp"

namespace crm {
namespace {

std::string rejected_field(const std::string &text) {
  try {
    parse_config(text);
  } catch (const Error &error) {
    EXPECT_EQ(error.status(), Status::invalid_argument);
    return error.field();
  }
  return "<accepted>";
}

TEST(Config, MinimalSqliteConfigIsEnough) {
  Config config = parse_config(R"({"database": {"dialect": "sqlite", "path": "crm.db"}})");
  EXPECT_EQ(config.database.dialect, "sqlite");
  EXPECT_EQ(config.database.path, "crm.db");
  EXPECT_TRUE(config.apply_migrations);
  EXPECT_EQ(config.max_connections, 8u);
  EXPECT_EQ(config.log.sink, "callback");
}

TEST(Config, ReadsEverySection) {
  Config config = parse_config(R"({"database": {"dialect": "postgresql",
      "connection_string": "Server=h", "busy_timeout_ms": 100},
      "migrations": {"apply": false}, "pool": {"max_connections": 3, "acquire_timeout_ms": 50},
      "limits": {"max_request_bytes": 2048}, "log": {"level": "debug", "sink": "stderr"}})");
  EXPECT_EQ(config.database.connection_string, "Server=h");
  EXPECT_EQ(config.database.busy_timeout_ms, 100);
  EXPECT_FALSE(config.apply_migrations);
  EXPECT_EQ(config.max_connections, 3u);
  EXPECT_EQ(config.acquire_timeout.count(), 50);
  EXPECT_EQ(config.max_request_bytes, 2048u);
  EXPECT_EQ(config.log.level, "debug");
}

TEST(Config, NamesTheFieldAtFault) {
  EXPECT_EQ(rejected_field("nope"), "config");
  EXPECT_EQ(rejected_field("{}"), "database");
  EXPECT_EQ(rejected_field(R"({"database": 1})"), "database");
  EXPECT_EQ(rejected_field(R"({"database": {}})"), "database.dialect");
  EXPECT_EQ(rejected_field(R"({"database": {"dialect": "db2"}})"), "database.dialect");
  EXPECT_EQ(rejected_field(
                R"({"database": {"dialect": "sqlite", "path": "a", "connection_string": "b"}})"),
            "database.path");
  EXPECT_EQ(rejected_field(R"({"database": {"dialect": "sqlite", "busy_timeout_ms": -1}})"),
            "database.busy_timeout_ms");
  EXPECT_EQ(rejected_field(R"({"database": {"dialect": "sqlite"}, "migrations": {"apply": 1}})"),
            "migrations.apply");
  EXPECT_EQ(
      rejected_field(R"({"database": {"dialect": "sqlite"}, "pool": {"max_connections": 1000}})"),
      "pool.max_connections");
  EXPECT_EQ(rejected_field(R"({"database": {"dialect": "sqlite"}, "log": {"sink": "syslog"}})"),
            "log.sink");
  EXPECT_EQ(rejected_field(R"({"database": {"dialect": "sqlite"}, "extra": {}})"), "config.extra");
}

}  // namespace
}  // namespace crm
