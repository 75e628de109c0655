// The SQLite baseline: the sqlite3 C API on a file whose schema libcrm's migrations created,
// with the pragmas libcrm's SQLite connection string sets (WAL, synchronous=NORMAL, foreign keys
// on, 5 s busy timeout) and SQLite's default page cache, as sqliteodbc has.
#include <sqlite3.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "native_store.hpp"

namespace bench {

namespace {

const char *const kCustomerSelect =
    "SELECT id, name, kind, phone, email, address, region, industry, stage, owner, source, "
    "host_key, created_at, created_by, updated_at, updated_by, version, attributes "
    "FROM crm_customer WHERE id = ?";

const char *const kInteractionList =
    "SELECT id, customer_id, contact_id, opportunity_id, channel, direction, occurred_at, "
    "subject, logged_at, logged_by, body FROM crm_interaction WHERE customer_id = ? "
    "ORDER BY occurred_at DESC, id DESC LIMIT ?";

std::string text(sqlite3_stmt *statement, int column) {
  const auto *data = sqlite3_column_text(statement, column);
  if (!data) return {};
  return {reinterpret_cast<const char *>(data),
          static_cast<std::size_t>(sqlite3_column_bytes(statement, column))};
}

std::optional<std::int64_t> optional_int(sqlite3_stmt *statement, int column) {
  if (sqlite3_column_type(statement, column) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_int64(statement, column);
}

void bind_text(sqlite3_stmt *statement, int index, const std::string &value) {
  // SQLITE_STATIC: the strings outlive the step, so SQLite need not copy them.
  sqlite3_bind_text(statement, index, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
}

std::string insert_sql(std::size_t rows) {
  std::string sql =
      "INSERT INTO crm_interaction (id, customer_id, contact_id, opportunity_id, channel, "
      "direction, occurred_at, subject, body, logged_at, logged_by) VALUES ";
  for (std::size_t row = 0; row < rows; ++row)
    sql += row ? ", (?,?,?,?,?,?,?,?,?,?,?)" : "(?,?,?,?,?,?,?,?,?,?,?)";
  return sql;
}

class SqliteStore final : public NativeStore {
 public:
  SqliteStore(const std::string &path, const IdSpace &space);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore &) = delete;
  SqliteStore &operator=(const SqliteStore &) = delete;

  std::string versions() override { return std::string("sqlite ") + sqlite3_libversion(); }
  CustomerRecord create_customer(const Customer &customer, const std::string &user) override;
  void fill_customers(const Dataset &dataset, std::int64_t first, std::int64_t last,
                      const std::string &user) override;
  std::int64_t log_batch(const std::vector<Interaction> &items, const std::string &user) override;
  std::optional<CustomerRecord> get_customer(std::int64_t id) override;
  std::vector<InteractionRecord> list_interactions(std::int64_t customer_id, int limit) override;
  std::vector<CustomerRecord> list_owned(const std::vector<std::string> &owners,
                                         int limit) override;
  std::string owned_plan(const std::vector<std::string> &owners) override;
  void prepare_for_reads() override { execute("PRAGMA wal_checkpoint(TRUNCATE)"); }
  std::vector<std::int64_t> execute_in_transaction(
      const std::vector<std::string> &statements) override {
    execute("BEGIN IMMEDIATE");
    try {
      std::vector<std::int64_t> changed;
      for (const auto &statement : statements) {
        execute(statement);
        changed.push_back(sqlite3_changes(db_));
      }
      execute("COMMIT");
      return changed;
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }
  std::uint64_t content_digest(const std::string &table) override;
  std::string list_plan(std::int64_t customer_id) override;
  std::string storage() override;

 private:
  struct StatementDeleter {
    void operator()(sqlite3_stmt *statement) const { sqlite3_finalize(statement); }
  };
  using StatementPtr = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

  void execute(const std::string &sql);
  sqlite3_stmt *prepared(const std::string &sql);
  // The lookup statements skip even the cache's map search: the native figure should be the
  // floor of what SQLite can do.
  sqlite3_stmt *prepared_once(sqlite3_stmt *&slot, const char *sql);
  void step_done(sqlite3_stmt *statement, const char *what);
  std::int64_t reserve_ids(const std::string &sequence, std::int64_t count);
  [[noreturn]] void fail(const char *what) const;

  std::string path_;
  sqlite3 *db_ = nullptr;
  std::map<std::string, StatementPtr> statements_;
  sqlite3_stmt *customer_select_ = nullptr;
  sqlite3_stmt *interaction_list_ = nullptr;
  std::int64_t next_customer_id_ = 0, end_customer_id_ = 0;
};

SqliteStore::SqliteStore(const std::string &path, const IdSpace &space)
    : NativeStore(space), path_(path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw std::runtime_error("cannot open " + path + ": " + message);
  }
  sqlite3_busy_timeout(db_, 5000);
  execute("PRAGMA journal_mode=WAL");
  execute("PRAGMA synchronous=NORMAL");
  execute("PRAGMA foreign_keys=ON");
}

SqliteStore::~SqliteStore() {
  statements_.clear();
  sqlite3_close(db_);
}

void SqliteStore::fail(const char *what) const {
  throw std::runtime_error(std::string("sqlite3: ") + what + ": " + sqlite3_errmsg(db_));
}

void SqliteStore::execute(const std::string &sql) {
  char *error = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    throw std::runtime_error("sqlite3: " + sql + ": " + message);
  }
}

sqlite3_stmt *SqliteStore::prepared(const std::string &sql) {
  auto found = statements_.find(sql);
  if (found != statements_.end()) {
    sqlite3_reset(found->second.get());
    return found->second.get();
  }
  sqlite3_stmt *statement = nullptr;
  if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &statement, nullptr) != SQLITE_OK)
    fail(sql.c_str());
  statements_.emplace(sql, StatementPtr(statement));
  return statement;
}

