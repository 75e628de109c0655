// The MariaDB baseline: MariaDB Connector/C (libmariadb, the library MariaDB Connector/ODBC
// itself is built on) on the crm_* tables that libcrm's migrations created, over the same TCP
// address as the ODBC connection string, with the session settings libcrm's dialect sets
// (utf8mb4, strict sql_mode, time_zone +00:00).
//  - log_batch: START TRANSACTION; UPDATE crm_id_sequence SET next_id = LAST_INSERT_ID(next_id
//    + n) (the id comes back in the OK packet: one round trip); one prepared INSERT executed
//    with column-wise parameter arrays (STMT_ATTR_ARRAY_SIZE = the batch, COM_STMT_BULK_EXECUTE;
//    integers as MYSQL_TYPE_LONGLONG, times as MYSQL_TIME); COMMIT. Or, as the second native
//    variant, prepared 500-row INSERT ... VALUES statements with the same binary parameters.
//  - customer.get / interaction.list: mysql_stmt_* (binary protocol), prepared once, result
//    columns bound once (integers as LONGLONG, the rest as strings), every column copied.
//  - customer.create: an id from the range's sequence in blocks of 64, one autocommit INSERT,
//    then the row read back as customer.get does. (INSERT ... RETURNING would save the second
//    round trip, but a prepared one reports no result columns to Connector/C 3.3 on 10.11.)
#include <mysql.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <stdexcept>

#include "native_store.hpp"

namespace bench {

namespace {

const char *const kCustomerInsert =
    "INSERT INTO crm_customer (id, name, kind, stage, phone, email, address, region, industry, "
    "owner, source, attributes, created_at, created_by, updated_at, updated_by, version) "
    "VALUES (?, ?, ?, 'unidentified', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)";
// The customer columns read back: which of them are integers (the rest come as strings).
const std::vector<bool> kCustomerIntegers = {true,  false, false, false, false, false,
                                             false, false, false, false, false, false,
                                             false, false, false, false, true,  false};
const std::vector<bool> kListIntegers = {true,  true,  true,  true,  false, false,
                                         false, false, false, false, false};
// Bytes per bulk execute at most (libcrm stays below 4 MiB per statement on MariaDB too).
constexpr std::size_t kMaxExecuteBytes = 4 * 1024 * 1024;

struct StatementCloser {
  void operator()(MYSQL_STMT *statement) const { mysql_stmt_close(statement); }
};
using StatementPtr = std::unique_ptr<MYSQL_STMT, StatementCloser>;

struct ResultFreer {
  void operator()(MYSQL_RES *result) const { mysql_free_result(result); }
};
using ResultPtr = std::unique_ptr<MYSQL_RES, ResultFreer>;

MYSQL_TIME mysql_time(std::int64_t micros) {
  const CivilTime civil = civil_time(micros);
  MYSQL_TIME time{};
  time.year = static_cast<unsigned>(civil.year);
  time.month = civil.month;
  time.day = civil.day;
  time.hour = civil.hour;
  time.minute = civil.minute;
  time.second = civil.second;
  time.second_part = civil.microsecond;
  time.time_type = MYSQL_TIMESTAMP_DATETIME;
  return time;
}

[[noreturn]] void fail_statement(MYSQL_STMT *statement, const std::string &what) {
  throw std::runtime_error("libmariadb: " + what + ": " + mysql_stmt_error(statement) + " (" +
                           std::to_string(mysql_stmt_errno(statement)) + ")");
}

MYSQL_BIND integer_bind(long long *value) {
  MYSQL_BIND bind{};
  bind.buffer_type = MYSQL_TYPE_LONGLONG;
  bind.buffer = value;
  return bind;
}

MYSQL_BIND text_bind(const std::string &value) {
  MYSQL_BIND bind{};
  bind.buffer_type = MYSQL_TYPE_STRING;
  bind.buffer = const_cast<char *>(value.data());
  bind.buffer_length = static_cast<unsigned long>(value.size());
  return bind;
}

MYSQL_BIND time_bind(MYSQL_TIME *value) {
  MYSQL_BIND bind{};
  bind.buffer_type = MYSQL_TYPE_DATETIME;
  bind.buffer = value;
  return bind;
}

// Result columns bound once per statement: integers as MYSQL_TYPE_LONGLONG, everything else
// (text, DATETIME) as MYSQL_TYPE_STRING in buffers sized from the metadata (at most 4 KiB); a
// longer value is fetched again with mysql_stmt_fetch_column.
class BoundRow {
 public:
  void bind(MYSQL_STMT *statement, const std::vector<bool> &integers) {
    statement_ = statement;
    ResultPtr metadata(mysql_stmt_result_metadata(statement));
    if (!metadata) fail_statement(statement, "result metadata");
    const std::size_t count = mysql_num_fields(metadata.get());
    if (count != integers.size()) throw std::logic_error("result columns do not match");
    const MYSQL_FIELD *fields = mysql_fetch_fields(metadata.get());
    binds_.assign(count, MYSQL_BIND{});
    buffers_.assign(count, {});
    lengths_.assign(count, 0);
    nulls_.assign(count, 0);
    integers_.assign(count, 0);
    for (std::size_t i = 0; i < count; ++i) {
      MYSQL_BIND &bind = binds_[i];
      bind.length = &lengths_[i];
      bind.is_null = &nulls_[i];
      if (integers[i]) {
        bind.buffer_type = MYSQL_TYPE_LONGLONG;
        bind.buffer = &integers_[i];
      } else {
        buffers_[i].resize(
            std::min<std::size_t>(std::max<std::size_t>(fields[i].length, 32) + 1, 4096));
        bind.buffer_type = MYSQL_TYPE_STRING;
        bind.buffer = buffers_[i].data();
        bind.buffer_length = static_cast<unsigned long>(buffers_[i].size());
      }
    }
    if (mysql_stmt_bind_result(statement, binds_.data())) fail_statement(statement, "bind result");
  }

