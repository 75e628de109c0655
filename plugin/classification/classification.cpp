#include "classification.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "../core/jobs.hpp"
#include "../core/json_values.hpp"
#include "../core/sql.hpp"
#include "../core/time.hpp"
#include "../hostdata/hostdata.hpp"
#include "../lifecycle/lifecycle.hpp"
#include "../records/customer.hpp"

namespace crm::classification {

namespace {

using params::Field;
constexpr time::Micros kDay = 86'400'000'000LL;
constexpr std::size_t kNotifyChunk = 1000;
constexpr std::size_t kMaxRules = 200;
constexpr std::size_t kMaxValues = 200;

std::string id_text(const json &value, const std::string &path, const char *what) {
  if (!value.is_string() || value.get<std::string>().empty() ||
      value.get<std::string>().size() > 64)
    throw invalid_argument(path, path + " must be " + what + " (1 to 64 bytes)");
  return value.get<std::string>();
}

std::vector<std::string> value_list(const json &value, const std::string &path, bool stages) {
  if (!value.is_array() || value.empty() || value.size() > kMaxValues)
    throw invalid_argument(path, path + " must be a list of 1 to " + std::to_string(kMaxValues) +
                                     (stages ? " lifecycle stages" : " texts"));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string item_path = path + "[" + std::to_string(i) + "]";
    const auto &item = value[i];
    if (!item.is_string() || item.get<std::string>().empty() ||
        item.get<std::string>().size() > 400)
      throw invalid_argument(item_path, item_path + " must be a text of 1 to 400 bytes");
    const auto text = item.get<std::string>();
    if (stages && std::find(lifecycle::kStages.begin(), lifecycle::kStages.end(), text) ==
                      lifecycle::kStages.end())
      throw invalid_argument(item_path, item_path + " is not a lifecycle stage: " + text);
    out.push_back(text);
  }
  return out;
}

Rule parse_rule(const json &value, const std::string &path, std::set<std::string> &seen) {
  if (!value.is_object())
    throw invalid_argument(path, path + " must be an object {id, label, class?, when}");
  Rule rule;
  if (!value.contains("id")) throw invalid_argument(path + ".id", path + ".id is required");
  reject_unknown_fields(value, path, {"id", "class", "label", "when"});
  for (const auto &[key, item] : value.items()) {
    const std::string item_path = path + "." + key;
    if (key == "id") {
      rule.id = id_text(item, item_path, "the rule's id");
      if (!seen.insert(rule.id).second)
        throw invalid_argument(item_path, "duplicate rule id " + rule.id + " at " + item_path);
    } else if (key == "class") {
      rule.class_id = id_text(item, item_path, "the business class the rule assigns");
    } else if (key == "label") {
      if (!item.is_string() || item.get<std::string>().empty() ||
          item.get<std::string>().size() > 400)
        throw invalid_argument(item_path, item_path + " must be a text of 1 to 400 bytes");
      rule.label = item.get<std::string>();
    } else {  // when
      if (!item.is_object())
        throw invalid_argument(item_path, item_path + " must be an object of conditions");
      for (const auto &[name, condition] : item.items()) {
        const std::string condition_path = item_path + "." + name;
        if (name == "industry") {
          rule.industry = value_list(condition, condition_path, false);
        } else if (name == "region") {
          rule.region = value_list(condition, condition_path, false);
        } else if (name == "source") {
          rule.source = value_list(condition, condition_path, false);
        } else if (name == "stage") {
          rule.stage = value_list(condition, condition_path, true);
        } else if (name == "min_orders") {
          if (!condition.is_number_integer() || condition.get<std::int64_t>() < 0 ||
              condition.get<std::int64_t>() > 1'000'000'000)
            throw invalid_argument(condition_path,
                                   condition_path + " must be a whole number from 0 to 1000000000");
          rule.min_orders = condition.get<std::int64_t>();
        } else if (name == "min_revenue") {
          if (!condition.is_string())
            throw invalid_argument(
                condition_path, condition_path + " must be a decimal string such as \"500000.00\"");
          rule.min_revenue = money::parse(condition.get<std::string>(), condition_path);
          if (*rule.min_revenue < 0)
            throw invalid_argument(condition_path, condition_path + " must not be negative");
        } else {
          throw invalid_argument(condition_path,
                                 "unknown condition " + condition_path +
                                     " (industry, region, stage, source, min_orders, min_revenue)");
        }
      }
    }
  }
  if (rule.class_id.empty()) rule.class_id = rule.id;
  if (rule.label.empty()) rule.label = rule.id;
  return rule;
}

Settings load_settings(const json *section) {
  Settings settings;
  if (!section) return settings;
  if (!section->is_object())
    throw invalid_argument("classification", "classification must be an object");
  reject_unknown_fields(*section, "classification", {"rules", "window_days"});
  for (const auto &[key, value] : section->items()) {
    const std::string path = "classification." + key;
    if (key == "rules") {
      if (!value.is_array() || value.size() > kMaxRules)
        throw invalid_argument(
            path, path + " must be a list of at most " + std::to_string(kMaxRules) + " rules");
      std::set<std::string> seen;
      for (std::size_t i = 0; i < value.size(); ++i)
        settings.rules.push_back(parse_rule(value[i], path + "[" + std::to_string(i) + "]", seen));
    } else {  // window_days
      if (!value.is_number_integer() || value.get<std::int64_t>() < 1 ||
          value.get<std::int64_t>() > 36500)
        throw invalid_argument(path, path + " must be a whole number of days from 1 to 36500");
      settings.window_days = value.get<std::int64_t>();
    }
  }
  return settings;
}

bool uses_orders(const Settings &settings) {
  return std::any_of(settings.rules.begin(), settings.rules.end(),
                     [](const Rule &rule) { return rule.uses_orders(); });
}

// The window of orders that count: [as_of - window_days, as_of), as host local times.
struct Window {
  time::Micros from, to;
};

Window window_of(const Settings &settings, time::Micros as_of) {
  // No stored or host time precedes time::kEarliest, so the window need not reach further.
  return {std::max(as_of - settings.window_days * kDay, time::kEarliest), as_of};
}

// "<host_time(h.ordered_at)> >= ts AND ... < ts", binding the window in host time.
std::string window_sql(Store &store, const Window &window, std::vector<db::Value> &values) {
  const auto &host = hostdata::of(store);
  const auto &dialect = store.dialect();
  const auto at = dialect.host_time("h.ordered_at");
  const auto ts = dialect.timestamp_param();
  values.push_back(host.host_time(window.from));
  values.push_back(host.host_time(window.to));
  return at + " >= " + ts + " AND " + at + " < " + ts;
}

// The rule's conditions as SQL over crm_customer c and the order aggregates a.
std::string condition_sql(const Rule &rule, std::vector<db::Value> &values) {
  std::vector<std::string> parts;
  auto in_list = [&](const char *column, const std::vector<std::string> &list) {
    if (list.empty()) return;
    parts.push_back(std::string(column) + " IN (" + sql::placeholders(list.size()) + ")");
    for (const auto &item : list) values.push_back(item);
  };
  in_list("c.industry", rule.industry);
  in_list("c.region", rule.region);
  in_list("c.stage", rule.stage);
  in_list("c.source", rule.source);
  if (rule.min_orders) {
    parts.push_back("COALESCE(a.orders, 0) >= ?");
    values.push_back(*rule.min_orders);
  }
  if (rule.min_revenue) {
    parts.push_back("COALESCE(a.revenue, 0) >= ?");
    values.push_back(*rule.min_revenue);
  }
  if (parts.empty()) return "1 = 1";
  std::string out;
  for (const auto &part : parts) out += (out.empty() ? "" : " AND ") + part;
  return out;
}

// Fills crm_class_work with every customer whose rule or class differs from what the rules say
// now: one INSERT ... SELECT with the rules compiled into a CASE expression.
std::int64_t collect_changes(Store &store, db::Connection &connection, const Settings &settings,
                             time::Micros as_of) {
  std::vector<db::Value> values;
  std::string class_expr = "NULL";
  if (!settings.rules.empty()) {
    class_expr = "CASE x.rule_id";
    for (const auto &rule : settings.rules) {
      class_expr += " WHEN ? THEN ?";
      values.push_back(rule.id);
      values.push_back(rule.class_id);
    }
    class_expr += " END";
  }
  std::string rule_expr = "NULL";
  if (!settings.rules.empty()) {
    rule_expr = "CASE";
    for (const auto &rule : settings.rules) {
      rule_expr += " WHEN " + condition_sql(rule, values) + " THEN ?";
      values.push_back(rule.id);
    }
    rule_expr += " END";
  }
  std::string from = "crm_customer c";
  if (uses_orders(settings)) {
    const auto &orders = hostdata::of(store).entity("orders");
    const auto &dialect = store.dialect();
    const auto key = dialect.text_cast("h.customer_key");
    std::vector<db::Value> window_values;
    const std::string where = window_sql(store, window_of(settings, as_of), window_values);
    from += " LEFT JOIN (SELECT " + key + " AS customer_key, COUNT(*) AS orders, SUM(" +
            dialect.minor_units("h.amount") + ") AS revenue FROM " + orders.derived("h") +
            " WHERE h.status = 'valid' AND " + where + " GROUP BY " + key +
            ") a ON a.customer_key = c.host_key";
    // In the statement text the class CASE comes first, then the rule CASE, then this join.
    values.insert(values.end(), window_values.begin(), window_values.end());
  }
  const std::string statement =
      "INSERT INTO crm_class_work (customer_id, rule_id, class_id) "
      "SELECT y.id, y.rule_id, y.class_id FROM (SELECT x.id, x.old_rule, x.old_class, x.rule_id, " +
      class_expr +
      " AS class_id FROM (SELECT c.id, c.class_rule AS old_rule, c.business_class AS old_class, " +
      rule_expr + " AS rule_id FROM " + from +
      ") x) y WHERE COALESCE(y.rule_id, '') <> COALESCE(y.old_rule, '') OR "
      "COALESCE(y.class_id, '') <> COALESCE(y.old_class, '')";
  return connection.prepare(statement).execute(values);
}

json run(CallContext &context, const json &params) {
  auto &store = context.store;
  const auto &config = settings(store);
  const auto as_of = params::optional_timestamp(params, "as_of").value_or(time::now());
  if (uses_orders(config)) hostdata::of(store).entity("orders");  // unsupported, naming host.orders
  return store.with_connection([&](db::Connection &connection) {
    return jobs::run(store, connection, "classification.run", context.user, [&](jobs::Run &) {
      connection.prepare("DELETE FROM crm_class_work").execute({});
      collect_changes(store, connection, config, as_of);
      records::customer::apply_classes(connection, time::to_db_text(time::now()));
      std::vector<std::int64_t> changed;
      {
        auto result =
            connection.prepare("SELECT customer_id FROM crm_class_work ORDER BY customer_id")
                .query({}, {db::Column::integer()}, 1000);
        while (result.next()) changed.push_back(result.int64(0));
      }
      for (std::size_t start = 0; start < changed.size(); start += kNotifyChunk)
        registry().customers_changed(
            context, connection,
            std::vector<std::int64_t>(
                changed.begin() + static_cast<std::ptrdiff_t>(start),
                changed.begin() +
                    static_cast<std::ptrdiff_t>(std::min(changed.size(), start + kNotifyChunk))));
      connection.prepare("DELETE FROM crm_class_work").execute({});
      json by_class = json::object();
      {
        auto result = connection
                          .prepare(
                              "SELECT business_class, COUNT(*) FROM crm_customer WHERE "
                              "business_class IS NOT NULL GROUP BY business_class")
                          .query({}, {db::Column::text(64), db::Column::integer()});
        while (result.next()) by_class[result.text(0)] = result.int64(1);
      }
      store.log().info("classification.run by {}: {} customers changed class", context.user,
                       changed.size());
      return json{{"changed", changed.size()},
                  {"as_of", time::format_iso8601(as_of)},
                  {"by_class", std::move(by_class)}};
    });
  });
}

using json_values::nullable;

json list_json(const std::vector<std::string> &list) {
  return json(list);
}

json explain(CallContext &context, const json &params) {
  auto &store = context.store;
  const auto &config = settings(store);
  const auto customer_id = params::id(params, "customer_id");
  const auto as_of = params::optional_timestamp(params, "as_of").value_or(time::now());
  const bool need_orders = uses_orders(config);
  if (need_orders) hostdata::of(store).entity("orders");
  return store.with_connection([&](db::Connection &connection) {
    std::optional<std::string> industry, region, source, host_key;
    std::string stage;
    {
      const auto row =
          records::customer::find(connection, context.actor, customer_id, "params.customer_id");
      if (!row)
        throw not_found("params.customer_id", "no customer with id " + std::to_string(customer_id));
      industry = row->industry;
      region = row->region;
      stage = row->stage;
      source = row->source;
      host_key = row->host_key;
    }
    std::int64_t orders = 0;
    money::Minor revenue = 0;
    const Window window = window_of(config, as_of);
    if (need_orders && host_key) {
      const auto &query = hostdata::of(store).entity("orders");
      // A host key the host's key column cannot hold has no orders.
      if (auto key = query.try_key_value("customer_key", *host_key)) {
        std::vector<db::Value> values = {*key};
        const std::string where = window_sql(store, window, values);
        auto row =
            connection
                .prepare("SELECT COUNT(*), " +
                         store.dialect().text_cast(
                             "COALESCE(SUM(" + store.dialect().minor_units("h.amount") + "), 0)") +
                         " FROM " + query.derived("h") +
                         " WHERE h.status = 'valid' AND h.customer_key = ? AND " + where)
                .query(values, {db::Column::integer(), db::Column::text(40)});
        if (row.next()) {
          orders = row.int64(0);
          const auto text = row.text(1);  // a sum of minor units ("123", "123.0")
          revenue = std::stoll(text.substr(0, text.find('.')));
        }
      }
    }
    auto in_list = [](const char *field, const std::vector<std::string> &list,
                      const std::optional<std::string> &actual, json &conditions) {
      if (list.empty()) return;
      const bool holds = actual && std::find(list.begin(), list.end(), *actual) != list.end();
      conditions.push_back({{"field", field},
                            {"in", list_json(list)},
                            {"actual", nullable(actual)},
                            {"holds", holds}});
    };
    auto evaluate = [&](const Rule &rule) {
      json conditions = json::array();
      in_list("industry", rule.industry, industry, conditions);
      in_list("region", rule.region, region, conditions);
      in_list("stage", rule.stage, stage, conditions);
      in_list("source", rule.source, source, conditions);
      if (rule.min_orders)
        conditions.push_back({{"field", "orders"},
                              {"min", *rule.min_orders},
                              {"actual", orders},
                              {"holds", orders >= *rule.min_orders}});
      if (rule.min_revenue)
        conditions.push_back({{"field", "revenue"},
                              {"min", money::format(*rule.min_revenue)},
                              {"actual", money::format(revenue)},
                              {"holds", revenue >= *rule.min_revenue}});
      return conditions;
    };
    json match = nullptr;
    json skipped = json::array();
    for (const auto &rule : config.rules) {
      json conditions = evaluate(rule);
      auto failed = std::find_if(conditions.begin(), conditions.end(),
                                 [](const json &c) { return !c["holds"].get<bool>(); });
      if (failed == conditions.end()) {
        match = {{"rule", rule.id},
                 {"class", rule.class_id},
                 {"label", rule.label},
                 {"conditions", std::move(conditions)}};
        break;
      }
      skipped.push_back({{"rule", rule.id}, {"label", rule.label}, {"failed", *failed}});
    }
    json values = {{"industry", nullable(industry)},
                   {"region", nullable(region)},
                   {"stage", stage},
                   {"source", nullable(source)},
                   {"host_key", nullable(host_key)}};
    if (need_orders) {
      values["orders"] = orders;
      values["revenue"] = money::format(revenue);
    }
    return json{
        {"customer_id", std::to_string(customer_id)},
        {"as_of", time::format_iso8601(as_of)},
        {"window",
         {{"from", time::format_iso8601(window.from)}, {"to", time::format_iso8601(window.to)}}},
        {"values", std::move(values)},
        {"match", std::move(match)},
        {"skipped", std::move(skipped)},
        {"stored", of_customer(store, connection, context.actor, customer_id)}};
  });
}

}  // namespace

bool Settings::known_class(const std::string &class_id) const {
  return std::any_of(rules.begin(), rules.end(),
                     [&](const Rule &rule) { return rule.class_id == class_id; });
}

const Rule *Settings::rule(const std::string &id) const {
  for (const auto &rule : rules)
    if (rule.id == id) return &rule;
  return nullptr;
}

const Settings &settings(const Store &store) {
  return store.settings<Settings>("classification");
}

json to_json(const Store &store, const std::optional<std::string> &business_class,
             const std::optional<std::string> &rule_id,
             const std::optional<std::string> &classified_at) {
  json out = {{"class", nullable(business_class)},
              {"rule", nullable(rule_id)},
              {"label", nullptr},
              {"classified_at", json_values::instant(classified_at)}};
  if (rule_id)
    if (const Rule *rule = settings(store).rule(*rule_id)) out["label"] = rule->label;
  return out;
}

json of_customer(Store &store, db::Connection &connection, const Actor &actor,
                 std::int64_t customer_id) {
  const auto row = records::customer::find(connection, actor, customer_id, "params.customer_id");
  if (!row) return to_json(store, std::nullopt, std::nullopt, std::nullopt);
  return to_json(store, row->business_class, row->class_rule, row->classified_at);
}

json schema() {
  namespace rs = result_schema;
  return rs::object({{"class", rs::nullable(rs::string())},
                     {"rule", rs::nullable(rs::string())},
                     {"label", rs::nullable(rs::string())},
                     {"classified_at", rs::nullable(rs::timestamp())}});
}

namespace {

json explain_schema() {
  namespace rs = result_schema;
  // A profile condition lists the accepted values; an order condition has a minimum.
  json condition =
      rs::any_of({rs::object({{"field", rs::enumeration({"industry", "region", "stage", "source"})},
                              {"in", rs::array(rs::string())},
                              {"actual", rs::nullable(rs::string())},
                              {"holds", rs::boolean()}}),
                  rs::object({{"field", rs::enumeration({"orders"})},
                              {"min", rs::integer()},
                              {"actual", rs::integer()},
                              {"holds", rs::boolean()}}),
                  rs::object({{"field", rs::enumeration({"revenue"})},
                              {"min", rs::money()},
                              {"actual", rs::money()},
                              {"holds", rs::boolean()}})});
  return rs::object(
      {{"customer_id", rs::id()},
       {"as_of", rs::timestamp()},
       {"window", rs::object({{"from", rs::timestamp()}, {"to", rs::timestamp()}})},
       {"values", rs::object({{"industry", rs::nullable(rs::string())},
                              {"region", rs::nullable(rs::string())},
                              {"stage", rs::string()},
                              {"source", rs::nullable(rs::string())},
                              {"host_key", rs::nullable(rs::string())}},
                             {{"orders", rs::integer()}, {"revenue", rs::money()}})},
       {"match", rs::nullable(rs::object({{"rule", rs::string()},
                                          {"class", rs::string()},
                                          {"label", rs::string()},
                                          {"conditions", rs::array(condition)}}))},
       {"skipped", rs::array(rs::object(
                       {{"rule", rs::string()}, {"label", rs::string()}, {"failed", condition}}))},
       {"stored", schema()}});
}

}  // namespace

void register_methods(Registry &registry) {
  namespace rs = result_schema;
  registry.add_section(settings_section<Settings>(
      "classification", [](const json *section, Store &) { return load_settings(section); }));
  registry.add({"classification.run",
                "Classifies every customer by business type: the configured rules, in order, "
                "first match wins, over profile fields and the valid host orders in the window "
                "before as_of; stores the class where it changes, in one set-based pass. One "
                "process at a time.",
                {Field::timestamp("as_of", "the end of the order window (default now)")},
                jobs::result_schema({{"changed", rs::integer()},
                                     {"as_of", rs::timestamp()},
                                     {"by_class", rs::map(rs::integer())}}),
                run,
                "jobs"});
  registry.add({"classification.explain",
                "Why a customer gets its class: the matching rule with its conditions and the "
                "customer's values, and for each earlier rule the first condition that failed.",
                {Field::id("customer_id", "the customer").require(),
                 Field::timestamp("as_of", "the end of the order window (default now)")},
                explain_schema(),
                explain,
                "classification.read"});
}

}  // namespace crm::classification
