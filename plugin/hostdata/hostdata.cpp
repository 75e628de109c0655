#include "hostdata.hpp"

#include <spdlog/spdlog.h>

#include <set>

#include "describe.hpp"

namespace crm::hostdata {

namespace {

using db::ExpectedColumn;
using db::ValueClass;

struct Entity {
  const char *name;
  std::vector<ExpectedColumn> columns;
};

const std::vector<Entity> &catalog() {
  static const std::vector<Entity> entities = {
      {"customers",
       {{"customer_key", ValueClass::key},
        {"name", ValueClass::text},
        {"industry", ValueClass::text, false},
        {"region", ValueClass::text, false},
        {"credit_limit", ValueClass::decimal, false},
        {"referred_by_key", ValueClass::key, false},
        {"is_reference", ValueClass::integer, false},
        {"created_at", ValueClass::timestamp, false},
        {"changed_at", ValueClass::timestamp, false}}},
      {"contacts",
       {{"contact_key", ValueClass::key},
        {"customer_key", ValueClass::key},
        {"name", ValueClass::text},
        {"title", ValueClass::text, false},
        {"phone", ValueClass::text, false},
        {"email", ValueClass::text, false}}},
      {"users",
       {{"user_key", ValueClass::key},
        {"name", ValueClass::text},
        {"department", ValueClass::text, false},
        {"is_active", ValueClass::integer, false},
        {"manager_key", ValueClass::key, false},
        {"email", ValueClass::text, false}}},
      {"orders",
       {{"order_key", ValueClass::key},
        {"customer_key", ValueClass::key},
        {"ordered_at", ValueClass::timestamp},
        {"amount", ValueClass::decimal},
        {"status", ValueClass::text},
        {"salesperson_key", ValueClass::key, false}}},
      {"order_lines",
       {{"order_key", ValueClass::key},
        {"line_key", ValueClass::key, false},
        {"amount", ValueClass::decimal},
        {"cost", ValueClass::decimal, false}}},
      {"invoices",
       {{"invoice_key", ValueClass::key},
        {"customer_key", ValueClass::key},
        {"order_key", ValueClass::key, false},
        {"invoiced_at", ValueClass::timestamp},
        {"amount", ValueClass::decimal},
        {"status", ValueClass::text}}},
      {"receivables",
       {{"receivable_key", ValueClass::key},
        {"customer_key", ValueClass::key},
        {"invoice_key", ValueClass::key, false},
        {"due_date", ValueClass::timestamp},
        {"amount", ValueClass::decimal},
        {"paid_amount", ValueClass::decimal},
        {"paid_at", ValueClass::timestamp, false}}},
  };
  return entities;
}

// "+08:00" / "-05:30" / "Z" → minutes east of UTC.
int parse_offset(const std::string &text) {
  if (text == "Z" || text == "UTC") return 0;
  auto digit = [&](std::size_t i) {
    return i < text.size() && text[i] >= '0' && text[i] <= '9' ? text[i] - '0' : -1;
  };
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-') || text[3] != ':' || digit(1) < 0 ||
      digit(2) < 0 || digit(4) < 0 || digit(5) < 0)
    throw invalid_argument("host.time_zone",
                           "host.time_zone must be an offset like \"+08:00\" or \"Z\", not \"" +
                               text.substr(0, 32) + "\"");
  const int hours = digit(1) * 10 + digit(2), minutes = digit(4) * 10 + digit(5);
  if (hours > 14 || minutes > 59)
    throw invalid_argument("host.time_zone", "host.time_zone " + text + " is out of range");
  return (text[0] == '-' ? -1 : 1) * (hours * 60 + minutes);
}

}  // namespace

const db::HostQuery &HostData::entity(std::string_view name) const {
  auto found = entities_.find(name);
  if (found == entities_.end())
    throw Error(Status::unsupported,
                "the host's " + std::string(name) + " are not mapped: add host." +
                    std::string(name) + ".query to the configuration",
                "host." + std::string(name));
  return found->second;
}

std::string HostData::host_time(time::Micros utc) const {
  auto text = time::to_db_text(utc + static_cast<time::Micros>(offset_minutes_) * 60'000'000);
  return text.substr(0, 19);
}

std::optional<time::Micros> HostData::to_utc(std::string_view host_text) const {
  std::string text(host_text);
  if (text.size() == 10) text += " 00:00:00";
  auto local = time::from_db_text(text);
  if (!local) return std::nullopt;
  return *local - static_cast<time::Micros>(offset_minutes_) * 60'000'000;
}

HostData HostData::load(const json *section, Store &store) {
  HostData data;
  if (!section) return data;
  if (!section->is_object()) throw invalid_argument("host", "host must be an object");
  std::set<std::string> known = {"time_zone"};
  for (const auto &entity : catalog()) known.insert(entity.name);
  reject_unknown_fields(*section, "host", known,
                        " (entities: customers, contacts, users, orders, order_lines, invoices, "
                        "receivables)");
  if (section->contains("time_zone")) {
    if (!(*section)["time_zone"].is_string())
      throw invalid_argument("host.time_zone", "host.time_zone must be a string like \"+08:00\"");
    data.offset_minutes_ = parse_offset((*section)["time_zone"].get<std::string>());
  }
  store.with_connection([&](db::Connection &connection) {
    for (const auto &entity : catalog()) {
      if (!section->contains(entity.name)) continue;
      const std::string path = std::string("host.") + entity.name;
      const json &definition = (*section)[entity.name];
      if (!definition.is_object())
        throw invalid_argument(path, path + " must be an object with query (and watermark)");
      reject_unknown_fields(definition, path, {"query", "watermark"});
      if (!definition.contains("query") || !definition["query"].is_string())
        throw invalid_argument(path + ".query", path + ".query must be a SELECT statement (text)");
      std::optional<std::string> watermark;
      if (definition.contains("watermark")) {
        if (!definition["watermark"].is_string())
          throw invalid_argument(path + ".watermark", path + ".watermark must be a column name");
        watermark = definition["watermark"].get<std::string>();
      }
      try {
        auto query =
            db::HostQuery::describe(connection, entity.name, definition["query"].get<std::string>(),
                                    entity.columns, watermark);
        for (const auto &column : entity.columns)
          if (query.has(column.name))
            store.log().debug("host.{}.{}: {}", entity.name, column.name,
                              db::sql_type_name(query.sql_type(column.name)));
        data.entities_.emplace(entity.name, std::move(query));
      } catch (const db::HostMappingError &error) {
        throw invalid_argument(
            error.column().empty() ? path + ".query" : path + "." + error.column(), error.what());
      }
    }
    return 0;
  });
  if (data.mapped("order_lines") && !data.mapped("orders"))
    throw invalid_argument("host.order_lines", "host.order_lines needs host.orders as well");
  store.log().info("host mapping checked: {} entities", data.entities_.size());
  return data;
}

const HostData &of(const Store &store) {
  return store.settings<HostData>("host");
}

void register_methods(Registry &registry) {
  registry.add_section(settings_section<HostData>(
      "host", [](const json *section, Store &store) { return HostData::load(section, store); }));
}

}  // namespace crm::hostdata
