#include "store.hpp"

#include <spdlog/spdlog.h>

#include "migrations.hpp"

namespace crm {

namespace {
constexpr std::int64_t kIdBlock = 64;
}

std::int64_t IdAllocator::reserve(db::Connection &connection, const std::string &sequence,
                                  std::int64_t count) {
  if (count <= 0) throw std::logic_error("id count must be positive");
  {
    std::lock_guard lock(mutex_);
    auto &[next, end] = cached_[sequence];
    if (end - next >= count) {
      auto first = next;
      next += count;
      return first;
    }
  }
  // The database is asked without the mutex held: the sequence row may be locked by another
  // thread's transaction, which may itself be about to ask this allocator for ids.
  if (count >= kIdBlock) return reserve_in_database(connection, sequence, count);
  const auto block = reserve_in_database(connection, sequence, kIdBlock);
  std::lock_guard lock(mutex_);
  // Another thread may have refilled meanwhile; the rest of its block becomes a gap.
  cached_[sequence] = {block + count, block + kIdBlock};
  return block;
}

std::int64_t IdAllocator::reserve_within(db::Connection &connection, const std::string &sequence,
                                         std::int64_t count) {
  if (count <= 0) throw std::logic_error("id count must be positive");
  if (connection.prepare("UPDATE crm_id_sequence SET next_id = next_id + ? WHERE name = ?")
          .execute({count, sequence}) != 1)
    throw std::logic_error("no id sequence named " + sequence);
  auto result = connection.prepare("SELECT next_id FROM crm_id_sequence WHERE name = ?")
                    .query({sequence}, {db::Column::integer()});
  if (!result.next()) throw std::logic_error("id sequence vanished: " + sequence);
  return result.int64(0) - count;
}

std::int64_t IdAllocator::reserve_in_database(db::Connection &connection,
                                              const std::string &sequence, std::int64_t count) {
  if (connection.in_transaction())
    throw std::logic_error("ids must be reserved outside a transaction");
  // UPDATE first: it takes the row lock, so the SELECT sees our own increment only.
  for (int attempt = 1;; ++attempt) {
    try {
      db::Transaction transaction(connection);
      auto updated =
          connection.prepare("UPDATE crm_id_sequence SET next_id = next_id + ? WHERE name = ?")
              .execute({count, sequence});
      if (updated != 1) throw std::logic_error("no id sequence named " + sequence);
      std::int64_t end = 0;
      {
        auto result = connection.prepare("SELECT next_id FROM crm_id_sequence WHERE name = ?")
                          .query({sequence}, {db::Column::integer()});
        if (!result.next()) throw std::logic_error("id sequence vanished: " + sequence);
        end = result.int64(0);
      }
      transaction.commit();
      return end - count;
    } catch (const db::DbError &error) {
      if (error.kind() != db::DbErrorKind::retryable || attempt >= 5) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(5 << attempt));
    }
  }
}

Error translate(const db::DbError &error) {
  switch (error.kind()) {
    case db::DbErrorKind::unavailable:
      return Error(Status::unavailable, std::string("database unavailable: ") + error.what());
    case db::DbErrorKind::constraint:
      return Error(Status::conflict,
                   std::string("the database refused the write: ") + error.what());
    case db::DbErrorKind::retryable:
      return Error(Status::unavailable,
                   std::string("the database stayed busy; try again: ") + error.what());
    case db::DbErrorKind::data:
      return Error(Status::invalid_argument,
                   std::string("the database cannot store a value: ") + error.what());
    case db::DbErrorKind::database:
      break;
  }
  return Error(Status::database, std::string("database error: ") + error.what());
}

Store::Store(const Config &config, std::shared_ptr<spdlog::logger> logger)
    : logger_(std::move(logger)) {
  dialect_ = db::make_dialect(config.database.dialect);
  if (!dialect_)
    throw Error(Status::unsupported,
                "database.dialect " + config.database.dialect + " is not supported by this build",
                "database.dialect");
  std::string connection_string;
  try {
    connection_string = dialect_->connection_string(config.database);
  } catch (const std::invalid_argument &error) {
    std::string message = error.what();
    throw invalid_argument(message.substr(0, message.find(':')), message);
  }
  try {
    pool_ = std::make_unique<db::ConnectionPool>(std::make_shared<db::Environment>(), *dialect_,
                                                 connection_string, config.max_connections,
                                                 config.acquire_timeout);
    auto lease = pool_->acquire();
    db::Migrator migrator(*lease, db::embedded_migrations(dialect_->name()));
    if (config.apply_migrations) {
      // One process at a time from the first look at the schema version to the last.
      db::MigrationLock lock(*lease);
      int before = migrator.current_version();
      migrator.migrate();
      schema_version_ = migrator.current_version();
      if (schema_version_ != before)
        logger_->info("database schema migrated from version {} to {}", before, schema_version_);
    } else {
      schema_version_ = migrator.current_version();
      if (schema_version_ != migrator.latest_version())
        throw Error(Status::unsupported,
                    "the database schema is at version " + std::to_string(schema_version_) +
                        " and this library needs " + std::to_string(migrator.latest_version()) +
                        "; enable migrations.apply or migrate it",
                    "migrations.apply");
    }
  } catch (const db::DbError &error) {
    throw translate(error);
  } catch (const Error &) {
    throw;
  } catch (const std::runtime_error &error) {
    // The migrator's refusals: an edited migration, or a database newer than this library.
    throw Error(Status::unsupported, error.what(), "database");
  }
  logger_->info("crm client ready: dialect {}, schema version {}", dialect_->name(),
                schema_version_);
}

Store::~Store() = default;

std::int64_t Store::reserve_ids_during(db::Connection &connection, const std::string &sequence,
                                       std::int64_t count) {
  if (!dialect_->for_update_skip_locked().empty())
    if (auto aside = pool_->try_acquire()) return ids_.reserve(**aside, sequence, count);
  return ids_.reserve_within(connection, sequence, count);
}

thread_local Store::Pinned Store::pinned_;

Store::ReadScope::ReadScope(Store &store, db::Connection &connection)
    : transaction_(connection, db::Connection::Intent::read),
      previous_store_(pinned_.store),
      previous_connection_(pinned_.connection) {
  if (auto snapshot = store.dialect().read_snapshot(); !snapshot.empty())
    connection.execute_direct(std::string(snapshot));
  pinned_ = {&store, &connection};
}

Store::ReadScope::~ReadScope() {
  pinned_ = {previous_store_, previous_connection_};
}

Error Store::on_db_error(const db::DbError &error) {
  if (error.kind() == db::DbErrorKind::unavailable) pool_->discard_idle();
  logger_->warn("database failure ({}): {}", error.sqlstate(), error.what());
  return translate(error);
}

void Store::discard_stale() {
  logger_->info("a pooled connection was lost while idle; reconnecting");
  pool_->discard_idle();
}

void Store::backoff(int attempt, const db::DbError &error) {
  logger_->debug("retrying transaction after {} (attempt {})", error.sqlstate(), attempt);
  std::this_thread::sleep_for(std::chrono::milliseconds(10 << attempt));
}

}  // namespace crm
