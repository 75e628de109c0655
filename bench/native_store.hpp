// The baseline: the same CRM work done directly with each database's own C library on tables
// that libcrm's own migrations created:
//   sqlite      the sqlite3 C API (sqlite_store.cpp)
//   postgresql  libpq (postgresql_store.cpp)
//   mariadb     MariaDB Connector/C, libmariadb (mariadb_store.cpp)
// Prepared statements are kept for the life of the store, as a hand-written native
// implementation would keep them.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dataset.hpp"

namespace bench {

// The column lists the server stores select and insert, in the order their readers expect.
inline constexpr const char *kCustomerColumns =
    "id, name, kind, phone, email, address, region, industry, stage, owner, source, host_key, "
    "created_at, created_by, updated_at, updated_by, version, attributes";
inline constexpr const char *kListColumns =
    "id, customer_id, contact_id, opportunity_id, channel, direction, occurred_at, subject, "
    "logged_at, logged_by, body";
inline constexpr const char *kInsertColumns =
    "id, customer_id, contact_id, opportunity_id, channel, direction, occurred_at, subject, "
    "body, logged_at, logged_by";

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

// On a server every side writes into the same crm_* tables, each in its own id range: a
// side's customer i is stored as id base + i, its interactions likewise, and its ids come from
// its own crm_id_sequence rows (prefix + "customer", prefix + "interaction"). libcrm's range
// has base 0 and the sequences its migrations create. On SQLite each side has its own file and
// every range is {0, ""}.
struct IdSpace {
  std::int64_t base = 0;
  std::string sequence_prefix;
};
// Width of one range: ids base + 1 .. base + kIdSpaceSize belong to it.
constexpr std::int64_t kIdSpaceSize = 1'000'000'000'000;

// How log_batch writes its rows.
enum class BulkPath {
  multirow_insert,  // prepared multi-row INSERT ... VALUES (...), (...) of 500 rows, as libcrm
  native_bulk,      // PostgreSQL: COPY FROM STDIN; MariaDB: bulk arrays (STMT_ATTR_ARRAY_SIZE)
};

// Where a database is: a SQLite file, or a server named by libcrm's ODBC connection string.
struct Target {
  std::string dialect;            // sqlite, postgresql or mariadb
  std::string path;               // sqlite
  std::string connection_string;  // postgresql, mariadb: Server, Port, Database, UID, PWD
};

// Server, port, database, user and password from an ODBC connection string ("KEY=value;",
// values optionally in braces with "}}" for "}"), with the usual aliases (HOST, DB, USER,
// PASSWORD ...). Keys are case-insensitive; other keys (DRIVER, options) are ignored.
struct ServerAddress {
  std::string host = "127.0.0.1", database, user, password;
  unsigned port = 0;
};
ServerAddress parse_odbc_connection(const std::string &connection_string, unsigned default_port);

class NativeStore {
 public:
  virtual ~NativeStore() = default;

  // Library and server versions, for the report.
  virtual std::string versions() = 0;

  // Whether crm_customer or crm_interaction exist and hold rows; dropping every crm_* table.
  // (Servers only: the bench starts from an empty database there.)
  virtual bool holds_crm_data() { return false; }
  virtual void drop_crm_tables() {}
  // Creates this range's crm_id_sequence rows when missing (after libcrm's migrations ran).
  virtual void ensure_id_space() {}

  // customer.create's work for dataset customer `customer.id`: an id from this range's
  // sequence (in blocks of 64, like libcrm), the row inserted and read back (all columns).
  virtual CustomerRecord create_customer(const Customer &customer, const std::string &user) = 0;
  // Population only, not measured: customers [first, last] (dataset ids) as fast as the
  // database allows, and the customer sequence moved past them.
  virtual void fill_customers(const Dataset &dataset, std::int64_t first, std::int64_t last,
                              const std::string &user) = 0;
  // interaction.log_batch's work, all in one transaction: ids reserved from this range's
  // sequence and the rows written (customer ids are dataset ids: the range's base is added).
  // Returns the first stored id.
  virtual std::int64_t log_batch(const std::vector<Interaction> &items,
                                 const std::string &user) = 0;

