#include "customers.hpp"

#include <spdlog/spdlog.h>

#include "../assignment/assignment.hpp"
#include "../classification/classification.hpp"
#include "../core/json_values.hpp"
#include "../core/time.hpp"
#include "../organisation/directory.hpp"
#include "../records/customer.hpp"
#include "../records/ledger.hpp"
#include "../records/source.hpp"

namespace crm::customers {

namespace {

using params::Field;

const std::vector<std::string> kKinds = {"company", "person"};
const std::vector<std::string> kStages = {"unidentified", "potential", "opportunity",
                                          "customer",     "repeat",    "disqualified"};
constexpr std::size_t kAttributesBytes = 64 * 1024;

namespace record = records::customer;

std::vector<Field> profile_fields(bool creating) {
  std::vector<Field> fields;
  Field name = Field::string("name", record::kNameChars, "company or person name");
  fields.push_back(creating ? std::move(name).require() : std::move(name).not_null());
  fields.push_back(
      Field::enumeration("kind", kKinds, "company or person (default company)").not_null());
  fields.push_back(Field::string("phone", record::kPhoneChars, "main phone number"));
  fields.push_back(Field::string("email", record::kEmailChars, "main e-mail address").as_email());
  fields.push_back(Field::string("address", record::kAddressChars, "postal address"));
  fields.push_back(Field::string("region", record::kRegionChars, "sales region or territory"));
  fields.push_back(Field::string("industry", record::kIndustryChars, "industry / business type"));
  fields.push_back(Field::user(
      "owner", creating ? "owning host user (default: the session's user)" : "owning host user"));
  fields.push_back(Field::string("queue", record::kQueueChars,
                                 "the team queue the customer waits in until a member takes it "
                                 "(a team key; without an owner given, the customer then has "
                                 "none)"));
  fields.push_back(Field::string("source", record::kSourceChars,
                                 "where the customer came from (web, event ...)"));
  fields.push_back(Field::object("attributes", kAttributesBytes, "free attributes"));
  if (creating) {
    fields.push_back(Field::string("first_touch_source", record::kCodeChars,
                                   "the first touch's source: an active source's code (default: "
                                   "the campaign's source; without either, the first interaction "
                                   "logged with a campaign sets it)"));
    fields.push_back(Field::string("first_touch_campaign", record::kCodeChars,
                                   "the first touch's campaign: an active campaign's code, of "
                                   "first_touch_source when both are given"));
    fields.push_back(Field::timestamp(
        "first_touch_at", "when the first touch happened, not in the future (default: now)"));
  }
  return fields;
}

// The first touch a caller gives: known, active codes that agree with each other, at a time
// that has happened. Checked before anything is written.
void check_first_touch(db::Connection &connection, std::optional<std::string> &source,
                       const std::optional<std::string> &campaign,
                       const std::optional<time::Micros> &at, time::Micros now) {
  if (at && *at > now)
    throw invalid_argument("params.first_touch_at", "params.first_touch_at is in the future");
  if (campaign) {
    auto found = records::source::find_campaign(connection, *campaign);
    if (!found)
      throw not_found("params.first_touch_campaign",
                      "no campaign with code \"" + *campaign + "\" (campaign.create adds one)");
    if (!found->active)
      throw invalid_argument("params.first_touch_campaign",
                             "campaign \"" + *campaign + "\" is inactive");
    if (source && *source != found->source_code)
      throw invalid_argument("params.first_touch_campaign",
                             "campaign \"" + *campaign + "\" runs through source \"" +
                                 found->source_code + "\", not \"" + *source + "\"");
    source = found->source_code;
  }
  if (source) {
    auto found = records::source::find_source(connection, *source);
    if (!found)
      throw not_found("params.first_touch_source",
                      "no source with code \"" + *source + "\" (source.create adds one)");
    if (!found->active && !campaign)
      throw invalid_argument("params.first_touch_source", "source \"" + *source + "\" is inactive");
  }
}

using json_values::instant;
using json_values::nullable;

json row_to_json(const record::Row &row, Store &store) {
  json attributes = json::parse(row.attributes, nullptr, false);
  if (attributes.is_discarded() || !attributes.is_object()) {
    store.log().warn("customer {} has unreadable attributes; returning {{}}", row.id);
    attributes = json::object();
  }
  json classified =
      classification::to_json(store, row.business_class, row.class_rule, row.classified_at);
  return {{"id", std::to_string(row.id)},
          {"name", row.name},
          {"kind", row.kind},
          {"phone", nullable(row.phone)},
          {"email", nullable(row.email)},
          {"address", nullable(row.address)},
          {"region", nullable(row.region)},
          {"industry", nullable(row.industry)},
          {"stage", row.stage},
          {"owner", nullable(row.owner)},
          {"queue", nullable(row.queue)},
          {"source", nullable(row.source)},
          {"host_key", nullable(row.host_key)},
          {"created_at", instant(row.created_at)},
          {"created_by", row.created_by},
          {"updated_at", instant(row.updated_at)},
          {"updated_by", row.updated_by},
          {"updated_on_behalf_of", nullable(row.updated_on_behalf_of)},
          {"version", row.version},
          {"attributes", std::move(attributes)},
          {"classification", std::move(classified)},
          {"first_touch",
           {{"source", nullable(row.first_touch_source)},
            {"campaign", nullable(row.first_touch_campaign)},
            {"at", instant(row.first_touch_at)}}},
          {"lifecycle",
           {{"since", instant(row.stage_changed_at)},
            {"dormant_since", instant(row.dormant_since)},
            {"first_order_at", instant(row.first_order_at)},
            {"last_order_at", instant(row.last_order_at)}}}};
}

record::Row find_existing(db::Connection &connection, const Actor &actor, std::int64_t id) {
  auto row = record::find(connection, actor, id);
  if (!row) throw not_found("params.id", "no customer with id " + std::to_string(id));
  return *row;
}

json load_existing(db::Connection &connection, const Actor &actor, std::int64_t id, Store &store) {
  return row_to_json(find_existing(connection, actor, id), store);
}

// A queue is a team's, and only the team's members (or those who see every customer) may put
// a customer in it.
void check_queue(db::Connection &connection, const Actor &actor,
                 const std::optional<std::string> &queue) {
  if (!queue) return;
  if (!organisation::find_team(connection, *queue))
    throw not_found("params.queue", "no team with key \"" + *queue + "\" (team.create adds one)");
  if (!actor.may_queue(*queue))
    throw Error(Status::permission_denied,
                "you may not queue customers for team \"" + *queue + "\": you are not a member",
                "params.queue");
}

// A user may give a customer only to an owner whose customers the user sees: a salesperson
// keeps what they create, a manager may assign within their team and below.
void check_owner(const Actor &actor, const std::optional<std::string> &owner) {
  if (owner && !actor.may_own(*owner))
    throw Error(Status::permission_denied,
                "you may not make \"" + *owner +
                    "\" the owner: only users whose customers you see (ownership.transfer "
                    "moves customers between others)",
                "params.owner");
}

json create(CallContext &context, const json &params) {
  auto &store = context.store;
  const auto now_instant = time::now();
  const auto now = time::to_db_text(now_instant);
  const auto queue = params::optional_string(params, "queue");
  // Neither owner nor queue given: the assignment rules of event create decide, when one matches.
  const bool by_rules = !params.contains("owner") && !params.contains("queue");
  const auto owner = params.contains("owner") || !queue
                         ? params::optional_string(params, "owner").value_or(context.user)
                         : std::optional<std::string>();
  check_owner(context.actor, owner);
  auto touch_source = params::optional_string(params, "first_touch_source");
  const auto touch_campaign = params::optional_string(params, "first_touch_campaign");
  const auto touch_at = params::optional_timestamp(params, "first_touch_at");
  return store.with_connection([&](db::Connection &connection) {
    // Checked before ids are reserved, so that a refused call leaves the database as it was.
    check_queue(connection, context.actor, queue);
    check_first_touch(connection, touch_source, touch_campaign, touch_at, now_instant);
    const std::int64_t id = store.ids().reserve(connection, "customer");
    const std::int64_t event_id = store.ids().reserve(connection, "lifecycle_event");
    const auto stage = params::optional_string(params, "stage").value_or("unidentified");
    const std::int64_t decision_id = by_rules ? store.ids().reserve(connection, "assignment") : 0;
    bool hidden = false;
    store.transact(connection, [&] {
      // Counts of the people's loads read after the rule's lock see every assignment committed.
      if (auto statement = connection.dialect().lock_only_rows_written();
          by_rules && !statement.empty())
        connection.execute_direct(std::string(statement));
      record::NewRow customer;
      customer.id = id;
      customer.name = params::string(params, "name");
      customer.kind = params::optional_string(params, "kind").value_or("company");
      customer.stage = stage;
      customer.phone = params::optional_string(params, "phone");
      customer.email = params::optional_string(params, "email");
      customer.address = params::optional_string(params, "address");
      customer.region = params::optional_string(params, "region");
      customer.industry = params::optional_string(params, "industry");
      customer.queue = queue;
      customer.owner = owner;
      customer.source = params::optional_string(params, "source");
      if (params.contains("attributes") && !params["attributes"].is_null())
        customer.attributes = to_text(params["attributes"]);
      customer.at = now;
      customer.by = context.user;
      // A new customer is its owner's: created for the owner when that is a delegator's.
      customer.on_behalf_of = context.actor.on_behalf_of(owner, id);
      customer.first_touch_source = touch_source;
      customer.first_touch_campaign = touch_campaign;
      if (touch_at) customer.first_touch_at = time::to_db_text(*touch_at);
      std::optional<assignment::Outcome> assigned;
      if (by_rules) {
        assignment::Assigner assigner(connection, "create", now, true);
        if (assigner.any_rules()) {
          assignment::Facts facts;
          facts.customer_id = id;
          facts.region = customer.region;
          facts.industry = customer.industry;
          facts.source = customer.first_touch_source;
          facts.stage = stage;
          assigned = assigner.decide(facts);
          if (assigned->rule_code) {
            customer.owner = assigned->owner;
            customer.queue = assigned->queue;
            customer.on_behalf_of = context.actor.on_behalf_of(customer.owner, id);
            assigner.finish();
          }
        }
      }
      // The creator may not see what the rules gave to somebody else: the result is still theirs.
      hidden = !context.actor.may_own(customer.owner.value_or("")) &&
               !(customer.queue && context.actor.may_queue(*customer.queue));
      record::insert(connection, {customer});
      if (assigned && assigned->rule_code)
        assignment::record(connection, decision_id, "create", {id}, {*assigned}, now, context.user);
      records::ledger::Event created;
      created.customer_id = id;
      created.to_stage = stage;
      created.occurred_at = now;
      created.actor = context.user;
      created.on_behalf_of = customer.on_behalf_of;
      created.reason_code = "created";
      created.owner_after = customer.owner;
      records::ledger::append(store, connection, {created}, event_id);
      registry().customers_changed(context, connection, {id});
    });
    store.log().info("customer {} created by {}", id, context.user);
    if (!hidden) return load_existing(connection, context.actor, id, store);
    Actor creator = context.actor;
    creator.sees_all = true;
    return load_existing(connection, creator, id, store);
  });
}

json get(CallContext &context, const json &params) {
  const auto id = params::id(params, "id");
  return context.store.with_connection([&](db::Connection &connection) {
    return load_existing(connection, context.actor, id, context.store);
  });
}

json update(CallContext &context, const json &params) {
  const auto id = params::id(params, "id");
  const auto version = *params::optional_integer(params, "version");
  record::ProfileChange change;
  if (params.contains("name")) change.name = params::string(params, "name");
  if (params.contains("kind")) change.kind = params::string(params, "kind");
  auto text = [&](const char *name, std::optional<record::Text> &member) {
    if (params.contains(name)) member = params::optional_string(params, name);
  };
  text("phone", change.phone);
  text("email", change.email);
  text("address", change.address);
  text("region", change.region);
  text("industry", change.industry);
  text("owner", change.owner);
  text("source", change.source);
  text("queue", change.queue);
  if (params.contains("attributes"))
    change.attributes =
        params["attributes"].is_null() ? std::string("{}") : to_text(params["attributes"]);
  if (change.empty())
    throw invalid_argument("params", "customer.update needs at least one field to change");
  const auto now = time::to_db_text(time::now());
  auto &store = context.store;
  return store.with_connection([&](db::Connection &connection) {
    return store.transact(connection, [&] {
      // Visibility first: a stale version of a customer the user does not see must not tell
      // the user its current version.
      const auto before = find_existing(connection, context.actor, id);
      if (change.owner) check_owner(context.actor, *change.owner);
      if (change.queue) check_queue(connection, context.actor, *change.queue);
      if (!record::update_profile(connection, id, version, change, now, context.user,
                                  context.actor.on_behalf_of(before.owner, id))) {
        auto current = load_existing(connection, context.actor, id, store);
        throw conflict("params.version",
                       "customer " + std::to_string(id) +
                           " was changed meanwhile: it is at version " +
                           std::to_string(current["version"].get<std::int64_t>()) +
                           ", the update was made against version " + std::to_string(version));
      }
      // A new owner takes over the customer's plan tasks (tasks follow, in this transaction).
      if (params.contains("owner")) registry().customers_changed(context, connection, {id});
      return load_existing(connection, context.actor, id, store);
    });
  });
}

json link_host(CallContext &context, const json &params) {
  const auto id = params::id(params, "id");
  const auto host_key = params::string(params, "host_key");
  auto &store = context.store;
  return store.with_connection([&](db::Connection &connection) {
    return store.transact(connection, [&] {
      const auto before = find_existing(connection, context.actor, id);
      if (before.host_key == host_key) return row_to_json(before, store);
      if (auto other = record::id_of_host_key(connection, host_key)) {
        // Which customer holds the key is told only to a user who may see that customer.
        const auto seen = record::existing(connection, context.actor, {*other});
        const bool visible = seen.count(*other) && seen.at(*other).visible;
        throw conflict("params.host_key",
                       "host key \"" + host_key + "\" is already linked to " +
                           (visible ? "customer " + std::to_string(*other) : "another customer"));
      }
      record::set_host_key(connection, id, host_key, time::to_db_text(time::now()), context.user,
                           context.actor.on_behalf_of(before.owner, id));
      return load_existing(connection, context.actor, id, store);
    });
  });
}

json list(CallContext &context, const json &params) {
  const auto limit = params::limit(params, 50);
  record::ListFilter filter;
  filter.stage = params::optional_string(params, "stage");
  filter.owner = params::optional_string(params, "owner");
  filter.queue = params::optional_string(params, "queue");
  filter.search = params::optional_string(params, "search");
  return context.store.with_connection([&](db::Connection &connection) {
    return record::page(connection, context.actor, filter, params, limit,
                        [&](const record::Row &row) { return row_to_json(row, context.store); });
  });
}

}  // namespace

json schema() {
  namespace rs = result_schema;
  const json text = rs::nullable(rs::string());
  return rs::object(
      {{"id", rs::id()},
       {"name", rs::string()},
       {"kind", rs::enumeration(kKinds)},
       {"phone", text},
       {"email", text},
       {"address", text},
       {"region", text},
       {"industry", text},
       {"stage", rs::enumeration(kStages)},
       {"owner", text},
       {"queue", text},
       {"source", text},
       {"host_key", text},
       {"created_at", rs::timestamp()},
       {"created_by", rs::string()},
       {"updated_at", rs::timestamp()},
       {"updated_by", rs::string()},
       {"updated_on_behalf_of", text},
       {"version", rs::integer()},
       {"attributes", rs::free_object()},
       {"classification", classification::schema()},
       {"first_touch",
        rs::object({{"source", text}, {"campaign", text}, {"at", rs::nullable(rs::timestamp())}})},
       {"lifecycle", rs::object({{"since", rs::nullable(rs::timestamp())},
                                 {"dormant_since", rs::nullable(rs::timestamp())},
                                 {"first_order_at", rs::nullable(rs::timestamp())},
                                 {"last_order_at", rs::nullable(rs::timestamp())}})}});
}

void register_methods(Registry &registry) {
  auto create_fields = profile_fields(true);
  create_fields.push_back(
      Field::enumeration("stage", kStages, "initial lifecycle stage (default unidentified)")
          .not_null());
  registry.add({"customer.create", "Creates a customer; returns it with its id and version 1.",
                create_fields, schema(), create, "customer.write"});
  registry.add({"customer.get",
                "Returns one customer.",
                {Field::id("id", "customer id").require()},
                schema(),
                get,
                "customer.read"});
  auto update_fields = profile_fields(false);
  update_fields.insert(update_fields.begin(),
                       {Field::id("id", "customer id").require(),
                        Field::integer("version", 1, INT64_MAX,
                                       "the version the change is based on; a newer one in the "
                                       "database makes this a conflict")
                            .require()});
  registry.add({"customer.update",
                "Changes profile fields (null clears an optional one); optimistic on version.",
                update_fields, schema(), update, "customer.write"});
  registry.add({"customer.list",
                "Lists customers by id, filtered by stage, owner and a text search on name, "
                "phone and e-mail; keyset pages.",
                {Field::enumeration("stage", kStages, "only customers in this lifecycle stage"),
                 Field::user("owner", "only customers of this owner"),
                 Field::string("queue", record::kQueueChars, "only customers in this team queue"),
                 Field::string("search", 100, "text contained in name, phone or e-mail"),
                 Field::limit(50, 500), Field::cursor()},
                result_schema::page(schema()),
                list,
                "customer.read"});
  registry.add(
      {"customer.link_host",
       "Ties a customer to the host ERP's customer key (one customer per key).",
       {Field::id("id", "customer id").require(),
        Field::string("host_key", record::kHostKeyChars, "the host ERP's customer key").require()},
       schema(),
       link_host,
       "customer.write"});
}

}  // namespace crm::customers