sqlite3_stmt *SqliteStore::prepared_once(sqlite3_stmt *&slot, const char *sql) {
  if (slot) {
    sqlite3_reset(slot);
    return slot;
  }
  return slot = prepared(sql);
}

void SqliteStore::step_done(sqlite3_stmt *statement, const char *what) {
  if (sqlite3_step(statement) != SQLITE_DONE) fail(what);
  sqlite3_reset(statement);
}

std::int64_t SqliteStore::reserve_ids(const std::string &sequence, std::int64_t count) {
  auto *update = prepared(
      "UPDATE crm_id_sequence SET next_id = next_id + ? WHERE name = ? "
      "RETURNING next_id");
  sqlite3_bind_int64(update, 1, count);
  bind_text(update, 2, sequence);
  if (sqlite3_step(update) != SQLITE_ROW) fail("reserve ids");
  const std::int64_t end = sqlite3_column_int64(update, 0);
  step_done(update, "reserve ids");
  return end - count;
}

CustomerRecord SqliteStore::create_customer(const Customer &customer, const std::string &user) {
  if (next_customer_id_ == end_customer_id_) {
    next_customer_id_ = reserve_ids(space_.sequence_prefix + "customer", kIdBlock);
    end_customer_id_ = next_customer_id_ + kIdBlock;
  }
  const std::int64_t id = next_customer_id_++;
  const std::string now = db_time(now_micros());
  auto *insert = prepared(
      "INSERT INTO crm_customer (id, name, kind, stage, phone, email, address, region, "
      "industry, owner, source, attributes, created_at, created_by, updated_at, updated_by, "
      "version) VALUES (?, ?, ?, 'unidentified', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)");
  sqlite3_bind_int64(insert, 1, id);
  int column = 2;
  for (const std::string *value :
       {&customer.name, &customer.kind, &customer.phone, &customer.email, &customer.address,
        &customer.region, &customer.industry, &user, &customer.source, &customer.attributes, &now,
        &user, &now, &user})
    bind_text(insert, column++, *value);
  execute("BEGIN");
  if (sqlite3_step(insert) != SQLITE_DONE) {
    std::string message = sqlite3_errmsg(db_);
    sqlite3_reset(insert);
    execute("ROLLBACK");
    throw std::runtime_error("sqlite3: insert customer: " + message);
  }
  sqlite3_reset(insert);
  execute("COMMIT");
  auto record = get_customer(id);
  if (!record) throw std::runtime_error("customer vanished after insert");
  return *record;
}

