#include "pool.hpp"

namespace crm::db {

Lease::~Lease() {
  if (pool_ && connection_) pool_->give_back(std::move(connection_));
}

ConnectionPool::ConnectionPool(std::shared_ptr<Environment> environment, const Dialect &dialect,
                               std::string connection_string, std::size_t max_connections,
                               std::chrono::milliseconds acquire_timeout)
    : environment_(std::move(environment)),
      dialect_(dialect),
      connection_string_(std::move(connection_string)),
      max_connections_(max_connections == 0 ? 1 : max_connections),
      acquire_timeout_(acquire_timeout) {}

ConnectionPool::~ConnectionPool() {
  std::lock_guard lock(mutex_);
  idle_.clear();
}

Lease ConnectionPool::acquire() {
  return *acquire_within(acquire_timeout_, true);
}

std::optional<Lease> ConnectionPool::try_acquire() {
  return acquire_within(std::chrono::milliseconds(0), false);
}

std::optional<Lease> ConnectionPool::acquire_within(std::chrono::milliseconds timeout,
                                                    bool throw_on_timeout) {
  {
    std::unique_lock lock(mutex_);
    bool ready = available_.wait_for(lock, timeout,
                                     [&] { return !idle_.empty() || lent_ < max_connections_; });
    if (!ready && !throw_on_timeout) return std::nullopt;
    if (!ready)
      throw DbError(DbErrorKind::unavailable, "HYT00", 0,
                    "all " + std::to_string(max_connections_) +
                        " database connections stayed busy for " + std::to_string(timeout.count()) +
                        " ms");
    ++lent_;
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(connection), true);
    }
  }
  // Connect outside the lock: it can take a while on a server database.
  try {
    return Lease(*this, std::make_unique<Connection>(*environment_, dialect_, connection_string_),
                 false);
  } catch (...) {
    std::lock_guard lock(mutex_);
    --lent_;
    available_.notify_one();
    throw;
  }
}

void ConnectionPool::give_back(std::unique_ptr<Connection> connection) {
  bool broken = connection->broken() || connection->in_transaction();
  if (broken) {
    connection->rollback();
    connection.reset();  // disconnect outside the lock
  }
  std::lock_guard lock(mutex_);
  --lent_;
  if (!broken) idle_.push_back(std::move(connection));
  if (broken) idle_.clear();
  available_.notify_one();
}

void ConnectionPool::discard_idle() {
  std::vector<std::unique_ptr<Connection>> dropped;
  {
    std::lock_guard lock(mutex_);
    dropped.swap(idle_);
  }
}

std::size_t ConnectionPool::idle_count() const {
  std::lock_guard lock(mutex_);
  return idle_.size();
}

}  // namespace crm::db
