#include "interactions.hpp"

#include <spdlog/spdlog.h>

#include <map>
#include <set>

#include "../core/json_values.hpp"
#include "../core/keyset.hpp"
#include "../core/time.hpp"
#include "../records/customer.hpp"

namespace crm::interactions {

namespace {

using params::Field;

const std::vector<std::string> kChannels = {"tel",   "fax", "email", "sms",  "face_to_face",
                                            "media", "web", "event", "other"};
const std::vector<std::string> kDirections = {"inbound", "outbound"};
constexpr std::size_t kMaxBatch = 10000;
constexpr std::size_t kColumnsPerRow = 11;
constexpr std::size_t kMaxRowsPerStatement = 500;
// Rows per parameter array (MariaDB bulk); the byte budget usually cuts first.
constexpr std::size_t kMaxRowsPerArray = 2000;
constexpr std::size_t kInListChunk = 500;

std::vector<Field> item_fields() {
  return {Field::id("customer_id", "the customer").require(),
          Field::enumeration("channel", kChannels, "how the contact happened").require(),
          Field::enumeration("direction", kDirections, "who started it").require(),
          Field::timestamp("occurred_at", "when it happened").require(),
          Field::string("subject", 500, "one-line summary"),
          Field::string("body", 65535, "notes, message text or work report"),
          Field::id("contact_id", "the person at the customer (a contact of that customer)"),
          Field::id("opportunity_id", "the opportunity this belongs to (of that customer)")};
}

struct Item {
  std::int64_t customer_id;
  std::optional<std::int64_t> contact_id;
  std::optional<std::int64_t> opportunity_id;
  std::string channel;
  std::string direction;
  std::string occurred_at;  // database text, UTC
  std::optional<std::string> subject;
  std::optional<std::string> body;
};

Item read_item(const json &params) {
  return {params::id(params, "customer_id"),
          params::optional_id(params, "contact_id"),
          params::optional_id(params, "opportunity_id"),
          params::string(params, "channel"),
          params::string(params, "direction"),
          time::to_db_text(*params::optional_timestamp(params, "occurred_at")),
          params::optional_string(params, "subject"),
          params::optional_string(params, "body")};
}

std::string placeholders(std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) out += i ? ", ?" : "?";
  return out;
}

// Owner customer of each existing id in `table`, looked up in chunks.
std::map<std::int64_t, std::int64_t> owners(db::Connection &connection, const std::string &table,
                                            const std::string &owner_column,
                                            const std::set<std::int64_t> &ids) {
  std::map<std::int64_t, std::int64_t> found;
  std::vector<std::int64_t> all(ids.begin(), ids.end());
  for (std::size_t start = 0; start < all.size(); start += kInListChunk) {
    const std::size_t count = std::min(kInListChunk, all.size() - start);
    std::vector<db::Value> values(all.begin() + static_cast<std::ptrdiff_t>(start),
                                  all.begin() + static_cast<std::ptrdiff_t>(start + count));
    auto result = connection
                      .prepare("SELECT id, " + owner_column + " FROM " + table + " WHERE id IN (" +
                               placeholders(count) + ")")
                      .query(values, {db::Column::integer(), db::Column::integer()}, count);
    while (result.next()) found[result.int64(0)] = result.int64(1);
  }
  return found;
}

// Every referenced customer, contact and opportunity must exist, and contacts and
// opportunities must belong to the item's customer. `path(i)` names item i in errors.
template <class Path>
void check_references(db::Connection &connection, const std::vector<Item> &items, Path path) {
  std::set<std::int64_t> customer_ids, contact_ids, opportunity_ids;
  for (const auto &item : items) {
    customer_ids.insert(item.customer_id);
    if (item.contact_id) contact_ids.insert(*item.contact_id);
    if (item.opportunity_id) opportunity_ids.insert(*item.opportunity_id);
  }
  auto customers = owners(connection, "crm_customer", "id", customer_ids);
  auto contacts = owners(connection, "crm_contact", "customer_id", contact_ids);
  auto opportunities = owners(connection, "crm_opportunity", "customer_id", opportunity_ids);
  auto check_owned = [&](const std::map<std::int64_t, std::int64_t> &known,
                         std::optional<std::int64_t> id, const Item &item, std::size_t i,
                         const char *field, const char *noun) {
    if (!id) return;
    auto found = known.find(*id);
    if (found == known.end())
      throw not_found(path(i) + "." + field,
                      std::string("no ") + noun + " with id " + std::to_string(*id));
    if (found->second != item.customer_id)
      throw invalid_argument(path(i) + "." + field,
                             std::string(noun) + " " + std::to_string(*id) +
                                 " belongs to customer " + std::to_string(found->second) +
                                 ", not to customer " + std::to_string(item.customer_id));
  };
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto &item = items[i];
    if (!customers.count(item.customer_id))
      throw not_found(path(i) + ".customer_id",
                      "no customer with id " + std::to_string(item.customer_id));
    check_owned(contacts, item.contact_id, item, i, "contact_id", "contact");
    check_owned(opportunities, item.opportunity_id, item, i, "opportunity_id", "opportunity");
  }
}

