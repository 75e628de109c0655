#include "interaction.hpp"

#include <algorithm>

#include "../core/keyset.hpp"
#include "../core/sql.hpp"

namespace crm::records::interaction {

namespace {

constexpr std::size_t kColumnsPerRow = 13;
// Rows per parameter array (MariaDB bulk); the byte budget usually cuts first.
constexpr std::size_t kMaxRowsPerArray = 2000;

const std::string kInsert =
    "INSERT INTO crm_interaction (id, customer_id, contact_id, opportunity_id, channel, "
    "direction, occurred_at, subject, body, logged_at, logged_by, on_behalf_of, campaign) VALUES ";

// One row's markers, in kInsert's column order.
std::string row_markers(const db::Dialect &dialect) {
  const auto ts = dialect.timestamp_param();
  return "(?, ?, ?, ?, ?, ?, " + ts + ", ?, ?, " + ts + ", ?, ?, ?)";
}

// Bytes an entry adds to a statement's parameters (a generous estimate).
std::size_t entry_bytes(const Entry &entry, const std::string &logged_at,
                        const std::string &logged_by) {
  return kColumnsPerRow * 16 + entry.channel.size() + entry.direction.size() +
         entry.occurred_at.size() + (entry.subject ? entry.subject->size() : 0) +
         (entry.body ? entry.body->size() : 0) + logged_at.size() + logged_by.size() +
         (entry.on_behalf_of ? entry.on_behalf_of->size() : 0) +
         (entry.campaign ? entry.campaign->size() : 0);
}

// The parameters of one row, in kInsert's column order.
void append_row(std::vector<db::Value> &values, const Entry &entry, std::int64_t id,
                const std::string &logged_at, const std::string &logged_by) {
  values.emplace_back(id);
  values.emplace_back(entry.customer_id);
  values.push_back(entry.contact_id ? db::Value(*entry.contact_id) : db::null_value());
  values.push_back(entry.opportunity_id ? db::Value(*entry.opportunity_id) : db::null_value());
  values.emplace_back(entry.channel);
  values.emplace_back(entry.direction);
  values.emplace_back(entry.occurred_at);
  values.push_back(db::optional_text(entry.subject));
  values.push_back(db::optional_text(entry.body));
  values.emplace_back(logged_at);
  values.emplace_back(logged_by);
  values.push_back(db::optional_text(entry.on_behalf_of));
  values.push_back(db::optional_text(entry.campaign));
}

// MariaDB: one COM_STMT_BULK_EXECUTE per chunk, chunked by row count and statement size.
void insert_arrays(db::Connection &connection, const std::vector<Entry> &entries,
                   std::int64_t first_id, const std::string &logged_at,
                   const std::string &logged_by) {
  const auto &dialect = connection.dialect();
  std::vector<std::vector<db::Value>> rows(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    rows[i].reserve(kColumnsPerRow);
    append_row(rows[i], entries[i], first_id + static_cast<std::int64_t>(i), logged_at, logged_by);
  }
  connection.prepare(kInsert + row_markers(dialect))
      .execute_batch(rows, kMaxRowsPerArray, dialect.max_statement_bytes());
}

const std::string kSelect =
    "SELECT id, customer_id, contact_id, opportunity_id, channel, direction, occurred_at, "
    "subject, logged_at, logged_by, body, on_behalf_of, campaign FROM crm_interaction";

std::vector<db::Column> select_columns() {
  using db::Column;
  return {Column::integer(),
          Column::integer(),
          Column::integer(),
          Column::integer(),
          Column::text(kChannelChars),
          Column::text(kDirectionChars),
          Column::text(32),
          Column::text(kSubjectChars),
          Column::text(32),
          Column::text(kLoggedByChars),
          Column::long_text(),
          Column::text(kLoggedByChars),
          Column::text(kCampaignChars)};
}

Row read(const db::Result &result) {
  Row row;
  row.id = result.int64(0);
  row.customer_id = result.int64(1);
  row.contact_id = result.optional_int64(2);
  row.opportunity_id = result.optional_int64(3);
  row.channel = result.text(4);
  row.direction = result.text(5);
  row.occurred_at = result.text(6);
  row.subject = result.optional_text(7);
  row.logged_at = result.text(8);
  row.logged_by = result.text(9);
  row.body = result.optional_text(10);
  row.on_behalf_of = result.optional_text(11);
  row.campaign = result.optional_text(12);
  return row;
}

}  // namespace

void insert(db::Connection &connection, const std::vector<Entry> &entries, std::int64_t first_id,
            const std::string &logged_at, const std::string &logged_by) {
  const auto &dialect = connection.dialect();
  if (dialect.prefers_parameter_arrays())
    return insert_arrays(connection, entries, first_id, logged_at, logged_by);
  // Multi-row VALUES: the fastest path through sqliteodbc and psqlODBC (see the ODBC notes).
  const std::size_t per_statement = sql::rows_per_statement(dialect, kColumnsPerRow);
  const std::size_t max_bytes = dialect.max_statement_bytes();
  const std::string row = row_markers(dialect);
  for (std::size_t start = 0, count = 0; start < entries.size(); start += count) {
    std::size_t bytes = 0;
    for (count = 0; start + count < entries.size() && count < per_statement; ++count) {
      bytes += entry_bytes(entries[start + count], logged_at, logged_by);
      if (count > 0 && bytes > max_bytes) break;
    }
    std::string statement = kInsert;
    std::vector<db::Value> values;
    values.reserve(count * kColumnsPerRow);
    for (std::size_t k = 0; k < count; ++k) {
      statement += k ? ", " + row : row;
      append_row(values, entries[start + k], first_id + static_cast<std::int64_t>(start + k),
                 logged_at, logged_by);
    }
    connection.prepare(statement).execute(values);
  }
}

std::optional<Row> find(db::Connection &connection, std::int64_t id) {
  auto result = connection.prepare(kSelect + " WHERE id = ?").query({id}, select_columns());
  if (!result.next()) return std::nullopt;
  return read(result);
}

nlohmann::json page(db::Connection &connection, std::int64_t customer_id,
                    const std::optional<std::string> &channel, const nlohmann::json &params,
                    std::size_t limit, nlohmann::json (*to_json)(const Row &)) {
  std::string sql = kSelect + " WHERE customer_id = ?";
  std::vector<db::Value> values = {customer_id};
  if (channel) {
    sql += " AND channel = ?";
    values.push_back(*channel);
  }
  const auto order = keyset::by_time_id("occurred_at", "id", true, 6, 0);
  keyset::page_query(sql, values, connection.dialect(), params, order, limit);
  auto result = connection.prepare(sql).query(values, select_columns());
  return keyset::read_page(result, order, limit,
                           [&](const db::Result &row) { return to_json(read(row)); });
}

const std::string &timeline_select() {
  static const std::string sql =
      "SELECT id, occurred_at, channel, direction, subject, contact_id, opportunity_id "
      "FROM crm_interaction WHERE customer_id = ?";
  return sql;
}

std::vector<db::Column> timeline_columns() {
  using db::Column;
  return {Column::integer(),
          Column::text(32),
          Column::text(kChannelChars),
          Column::text(kDirectionChars),
          Column::text(kSubjectChars),
          Column::text(24),
          Column::text(24)};
}

}  // namespace crm::records::interaction
