#include "interactions.hpp"

#include <spdlog/spdlog.h>

#include <map>
#include <set>

#include "../core/json_values.hpp"
#include "../core/time.hpp"
#include "../records/contact.hpp"
#include "../records/customer.hpp"
#include "../records/interaction.hpp"
#include "../records/opportunity.hpp"
#include "../records/source.hpp"

namespace crm::interactions {

namespace {

using params::Field;

const std::vector<std::string> kChannels = {"tel",   "fax", "email", "sms",  "face_to_face",
                                            "media", "web", "event", "other"};
const std::vector<std::string> kDirections = {"inbound", "outbound"};
constexpr std::size_t kMaxBatch = 10000;
namespace interaction = records::interaction;
using Item = interaction::Entry;

std::vector<Field> item_fields() {
  return {Field::id("customer_id", "the customer").require(),
          Field::enumeration("channel", kChannels, "how the contact happened").require(),
          Field::enumeration("direction", kDirections, "who started it").require(),
          Field::timestamp("occurred_at", "when it happened").require(),
          Field::string("subject", interaction::kSubjectChars, "one-line summary"),
          Field::string("body", interaction::kBodyChars, "notes, message text or work report"),
          Field::id("contact_id", "the person at the customer (a contact of that customer)"),
          Field::id("opportunity_id", "the opportunity this belongs to (of that customer)"),
          Field::string("campaign", records::source::kCodeChars,
                        "the campaign it belongs to (an active campaign's code); the first one "
                        "logged for a customer without a first touch becomes its first touch")};
}

Item read_item(const json &params) {
  return {params::id(params, "customer_id"),
          params::optional_id(params, "contact_id"),
          params::optional_id(params, "opportunity_id"),
          params::string(params, "channel"),
          params::string(params, "direction"),
          time::to_db_text(*params::optional_timestamp(params, "occurred_at")),
          params::optional_string(params, "subject"),
          params::optional_string(params, "body"),
          std::nullopt,  // set by check_references
          params::optional_string(params, "campaign")};
}

// Every referenced customer, contact and opportunity must exist, and contacts and
// opportunities must belong to the item's customer. `path(i)` names item i in errors. Each item
// is then logged for the user Actor::on_behalf_of names (the customer's owner is the
// responsible user of an interaction).
template <class Path>
void check_references(db::Connection &connection, const Actor &actor, std::vector<Item> &items,
                      Path path) {
  std::set<std::int64_t> customer_ids, contact_ids, opportunity_ids;
  for (const auto &item : items) {
    customer_ids.insert(item.customer_id);
    if (item.contact_id) contact_ids.insert(*item.contact_id);
    if (item.opportunity_id) opportunity_ids.insert(*item.opportunity_id);
  }
  auto customers = records::customer::existing(connection, actor, customer_ids);
  auto contacts = records::contact::customers_of(connection, contact_ids);
  auto opportunities = records::opportunity::customers_of(connection, opportunity_ids);
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
  std::map<std::string, bool> campaigns;  // code -> whether it is active
  for (const auto &item : items)
    if (item.campaign && !campaigns.count(*item.campaign)) {
      auto campaign = records::source::find_campaign(connection, *item.campaign);
      if (campaign) campaigns[*item.campaign] = campaign->active;
    }
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto &item = items[i];
    if (item.campaign) {
      auto campaign = campaigns.find(*item.campaign);
      if (campaign == campaigns.end())
        throw not_found(path(i) + ".campaign", "no campaign with code \"" + *item.campaign +
                                                   "\" (campaign.create adds one)");
      if (!campaign->second)
        throw invalid_argument(path(i) + ".campaign", "campaign \"" + *item.campaign +
                                                          "\" is inactive: new interactions "
                                                          "cannot join it");
    }
    auto customer = customers.find(item.customer_id);
    if (customer == customers.end())
      throw not_found(path(i) + ".customer_id",
                      "no customer with id " + std::to_string(item.customer_id));
    if (!customer->second.visible)
      throw records::customer::not_visible(path(i) + ".customer_id", item.customer_id);
    item.on_behalf_of = actor.on_behalf_of(customer->second.owner, item.customer_id);
    check_owned(contacts, item.contact_id, item, i, "contact_id", "contact");
    check_owned(opportunities, item.opportunity_id, item, i, "opportunity_id", "opportunity");
  }
}

using json_values::instant;
using json_values::nullable;

json optional_id(const std::optional<std::int64_t> &id) {
  return id ? json(std::to_string(*id)) : json(nullptr);
}

json row_to_json(const interaction::Row &row) {
  return {{"id", std::to_string(row.id)},
          {"customer_id", std::to_string(row.customer_id)},
          {"contact_id", optional_id(row.contact_id)},
          {"opportunity_id", optional_id(row.opportunity_id)},
          {"channel", row.channel},
          {"direction", row.direction},
          {"occurred_at", instant(row.occurred_at)},
          {"subject", nullable(row.subject)},
          {"body", nullable(row.body)},
          {"logged_at", instant(row.logged_at)},
          {"logged_by", row.logged_by},
          {"on_behalf_of", nullable(row.on_behalf_of)},
          {"campaign", nullable(row.campaign)}};
}

// Writes items all or nothing; returns the first id.
std::int64_t write_items(CallContext &context, db::Connection &connection, std::vector<Item> &items,
                         const std::function<std::string(std::size_t)> &path) {
  auto &store = context.store;
  // References are checked before ids are reserved, so that a rejected call leaves the
  // database exactly as it was; the foreign keys still guard the insert itself.
  check_references(connection, context.actor, items, path);
  const std::int64_t first_id =
      store.ids().reserve(connection, "interaction", static_cast<std::int64_t>(items.size()));
  const std::string logged_at = time::to_db_text(time::now());
  json touched = json::array();
  for (const auto &item : items)
    if (item.campaign) touched.push_back(item.customer_id);
  store.transact(connection, [&] {
    interaction::insert(connection, items, first_id, logged_at, context.user);
    if (!touched.empty())
      records::customer::take_first_touch_from_interactions(connection, touched.dump());
    std::vector<LoggedInteraction> logged;
    logged.reserve(items.size());
    for (const auto &item : items)
      logged.push_back({item.customer_id, item.on_behalf_of.value_or(context.user)});
    registry().interactions_logged(context, connection, logged);
  });
  return first_id;
}

json log_one(CallContext &context, const json &params) {
  std::vector<Item> items = {read_item(params)};
  return context.store.with_connection([&](db::Connection &connection) {
    auto id = write_items(context, connection, items, [](std::size_t) { return "params"; });
    return row_to_json(*interaction::find(connection, id));
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
  const auto channel = params::optional_string(params, "channel");
  return context.store.with_connection([&](db::Connection &connection) {
    records::customer::require_visible(connection, context.actor, customer_id,
                                       "params.customer_id");
    return interaction::page(connection, customer_id, channel, params, limit, row_to_json);
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
                     {"logged_by", rs::string()},
                     {"on_behalf_of", rs::nullable(rs::string())},
                     {"campaign", rs::nullable(rs::string())}});
}

}  // namespace

void register_methods(Registry &registry) {
  namespace rs = result_schema;
  registry.add({"interaction.log", "Records one interaction with a customer.", item_fields(),
                schema(), log_one, "interaction.write"});
  registry.add({"interaction.log_batch",
                "Records up to 10000 interactions in one transaction: all or none.",
                {Field::array("items", kMaxBatch, item_fields(),
                              "interactions, each with the fields of interaction.log")
                     .require()},
                rs::object({{"count", rs::integer()}, {"ids", rs::array(rs::id())}}),
                log_batch,
                "interaction.write"});
  registry.add({"interaction.list",
                "A customer's interactions, newest first; keyset pages.",
                {Field::id("customer_id", "customer id").require(),
                 Field::enumeration("channel", kChannels, "only this channel"),
                 Field::limit(50, 500), Field::cursor()},
                rs::page(schema()),
                list,
                "interaction.read"});
}

}  // namespace crm::interactions