void SqliteStore::fill_customers(const Dataset &dataset, std::int64_t first, std::int64_t last,
                                 const std::string &user) {
  execute("BEGIN");
  const std::string now = db_time(now_micros());
  auto *insert = prepared(
      "INSERT INTO crm_customer (id, name, kind, stage, phone, email, address, region, "
      "industry, owner, source, attributes, created_at, created_by, updated_at, updated_by, "
      "version) VALUES (?, ?, ?, 'unidentified', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)");
  for (std::int64_t id = first; id <= last; ++id) {
    const Customer customer = dataset.customer(id);
    sqlite3_bind_int64(insert, 1, space_.base + id);
    int column = 2;
    for (const std::string *value :
         {&customer.name, &customer.kind, &customer.phone, &customer.email, &customer.address,
          &customer.region, &customer.industry, customer.owner.empty() ? &user : &customer.owner,
          &customer.source, &customer.attributes, &now, &user, &now, &user})
      bind_text(insert, column++, *value);
    step_done(insert, "fill customers");
  }
  // Leave the sequence where libcrm's block allocator would have: past the last full block.
  const std::int64_t next = space_.base + (last + kIdBlock - 1) / kIdBlock * kIdBlock + 1;
  const std::string sequence = space_.sequence_prefix + "customer";
  auto *update = prepared("UPDATE crm_id_sequence SET next_id = MAX(next_id, ?) WHERE name = ?");
  sqlite3_bind_int64(update, 1, next);
  bind_text(update, 2, sequence);
  step_done(update, "move customer sequence");
  execute("COMMIT");
  next_customer_id_ = end_customer_id_ = 0;
}

std::int64_t SqliteStore::log_batch(const std::vector<Interaction> &items,
                                    const std::string &user) {
  execute("BEGIN");
  try {
    const std::int64_t first_id = reserve_ids(space_.sequence_prefix + "interaction",
                                              static_cast<std::int64_t>(items.size()));
    const std::string logged_at = db_time(now_micros());
    // The texts must stay alive until each statement has stepped (bound SQLITE_STATIC).
    std::vector<std::string> occurred(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) occurred[i] = db_time(items[i].occurred_at);
    for (std::size_t start = 0; start < items.size(); start += kRowsPerInsert) {
      const std::size_t count = std::min(kRowsPerInsert, items.size() - start);
      auto *insert = prepared(insert_sql(count));
      int index = 1;
      for (std::size_t k = start; k < start + count; ++k) {
        const auto &item = items[k];
        sqlite3_bind_int64(insert, index, first_id + static_cast<std::int64_t>(k));
        sqlite3_bind_int64(insert, index + 1, space_.base + item.customer_id);
        sqlite3_bind_null(insert, index + 2);
        sqlite3_bind_null(insert, index + 3);
        bind_text(insert, index + 4, item.channel);
        bind_text(insert, index + 5, item.direction);
        bind_text(insert, index + 6, occurred[k]);
        bind_text(insert, index + 7, item.subject);
        bind_text(insert, index + 8, item.body);
        bind_text(insert, index + 9, logged_at);
        bind_text(insert, index + 10, user);
        index += kInteractionColumns;
      }
      step_done(insert, "insert interactions");
    }
    execute("COMMIT");
    return first_id;
  } catch (...) {
    execute("ROLLBACK");
    throw;
  }
}

CustomerRecord customer_from(sqlite3_stmt *select) {
  CustomerRecord record;
  record.id = sqlite3_column_int64(select, 0);
  record.name = text(select, 1);
  record.kind = text(select, 2);
  record.phone = text(select, 3);
  record.email = text(select, 4);
  record.address = text(select, 5);
  record.region = text(select, 6);
  record.industry = text(select, 7);
  record.stage = text(select, 8);
  record.owner = text(select, 9);
  record.source = text(select, 10);
  record.host_key = text(select, 11);
  record.created_at = text(select, 12);
  record.created_by = text(select, 13);
  record.updated_at = text(select, 14);
  record.updated_by = text(select, 15);
  record.version = sqlite3_column_int64(select, 16);
  record.attributes = text(select, 17);
  return record;
}

std::optional<CustomerRecord> SqliteStore::get_customer(std::int64_t id) {
  auto *select = prepared_once(customer_select_, kCustomerSelect);
  sqlite3_bind_int64(select, 1, id);
  const int rc = sqlite3_step(select);
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) fail("get customer");
  CustomerRecord record = customer_from(select);
  sqlite3_reset(select);
  return record;
}

