#include "contact.hpp"

#include "../core/keyset.hpp"
#include "lookup.hpp"

namespace crm::records::contact {

namespace {

const std::string kSelect =
    "SELECT id, customer_id, name, title, phone, email, created_at, created_by FROM crm_contact";

std::vector<db::Column> select_columns() {
  using db::Column;
  return {Column::integer(),         Column::integer(),         Column::text(kNameChars),
          Column::text(kTitleChars), Column::text(kPhoneChars), Column::text(kEmailChars),
          Column::text(32),          Column::text(128)};
}

Row read(const db::Result &row) {
  return {row.int64(0),         row.int64(1),         row.text(2), row.optional_text(3),
          row.optional_text(4), row.optional_text(5), row.text(6), row.text(7)};
}

}  // namespace

void insert(db::Connection &connection, const Row &row) {
  connection
      .prepare(
          "INSERT INTO crm_contact (id, customer_id, name, title, phone, email, created_at, "
          "created_by) VALUES (?, ?, ?, ?, ?, ?, " +
          connection.dialect().timestamp_param() + ", ?)")
      .execute({row.id, row.customer_id, row.name, db::optional_text(row.title),
                db::optional_text(row.phone), db::optional_text(row.email), row.created_at,
                row.created_by});
}

std::optional<Row> find(db::Connection &connection, std::int64_t id) {
  auto result = connection.prepare(kSelect + " WHERE id = ?").query({id}, select_columns());
  if (!result.next()) return std::nullopt;
  return read(result);
}

std::map<std::int64_t, std::int64_t> customers_of(db::Connection &connection,
                                                  const std::set<std::int64_t> &ids) {
  return detail::integer_of(connection, "crm_contact", "customer_id", ids);
}

nlohmann::json page(db::Connection &connection, std::int64_t customer_id,
                    const nlohmann::json &params, std::size_t limit,
                    nlohmann::json (*to_json)(const Row &)) {
  std::vector<db::Value> values = {customer_id};
  std::string sql = kSelect + " WHERE customer_id = ?";
  const auto order = keyset::by_id();
  keyset::page_query(sql, values, connection.dialect(), params, order, limit);
  auto result = connection.prepare(sql).query(values, select_columns(), limit + 1);
  return keyset::read_page(result, order, limit,
                           [&](const db::Result &row) { return to_json(read(row)); });
}

}  // namespace crm::records::contact
