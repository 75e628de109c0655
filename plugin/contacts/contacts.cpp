#include "contacts.hpp"

#include "../core/json_values.hpp"
#include "../core/time.hpp"
#include "../records/contact.hpp"
#include "../records/customer.hpp"

namespace crm::contacts {

namespace {

using params::Field;

using json_values::instant;
using json_values::nullable;
namespace contact = records::contact;

json row_to_json(const contact::Row &row) {
  return {{"id", std::to_string(row.id)},
          {"customer_id", std::to_string(row.customer_id)},
          {"name", row.name},
          {"title", nullable(row.title)},
          {"phone", nullable(row.phone)},
          {"email", nullable(row.email)},
          {"created_at", instant(row.created_at)},
          {"created_by", row.created_by}};
}

json create(CallContext &context, const json &params) {
  auto &store = context.store;
  const auto customer_id = params::id(params, "customer_id");
  return store.with_connection([&](db::Connection &connection) {
    records::customer::require_visible(connection, context.actor, customer_id,
                                       "params.customer_id");
    const contact::Row row{store.ids().reserve(connection, "contact"),
                           customer_id,
                           params::string(params, "name"),
                           params::optional_string(params, "title"),
                           params::optional_string(params, "phone"),
                           params::optional_string(params, "email"),
                           time::to_db_text(time::now()),
                           context.user};
    store.transact(connection, [&] { contact::insert(connection, row); });
    return row_to_json(*contact::find(connection, row.id));
  });
}

json list(CallContext &context, const json &params) {
  const auto customer_id = params::id(params, "customer_id");
  const auto limit = params::limit(params, 50);
  return context.store.with_connection([&](db::Connection &connection) {
    records::customer::require_visible(connection, context.actor, customer_id,
                                       "params.customer_id");
    return contact::page(connection, customer_id, params, limit, row_to_json);
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
  registry.add({"contact.create",
                "Adds a person at a customer.",
                {Field::id("customer_id", "the customer this person works for").require(),
                 Field::string("name", contact::kNameChars, "full name").require(),
                 Field::string("title", contact::kTitleChars, "job title"),
                 Field::string("phone", contact::kPhoneChars, "phone number"),
                 Field::string("email", contact::kEmailChars, "e-mail address").as_email()},
                schema(),
                create,
                "contact.write"});
  registry.add(
      {"contact.list",
       "Lists a customer's contacts in the order they were added.",
       {Field::id("customer_id", "customer id").require(), Field::limit(50, 500), Field::cursor()},
       result_schema::page(schema()),
       list,
       "contact.read"});
}

}  // namespace crm::contacts