// Bytes an item adds to a statement's parameters (a generous estimate).
std::size_t item_bytes(const Item &item, const std::string &logged_at, const std::string &user) {
  return kColumnsPerRow * 16 + item.channel.size() + item.direction.size() +
         item.occurred_at.size() + (item.subject ? item.subject->size() : 0) +
         (item.body ? item.body->size() : 0) + logged_at.size() + user.size();
}

const std::string kInsert =
    "INSERT INTO crm_interaction (id, customer_id, contact_id, opportunity_id, channel, "
    "direction, occurred_at, subject, body, logged_at, logged_by) VALUES ";

// The parameters of item i: id, customer_id, contact_id, opportunity_id, channel, direction,
// occurred_at, subject, body, logged_at, logged_by.
void append_row(std::vector<db::Value> &values, const Item &item, std::int64_t id,
                const std::string &logged_at, const std::string &user) {
  values.emplace_back(id);
  values.emplace_back(item.customer_id);
  values.push_back(item.contact_id ? db::Value(*item.contact_id) : db::null_value());
  values.push_back(item.opportunity_id ? db::Value(*item.opportunity_id) : db::null_value());
  values.emplace_back(item.channel);
  values.emplace_back(item.direction);
  values.emplace_back(item.occurred_at);
  values.push_back(db::optional_text(item.subject));
  values.push_back(db::optional_text(item.body));
  values.emplace_back(logged_at);
  values.emplace_back(user);
}

// Inserts items with ids first_id, first_id + 1, ... where the dialect prefers parameter
// arrays (MariaDB: one COM_STMT_BULK_EXECUTE per chunk), chunked by row count and by the
// dialect's statement size.
void insert_arrays(db::Connection &connection, const std::vector<Item> &items,
                   std::int64_t first_id, const std::string &logged_at, const std::string &user) {
  const auto &dialect = connection.dialect();
  const auto ts = dialect.timestamp_param();
  std::vector<std::vector<db::Value>> rows(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    rows[i].reserve(kColumnsPerRow);
    append_row(rows[i], items[i], first_id + static_cast<std::int64_t>(i), logged_at, user);
  }
  connection.prepare(kInsert + "(?, ?, ?, ?, ?, ?, " + ts + ", ?, ?, " + ts + ", ?)")
      .execute_batch(rows, kMaxRowsPerArray, dialect.max_statement_bytes());
}

// Inserts items with ids first_id, first_id + 1, ... as multi-row VALUES statements (the
// fastest path through sqliteodbc and psqlODBC, see the ODBC notes), each within the
// dialect's parameter count and statement size.
void insert(db::Connection &connection, const std::vector<Item> &items, std::int64_t first_id,
            const std::string &logged_at, const std::string &user) {
  const auto &dialect = connection.dialect();
  if (dialect.prefers_parameter_arrays())
    return insert_arrays(connection, items, first_id, logged_at, user);
  const std::size_t rows_per_statement =
      std::min(kMaxRowsPerStatement, dialect.max_parameters() / kColumnsPerRow);
  const std::size_t max_bytes = dialect.max_statement_bytes();
  // id, customer_id, contact_id, opportunity_id, channel, direction, occurred_at, subject,
  // body, logged_at, logged_by
  const auto ts = dialect.timestamp_param();
  const std::string row = "(?, ?, ?, ?, ?, ?, " + ts + ", ?, ?, " + ts + ", ?)";
  for (std::size_t start = 0, count = 0; start < items.size(); start += count) {
    std::size_t bytes = 0;
    for (count = 0; start + count < items.size() && count < rows_per_statement; ++count) {
      bytes += item_bytes(items[start + count], logged_at, user);
      if (count > 0 && bytes > max_bytes) break;
    }
    std::string sql = kInsert;
    std::vector<db::Value> values;
    values.reserve(count * kColumnsPerRow);
    for (std::size_t k = 0; k < count; ++k) {
      sql += k ? ", " + row : row;
      append_row(values, items[start + k], first_id + static_cast<std::int64_t>(start + k),
                 logged_at, user);
    }
    connection.prepare(sql).execute(values);
  }
}

const std::string kSelect =
    "SELECT id, customer_id, contact_id, opportunity_id, channel, direction, occurred_at, "
    "subject, logged_at, logged_by, body FROM crm_interaction";

std::vector<db::Column> select_columns() {
  using db::Column;
  return {Column::integer(), Column::integer(), Column::integer(),  Column::integer(),
          Column::text(16),  Column::text(8),   Column::text(32),   Column::text(500),
          Column::text(32),  Column::text(128), Column::long_text()};
}

using json_values::instant;

json optional_id(const std::optional<std::int64_t> &id) {
  return id ? json(std::to_string(*id)) : json(nullptr);
}

