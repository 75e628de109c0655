// The database side of a client: dialect, connection pool, id allocation, and the one place
// where database failures become crm::Error.
#pragma once

#include <any>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "config.hpp"
#include "dialect.hpp"
#include "error.hpp"
#include "pool.hpp"

namespace spdlog {
class logger;
}

namespace crm {

// Hands out ids in blocks reserved from crm_id_sequence, so that several processes never
// collide and a bulk insert knows all its ids before it writes.
class IdAllocator {
 public:
  // The first of `count` consecutive fresh ids. Must run outside a transaction on connection:
  // the reservation commits at once, so concurrent writers never wait on each other's ids.
  std::int64_t reserve(db::Connection &connection, const std::string &sequence,
                       std::int64_t count = 1);
  // The same inside the caller's transaction, for work that learns how many ids it needs only
  // as it goes (jobs). The sequence row stays locked until that transaction ends, and a
  // rollback takes the reservation back with everything else.
  std::int64_t reserve_within(db::Connection &connection, const std::string &sequence,
                              std::int64_t count);

 private:
  std::int64_t reserve_in_database(db::Connection &connection, const std::string &sequence,
                                   std::int64_t count);
  std::mutex mutex_;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> cached_;  // [next, end)
};

Error translate(const db::DbError &error);

class Store {
 public:
  explicit Store(const Config &config, std::shared_ptr<spdlog::logger> logger);
  ~Store();

  const db::Dialect &dialect() const { return *dialect_; }
  IdAllocator &ids() { return ids_; }
  // Ids for work inside a long transaction on connection (jobs, plan tasks). On a server they
  // are reserved on another connection and committed at once, so the sequence row is not held
  // for the length of the job while other clients' creates wait on it; unused ids are a gap.
  // SQLite's writer holds the whole database anyway, so there (and when no other connection is
  // free) they are reserved within the transaction.
  std::int64_t reserve_ids_during(db::Connection &connection, const std::string &sequence,
                                  std::int64_t count);
  spdlog::logger &log() { return *logger_; }
  int schema_version() const { return schema_version_; }

  // An area's checked configuration section (see Registry::add_section), loaded at creation.
  template <class T>
  const T &settings(std::string_view section) const {
    auto found = settings_.find(section);
    if (found == settings_.end())
      throw Error(Status::internal, "settings section " + std::string(section) + " not loaded");
    return *std::any_cast<std::shared_ptr<const T>>(found->second);
  }
  void set_settings(std::string section, std::any settings) {
    settings_[std::move(section)] = std::move(settings);
  }

  // Runs fn(connection) on a pooled connection; database failures become crm::Error.
  // Inside a ReadScope of this store on this thread, fn runs on the scope's connection.
  // A pooled connection that went stale while idle (server restarted, idle timeout) fails on
  // its first statement; then nothing of fn has run, so fn runs again on a fresh connection.
  template <class F>
  auto with_connection(F &&fn) {
    if (pinned_.store == this) {
      try {
        return fn(*pinned_.connection);
      } catch (const db::DbError &error) {
        throw on_db_error(error);
      }
    }
    for (int attempt = 1;; ++attempt) {
      bool stale = false;
      try {
        auto lease = pool_->acquire();
        const auto executed = lease->executed();
        try {
          return fn(*lease);
        } catch (const db::DbError &error) {
          stale = error.kind() == db::DbErrorKind::unavailable && lease.reused() &&
                  lease->executed() == executed && attempt == 1;
          if (!stale) throw;
        }
      } catch (const db::DbError &error) {
        throw on_db_error(error);
      }
      if (stale) discard_stale();
    }
  }

  // One connection and one read snapshot for a composite read (customer.view): the methods it
  // composes, run inside the scope on this thread, read through the same connection and see
  // the same data. Nothing may be written inside it; it ends with a rollback.
  class ReadScope {
   public:
    ReadScope(Store &store, db::Connection &connection);
    ~ReadScope();
    ReadScope(const ReadScope &) = delete;
    ReadScope &operator=(const ReadScope &) = delete;

   private:
    db::Transaction transaction_;
    const Store *previous_store_;
    db::Connection *previous_connection_;
  };

  // Runs fn() in a transaction on connection; retries serialization failures, deadlocks and
  // busy databases a bounded number of times (fn must be safe to run again).
  template <class F>
  auto transact(db::Connection &connection, F &&fn) {
    for (int attempt = 1;; ++attempt) {
      try {
        db::Transaction transaction(connection);
        if constexpr (std::is_void_v<decltype(fn())>) {
          fn();
          transaction.commit();
          return;
        } else {
          auto result = fn();
          transaction.commit();
          return result;
        }
      } catch (const db::DbError &error) {
        if (error.kind() != db::DbErrorKind::retryable || attempt >= kMaxAttempts) throw;
        backoff(attempt, error);
      }
    }
  }

 private:
  static constexpr int kMaxAttempts = 5;
  struct Pinned {
    const Store *store = nullptr;
    db::Connection *connection = nullptr;
  };
  static thread_local Pinned pinned_;
  Error on_db_error(const db::DbError &error);
  void discard_stale();
  void backoff(int attempt, const db::DbError &error);

  std::unique_ptr<db::Dialect> dialect_;
  std::shared_ptr<spdlog::logger> logger_;
  std::unique_ptr<db::ConnectionPool> pool_;
  IdAllocator ids_;
  int schema_version_ = 0;
  std::map<std::string, std::any, std::less<>> settings_;
};

}  // namespace crm
