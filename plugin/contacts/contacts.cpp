#include "contacts.hpp"

#include "../core/json_values.hpp"
#include "../core/keyset.hpp"
#include "../core/time.hpp"
#include "../records/customer.hpp"

namespace crm::contacts {

namespace {

using params::Field;

const std::string kSelect =
    "SELECT id, customer_id, name, title, phone, email, created_at, created_by FROM crm_contact";

std::vector<db::Column> select_columns() {
  using db::Column;
  return {Column::integer(), Column::integer(), Column::text(200), Column::text(100),
          Column::text(50),  Column::text(254), Column::text(32),  Column::text(128)};
}

using json_values::instant;
using json_values::nullable;

json row_to_json(const db::Result &row) {
  return {{"id", std::to_string(row.int64(0))},
          {"customer_id", std::to_string(row.int64(1))},
          {"name", row.text(2)},
          {"title", nullable(row.optional_text(3))},
          {"phone", nullable(row.optional_text(4))},
          {"email", nullable(row.optional_text(5))},
          {"created_at", instant(row.text(6))},
          {"created_by", row.text(7)}};
}

json create(CallContext &context, const json &params) {
  auto &store = context.store;
  const auto customer_id = params::id(params, "customer_id");
  return store.with_connection([&](db::Connection &connection) {
    records::customer::require_exists(connection, customer_id, "params.customer_id");
    const std::int64_t id = store.ids().reserve(connection, "contact");
    store.transact(connection, [&] {
      connection
          .prepare(
              "INSERT INTO crm_contact (id, customer_id, name, title, phone, email, created_at, "
              "created_by) VALUES (?, ?, ?, ?, ?, ?, " +
              store.dialect().timestamp_param() + ", ?)")
          .execute({id, customer_id, params::string(params, "name"),
                    db::optional_text(params::optional_string(params, "title")),
                    db::optional_text(params::optional_string(params, "phone")),
                    db::optional_text(params::optional_string(params, "email")),
                    time::to_db_text(time::now()), context.user});
    });
    auto result = connection.prepare(kSelect + " WHERE id = ?").query({id}, select_columns());
    result.next();
    return row_to_json(result);
  });
}

json list(CallContext &context, const json &params) {
  const auto customer_id = params::id(params, "customer_id");
  const auto limit = params::limit(params, 50);
  std::vector<db::Value> values = {customer_id};
  std::string sql = kSelect + " WHERE customer_id = ?";
  const auto order = keyset::by_id();
  keyset::page_query(sql, values, context.store.dialect(), params, order, limit);
  return context.store.with_connection([&](db::Connection &connection) {
    json page;
    {
      auto result = connection.prepare(sql).query(values, select_columns(), limit + 1);
      page = keyset::read_page(result, order, limit, row_to_json);
    }
    return records::customer::checked_page(connection, customer_id, std::move(page));
  });
}

json schema() {
  namespace rs = result_schema;
  return rs::object({{"id", rs::id()},
                     {"customer_id", rs::id()},
                     {"name", rs::string()},
                     {"title", rs::nullable(rs::string())},
                     {"phone", rs::nullable(rs::string())},
                     {"email", rs::nullable(rs::string())},
                     {"created_at", rs::timestamp()},
                     {"created_by", rs::string()}});
}

}  // namespace

void register_methods(Registry &registry) {
  registry.add(
      {"contact.create",
       "Adds a person at a customer.",
       {Field::id("customer_id", "the customer this person works for").require(),
        Field::string("name", 200, "full name").require(), Field::string("title", 100, "job title"),
        Field::string("phone", 50, "phone number"),
        Field::string("email", 254, "e-mail address").as_email()},
       schema(),
       create});
  registry.add(
      {"contact.list",
       "Lists a customer's contacts in the order they were added.",
       {Field::id("customer_id", "customer id").require(), Field::limit(50, 500), Field::cursor()},
       result_schema::page(schema()),
       list});
}

}  // namespace crm::contacts