  std::int64_t integer(std::size_t column) const { return integers_[column]; }
  std::optional<std::int64_t> optional_integer(std::size_t column) const {
    if (nulls_[column]) return std::nullopt;
    return integers_[column];
  }
  std::string text(std::size_t column) const {
    if (nulls_[column]) return {};
    const unsigned long length = lengths_[column];
    if (length < buffers_[column].size()) return {buffers_[column].data(), length};
    std::string value(length, '\0');
    MYSQL_BIND bind{};
    unsigned long fetched = 0;
    bind.buffer_type = MYSQL_TYPE_STRING;
    bind.buffer = value.data();
    bind.buffer_length = length;
    bind.length = &fetched;
    if (mysql_stmt_fetch_column(statement_, &bind, static_cast<unsigned>(column), 0))
      fail_statement(statement_, "fetch a long column");
    return value;
  }

 private:
  MYSQL_STMT *statement_ = nullptr;
  std::vector<MYSQL_BIND> binds_;
  std::vector<std::vector<char>> buffers_;
  std::vector<unsigned long> lengths_;
  std::vector<my_bool> nulls_;
  std::vector<long long> integers_;
};

// Column-wise parameter arrays for one bulk execute (STMT_ATTR_ARRAY_SIZE): per column an
// array of integers, of string pointers and lengths, or of MYSQL_TIME pointers; NULL columns
// by indicator.
class BulkParameters {
 public:
  enum Kind { kInteger, kText, kTime, kNull };
  BulkParameters(const std::vector<Kind> &kinds, std::size_t rows)
      : rows_(rows), columns_(kinds.size()), nulls_(rows, STMT_INDICATOR_NULL) {
    for (std::size_t i = 0; i < kinds.size(); ++i) {
      auto &column = columns_[i];
      column.kind = kinds[i];
      if (column.kind == kInteger) column.integers.resize(rows);
      if (column.kind == kText) column.pointers.resize(rows), column.lengths.resize(rows);
      if (column.kind == kTime) column.times.resize(rows);
    }
  }
  void integer(std::size_t column, std::size_t row, long long value) {
    columns_[column].integers[row] = value;
  }
  void text(std::size_t column, std::size_t row, const std::string &value) {
    columns_[column].pointers[row] = value.data();
    columns_[column].lengths[row] = static_cast<unsigned long>(value.size());
  }
  void time(std::size_t column, std::size_t row, const MYSQL_TIME &value) {
    columns_[column].times[row] = value;
  }
  void execute(MYSQL_STMT *statement, const char *what) {
    std::vector<MYSQL_BIND> binds(columns_.size());
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      auto &column = columns_[i];
      MYSQL_BIND &bind = binds[i];
      switch (column.kind) {
        case kInteger:
          bind.buffer_type = MYSQL_TYPE_LONGLONG;
          bind.buffer = column.integers.data();
          break;
        case kText:
          bind.buffer_type = MYSQL_TYPE_STRING;
          bind.buffer = column.pointers.data();
          bind.length = column.lengths.data();
          break;
        case kTime:
          // Connector/C steps through arrays of fixed-size wire types only (pack_len > 0);
          // for every other type, MYSQL_TIME included, the array holds pointers.
          column.time_pointers.resize(rows_);
          for (std::size_t row = 0; row < rows_; ++row)
            column.time_pointers[row] = &column.times[row];
          bind.buffer_type = MYSQL_TYPE_DATETIME;
          bind.buffer = column.time_pointers.data();
          break;
        case kNull:
          bind.buffer_type = MYSQL_TYPE_LONGLONG;
          bind.buffer = nulls_.data();  // never read: every indicator says NULL
          bind.u.indicator = nulls_.data();
          break;
      }
    }
    auto size = static_cast<unsigned int>(rows_);
    if (mysql_stmt_attr_set(statement, STMT_ATTR_ARRAY_SIZE, &size) ||
        mysql_stmt_bind_param(statement, binds.data()))
      fail_statement(statement, std::string("bind ") + what);
    if (mysql_stmt_execute(statement)) fail_statement(statement, what);
    if (mysql_stmt_affected_rows(statement) != rows_)
      throw std::runtime_error(std::string(what) + ": " +
                               std::to_string(mysql_stmt_affected_rows(statement)) + " of " +
                               std::to_string(rows_) + " rows inserted");
  }

