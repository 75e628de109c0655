#include "sources.hpp"

#include <spdlog/spdlog.h>

#include "../core/json_values.hpp"
#include "../core/money.hpp"
#include "../core/text.hpp"
#include "../core/time.hpp"
#include "../records/customer.hpp"
#include "../records/source.hpp"
#include "report.hpp"

namespace crm::sources {

namespace {

using params::Field;
namespace record = records::source;
using json_values::instant;
using json_values::nullable;

constexpr std::size_t kMaxHistory = 1000;

// ---- parameters --------------------------------------------------------------------------------

Field code_field(const char *name, std::string description) {
  return Field::string(name, record::kCodeChars, std::move(description)).not_null();
}

// A code names a row for ever (customers and interactions keep it): no control characters and no
// spaces at either end, so that what a user sees is what matches.
std::string code_param(const json &params, const char *name) {
  const auto code = params::string(params, name);
  const std::string field = std::string("params.") + name;
  if (text::has_control_characters(code) || code.find_first_of("\t\r\n") != std::string::npos)
    throw invalid_argument(field, field + " must not contain control characters");
  if (code.front() == ' ' || code.back() == ' ')
    throw invalid_argument(field, field + " must not begin or end with a space");
  return code;
}

std::optional<bool> optional_flag(const json &params, const char *name) {
  if (!params.contains(name) || params[name].is_null()) return std::nullopt;
  return params[name].get<bool>();
}

// "YYYY-MM-DD", a real calendar date.
std::string date_param(const json &params, const char *name) {
  const auto text = params::string(params, name);
  if (!time::parse_date(text))
    throw invalid_argument(std::string("params.") + name,
                           std::string("params.") + name +
                               " must be a calendar date written YYYY-MM-DD, e.g. 2026-12-31");
  return text;
}

money::Minor cost_param(const json &params) {
  auto text = params::optional_string(params, "cost");
  if (!text) return 0;
  auto value = money::parse(*text, "params.cost");
  if (value < 0) throw invalid_argument("params.cost", "params.cost must not be negative");
  return value;
}

Error version_conflict(const std::string &noun, const std::string &code, std::int64_t current,
                       std::int64_t given) {
  return conflict("params.version",
                  noun + " \"" + code + "\" was changed meanwhile: it is at version " +
                      std::to_string(current) + ", the change was made against version " +
                      std::to_string(given));
}

// ---- JSON --------------------------------------------------------------------------------------

json stamp_json(const record::Stamp &stamp) {
  return {{"created_at", instant(stamp.created_at)},
          {"created_by", stamp.created_by},
          {"updated_at", instant(stamp.updated_at)},
          {"updated_by", stamp.updated_by},
          {"version", stamp.version}};
}

json source_json(const record::Source &source) {
  json out = {{"code", source.code},
              {"name", source.name},
              {"channel", source.channel},
              {"kind", source.kind},
              {"active", source.active}};
  out.update(stamp_json(source.stamp));
  return out;
}

json campaign_json(const record::Campaign &campaign) {
  json out = {{"code", campaign.code},       {"source", campaign.source_code},
              {"name", campaign.name},       {"starts_on", campaign.starts_on},
              {"ends_on", campaign.ends_on}, {"cost", money::format(campaign.cost_minor)},
              {"active", campaign.active}};
  out.update(stamp_json(campaign.stamp));
  return out;
}

json touch_json(const record::FirstTouch &touch) {
  return {{"source", nullable(touch.source)},
          {"campaign", nullable(touch.campaign)},
          {"at", instant(touch.at)}};
}

json change_json(const record::Change &change) {
  return {{"id", std::to_string(change.id)},
          {"customer_id", std::to_string(change.customer_id)},
          {"before", touch_json(change.before)},
          {"after", touch_json(change.after)},
          {"reason", change.reason},
          {"changed_at", instant(change.changed_at)},
          {"changed_by", change.changed_by}};
}

// ---- sources -----------------------------------------------------------------------------------

record::Source require_source(db::Connection &connection, const std::string &code,
                              const std::string &field) {
  auto found = record::find_source(connection, code);
  if (!found)
    throw not_found(field, "no source with code \"" + code + "\" (source.create adds one)");
  return *found;
}

record::Campaign require_campaign(db::Connection &connection, const std::string &code,
                                  const std::string &field) {
  auto found = record::find_campaign(connection, code);
  if (!found)
    throw not_found(field, "no campaign with code \"" + code + "\" (campaign.create adds one)");
  return *found;
}

json source_create(CallContext &context, const json &params) {
  record::Source source;
  source.code = code_param(params, "code");
  source.name = params::string(params, "name");
  source.channel = params::string(params, "channel");
  source.kind = params::string(params, "kind");
  const auto now = time::to_db_text(time::now());
  return context.store.with_connection([&](db::Connection &connection) {
    context.store.transact(connection, [&] {
      if (record::find_source(connection, source.code))
        throw conflict("params.code", "a source with code \"" + source.code + "\" exists");
      record::insert(connection, source, now, context.user);
    });
    context.store.log().info("source {} created by {}", source.code, context.user);
    return source_json(require_source(connection, source.code, "params.code"));
  });
}

json source_update(CallContext &context, const json &params) {
  const auto code = params::string(params, "code");
  const auto version = *params::optional_integer(params, "version");
  const auto now = time::to_db_text(time::now());
  bool any = false;
  for (const char *name : {"name", "channel", "kind", "active"})
    any = any || (params.contains(name) && !params[name].is_null());
  if (!any)
    throw invalid_argument("params",
                           "source.update needs at least one of name, channel, kind, "
                           "active");
  return context.store.with_connection([&](db::Connection &connection) {
    context.store.transact(connection, [&] {
      auto source = require_source(connection, code, "params.code");
      if (source.stamp.version != version)
        throw version_conflict("source", code, source.stamp.version, version);
      if (auto name = params::optional_string(params, "name")) source.name = *name;
      if (auto channel = params::optional_string(params, "channel")) source.channel = *channel;
      if (auto kind = params::optional_string(params, "kind")) source.kind = *kind;
      if (auto active = optional_flag(params, "active")) source.active = *active;
      if (!record::update(connection, source, version, now, context.user))
        throw version_conflict("source", code, version + 1, version);
    });
    return source_json(require_source(connection, code, "params.code"));
  });
}

json source_list(CallContext &context, const json &params) {
  record::SourceFilter filter;
  filter.active = optional_flag(params, "active");
  filter.kind = params::optional_string(params, "kind");
  filter.channel = params::optional_string(params, "channel");
  const auto limit = params::limit(params, 100);
  return context.store.with_connection([&](db::Connection &connection) {
    return record::page(connection, filter, params, limit, source_json);
  });
}

// ---- campaigns ---------------------------------------------------------------------------------

void check_period(const record::Campaign &campaign) {
  if (campaign.ends_on < campaign.starts_on)
    throw invalid_argument("params.ends_on", "params.ends_on (" + campaign.ends_on +
                                                 ") is before starts_on (" + campaign.starts_on +
                                                 ")");
}

json campaign_create(CallContext &context, const json &params) {
  record::Campaign campaign;
  campaign.code = code_param(params, "code");
  campaign.source_code = params::string(params, "source");
  campaign.name = params::string(params, "name");
  campaign.starts_on = date_param(params, "starts_on");
  campaign.ends_on = date_param(params, "ends_on");
  campaign.cost_minor = cost_param(params);
  check_period(campaign);
  const auto now = time::to_db_text(time::now());
  return context.store.with_connection([&](db::Connection &connection) {
    context.store.transact(connection, [&] {
      const auto source = require_source(connection, campaign.source_code, "params.source");
      if (!source.active)
        throw invalid_argument("params.source", "source \"" + source.code +
                                                    "\" is inactive: new campaigns cannot use it");
      if (record::find_campaign(connection, campaign.code))
        throw conflict("params.code", "a campaign with code \"" + campaign.code + "\" exists");
      record::insert(connection, campaign, now, context.user);
    });
    context.store.log().info("campaign {} created by {}", campaign.code, context.user);
    return campaign_json(require_campaign(connection, campaign.code, "params.code"));
  });
}

json campaign_update(CallContext &context, const json &params) {
  const auto code = params::string(params, "code");
  const auto version = *params::optional_integer(params, "version");
  const auto now = time::to_db_text(time::now());
  bool any = false;
  for (const char *name : {"name", "starts_on", "ends_on", "cost", "active"})
    any = any || (params.contains(name) && !params[name].is_null());
  if (!any)
    throw invalid_argument("params",
                           "campaign.update needs at least one of name, starts_on, "
                           "ends_on, cost, active");
  std::optional<std::string> starts_on, ends_on;
  if (params.contains("starts_on") && !params["starts_on"].is_null())
    starts_on = date_param(params, "starts_on");
  if (params.contains("ends_on") && !params["ends_on"].is_null())
    ends_on = date_param(params, "ends_on");
  std::optional<money::Minor> cost;
  if (params.contains("cost") && !params["cost"].is_null()) cost = cost_param(params);
  return context.store.with_connection([&](db::Connection &connection) {
    context.store.transact(connection, [&] {
      auto campaign = require_campaign(connection, code, "params.code");
      if (campaign.stamp.version != version)
        throw version_conflict("campaign", code, campaign.stamp.version, version);
      if (auto name = params::optional_string(params, "name")) campaign.name = *name;
      if (starts_on) campaign.starts_on = *starts_on;
      if (ends_on) campaign.ends_on = *ends_on;
      if (cost) campaign.cost_minor = *cost;
      if (auto active = optional_flag(params, "active")) campaign.active = *active;
      check_period(campaign);
      if (!record::update(connection, campaign, version, now, context.user))
        throw version_conflict("campaign", code, version + 1, version);
    });
    return campaign_json(require_campaign(connection, code, "params.code"));
  });
}

json campaign_list(CallContext &context, const json &params) {
  record::CampaignFilter filter;
  filter.active = optional_flag(params, "active");
  filter.source_code = params::optional_string(params, "source");
  const auto limit = params::limit(params, 100);
  return context.store.with_connection([&](db::Connection &connection) {
    return record::page(connection, filter, params, limit, campaign_json);
  });
}

// ---- first touch -------------------------------------------------------------------------------

record::FirstTouch touch_of(const records::customer::Row &row) {
  return {row.first_touch_source, row.first_touch_campaign, row.first_touch_at};
}

json first_touch_correct(CallContext &context, const json &params) {
  const auto id = params::id(params, "id");
  auto source = params::optional_string(params, "source");
  const auto campaign = params::optional_string(params, "campaign");
  const auto at = params::optional_timestamp(params, "at");
  const auto reason = params::string(params, "reason");
  const auto now_instant = time::now();
  const auto now = time::to_db_text(now_instant);
  if (at && *at > now_instant) throw invalid_argument("params.at", "params.at is in the future");
  auto &store = context.store;
  return store.with_connection([&](db::Connection &connection) {
    // Codes and visibility are checked before the id is reserved, so that a refused call leaves
    // the database as it was.
    auto row = records::customer::find(connection, context.actor, id);
    if (!row) throw not_found("params.id", "no customer with id " + std::to_string(id));
    if (campaign) {
      const auto found = require_campaign(connection, *campaign, "params.campaign");
      if (source && *source != found.source_code)
        throw invalid_argument("params.campaign",
                               "campaign \"" + *campaign + "\" runs through source \"" +
                                   found.source_code + "\", not \"" + *source + "\"");
      source = found.source_code;
    }
    if (source) require_source(connection, *source, "params.source");
    record::Change change;
    change.customer_id = id;
    change.reason = reason;
    change.changed_at = now;
    change.changed_by = context.user;
    change.id = store.ids().reserve(connection, "first_touch_change");
    store.transact(connection, [&] {
      // Read again inside the transaction: the values before are the ones replaced.
      row = records::customer::find(connection, context.actor, id);
      if (!row) throw not_found("params.id", "no customer with id " + std::to_string(id));
      change.before = touch_of(*row);
      change.after = {source, campaign,
                      at ? std::optional(time::to_db_text(*at)) : row->first_touch_at};
      if (!change.after.at) change.after.at = row->created_at;
      records::customer::set_first_touch(connection, id, change.after.source, change.after.campaign,
                                         *change.after.at, now, context.user,
                                         context.actor.on_behalf_of(row->owner, id));
      record::insert(connection, change);
    });
    store.log().info("first touch of customer {} corrected by {}", id, context.user);
    auto changes = record::changes_of(connection, id, 1);
    return json{{"customer_id", std::to_string(id)},
                {"first_touch", touch_json(changes.front().after)},
                {"change", change_json(changes.front())}};
  });
}

json first_touch_history(CallContext &context, const json &params) {
  const auto id = params::id(params, "id");
  const auto limit = params::limit(params, 100);
  return context.store.with_connection([&](db::Connection &connection) {
    auto row = records::customer::find(connection, context.actor, id);
    if (!row) throw not_found("params.id", "no customer with id " + std::to_string(id));
    json changes = json::array();
    for (const auto &change : record::changes_of(connection, id, limit))
      changes.push_back(change_json(change));
    return json{{"customer_id", std::to_string(id)},
                {"first_touch", touch_json(touch_of(*row))},
                {"changes", std::move(changes)}};
  });
}

// ---- schemas -----------------------------------------------------------------------------------

namespace rs = result_schema;

result_schema::Members stamp_schema() {
  return {{"created_at", rs::timestamp()},
          {"created_by", rs::string()},
          {"updated_at", rs::timestamp()},
          {"updated_by", rs::string()},
          {"version", rs::integer()}};
}

json source_schema() {
  auto members = stamp_schema();
  members.insert(members.begin(), {{"code", rs::string()},
                                   {"name", rs::string()},
                                   {"channel", rs::enumeration(kChannels)},
                                   {"kind", rs::enumeration(kKinds)},
                                   {"active", rs::boolean()}});
  return rs::object(members);
}

json campaign_schema() {
  auto members = stamp_schema();
  members.insert(members.begin(), {{"code", rs::string()},
                                   {"source", rs::string()},
                                   {"name", rs::string()},
                                   {"starts_on", rs::date()},
                                   {"ends_on", rs::date()},
                                   {"cost", rs::money()},
                                   {"active", rs::boolean()}});
  return rs::object(members);
}

json touch_schema() {
  const json code = rs::nullable(rs::string());
  return rs::object({{"source", code}, {"campaign", code}, {"at", rs::nullable(rs::timestamp())}});
}

json change_schema() {
  return rs::object({{"id", rs::id()},
                     {"customer_id", rs::id()},
                     {"before", touch_schema()},
                     {"after", touch_schema()},
                     {"reason", rs::string()},
                     {"changed_at", rs::timestamp()},
                     {"changed_by", rs::string()}});
}

}  // namespace

void register_methods(Registry &registry) {
  const auto name = Field::string("name", record::kNameChars, "display name").not_null();
  const auto channel =
      Field::enumeration("channel", kChannels, "the channel its contacts arrive on").not_null();
  const auto kind = Field::enumeration("kind", kKinds, "what kind of source it is").not_null();
  const auto active = Field::boolean("active",
                                     "whether new leads, campaigns and interactions may "
                                     "name it (inactive ones stay on what names them)");
  const auto version =
      Field::integer("version", 1, INT64_MAX, "the version the change was made against").require();
  registry.add(
      {"source.create",
       "Adds a source to the dictionary of where leads come from.",
       {code_field("code", "the source's code, unique and permanent").require(),
        Field::string("name", record::kNameChars, "display name").require(),
        Field::enumeration("channel", kChannels, "the channel its contacts arrive on").require(),
        Field::enumeration("kind", kKinds, "what kind of source it is").require()},
       source_schema(),
       source_create,
       "source.write"});
  registry.add(
      {"source.update",
       "Changes a source's name, channel, kind or state (optimistic: give its version).",
       {code_field("code", "the source's code").require(), version, name, channel, kind, active},
       source_schema(),
       source_update,
       "source.write"});
  registry.add({"source.list",
                "The sources, by code; keyset pages.",
                {Field::boolean("active", "only active (true) or inactive (false) ones"),
                 Field::enumeration("kind", kKinds, "only this kind"),
                 Field::enumeration("channel", kChannels, "only this channel"),
                 Field::limit(100, 1000), Field::cursor()},
                rs::page(source_schema()),
                source_list,
                "source.read"});
  registry.add(
      {"campaign.create",
       "Adds a campaign run through a source, with its period and cost.",
       {code_field("code", "the campaign's code, unique and permanent").require(),
        code_field("source", "the code of the source it runs through").require(),
        Field::string("name", record::kNameChars, "display name").require(),
        Field::string("starts_on", 10, "first day, YYYY-MM-DD (the host's calendar)").require(),
        Field::string("ends_on", 10, "last day, YYYY-MM-DD, not before starts_on").require(),
        money::field("cost", "what it cost, not negative (default 0)")},
       campaign_schema(),
       campaign_create,
       "source.write"});
  registry.add(
      {"campaign.update",
       "Changes a campaign's name, period, cost or state (optimistic: give its version); its "
       "source stays.",
       {code_field("code", "the campaign's code").require(), version, name,
        Field::string("starts_on", 10, "first day, YYYY-MM-DD").not_null(),
        Field::string("ends_on", 10, "last day, YYYY-MM-DD").not_null(),
        money::field("cost", "what it cost, not negative").not_null(), active},
       campaign_schema(),
       campaign_update,
       "source.write"});
  registry.add({"campaign.list",
                "The campaigns, by code; keyset pages.",
                {Field::boolean("active", "only active (true) or inactive (false) ones"),
                 code_field("source", "only the campaigns of this source"), Field::limit(100, 1000),
                 Field::cursor()},
                rs::page(campaign_schema()),
                campaign_list,
                "source.read"});
  registry.add(
      {"customer.first_touch.correct",
       "Corrects a customer's first touch (source, campaign, time), recording who, why and the "
       "values before.",
       {Field::id("id", "customer id").require(),
        Field::string("source", record::kCodeChars,
                      "the source's code (default: the campaign's; null for none)"),
        Field::string("campaign", record::kCodeChars,
                      "the campaign's code (of source when both are given; null for none)"),
        Field::timestamp("at", "when the first touch happened (default: as it was)"),
        Field::string("reason", record::kReasonChars, "why it is corrected").require()},
       rs::object({{"customer_id", rs::id()},
                   {"first_touch", touch_schema()},
                   {"change", change_schema()}}),
       first_touch_correct,
       "source.correct"});
  registry.add({"customer.first_touch.history",
                "A customer's first touch and its corrections, newest first.",
                {Field::id("id", "customer id").require(), Field::limit(100, kMaxHistory)},
                rs::object({{"customer_id", rs::id()},
                            {"first_touch", touch_schema()},
                            {"changes", rs::array(change_schema())}}),
                first_touch_history,
                "customer.read"});
  registry.add({"source.report",
                "Channel ROI: per source, campaign or channel, the leads first touched in a "
                "period, their conversion, the host ERP's invoices and margins after the first "
                "touch, the campaigns' cost, ROI and the median days to a first order.",
                report_fields(), report_schema(), report, "reports"});
}

}  // namespace crm::sources
