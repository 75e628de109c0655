// The baseline: the same CRM work done directly with the sqlite3 C API on a file whose schema
// libcrm's own migrations created. Prepared statements are kept for the life of the store, as a
// hand-written native implementation would keep them.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dataset.hpp"

namespace bench {

// Every column of crm_customer, as a host would receive it.
struct CustomerRecord {
  std::int64_t id = 0, version = 0;
  std::string name, kind, phone, email, address, region, industry, stage, owner, source, host_key,
      created_at, created_by, updated_at, updated_by, attributes;
};

// Every column of crm_interaction.
struct InteractionRecord {
  std::int64_t id = 0, customer_id = 0;
  std::optional<std::int64_t> contact_id, opportunity_id;
  std::string channel, direction, occurred_at, subject, logged_at, logged_by, body;
};

class NativeStore {
 public:
  // Opens an existing file with the pragmas libcrm's SQLite connection string sets
  // (WAL, synchronous=NORMAL, foreign keys on, 5 s busy timeout).
  explicit NativeStore(const std::string &path);
  ~NativeStore();
  NativeStore(const NativeStore &) = delete;
  NativeStore &operator=(const NativeStore &) = delete;

  // customer.create's work: id from crm_id_sequence (in blocks of 64, like libcrm), one INSERT
  // in its own transaction, then the row read back.
  CustomerRecord create_customer(const Customer &customer, const std::string &user);
  // Fills customers [first, last] in one transaction (population only, not measured) and moves
  // the customer sequence past them.
  void fill_customers(const Dataset &dataset, std::int64_t first, std::int64_t last,
                      const std::string &user);

  // interaction.log_batch's work: ids reserved from crm_id_sequence and the rows inserted with
  // prepared multi-row INSERTs (500 rows each, as libcrm does), all in one transaction.
  // Returns the first id.
  std::int64_t log_batch(const std::vector<Interaction> &items, const std::string &user);

  std::optional<CustomerRecord> get_customer(std::int64_t id);
  // Newest first, at most `limit` items (limit + 1 rows are read, as keyset paging needs).
  std::vector<InteractionRecord> list_interactions(std::int64_t customer_id, int limit);

  void execute(const std::string &sql);
  // FNV-1a over every column both sides must have stored identically (all but the times of
  // creation, update and logging), in id order.
  std::uint64_t content_digest(const std::string &table);
  std::string query_plan(const std::string &sql);

 private:
  struct StatementDeleter {
    void operator()(sqlite3_stmt *statement) const { sqlite3_finalize(statement); }
  };
  using StatementPtr = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

  sqlite3_stmt *prepared(const std::string &sql);
  // The lookup statements skip even the cache's map search: the native figure should be the
  // floor of what SQLite can do.
  sqlite3_stmt *prepared_once(sqlite3_stmt *&slot, const char *sql);
  void step_done(sqlite3_stmt *statement, const char *what);
  std::int64_t reserve_ids(const char *sequence, std::int64_t count);
  [[noreturn]] void fail(const char *what) const;

  sqlite3 *db_ = nullptr;
  std::map<std::string, StatementPtr> statements_;
  sqlite3_stmt *customer_select_ = nullptr;
  sqlite3_stmt *interaction_list_ = nullptr;
  std::int64_t next_customer_id_ = 0, end_customer_id_ = 0;
};

}  // namespace bench