 private:
  struct Column {
    Kind kind = kNull;
    std::vector<long long> integers;
    std::vector<const char *> pointers;
    std::vector<unsigned long> lengths;
    std::vector<MYSQL_TIME> times;
    std::vector<MYSQL_TIME *> time_pointers;
  };
  std::size_t rows_;
  std::vector<Column> columns_;
  std::vector<char> nulls_;
};

std::string placeholders(std::size_t rows) {
  std::string sql;
  for (std::size_t row = 0; row < rows; ++row)
    sql += row ? ", (?,?,?,?,?,?,?,?,?,?,?)" : "(?,?,?,?,?,?,?,?,?,?,?)";
  return sql;
}

class MariadbStore final : public NativeStore {
 public:
  MariadbStore(const std::string &connection_string, const IdSpace &space, BulkPath bulk);
  ~MariadbStore() override;
  MariadbStore(const MariadbStore &) = delete;
  MariadbStore &operator=(const MariadbStore &) = delete;

  std::string versions() override {
    return std::string("libmariadb ") + mysql_get_client_info() + ", MariaDB " +
           mysql_get_server_info(db_);
  }
  bool holds_crm_data() override;
  void drop_crm_tables() override;
  void ensure_id_space() override;
  CustomerRecord create_customer(const Customer &customer, const std::string &user) override;
  void fill_customers(const Dataset &dataset, std::int64_t first, std::int64_t last,
                      const std::string &user) override;
  std::int64_t log_batch(const std::vector<Interaction> &items, const std::string &user) override;
  std::optional<CustomerRecord> get_customer(std::int64_t id) override;
  std::vector<InteractionRecord> list_interactions(std::int64_t customer_id, int limit) override;
  std::vector<CustomerRecord> list_owned(const std::vector<std::string> &owners,
                                         int limit) override;
  std::string owned_plan(const std::vector<std::string> &owners) override;
  void prepare_for_reads() override { query("ANALYZE TABLE crm_customer, crm_interaction"); }
  std::vector<std::int64_t> execute_in_transaction(
      const std::vector<std::string> &statements) override {
    query("START TRANSACTION");
    try {
      std::vector<std::int64_t> changed;
      for (const auto &statement : statements) {
        changed.push_back(query(statement));
      }
      if (mysql_commit(db_)) fail("COMMIT");
      return changed;
    } catch (...) {
      mysql_rollback(db_);
      throw;
    }
  }
  std::uint64_t content_digest(const std::string &table) override;
  std::string list_plan(std::int64_t customer_id) override;
  std::string storage() override;

 private:
  [[noreturn]] void fail(const std::string &what) const {
    throw std::runtime_error("libmariadb: " + what.substr(0, 200) + ": " + mysql_error(db_) + " (" +
                             std::to_string(mysql_errno(db_)) + ")");
  }
  // A statement without parameters; its result set, if any, is read and dropped. Returns the
  // rows it changed (as mysql_affected_rows counts them).
  std::int64_t query(const std::string &sql);
  // The rows of a small query as text (NULL as "").
  std::vector<std::vector<std::string>> rows(const std::string &sql);
  StatementPtr prepare(const std::string &sql);
  MYSQL_STMT *prepared(StatementPtr &slot, const std::string &sql) {
    if (!slot) slot = prepare(sql);
    return slot.get();
  }
  template <class Work>
  auto transaction(Work &&work);
  std::int64_t reserve_ids(const std::string &sequence, std::int64_t count);
  CustomerRecord customer_from(const BoundRow &row) const;
  void bulk_rows(const std::vector<Interaction> &items, std::size_t start, std::size_t count,
                 std::int64_t first_id, const MYSQL_TIME &logged_at, const std::string &user);
  void insert_rows(const std::vector<Interaction> &items, std::size_t start, std::size_t count,
                   std::int64_t first_id, const MYSQL_TIME &logged_at, const std::string &user);

