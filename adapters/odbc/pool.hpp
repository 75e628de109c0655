// An application-side connection pool: unixODBC's own pooling needs odbcinst.ini entries and is
// unsafe under threads, and sqliteodbc does no locking, so each connection is lent to one
// thread at a time and returned after the call.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "dialect.hpp"
#include "odbc.hpp"

namespace crm::db {

class ConnectionPool;

// A borrowed connection; returns it to the pool (or drops it if broken) when destroyed.
class Lease {
 public:
  Lease(ConnectionPool &pool, std::unique_ptr<Connection> connection, bool reused)
      : pool_(&pool), connection_(std::move(connection)), reused_(reused) {}
  Lease(Lease &&other) noexcept = default;
  Lease &operator=(Lease &&) = delete;
  ~Lease();
  Connection &operator*() const { return *connection_; }
  Connection *operator->() const { return connection_.get(); }
  // Whether the connection had been idle in the pool (and may have gone stale there).
  bool reused() const { return reused_; }

 private:
  ConnectionPool *pool_;
  std::unique_ptr<Connection> connection_;
  bool reused_;
};

class ConnectionPool {
 public:
  ConnectionPool(std::shared_ptr<Environment> environment, const Dialect &dialect,
                 std::string connection_string, std::size_t max_connections,
                 std::chrono::milliseconds acquire_timeout);
  ~ConnectionPool();

  // Borrows an idle connection or opens a new one; waits while max_connections are lent.
  // Throws DbError(unavailable) when the database cannot be reached or the wait times out.
  Lease acquire();
  // The same without waiting: nothing when every connection is lent.
  std::optional<Lease> try_acquire();

  // Drops every idle connection: after one connection found the server gone, the others are
  // most likely dead too, and the next acquire should reconnect.
  void discard_idle();

  std::size_t idle_count() const;
  const Dialect &dialect() const { return dialect_; }

 private:
  friend class Lease;
  std::optional<Lease> acquire_within(std::chrono::milliseconds timeout, bool throw_on_timeout);
  void give_back(std::unique_ptr<Connection> connection);

  std::shared_ptr<Environment> environment_;
  const Dialect &dialect_;
  std::string connection_string_;
  std::size_t max_connections_;
  std::chrono::milliseconds acquire_timeout_;
  mutable std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t lent_ = 0;
};

}  // namespace crm::db