json row_to_json(const db::Result &row) {
  auto subject = row.optional_text(7);
  auto body = row.optional_text(10);
  return {{"id", std::to_string(row.int64(0))},
          {"customer_id", std::to_string(row.int64(1))},
          {"contact_id", optional_id(row.optional_int64(2))},
          {"opportunity_id", optional_id(row.optional_int64(3))},
          {"channel", row.text(4)},
          {"direction", row.text(5)},
          {"occurred_at", instant(row.text(6))},
          {"subject", subject ? json(*subject) : json(nullptr)},
          {"body", body ? json(*body) : json(nullptr)},
          {"logged_at", instant(row.text(8))},
          {"logged_by", row.text(9)}};
}

// Writes items all or nothing; returns the first id.
std::int64_t write_items(CallContext &context, db::Connection &connection,
                         const std::vector<Item> &items,
                         const std::function<std::string(std::size_t)> &path) {
  auto &store = context.store;
  // References are checked before ids are reserved, so that a rejected call leaves the
  // database exactly as it was; the foreign keys still guard the insert itself.
  check_references(connection, items, path);
  const std::int64_t first_id =
      store.ids().reserve(connection, "interaction", static_cast<std::int64_t>(items.size()));
  const std::string logged_at = time::to_db_text(time::now());
  store.transact(connection, [&] { insert(connection, items, first_id, logged_at, context.user); });
  return first_id;
}

json log_one(CallContext &context, const json &params) {
  std::vector<Item> items = {read_item(params)};
  return context.store.with_connection([&](db::Connection &connection) {
    auto id = write_items(context, connection, items, [](std::size_t) { return "params"; });
    auto result = connection.prepare(kSelect + " WHERE id = ?").query({id}, select_columns());
    result.next();
    return row_to_json(result);
  });
}

json log_batch(CallContext &context, const json &params) {
  const auto &input = params.at("items");
  std::vector<Item> items;
  items.reserve(input.size());
  for (const auto &item : input) items.push_back(read_item(item));
  return context.store.with_connection([&](db::Connection &connection) {
    auto first = write_items(context, connection, items, [](std::size_t i) {
      return "params.items[" + std::to_string(i) + "]";
    });
    json ids = json::array();
    for (std::size_t i = 0; i < items.size(); ++i)
      ids.push_back(std::to_string(first + static_cast<std::int64_t>(i)));
    context.store.log().info("{} interactions logged by {}", items.size(), context.user);
    return json{{"count", items.size()}, {"ids", std::move(ids)}};
  });
}

json list(CallContext &context, const json &params) {
  const auto customer_id = params::id(params, "customer_id");
  const auto limit = params::limit(params, 50);
  std::string sql = kSelect + " WHERE customer_id = ?";
  std::vector<db::Value> values = {customer_id};
  if (auto channel = params::optional_string(params, "channel")) {
    sql += " AND channel = ?";
    values.push_back(*channel);
  }
  const auto order = keyset::by_time_id("occurred_at", "id", true, 6, 0);
  keyset::page_query(sql, values, context.store.dialect(), params, order, limit);
  return context.store.with_connection([&](db::Connection &connection) {
    json page;
    {
      auto result = connection.prepare(sql).query(values, select_columns());
      page = keyset::read_page(result, order, limit, row_to_json);
    }
    return records::customer::checked_page(connection, customer_id, std::move(page));
  });
}

json schema() {
  namespace rs = result_schema;
  return rs::object({{"id", rs::id()},
                     {"customer_id", rs::id()},
                     {"contact_id", rs::nullable(rs::id())},
                     {"opportunity_id", rs::nullable(rs::id())},
                     {"channel", rs::enumeration(kChannels)},
                     {"direction", rs::enumeration(kDirections)},
                     {"occurred_at", rs::timestamp()},
                     {"subject", rs::nullable(rs::string())},
                     {"body", rs::nullable(rs::string())},
                     {"logged_at", rs::timestamp()},
                     {"logged_by", rs::string()}});
}

}  // namespace

void register_methods(Registry &registry) {
  namespace rs = result_schema;
  registry.add({"interaction.log", "Records one interaction with a customer.", item_fields(),
                schema(), log_one});
  registry.add({"interaction.log_batch",
                "Records up to 10000 interactions in one transaction: all or none.",
                {Field::array("items", kMaxBatch, item_fields(),
                              "interactions, each with the fields of interaction.log")
                     .require()},
                rs::object({{"count", rs::integer()}, {"ids", rs::array(rs::id())}}),
                log_batch});
  registry.add({"interaction.list",
                "A customer's interactions, newest first; keyset pages.",
                {Field::id("customer_id", "customer id").require(),
                 Field::enumeration("channel", kChannels, "only this channel"),
                 Field::limit(50, 500), Field::cursor()},
                rs::page(schema()),
                list});
}

}  // namespace crm::interactions