  // Lookups by stored id.
  virtual std::optional<CustomerRecord> get_customer(std::int64_t id) = 0;
  // Newest first, at most `limit` items (limit + 1 rows are read, as keyset paging needs).
  virtual std::vector<InteractionRecord> list_interactions(std::int64_t customer_id, int limit) = 0;
  // customer.list's first page as a permission filter makes it: every column of the customers
  // that the given users own, by id, at most `limit` (limit + 1 rows read):
  // `WHERE owner IN (...) ORDER BY id LIMIT limit + 1`, `owner = ?` for one owner. Prepared
  // once per number of owners.
  virtual std::vector<CustomerRecord> list_owned(const std::vector<std::string> &owners,
                                                 int limit) = 0;
  // How the database runs that query (one line).
  virtual std::string owned_plan(const std::vector<std::string> &owners) = 0;

  // Between the write and the read phases (not timed). SQLite: WAL checkpoint; PostgreSQL:
  // VACUUM (ANALYZE); MariaDB: ANALYZE TABLE.
  virtual void prepare_for_reads() = 0;
  // FNV-1a over every column both sides must have stored identically (all but the times of
  // creation, update and logging) of this range's rows in id order, ids taken relative to the
  // range's base.
  virtual std::uint64_t content_digest(const std::string &table) = 0;
  // How the database runs the list query (one line).
  virtual std::string list_plan(std::int64_t customer_id) = 0;
  // Runs statements (complete SQL, nothing bound) in one transaction, rolled back if one fails;
  // returns the rows each changed. For set-based work such as a transfer written by hand.
  virtual std::vector<std::int64_t> execute_in_transaction(
      const std::vector<std::string> &statements) = 0;
  // Sizes of the data, for the report (one line).
  virtual std::string storage() = 0;

  const IdSpace &space() const { return space_; }

 protected:
  explicit NativeStore(IdSpace space) : space_(std::move(space)) {}
  IdSpace space_;
};

std::unique_ptr<NativeStore> open_store(const Target &target, const IdSpace &space,
                                        BulkPath bulk = BulkPath::native_bulk);

// --- shared by the implementations -------------------------------------------------------------

constexpr std::int64_t kIdBlock = 64;        // libcrm's IdAllocator block
constexpr std::size_t kRowsPerInsert = 500;  // libcrm's rows per INSERT statement
constexpr int kInteractionColumns = 11;

// Column lists of the digest (everything but created_at, updated_at and logged_at).
extern const char *const kCustomerDigestColumns;
extern const char *const kInteractionDigestColumns;

inline std::uint64_t fnv1a(std::uint64_t hash, const void *data, std::size_t size) {
  const auto *bytes = static_cast<const unsigned char *>(data);
  for (std::size_t i = 0; i < size; ++i) hash = (hash ^ bytes[i]) * 0x100000001b3ULL;
  return hash;
}
constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;

// "owner = ?" or "owner IN (?, ?, ...)"; with `dollar`, $1, $2 ... (PostgreSQL).
std::string owner_condition(std::size_t owners, bool dollar);
// The same condition with the keys written out as literals (for EXPLAIN).
std::string owner_condition_literal(const std::vector<std::string> &owners);

// The digest query for a server range: ids relative to the base, rows of this range only.
std::string digest_query(const std::string &table, const IdSpace &space);

std::unique_ptr<NativeStore> open_sqlite_store(const std::string &path, const IdSpace &space);
std::unique_ptr<NativeStore> open_postgresql_store(const std::string &connection_string,
                                                   const IdSpace &space, BulkPath bulk);
std::unique_ptr<NativeStore> open_mariadb_store(const std::string &connection_string,
                                                const IdSpace &space, BulkPath bulk);

}  // namespace bench