std::vector<CustomerRecord> SqliteStore::list_owned(const std::vector<std::string> &owners,
                                                    int limit) {
  auto *select = prepared(std::string("SELECT ") + kCustomerColumns + " FROM crm_customer WHERE " +
                          owner_condition(owners.size(), false) + " ORDER BY id LIMIT ?");
  int index = 1;
  for (const auto &owner : owners) bind_text(select, index++, owner);
  sqlite3_bind_int(select, index, limit + 1);
  std::vector<CustomerRecord> records;
  int rc;
  while ((rc = sqlite3_step(select)) == SQLITE_ROW) {
    if (static_cast<int>(records.size()) == limit) break;  // the extra row only says "more"
    records.push_back(customer_from(select));
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) fail("list owned customers");
  sqlite3_reset(select);
  return records;
}

std::string SqliteStore::owned_plan(const std::vector<std::string> &owners) {
  sqlite3_stmt *raw = nullptr;
  const std::string explain = std::string("EXPLAIN QUERY PLAN SELECT ") + kCustomerColumns +
                              " FROM crm_customer WHERE " + owner_condition_literal(owners) +
                              " ORDER BY id LIMIT 51";
  if (sqlite3_prepare_v2(db_, explain.c_str(), -1, &raw, nullptr) != SQLITE_OK)
    fail(explain.c_str());
  StatementPtr select(raw);
  std::string plan;
  while (sqlite3_step(raw) == SQLITE_ROW) plan += (plan.empty() ? "" : "; ") + text(raw, 3);
  return plan;
}

std::vector<InteractionRecord> SqliteStore::list_interactions(std::int64_t customer_id, int limit) {
  auto *select = prepared_once(interaction_list_, kInteractionList);
  sqlite3_bind_int64(select, 1, customer_id);
  sqlite3_bind_int(select, 2, limit + 1);
  std::vector<InteractionRecord> items;
  int rc;
  while ((rc = sqlite3_step(select)) == SQLITE_ROW) {
    if (static_cast<int>(items.size()) == limit) break;  // the extra row only says "more"
    InteractionRecord &item = items.emplace_back();
    item.id = sqlite3_column_int64(select, 0);
    item.customer_id = sqlite3_column_int64(select, 1);
    item.contact_id = optional_int(select, 2);
    item.opportunity_id = optional_int(select, 3);
    item.channel = text(select, 4);
    item.direction = text(select, 5);
    item.occurred_at = text(select, 6);
    item.subject = text(select, 7);
    item.logged_at = text(select, 8);
    item.logged_by = text(select, 9);
    item.body = text(select, 10);
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) fail("list interactions");
  sqlite3_reset(select);
  return items;
}

std::uint64_t SqliteStore::content_digest(const std::string &table) {
  sqlite3_stmt *raw = nullptr;
  const std::string sql = digest_query(table, space_);
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) fail(sql.c_str());
  StatementPtr select(raw);
  std::uint64_t hash = kFnvOffset;
  while (sqlite3_step(raw) == SQLITE_ROW) {
    for (int column = 0; column < sqlite3_column_count(raw); ++column) {
      const auto type = static_cast<unsigned char>(sqlite3_column_type(raw, column));
      hash = fnv1a(hash, &type, 1);
      const auto *data = sqlite3_column_blob(raw, column);
      hash = fnv1a(hash, data, static_cast<std::size_t>(sqlite3_column_bytes(raw, column)));
    }
  }
  return hash;
}

std::string SqliteStore::list_plan(std::int64_t customer_id) {
  sqlite3_stmt *raw = nullptr;
  const std::string explain =
      "EXPLAIN QUERY PLAN SELECT * FROM crm_interaction WHERE customer_id = " +
      std::to_string(customer_id) + " ORDER BY occurred_at DESC, id DESC LIMIT 51";
  if (sqlite3_prepare_v2(db_, explain.c_str(), -1, &raw, nullptr) != SQLITE_OK)
    fail(explain.c_str());
  StatementPtr select(raw);
  std::string plan;
  while (sqlite3_step(raw) == SQLITE_ROW) plan += (plan.empty() ? "" : "; ") + text(raw, 3);
  return plan;
}

std::string SqliteStore::storage() {
  std::error_code error;
  char line[64];
  std::snprintf(line, sizeof line, "file %.0f MiB",
                double(std::filesystem::file_size(path_, error)) / 1048576.0);
  return line;
}

}  // namespace

std::unique_ptr<NativeStore> open_sqlite_store(const std::string &path, const IdSpace &space) {
  return std::make_unique<SqliteStore>(path, space);
}

}  // namespace bench
