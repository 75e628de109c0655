// The PostgreSQL baseline: libpq (the library psqlODBC itself is built on) on the crm_* tables
// that libcrm's migrations created, over the same TCP address as the ODBC connection string.
//  - log_batch: BEGIN; UPDATE crm_id_sequence ... RETURNING; COPY crm_interaction FROM STDIN
//    (text format, one COPY per batch); COMMIT. Or, as the second native variant, prepared
//    500-row INSERT ... VALUES statements (PQprepare once, PQexecPrepared with text
//    parameters), the statement shape libcrm sends through psqlODBC.
//  - customer.get / interaction.list: PQprepare once, PQexecPrepared with a text parameter,
//    text results, every column copied into the record.
//  - customer.create: an id from the range's sequence in blocks of 64 (autocommit UPDATE ...
//    RETURNING), then one autocommit INSERT ... RETURNING every column.
#include <libpq-fe.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <stdexcept>

#include "native_store.hpp"

namespace bench {

namespace {

const char *const kCustomerInsertColumns =
    "id, name, kind, stage, phone, email, address, region, industry, owner, source, "
    "attributes, created_at, created_by, updated_at, updated_by, version";

struct ResultDeleter {
  void operator()(PGresult *result) const { PQclear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

std::string text(const PGresult *result, int row, int column) {
  return {PQgetvalue(result, row, column),
          static_cast<std::size_t>(PQgetlength(result, row, column))};
}

std::int64_t integer(const PGresult *result, int row, int column) {
  return std::strtoll(PQgetvalue(result, row, column), nullptr, 10);
}

std::optional<std::int64_t> optional_integer(const PGresult *result, int row, int column) {
  if (PQgetisnull(result, row, column)) return std::nullopt;
  return integer(result, row, column);
}

// Decimal text of an integer in a small fixed buffer (parameters are sent as text).
struct Decimal {
  explicit Decimal(std::int64_t value) {
    *std::to_chars(digits, digits + sizeof digits - 1, value).ptr = '\0';
  }
  char digits[24];
};

// COPY text format: backslash, tab, newline and carriage return escaped.
void append_copy_text(std::string &out, const std::string &value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
}

std::string placeholders(std::size_t rows, std::size_t columns) {
  std::string sql;
  std::size_t number = 1;
  for (std::size_t row = 0; row < rows; ++row) {
    sql += row ? ", (" : "(";
    for (std::size_t column = 0; column < columns; ++column)
      sql += (column ? ", $" : "$") + std::to_string(number++);
    sql += ")";
  }
  return sql;
}

std::string version_text(int version) {
  // 150018 -> 15.18 (PostgreSQL 10 and later).
  return std::to_string(version / 10000) + "." + std::to_string(version % 10000);
}

class PostgresqlStore final : public NativeStore {
 public:
  PostgresqlStore(const std::string &connection_string, const IdSpace &space, BulkPath bulk);
  ~PostgresqlStore() override { PQfinish(db_); }
  PostgresqlStore(const PostgresqlStore &) = delete;
  PostgresqlStore &operator=(const PostgresqlStore &) = delete;

  std::string versions() override {
    return "libpq " + version_text(PQlibVersion()) + ", PostgreSQL " +
           version_text(PQserverVersion(db_));
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
  std::vector<std::int64_t> execute_in_transaction(
      const std::vector<std::string> &statements) override {
    exec("BEGIN", PGRES_COMMAND_OK);
    try {
      std::vector<std::int64_t> changed;
      for (const auto &statement : statements) {
        auto result = exec(statement, PGRES_COMMAND_OK);
        const char *tuples = PQcmdTuples(result.get());
        changed.push_back(tuples && *tuples ? std::stoll(tuples) : 0);
      }
      exec("COMMIT", PGRES_COMMAND_OK);
      return changed;
    } catch (...) {
      PQclear(PQexec(db_, "ROLLBACK"));
      throw;
    }
  }
  void prepare_for_reads() override {
    exec("VACUUM (ANALYZE) crm_customer, crm_interaction", PGRES_COMMAND_OK);
  }
  std::uint64_t content_digest(const std::string &table) override;
  std::string list_plan(std::int64_t customer_id) override;
  std::string storage() override;

 private:
  [[noreturn]] void fail(const std::string &what) const {
    throw std::runtime_error("libpq: " + what + ": " + PQerrorMessage(db_));
  }
  ResultPtr check(PGresult *raw, ExecStatusType expected, const std::string &what) const;
  ResultPtr exec(const std::string &sql, ExecStatusType expected) {
    return check(PQexec(db_, sql.c_str()), expected, sql);
  }
  void prepare(const std::string &name, const std::string &sql);
  void prepare_once(bool &done, const char *name, const std::string &sql) {
    if (!done) prepare(name, sql), done = true;
  }
  ResultPtr exec_prepared(const std::string &name, int count, const char *const *values,
                          ExecStatusType expected) {
    return check(PQexecPrepared(db_, name.c_str(), count, values, nullptr, nullptr, 0), expected,
                 name);
  }
  // COPY ... FROM STDIN with `data`, already in COPY text format, sent in one piece.
  void copy_in(const std::string &sql, const std::string &data);
  std::int64_t reserve_ids(const std::string &sequence, std::int64_t count);
  void move_sequence_past(const std::string &sequence, std::int64_t next);
  template <class Work>
  auto transaction(Work &&work);
  void insert_rows(const std::vector<Interaction> &items, std::int64_t first_id,
                   const std::string &logged_at, const std::string &user);
  void copy_rows(const std::vector<Interaction> &items, std::int64_t first_id,
                 const std::string &logged_at, const std::string &user);

  PGconn *db_ = nullptr;
  BulkPath bulk_;
  bool reserve_prepared_ = false, create_prepared_ = false, get_prepared_ = false,
       list_prepared_ = false;
  std::vector<bool> insert_prepared_ = std::vector<bool>(kRowsPerInsert + 1, false);
  std::set<std::size_t> owned_prepared_;  // list_owned, by number of owners
  std::int64_t next_customer_id_ = 0, end_customer_id_ = 0;
};

PostgresqlStore::PostgresqlStore(const std::string &connection_string, const IdSpace &space,
                                 BulkPath bulk)
    : NativeStore(space), bulk_(bulk) {
  const ServerAddress address = parse_odbc_connection(connection_string, 5432);
  const std::string port = std::to_string(address.port);
  const char *keys[] = {
      "host", "port", "dbname", "user", "password", "client_encoding", "application_name", nullptr};
  const char *values[] = {
      address.host.c_str(),     port.c_str(), address.database.c_str(), address.user.c_str(),
      address.password.c_str(), "UTF8",       "crm-bench native",       nullptr};
  db_ = PQconnectdbParams(keys, values, 0);
  if (PQstatus(db_) != CONNECTION_OK)
    fail("cannot connect to " + address.host + ":" + port + "/" + address.database);
  // No NOTICE lines on stderr ("table ... does not exist, skipping" when dropping).
  PQsetNoticeProcessor(
      db_, [](void *, const char *) {}, nullptr);
}

ResultPtr PostgresqlStore::check(PGresult *raw, ExecStatusType expected,
                                 const std::string &what) const {
  ResultPtr result(raw);
  if (!raw) fail(what);
  if (PQresultStatus(raw) != expected)
    throw std::runtime_error("libpq: " + what.substr(0, 200) + ": " + PQresultErrorMessage(raw));
  return result;
}

void PostgresqlStore::prepare(const std::string &name, const std::string &sql) {
  check(PQprepare(db_, name.c_str(), sql.c_str(), 0, nullptr), PGRES_COMMAND_OK, "prepare " + sql);
}

template <class Work>
auto PostgresqlStore::transaction(Work &&work) {
  exec("BEGIN", PGRES_COMMAND_OK);
  try {
    auto result = work();
    exec("COMMIT", PGRES_COMMAND_OK);
    return result;
  } catch (...) {
    PQclear(PQexec(db_, "ROLLBACK"));
    throw;
  }
}

bool PostgresqlStore::holds_crm_data() {
  for (const char *table : {"crm_customer", "crm_interaction"}) {
    auto exists =
        exec(std::string("SELECT to_regclass('") + table + "') IS NOT NULL", PGRES_TUPLES_OK);
    if (text(exists.get(), 0, 0) != "t") continue;
    auto rows = exec(std::string("SELECT EXISTS (SELECT 1 FROM ") + table + ")", PGRES_TUPLES_OK);
    if (text(rows.get(), 0, 0) == "t") return true;
  }
  return false;
}

// Every crm_* table, whatever the migrations have made by now (CASCADE: their foreign keys).
void PostgresqlStore::drop_crm_tables() {
  auto tables = exec(
      "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE "
      "'crm\\_%'",
      PGRES_TUPLES_OK);
  std::vector<std::string> names;
  for (int row = 0; row < PQntuples(tables.get()); ++row)
    names.push_back(text(tables.get(), row, 0));
  for (const auto &table : names)
    exec("DROP TABLE IF EXISTS " + table + " CASCADE", PGRES_COMMAND_OK);
}

void PostgresqlStore::ensure_id_space() {
  if (space_.sequence_prefix.empty()) return;  // libcrm's own rows, made by the migrations
  const std::string next = std::to_string(space_.base + 1);
  exec("INSERT INTO crm_id_sequence (name, next_id) VALUES ('" + space_.sequence_prefix +
           "customer', " + next + "), ('" + space_.sequence_prefix + "interaction', " + next +
           ") ON CONFLICT (name) DO NOTHING",
       PGRES_COMMAND_OK);
}

std::int64_t PostgresqlStore::reserve_ids(const std::string &sequence, std::int64_t count) {
  prepare_once(reserve_prepared_, "reserve",
               "UPDATE crm_id_sequence SET next_id = next_id + $1 WHERE name = $2 "
               "RETURNING next_id");
  const Decimal amount(count);
  const char *values[] = {amount.digits, sequence.c_str()};
  auto result = exec_prepared("reserve", 2, values, PGRES_TUPLES_OK);
  if (PQntuples(result.get()) != 1) throw std::runtime_error("no id sequence " + sequence);
  return integer(result.get(), 0, 0) - count;
}

void PostgresqlStore::move_sequence_past(const std::string &sequence, std::int64_t next) {
  exec("UPDATE crm_id_sequence SET next_id = GREATEST(next_id, " + std::to_string(next) +
           ") WHERE name = '" + sequence + "'",
       PGRES_COMMAND_OK);
}

CustomerRecord record_from(const PGresult *result, int row) {
  CustomerRecord record;
  record.id = integer(result, row, 0);
  record.name = text(result, row, 1);
  record.kind = text(result, row, 2);
  record.phone = text(result, row, 3);
  record.email = text(result, row, 4);
  record.address = text(result, row, 5);
  record.region = text(result, row, 6);
  record.industry = text(result, row, 7);
  record.stage = text(result, row, 8);
  record.owner = text(result, row, 9);
  record.source = text(result, row, 10);
  record.host_key = text(result, row, 11);
  record.created_at = text(result, row, 12);
  record.created_by = text(result, row, 13);
  record.updated_at = text(result, row, 14);
  record.updated_by = text(result, row, 15);
  record.version = integer(result, row, 16);
  record.attributes = text(result, row, 17);
  return record;
}

CustomerRecord PostgresqlStore::create_customer(const Customer &customer, const std::string &user) {
  if (next_customer_id_ == end_customer_id_) {
    next_customer_id_ = reserve_ids(space_.sequence_prefix + "customer", kIdBlock);
    end_customer_id_ = next_customer_id_ + kIdBlock;
  }
  prepare_once(create_prepared_, "create_customer",
               std::string("INSERT INTO crm_customer (") + kCustomerInsertColumns +
                   ") VALUES ($1, $2, $3, 'unidentified', $4, $5, $6, $7, $8, $9, $10, $11, "
                   "$12, $13, $14, $15, 1) RETURNING " +
                   kCustomerColumns);
  const Decimal id(next_customer_id_++);
  const std::string now = db_time(now_micros());
  const char *values[] = {id.digits,
                          customer.name.c_str(),
                          customer.kind.c_str(),
                          customer.phone.c_str(),
                          customer.email.c_str(),
                          customer.address.c_str(),
                          customer.region.c_str(),
                          customer.industry.c_str(),
                          user.c_str(),
                          customer.source.c_str(),
                          customer.attributes.c_str(),
                          now.c_str(),
                          user.c_str(),
                          now.c_str(),
                          user.c_str()};
  auto result = exec_prepared("create_customer", 15, values, PGRES_TUPLES_OK);
  return record_from(result.get(), 0);
}

void PostgresqlStore::copy_in(const std::string &sql, const std::string &data) {
  check(PQexec(db_, sql.c_str()), PGRES_COPY_IN, sql);
  if (PQputCopyData(db_, data.data(), static_cast<int>(data.size())) != 1) fail("COPY data");
  if (PQputCopyEnd(db_, nullptr) != 1) fail("COPY end");
  check(PQgetResult(db_), PGRES_COMMAND_OK, sql);
  while (PGresult *rest = PQgetResult(db_)) PQclear(rest);
}

void PostgresqlStore::fill_customers(const Dataset &dataset, std::int64_t first, std::int64_t last,
                                     const std::string &user) {
  constexpr std::int64_t kChunk = 10'000;
  const std::string now = db_time(now_micros()), stage = "unidentified";
  transaction([&] {
    for (std::int64_t start = first; start <= last; start += kChunk) {
      std::string data;
      for (std::int64_t id = start; id <= std::min(last, start + kChunk - 1); ++id) {
        const Customer customer = dataset.customer(id);
        data += std::to_string(space_.base + id);
        for (const std::string *value :
             {&customer.name, &customer.kind, &stage, &customer.phone, &customer.email,
              &customer.address, &customer.region, &customer.industry,
              customer.owner.empty() ? &user : &customer.owner, &customer.source,
              &customer.attributes, &now, &user, &now, &user}) {
          data += '\t';
          append_copy_text(data, *value);
        }
        data += "\t1\n";
      }
      copy_in(std::string("COPY crm_customer (") + kCustomerInsertColumns + ") FROM STDIN", data);
    }
    // Where libcrm's block allocator would have left it: past the last full block.
    move_sequence_past(space_.sequence_prefix + "customer",
                       space_.base + (last + kIdBlock - 1) / kIdBlock * kIdBlock + 1);
    return 0;
  });
  next_customer_id_ = end_customer_id_ = 0;
}

void PostgresqlStore::copy_rows(const std::vector<Interaction> &items, std::int64_t first_id,
                                const std::string &logged_at, const std::string &user) {
  std::string data;
  data.reserve(items.size() * 400);
  char number[24];
  for (std::size_t k = 0; k < items.size(); ++k) {
    const auto &item = items[k];
    data.append(number,
                std::to_chars(number, number + sizeof number, first_id + std::int64_t(k)).ptr);
    data += '\t';
    data.append(number,
                std::to_chars(number, number + sizeof number, space_.base + item.customer_id).ptr);
    data += "\t\\N\t\\N\t";
    append_copy_text(data, item.channel);
    data += '\t';
    append_copy_text(data, item.direction);
    data += '\t';
    data += db_time(item.occurred_at);
    data += '\t';
    append_copy_text(data, item.subject);
    data += '\t';
    append_copy_text(data, item.body);
    data += '\t';
    data += logged_at;
    data += '\t';
    append_copy_text(data, user);
    data += '\n';
  }
  copy_in(std::string("COPY crm_interaction (") + kInsertColumns + ") FROM STDIN", data);
}

void PostgresqlStore::insert_rows(const std::vector<Interaction> &items, std::int64_t first_id,
                                  const std::string &logged_at, const std::string &user) {
  for (std::size_t start = 0; start < items.size(); start += kRowsPerInsert) {
    const std::size_t count = std::min(kRowsPerInsert, items.size() - start);
    const std::string name = "insert_" + std::to_string(count);
    if (!insert_prepared_[count]) {
      prepare(name, std::string("INSERT INTO crm_interaction (") + kInsertColumns + ") VALUES " +
                        placeholders(count, kInteractionColumns));
      insert_prepared_[count] = true;
    }
    std::vector<Decimal> numbers;
    numbers.reserve(2 * count);
    std::vector<std::string> occurred(count);
    std::vector<const char *> values;
    values.reserve(count * kInteractionColumns);
    for (std::size_t k = 0; k < count; ++k) {
      const auto &item = items[start + k];
      occurred[k] = db_time(item.occurred_at);
      values.push_back(numbers.emplace_back(first_id + std::int64_t(start + k)).digits);
      values.push_back(numbers.emplace_back(space_.base + item.customer_id).digits);
      values.push_back(nullptr);
      values.push_back(nullptr);
      values.push_back(item.channel.c_str());
      values.push_back(item.direction.c_str());
      values.push_back(occurred[k].c_str());
      values.push_back(item.subject.c_str());
      values.push_back(item.body.c_str());
      values.push_back(logged_at.c_str());
      values.push_back(user.c_str());
    }
    exec_prepared(name, static_cast<int>(values.size()), values.data(), PGRES_COMMAND_OK);
  }
}

std::int64_t PostgresqlStore::log_batch(const std::vector<Interaction> &items,
                                        const std::string &user) {
  return transaction([&] {
    const std::int64_t first_id = reserve_ids(space_.sequence_prefix + "interaction",
                                              static_cast<std::int64_t>(items.size()));
    const std::string logged_at = db_time(now_micros());
    if (bulk_ == BulkPath::native_bulk)
      copy_rows(items, first_id, logged_at, user);
    else
      insert_rows(items, first_id, logged_at, user);
    return first_id;
  });
}

std::optional<CustomerRecord> PostgresqlStore::get_customer(std::int64_t id) {
  prepare_once(get_prepared_, "get_customer",
               std::string("SELECT ") + kCustomerColumns + " FROM crm_customer WHERE id = $1");
  const Decimal key(id);
  const char *values[] = {key.digits};
  auto result = exec_prepared("get_customer", 1, values, PGRES_TUPLES_OK);
  if (PQntuples(result.get()) == 0) return std::nullopt;
  return record_from(result.get(), 0);
}

std::vector<CustomerRecord> PostgresqlStore::list_owned(const std::vector<std::string> &owners,
                                                        int limit) {
  const std::string name = "list_owned_" + std::to_string(owners.size());
  if (owned_prepared_.insert(owners.size()).second)
    prepare(name, std::string("SELECT ") + kCustomerColumns + " FROM crm_customer WHERE " +
                      owner_condition(owners.size(), true) + " ORDER BY id LIMIT $" +
                      std::to_string(owners.size() + 1));
  const Decimal rows(limit + 1);
  std::vector<const char *> values;
  values.reserve(owners.size() + 1);
  for (const auto &owner : owners) values.push_back(owner.c_str());
  values.push_back(rows.digits);
  auto result =
      exec_prepared(name, static_cast<int>(values.size()), values.data(), PGRES_TUPLES_OK);
  const int count = std::min(PQntuples(result.get()), limit);  // the extra row says "more"
  std::vector<CustomerRecord> records;
  records.reserve(static_cast<std::size_t>(count));
  for (int row = 0; row < count; ++row) records.push_back(record_from(result.get(), row));
  return records;
}

std::vector<InteractionRecord> PostgresqlStore::list_interactions(std::int64_t customer_id,
                                                                  int limit) {
  prepare_once(list_prepared_, "list_interactions",
               std::string("SELECT ") + kListColumns +
                   " FROM crm_interaction WHERE customer_id = $1 "
                   "ORDER BY occurred_at DESC, id DESC LIMIT $2");
  const Decimal key(customer_id), rows(limit + 1);
  const char *values[] = {key.digits, rows.digits};
  auto result = exec_prepared("list_interactions", 2, values, PGRES_TUPLES_OK);
  const int count = std::min(PQntuples(result.get()), limit);  // the extra row says "more"
  std::vector<InteractionRecord> items(static_cast<std::size_t>(count));
  for (int row = 0; row < count; ++row) {
    auto &item = items[static_cast<std::size_t>(row)];
    const PGresult *r = result.get();
    item.id = integer(r, row, 0);
    item.customer_id = integer(r, row, 1);
    item.contact_id = optional_integer(r, row, 2);
    item.opportunity_id = optional_integer(r, row, 3);
    item.channel = text(r, row, 4);
    item.direction = text(r, row, 5);
    item.occurred_at = text(r, row, 6);
    item.subject = text(r, row, 7);
    item.logged_at = text(r, row, 8);
    item.logged_by = text(r, row, 9);
    item.body = text(r, row, 10);
  }
  return items;
}

std::uint64_t PostgresqlStore::content_digest(const std::string &table) {
  const std::string sql = digest_query(table, space_);
  if (!PQsendQuery(db_, sql.c_str())) fail(sql);
  if (!PQsetSingleRowMode(db_)) fail("single-row mode");
  std::uint64_t hash = kFnvOffset;
  std::string error;
  while (PGresult *raw = PQgetResult(db_)) {
    ResultPtr result(raw);
    const auto status = PQresultStatus(raw);
    if (status == PGRES_SINGLE_TUPLE) {
      for (int column = 0; column < PQnfields(raw); ++column) {
        const unsigned char null = PQgetisnull(raw, 0, column) ? 1 : 0;
        hash = fnv1a(hash, &null, 1);
        hash = fnv1a(hash, PQgetvalue(raw, 0, column),
                     static_cast<std::size_t>(PQgetlength(raw, 0, column)));
      }
    } else if (status != PGRES_TUPLES_OK && error.empty()) {
      error = PQresultErrorMessage(raw);
    }
  }
  if (!error.empty()) throw std::runtime_error("libpq: " + sql + ": " + error);
  return hash;
}

std::string PostgresqlStore::list_plan(std::int64_t customer_id) {
  auto result =
      exec(std::string("EXPLAIN (COSTS OFF) SELECT ") + kListColumns +
               " FROM crm_interaction WHERE customer_id = " + std::to_string(customer_id) +
               " ORDER BY occurred_at DESC, id DESC LIMIT 51",
           PGRES_TUPLES_OK);
  std::string plan;
  for (int row = 0; row < PQntuples(result.get()); ++row) {
    std::string line = text(result.get(), row, 0);
    const auto first = line.find_first_not_of(" ->");
    plan += (plan.empty() ? "" : "; ") + (first == std::string::npos ? line : line.substr(first));
  }
  return plan;
}

std::string PostgresqlStore::owned_plan(const std::vector<std::string> &owners) {
  auto result = exec(std::string("EXPLAIN (COSTS OFF) SELECT ") + kCustomerColumns +
                         " FROM crm_customer WHERE " + owner_condition_literal(owners) +
                         " ORDER BY id LIMIT 51",
                     PGRES_TUPLES_OK);
  std::string plan;
  for (int row = 0; row < PQntuples(result.get()); ++row) {
    std::string line = text(result.get(), row, 0);
    const auto first = line.find_first_not_of(" ->");
    line = first == std::string::npos ? line : line.substr(first);
    if (line.size() > 160) line = line.substr(0, 157) + "...";  // the IN list of a filter
    plan += (plan.empty() ? "" : "; ") + line;
  }
  return plan;
}

std::string PostgresqlStore::storage() {
  auto result = exec(
      "SELECT pg_total_relation_size('crm_interaction') / 1048576, "
      "pg_total_relation_size('crm_customer') / 1048576",
      PGRES_TUPLES_OK);
  return "crm_interaction " + text(result.get(), 0, 0) + " MiB, crm_customer " +
         text(result.get(), 0, 1) + " MiB with indexes (every side's rows)";
}

}  // namespace

std::unique_ptr<NativeStore> open_postgresql_store(const std::string &connection_string,
                                                   const IdSpace &space, BulkPath bulk) {
  return std::make_unique<PostgresqlStore>(connection_string, space, bulk);
}

}  // namespace bench