  MYSQL *db_ = nullptr;
  BulkPath bulk_;
  StatementPtr reserve_, create_, get_, list_, bulk_insert_, fill_;
  std::map<std::size_t, StatementPtr> inserts_;
  // list_owned, by number of owners: the statement and its bound result row.
  struct Owned {
    StatementPtr statement;
    BoundRow row;
  };
  std::map<std::size_t, Owned> owned_;
  BoundRow get_row_, list_row_;
  long long reserve_count_ = 0, key_ = 0, limit_ = 0;
  std::int64_t next_customer_id_ = 0, end_customer_id_ = 0;
};

MariadbStore::MariadbStore(const std::string &connection_string, const IdSpace &space,
                           BulkPath bulk)
    : NativeStore(space), bulk_(bulk) {
  const ServerAddress address = parse_odbc_connection(connection_string, 3306);
  db_ = mysql_init(nullptr);
  if (!db_) throw std::runtime_error("mysql_init failed");
  mysql_options(db_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  if (!mysql_real_connect(db_, address.host.c_str(), address.user.c_str(), address.password.c_str(),
                          address.database.c_str(), address.port, nullptr, 0)) {
    const std::string message = mysql_error(db_);
    mysql_close(db_);
    throw std::runtime_error("libmariadb: cannot connect to " + address.host + ":" +
                             std::to_string(address.port) + "/" + address.database + ": " +
                             message);
  }
  // What libcrm's mariadb dialect sets on every connection.
  query(
      "SET SESSION sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ZERO_DATE,"
      "NO_ZERO_IN_DATE,NO_ENGINE_SUBSTITUTION', time_zone = '+00:00'");
}

MariadbStore::~MariadbStore() {
  inserts_.clear();
  owned_.clear();
  for (auto *slot : {&reserve_, &create_, &get_, &list_, &bulk_insert_, &fill_}) slot->reset();
  mysql_close(db_);
}

std::int64_t MariadbStore::query(const std::string &sql) {
  if (mysql_real_query(db_, sql.data(), sql.size())) fail(sql);
  // Read before mysql_store_result, which leaves -1 for a statement without a result set.
  const auto affected = static_cast<std::int64_t>(mysql_affected_rows(db_));
  do {
    ResultPtr result(mysql_store_result(db_));
    if (!result && mysql_field_count(db_) != 0) fail(sql);
  } while (mysql_next_result(db_) == 0);
  return affected;
}

std::vector<std::vector<std::string>> MariadbStore::rows(const std::string &sql) {
  if (mysql_real_query(db_, sql.data(), sql.size())) fail(sql);
  ResultPtr result(mysql_store_result(db_));
  if (!result) fail(sql);
  std::vector<std::vector<std::string>> out;
  const unsigned columns = mysql_num_fields(result.get());
  while (MYSQL_ROW row = mysql_fetch_row(result.get())) {
    const unsigned long *lengths = mysql_fetch_lengths(result.get());
    auto &cells = out.emplace_back();
    for (unsigned i = 0; i < columns; ++i)
      cells.push_back(row[i] ? std::string(row[i], lengths[i]) : std::string());
  }
  return out;
}

StatementPtr MariadbStore::prepare(const std::string &sql) {
  StatementPtr statement(mysql_stmt_init(db_));
  if (!statement) fail("mysql_stmt_init");
  if (mysql_stmt_prepare(statement.get(), sql.data(), sql.size()))
    fail_statement(statement.get(), "prepare " + sql.substr(0, 200));
  return statement;
}

template <class Work>
auto MariadbStore::transaction(Work &&work) {
  query("START TRANSACTION");
  try {
    auto result = work();
    if (mysql_commit(db_)) fail("COMMIT");
    return result;
  } catch (...) {
    mysql_rollback(db_);
    throw;
  }
}

bool MariadbStore::holds_crm_data() {
  for (const char *table : {"crm_customer", "crm_interaction"}) {
    if (rows(std::string("SELECT 1 FROM information_schema.tables WHERE table_schema = "
                         "DATABASE() AND table_name = '") +
             table + "'")
            .empty())
      continue;
    if (!rows(std::string("SELECT 1 FROM ") + table + " LIMIT 1").empty()) return true;
  }
  return false;
}

// Every crm_* table, whatever the migrations have made by now (their foreign keys unchecked
// meanwhile).
void MariadbStore::drop_crm_tables() {
  const auto tables = rows(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND "
      "table_name LIKE 'crm\\_%'");
  query("SET FOREIGN_KEY_CHECKS = 0");
  for (const auto &row : tables) query("DROP TABLE IF EXISTS " + row.at(0));
  query("SET FOREIGN_KEY_CHECKS = 1");
}

void MariadbStore::ensure_id_space() {
  if (space_.sequence_prefix.empty()) return;  // libcrm's own rows, made by the migrations
  const std::string next = std::to_string(space_.base + 1);
  query("INSERT INTO crm_id_sequence (name, next_id) VALUES ('" + space_.sequence_prefix +
        "customer', " + next + "), ('" + space_.sequence_prefix + "interaction', " + next +
        ") ON DUPLICATE KEY UPDATE next_id = next_id");
}

std::int64_t MariadbStore::reserve_ids(const std::string &sequence, std::int64_t count) {
  auto *statement = prepared(
      reserve_, "UPDATE crm_id_sequence SET next_id = LAST_INSERT_ID(next_id + ?) WHERE name = ?");
  reserve_count_ = count;
  MYSQL_BIND binds[] = {integer_bind(&reserve_count_), text_bind(sequence)};
  if (mysql_stmt_bind_param(statement, binds)) fail_statement(statement, "bind reserve ids");
  if (mysql_stmt_execute(statement)) fail_statement(statement, "reserve ids");
  if (mysql_stmt_affected_rows(statement) != 1)
    throw std::runtime_error("no id sequence " + sequence);
  return static_cast<std::int64_t>(mysql_stmt_insert_id(statement)) - count;
}

CustomerRecord MariadbStore::customer_from(const BoundRow &row) const {
  CustomerRecord record;
  record.id = row.integer(0);
  record.name = row.text(1);
  record.kind = row.text(2);
  record.phone = row.text(3);
  record.email = row.text(4);
  record.address = row.text(5);
  record.region = row.text(6);
  record.industry = row.text(7);
  record.stage = row.text(8);
  record.owner = row.text(9);
  record.source = row.text(10);
  record.host_key = row.text(11);
  record.created_at = row.text(12);
  record.created_by = row.text(13);
  record.updated_at = row.text(14);
  record.updated_by = row.text(15);
  record.version = row.integer(16);
  record.attributes = row.text(17);
  return record;
}

CustomerRecord MariadbStore::create_customer(const Customer &customer, const std::string &user) {
  if (next_customer_id_ == end_customer_id_) {
    next_customer_id_ = reserve_ids(space_.sequence_prefix + "customer", kIdBlock);
    end_customer_id_ = next_customer_id_ + kIdBlock;
  }
  auto *statement = prepared(create_, kCustomerInsert);
  long long id = next_customer_id_++;
  MYSQL_TIME now = mysql_time(now_micros());
  MYSQL_BIND binds[] = {integer_bind(&id),
                        text_bind(customer.name),
                        text_bind(customer.kind),
                        text_bind(customer.phone),
                        text_bind(customer.email),
                        text_bind(customer.address),
                        text_bind(customer.region),
                        text_bind(customer.industry),
                        text_bind(user),
                        text_bind(customer.source),
                        text_bind(customer.attributes),
                        time_bind(&now),
                        text_bind(user),
                        time_bind(&now),
                        text_bind(user)};
  if (mysql_stmt_bind_param(statement, binds)) fail_statement(statement, "bind create customer");
  if (mysql_stmt_execute(statement)) fail_statement(statement, "create customer");
  auto record = get_customer(id);
  if (!record) throw std::runtime_error("customer vanished after insert");
  return *record;
}

void MariadbStore::fill_customers(const Dataset &dataset, std::int64_t first, std::int64_t last,
                                  const std::string &user) {
  constexpr std::int64_t kChunk = 2'000;
  using P = BulkParameters;
  const MYSQL_TIME now = mysql_time(now_micros());
  auto *statement = prepared(fill_, kCustomerInsert);
  transaction([&] {
    for (std::int64_t start = first; start <= last; start += kChunk) {
      const std::int64_t end = std::min(last, start + kChunk - 1);
      std::vector<Customer> customers;
      for (std::int64_t id = start; id <= end; ++id) customers.push_back(dataset.customer(id));
      P params({P::kInteger, P::kText, P::kText, P::kText, P::kText, P::kText, P::kText, P::kText,
                P::kText, P::kText, P::kText, P::kTime, P::kText, P::kTime, P::kText},
               customers.size());
      for (std::size_t row = 0; row < customers.size(); ++row) {
        const Customer &c = customers[row];
        params.integer(0, row, space_.base + c.id);
        std::size_t column = 1;
        for (const std::string *value :
             {&c.name, &c.kind, &c.phone, &c.email, &c.address, &c.region, &c.industry,
              c.owner.empty() ? &user : &c.owner, &c.source, &c.attributes})
          params.text(column++, row, *value);
        params.time(11, row, now);
        params.text(12, row, user);
        params.time(13, row, now);
        params.text(14, row, user);
      }
      params.execute(statement, "fill customers");
    }
    // Where libcrm's block allocator would have left it: past the last full block.
    query("UPDATE crm_id_sequence SET next_id = GREATEST(next_id, " +
          std::to_string(space_.base + (last + kIdBlock - 1) / kIdBlock * kIdBlock + 1) +
          ") WHERE name = '" + space_.sequence_prefix + "customer'");
    return 0;
  });
  next_customer_id_ = end_customer_id_ = 0;
}

void MariadbStore::bulk_rows(const std::vector<Interaction> &items, std::size_t start,
                             std::size_t count, std::int64_t first_id, const MYSQL_TIME &logged_at,
                             const std::string &user) {
  using P = BulkParameters;
  auto *statement =
      prepared(bulk_insert_, std::string("INSERT INTO crm_interaction (") + kInsertColumns +
                                 ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  P params({P::kInteger, P::kInteger, P::kNull, P::kNull, P::kText, P::kText, P::kTime, P::kText,
            P::kText, P::kTime, P::kText},
           count);
  for (std::size_t row = 0; row < count; ++row) {
    const auto &item = items[start + row];
    params.integer(0, row, first_id + static_cast<std::int64_t>(start + row));
    params.integer(1, row, space_.base + item.customer_id);
    params.text(4, row, item.channel);
    params.text(5, row, item.direction);
    params.time(6, row, mysql_time(item.occurred_at));
    params.text(7, row, item.subject);
    params.text(8, row, item.body);
    params.time(9, row, logged_at);
    params.text(10, row, user);
  }
  params.execute(statement, "insert interactions (bulk)");
}

void MariadbStore::insert_rows(const std::vector<Interaction> &items, std::size_t start,
                               std::size_t count, std::int64_t first_id,
                               const MYSQL_TIME &logged_at, const std::string &user) {
  for (std::size_t offset = 0; offset < count; offset += kRowsPerInsert) {
    const std::size_t rows = std::min(kRowsPerInsert, count - offset);
    auto &slot = inserts_[rows];
    auto *statement = prepared(slot, std::string("INSERT INTO crm_interaction (") + kInsertColumns +
                                         ") VALUES " + placeholders(rows));
    std::vector<long long> numbers(2 * rows);
    std::vector<MYSQL_TIME> times(2 * rows);
    std::vector<MYSQL_BIND> binds;
    binds.reserve(rows * kInteractionColumns);
    MYSQL_BIND null{};
    null.buffer_type = MYSQL_TYPE_NULL;
    for (std::size_t k = 0; k < rows; ++k) {
      const std::size_t index = start + offset + k;
      const auto &item = items[index];
      numbers[2 * k] = first_id + static_cast<std::int64_t>(index);
      numbers[2 * k + 1] = space_.base + item.customer_id;
      times[2 * k] = mysql_time(item.occurred_at);
      times[2 * k + 1] = logged_at;
      binds.push_back(integer_bind(&numbers[2 * k]));
      binds.push_back(integer_bind(&numbers[2 * k + 1]));
      binds.push_back(null);
      binds.push_back(null);
      binds.push_back(text_bind(item.channel));
      binds.push_back(text_bind(item.direction));
      binds.push_back(time_bind(&times[2 * k]));
      binds.push_back(text_bind(item.subject));
      binds.push_back(text_bind(item.body));
      binds.push_back(time_bind(&times[2 * k + 1]));
      binds.push_back(text_bind(user));
    }
    if (mysql_stmt_bind_param(statement, binds.data()))
      fail_statement(statement, "bind insert interactions");
    if (mysql_stmt_execute(statement)) fail_statement(statement, "insert interactions");
  }
}

std::int64_t MariadbStore::log_batch(const std::vector<Interaction> &items,
                                     const std::string &user) {
  return transaction([&] {
    const std::int64_t first_id = reserve_ids(space_.sequence_prefix + "interaction",
                                              static_cast<std::int64_t>(items.size()));
    const MYSQL_TIME logged_at = mysql_time(now_micros());
    // Executes of at most kMaxExecuteBytes (a generous estimate per row).
    for (std::size_t start = 0, count = 0; start < items.size(); start += count) {
      std::size_t bytes = 0;
      for (count = 0; start + count < items.size(); ++count) {
        const auto &item = items[start + count];
        bytes += 64 + item.channel.size() + item.direction.size() + item.subject.size() +
                 item.body.size() + user.size();
        if (count > 0 && bytes > kMaxExecuteBytes) break;
      }
      if (bulk_ == BulkPath::native_bulk)
        bulk_rows(items, start, count, first_id, logged_at, user);
      else
        insert_rows(items, start, count, first_id, logged_at, user);
    }
    return first_id;
  });
}

std::optional<CustomerRecord> MariadbStore::get_customer(std::int64_t id) {
  if (!get_) {
    get_ = prepare(std::string("SELECT ") + kCustomerColumns + " FROM crm_customer WHERE id = ?");
    MYSQL_BIND key = integer_bind(&key_);
    if (mysql_stmt_bind_param(get_.get(), &key)) fail_statement(get_.get(), "bind get");
    get_row_.bind(get_.get(), kCustomerIntegers);
  }
  MYSQL_STMT *statement = get_.get();
  key_ = id;
  if (mysql_stmt_execute(statement)) fail_statement(statement, "get customer");
  const int rc = mysql_stmt_fetch(statement);
  if (rc == MYSQL_NO_DATA) return std::nullopt;
  if (rc == 1) fail_statement(statement, "get customer: fetch");
  CustomerRecord record = customer_from(get_row_);
  while (mysql_stmt_fetch(statement) == 0) {
  }
  return record;
}

std::vector<InteractionRecord> MariadbStore::list_interactions(std::int64_t customer_id,
                                                               int limit) {
  if (!list_) {
    list_ = prepare(std::string("SELECT ") + kListColumns +
                    " FROM crm_interaction WHERE customer_id = ? "
                    "ORDER BY occurred_at DESC, id DESC LIMIT ?");
    MYSQL_BIND keys[] = {integer_bind(&key_), integer_bind(&limit_)};
    if (mysql_stmt_bind_param(list_.get(), keys)) fail_statement(list_.get(), "bind list");
    list_row_.bind(list_.get(), kListIntegers);
  }
  MYSQL_STMT *statement = list_.get();
  key_ = customer_id;
  limit_ = limit + 1;
  if (mysql_stmt_execute(statement)) fail_statement(statement, "list interactions");
  std::vector<InteractionRecord> items;
  int rc;
  while ((rc = mysql_stmt_fetch(statement)) == 0 || rc == MYSQL_DATA_TRUNCATED) {
    if (static_cast<int>(items.size()) == limit) break;  // the extra row only says "more"
    const BoundRow &row = list_row_;
    InteractionRecord &item = items.emplace_back();
    item.id = row.integer(0);
    item.customer_id = row.integer(1);
    item.contact_id = row.optional_integer(2);
    item.opportunity_id = row.optional_integer(3);
    item.channel = row.text(4);
    item.direction = row.text(5);
    item.occurred_at = row.text(6);
    item.subject = row.text(7);
    item.logged_at = row.text(8);
    item.logged_by = row.text(9);
    item.body = row.text(10);
  }
  if (rc == 1) fail_statement(statement, "list interactions: fetch");
  if (rc != MYSQL_NO_DATA) mysql_stmt_free_result(statement);  // drops the unread rows
  return items;
}

std::vector<CustomerRecord> MariadbStore::list_owned(const std::vector<std::string> &owners,
                                                     int limit) {
  Owned &owned = owned_[owners.size()];
  if (!owned.statement) {
    owned.statement =
        prepare(std::string("SELECT ") + kCustomerColumns + " FROM crm_customer WHERE " +
                owner_condition(owners.size(), false) + " ORDER BY id LIMIT ?");
    owned.row.bind(owned.statement.get(), kCustomerIntegers);
  }
  MYSQL_STMT *statement = owned.statement.get();
  std::vector<MYSQL_BIND> binds;
  binds.reserve(owners.size() + 1);
  for (const auto &owner : owners) binds.push_back(text_bind(owner));
  limit_ = limit + 1;
  binds.push_back(integer_bind(&limit_));
  if (mysql_stmt_bind_param(statement, binds.data())) fail_statement(statement, "bind owned");
  if (mysql_stmt_execute(statement)) fail_statement(statement, "list owned customers");
  std::vector<CustomerRecord> records;
  int rc;
  while ((rc = mysql_stmt_fetch(statement)) == 0 || rc == MYSQL_DATA_TRUNCATED) {
    if (static_cast<int>(records.size()) == limit) break;  // the extra row only says "more"
    records.push_back(customer_from(owned.row));
  }
  if (rc == 1) fail_statement(statement, "list owned customers: fetch");
  if (rc != MYSQL_NO_DATA) mysql_stmt_free_result(statement);  // drops the unread rows
  return records;
}

std::uint64_t MariadbStore::content_digest(const std::string &table) {
  const std::string sql = digest_query(table, space_);
  if (mysql_real_query(db_, sql.data(), sql.size())) fail(sql);
  ResultPtr result(mysql_use_result(db_));
  if (!result) fail(sql);
  const unsigned columns = mysql_num_fields(result.get());
  std::uint64_t hash = kFnvOffset;
  while (MYSQL_ROW row = mysql_fetch_row(result.get())) {
    const unsigned long *lengths = mysql_fetch_lengths(result.get());
    for (unsigned i = 0; i < columns; ++i) {
      const unsigned char null = row[i] ? 0 : 1;
      hash = fnv1a(hash, &null, 1);
      if (row[i]) hash = fnv1a(hash, row[i], lengths[i]);
    }
  }
  if (mysql_errno(db_)) fail(sql);
  return hash;
}

std::string MariadbStore::list_plan(std::int64_t customer_id) {
  const std::string sql =
      std::string("EXPLAIN SELECT ") + kListColumns +
      " FROM crm_interaction WHERE customer_id = " + std::to_string(customer_id) +
      " ORDER BY occurred_at DESC, id DESC LIMIT 51";
  if (mysql_real_query(db_, sql.data(), sql.size())) fail(sql);
  ResultPtr result(mysql_store_result(db_));
  if (!result) fail(sql);
  const unsigned columns = mysql_num_fields(result.get());
  const MYSQL_FIELD *fields = mysql_fetch_fields(result.get());
  std::string plan;
  while (MYSQL_ROW row = mysql_fetch_row(result.get())) {
    for (unsigned i = 0; i < columns; ++i) {
      const std::string name = fields[i].name;
      if (row[i] && (name == "type" || name == "key" || name == "rows" || name == "Extra"))
        plan += (plan.empty() ? "" : ", ") + name + "=" + row[i];
    }
  }
  return plan;
}

std::string MariadbStore::owned_plan(const std::vector<std::string> &owners) {
  const std::string sql = std::string("EXPLAIN SELECT ") + kCustomerColumns +
                          " FROM crm_customer WHERE " + owner_condition_literal(owners) +
                          " ORDER BY id LIMIT 51";
  if (mysql_real_query(db_, sql.data(), sql.size())) fail(sql);
  ResultPtr result(mysql_store_result(db_));
  if (!result) fail(sql);
  const unsigned columns = mysql_num_fields(result.get());
  const MYSQL_FIELD *fields = mysql_fetch_fields(result.get());
  std::string plan;
  while (MYSQL_ROW row = mysql_fetch_row(result.get())) {
    for (unsigned i = 0; i < columns; ++i) {
      const std::string name = fields[i].name;
      if (row[i] && (name == "type" || name == "key" || name == "rows" || name == "Extra"))
        plan += (plan.empty() ? "" : ", ") + name + "=" + row[i];
    }
  }
  return plan;
}

std::string MariadbStore::storage() {
  std::string line;
  for (const auto &row :
       rows("SELECT table_name, (data_length + index_length) DIV 1048576 FROM "
            "information_schema.tables WHERE table_schema = DATABASE() AND table_name IN "
            "('crm_interaction', 'crm_customer') ORDER BY table_name DESC"))
    line += (line.empty() ? "" : ", ") + row[0] + " " + row[1] + " MiB";
  return line + " with indexes (InnoDB estimate, every side's rows)";
}

}  // namespace

std::unique_ptr<NativeStore> open_mariadb_store(const std::string &connection_string,
                                                const IdSpace &space, BulkPath bulk) {
  return std::make_unique<MariadbStore>(connection_string, space, bulk);
}

}  // namespace bench
