#include "value.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "../core/jobs.hpp"
#include "../core/keyset.hpp"
#include "../core/money.hpp"
#include "../core/time.hpp"
#include "../hostdata/hostdata.hpp"
#include "../lifecycle/lifecycle.hpp"
#include "../records/customer.hpp"
#include "../records/opportunity.hpp"
#include "scoring.hpp"

namespace crm::value {

namespace {

using params::Field;
constexpr std::int64_t kDay = 86'400'000'000LL;
constexpr std::int64_t kMaxWeight = 1'000'000;
constexpr std::size_t kMaxPeriod = 16;
constexpr std::size_t kMaxTierName = 32;
const std::string kNew = "new";    // migration row: customers only in the later period
const std::string kGone = "gone";  // migration column: customers only in the earlier period
// NULL of an integer type (a bare NULL in a CTE is text on PostgreSQL, which a BIGINT column
// refuses), spelt the same on every database.
const std::string kNullInteger = "CASE WHEN 1 = 0 THEN 0 END";

// Raw and normalised column of each component, in kComponents order.
constexpr std::array<const char *, 5> kRawColumns = {
    "sales_minor", "expectation_minor", "credit_bp", "profit_minor", "reference_points"};
constexpr std::array<const char *, 5> kPpmColumns = {"sales_ppm", "expectation_ppm", "credit_ppm",
                                                     "profit_ppm", "reference_ppm"};
constexpr std::array<bool, 5> kMoney = {true, true, false, true, false};

std::optional<std::size_t> component_index(const std::string &name) {
  for (std::size_t i = 0; i < kComponents.size(); ++i)
    if (name == kComponents[i]) return i;
  return std::nullopt;
}

// ---- settings ----------------------------------------------------------------------------------

std::int64_t whole(const json &value, const std::string &path, std::int64_t minimum,
                   std::int64_t maximum, const std::string &what) {
  if (!value.is_number_integer() || value.get<std::int64_t>() < minimum ||
      value.get<std::int64_t>() > maximum)
    throw invalid_argument(path, path + " must be " + what + " (a whole number from " +
                                     std::to_string(minimum) + " to " + std::to_string(maximum) +
                                     ")");
  return value.get<std::int64_t>();
}

Settings load_settings(const json *section) {
  Settings settings;
  if (!section) return settings;
  if (!section->is_object()) throw invalid_argument("value", "value must be an object");
  reject_unknown_fields(*section, "value",
                        {"weights", "tiers", "window_days", "population_stages"});
  for (const auto &[key, value] : section->items()) {
    const std::string path = "value." + key;
    if (key == "weights") {
      if (!value.is_object())
        throw invalid_argument(path, path + " must map components to whole-number weights");
      for (const auto &[name, weight] : value.items()) {
        auto index = component_index(name);
        if (!index)
          throw invalid_argument(path + "." + name,
                                 "unknown value component " + name +
                                     " (sales, expectation, credit, profit, reference)");
        settings.weights[*index] =
            whole(weight, path + "." + name, 0, kMaxWeight, "a non-negative weight");
      }
      std::int64_t total = 0;
      for (auto weight : settings.weights) total += weight;
      if (total == 0) throw invalid_argument(path, path + " must give some component a weight");
    } else if (key == "tiers") {
      if (!value.is_array() || value.empty() || value.size() > 20)
        throw invalid_argument(path, path + " must be a list of 1 to 20 {name, percent} tiers");
      settings.tiers.clear();
      std::int64_t total = 0;
      std::set<std::string> names;
      for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string at = path + "[" + std::to_string(i) + "]";
        const auto &tier = value[i];
        if (!tier.is_object()) throw invalid_argument(at, at + " must be {name, percent}");
        reject_unknown_fields(tier, at, {"name", "percent"});
        if (!tier.contains("name") || !tier["name"].is_string() ||
            tier["name"].get<std::string>().empty() ||
            tier["name"].get<std::string>().size() > kMaxTierName)
          throw invalid_argument(at + ".name", at + ".name must be a text of 1 to 32 bytes");
        const auto name = tier["name"].get<std::string>();
        if (name == kNew || name == kGone)
          throw invalid_argument(at + ".name", "\"" + name +
                                                   "\" is reserved for tier migration "
                                                   "(customers only in one period)");
        if (!names.insert(name).second)
          throw invalid_argument(at + ".name", "tier " + name + " is named twice");
        if (!tier.contains("percent"))
          throw invalid_argument(at + ".percent", at + ".percent is required");
        const auto percent = whole(tier["percent"], at + ".percent", 1, 100, "a percentage");
        total += percent;
        settings.tiers.push_back({name, percent});
      }
      if (total != 100)
        throw invalid_argument(
            path, "the percents of " + path + " add up to " + std::to_string(total) + ", not 100");
    } else if (key == "window_days") {
      settings.window_days = whole(value, path, 1, 36500, "a number of days");
    } else if (key == "population_stages") {
      if (!value.is_array() || value.empty())
        throw invalid_argument(path, path + " must be a non-empty list of lifecycle stages");
      settings.population_stages.clear();
      for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string at = path + "[" + std::to_string(i) + "]";
        const auto &stage = value[i];
        if (!stage.is_string() || std::find(lifecycle::kStages.begin(), lifecycle::kStages.end(),
                                            stage.get<std::string>()) == lifecycle::kStages.end())
          throw invalid_argument(at, at + " is not a lifecycle stage: " + stage.dump());
        if (std::find(settings.population_stages.begin(), settings.population_stages.end(),
                      stage.get<std::string>()) != settings.population_stages.end())
          throw invalid_argument(at, "stage " + stage.get<std::string>() + " is listed twice");
        settings.population_stages.push_back(stage.get<std::string>());
      }
    }
  }
  return settings;
}

// ---- SQL pieces --------------------------------------------------------------------------------

std::string markers(std::size_t count) {
  std::string text;
  for (std::size_t i = 0; i < count; ++i) text += i ? ", ?" : "?";
  return text;
}

std::string list_text(const std::vector<std::string> &items) {
  std::string text;
  for (const auto &item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

// ---- value.run ---------------------------------------------------------------------------------

struct Plan {
  std::array<bool, 5> available = {true, true, true, true, true};
  std::array<std::string, 5> reason;  // why a component is unavailable
  std::int64_t weight_total = 0;
};

Plan plan_for(const hostdata::HostData &host, const Settings &settings) {
  Plan plan;
  auto unavailable = [&](std::size_t index, std::string why) {
    if (!plan.available[index]) return;
    plan.available[index] = false;
    plan.reason[index] = std::move(why);
  };
  if (!host.mapped("invoices")) unavailable(0, "host.invoices is not mapped");
  if (!host.mapped("receivables")) unavailable(2, "host.receivables is not mapped");
  if (!host.mapped("order_lines"))
    unavailable(3, "host.order_lines is not mapped");
  else if (!host.entity("order_lines").has("cost"))
    unavailable(3, "host.order_lines has no cost column");
  if (!host.mapped("orders")) unavailable(3, "host.orders is not mapped");
  for (std::size_t i = 0; i < kComponents.size(); ++i)
    if (plan.available[i]) plan.weight_total += settings.weights[i];
  return plan;
}

// The one INSERT ... SELECT of a run; values receives its parameters in order.
std::string run_statement(const db::Dialect &d, const hostdata::HostData &host,
                          const Settings &settings, const Plan &plan, const std::string &period,
                          const std::string &window_start, const std::string &as_of,
                          std::vector<db::Value> &values) {
  const std::string ts = d.timestamp_param();
  std::string with;
  auto cte = [&](const std::string &name, const std::string &select) {
    with += (with.empty() ? "WITH " : ", ") + name + " AS (" + select + ")";
  };
  auto in_window = [&](const std::string &column) {
    values.push_back(window_start);
    values.push_back(as_of);
    return d.host_time(column) + " > " + ts + " AND " + d.host_time(column) + " <= " + ts;
  };
  std::string joins;
  std::array<std::string, 5> raw;
  // Host aggregates are keyed by the host's customer key; each is turned into CRM ids inside its
  // own CTE (a lookup per aggregate row through crm_customer's host_key index), so that the
  // population joins on plain integer ids. Joining the population to a text cast of the host key
  // instead makes SQLite and MariaDB rescan the aggregate for every customer. CROSS JOIN keeps
  // SQLite's loop order (aggregate outside, index lookup inside); the others plan it freely.
  auto by_customer = [&](const std::string &aggregate, const std::vector<std::string> &columns) {
    std::string inner = "SELECT cc.id AS cid", outer = "SELECT b.cid";
    for (const auto &column : columns) {
      inner += ", a." + column;
      outer += ", MAX(b." + column + ") AS " + column;  // one row per customer: host_key is unique
    }
    // The outer GROUP BY looks redundant; it is what makes SQLite index the result for the
    // population's join (without it SQLite scans it once per customer: 11.5 s instead of 0.3 s
    // at 10,000 customers).
    return outer + " FROM (" + inner + " FROM (" + aggregate +
           ") a CROSS JOIN crm_customer cc WHERE cc.host_key = " + d.text_cast("a.k") +
           ") b GROUP BY b.cid";
  };
  if (plan.available[0]) {
    const auto &invoices = host.entity("invoices");
    cte("v_sales",
        by_customer("SELECT h.customer_key AS k, SUM(" + d.minor_units("h.amount") +
                        ") AS v FROM " + invoices.derived("h") + " WHERE h.status = 'valid' AND " +
                        in_window("h.invoiced_at") + " GROUP BY h.customer_key",
                    {"v"}));
    joins += " LEFT JOIN v_sales s ON s.cid = c.id";
    raw[0] = "COALESCE(s.v, 0)";
  }
  cte("v_expect",
      "SELECT o.customer_id AS cid, SUM(o.amount_minor * " +
          records::opportunity::probability_sql("o.probability", "o.stage") +
          ") AS v "
          "FROM crm_opportunity o WHERE o.status = 'open' AND o.amount_minor IS NOT NULL "
          "GROUP BY o.customer_id");
  joins += " LEFT JOIN v_expect e ON e.cid = c.id";
  raw[1] = scoring::integer_division_sql("COALESCE(e.v, 0)", "100");
  if (plan.available[2]) {
    const auto &receivables = host.entity("receivables");
    const std::string due = d.host_time("r.due_date");
    values.push_back(as_of);
    values.push_back(as_of);
    values.push_back(as_of);
    cte("v_credit",
        by_customer(
            "SELECT r.customer_key AS k, SUM(CASE WHEN r.open_minor > 0 THEN r.open_minor ELSE 0 "
            "END) AS outstanding, SUM(CASE WHEN r.open_minor > 0 AND " +
                due + " < " + ts + " THEN r.open_minor ELSE 0 END) AS overdue, MAX(CASE WHEN " +
                "r.open_minor > 0 AND " + due + " < " + ts + " THEN " + d.days_between(due, ts) +
                " END) AS days FROM (SELECT x.customer_key, x.due_date, " +
                d.minor_units("x.amount") + " - " + d.minor_units("COALESCE(x.paid_amount, 0)") +
                " AS open_minor FROM " + receivables.derived("x") + ") r GROUP BY r.customer_key",
            {"outstanding", "overdue", "days"}));
    joins += " LEFT JOIN v_credit r ON r.cid = c.id";
    std::string limit_term = "0";
    if (host.mapped("customers") && host.entity("customers").has("credit_limit")) {
      cte("v_limit", by_customer("SELECT h.customer_key AS k, " + d.minor_units("h.credit_limit") +
                                     " AS v FROM " + host.entity("customers").derived("h") +
                                     " WHERE h.credit_limit IS NOT NULL",
                                 {"v"}));
      joins += " LEFT JOIN v_limit l ON l.cid = c.id";
      limit_term =
          "CASE WHEN l.v IS NULL OR l.v <= 0 OR COALESCE(r.outstanding, 0) <= 0 THEN 0 "
          "WHEN r.outstanding >= l.v THEN 3000 ELSE " +
          scoring::integer_division_sql("3000 * r.outstanding", "l.v") + " END";
    }
    raw[2] = "10000 - (CASE WHEN COALESCE(r.outstanding, 0) <= 0 THEN 0 ELSE " +
             scoring::integer_division_sql("4000 * r.overdue", "r.outstanding") +
             " END + CASE WHEN r.days IS NULL THEN 0 WHEN r.days >= 90 THEN 3000 ELSE " +
             scoring::integer_division_sql("100 * r.days", "3") + " END + " + limit_term + ")";
  }
  if (plan.available[3]) {
    const auto &lines = host.entity("order_lines");
    const auto &orders = host.entity("orders");
    cte("v_profit", by_customer("SELECT o.customer_key AS k, SUM(" + d.minor_units("l.amount") +
                                    " - " + d.minor_units("l.cost") + ") AS v FROM " +
                                    lines.derived("l") + " JOIN " + orders.derived("o") +
                                    " ON o.order_key = l.order_key WHERE l.cost IS NOT NULL AND "
                                    "o.status = 'valid' AND " +
                                    in_window("o.ordered_at") + " GROUP BY o.customer_key",
                                {"v"}));
    joins += " LEFT JOIN v_profit p ON p.cid = c.id";
    raw[3] = "COALESCE(p.v, 0)";
  }
  cte("v_refs",
      "SELECT referred_by AS cid, COUNT(*) AS n FROM crm_customer WHERE referred_by IS NOT NULL "
      "GROUP BY referred_by");
  joins += " LEFT JOIN v_refs rf ON rf.cid = c.id";
  raw[4] = "100 * COALESCE(c.is_reference, 0) + COALESCE(rf.n, 0)";

  std::string population = "SELECT c.id AS cid";
  for (std::size_t i = 0; i < 5; ++i)
    population += ", " + (plan.available[i] ? raw[i] : kNullInteger) + " AS " + kRawColumns[i];
  population += " FROM crm_customer c" + joins + " WHERE c.stage IN (" +
                markers(settings.population_stages.size()) + ")";
  for (const auto &stage : settings.population_stages) values.push_back(stage);
  cte("v_population", population);

  std::string ranked = "SELECT v_population.*, COUNT(*) OVER () AS n";
  for (std::size_t i = 0; i < 5; ++i)
    if (plan.available[i])
      ranked += ", RANK() OVER (ORDER BY " + std::string(kRawColumns[i]) + ") - 1 AS rank_" +
                std::to_string(i);
  cte("v_ranked", ranked + " FROM v_population");

  std::string normed = "SELECT v_ranked.*";
  for (std::size_t i = 0; i < 5; ++i)
    normed += ", " +
              (plan.available[i] ? scoring::rank_ppm_sql("rank_" + std::to_string(i), "n")
                                 : kNullInteger) +
              " AS " + kPpmColumns[i];
  cte("v_normed", normed + " FROM v_ranked");

  std::array<std::optional<std::string>, 5> ppm_columns;
  for (std::size_t i = 0; i < 5; ++i)
    if (plan.available[i]) ppm_columns[i] = kPpmColumns[i];
  cte("v_scored", "SELECT v_normed.*, " + scoring::score_sql(settings.weights, ppm_columns) +
                      " AS score FROM v_normed");
  cte("v_positioned",
      "SELECT v_scored.*, ROW_NUMBER() OVER (ORDER BY score DESC, cid) AS pos FROM v_scored");

  std::string columns = "period, customer_id";
  std::string select = "SELECT " + d.text_cast("?") + ", cid";
  for (std::size_t i = 0; i < 5; ++i) {
    columns += std::string(", ") + kRawColumns[i];
    select += std::string(", ") + kRawColumns[i];
  }
  for (std::size_t i = 0; i < 5; ++i) {
    columns += std::string(", ") + kPpmColumns[i];
    select += std::string(", ") + kPpmColumns[i];
  }
  columns += ", score_ppm, position, tier";
  std::vector<std::string> tier_names;
  select += ", score, pos, " +
            scoring::tier_sql("pos", "n", settings.tiers, d.text_cast("?"), tier_names) +
            " FROM v_positioned";
  values.push_back(period);
  values.insert(values.end(), tier_names.begin(), tier_names.end());
  return "INSERT INTO crm_value_snapshot (" + columns + ") " + with + " " + select;
}

json weights_json(const Settings &settings) {
  json weights = json::object();
  for (std::size_t i = 0; i < 5; ++i) weights[kComponents[i]] = settings.weights[i];
  return weights;
}

json tiers_json(const std::vector<Tier> &tiers) {
  json list = json::array();
  for (const auto &tier : tiers) list.push_back({{"name", tier.name}, {"percent", tier.percent}});
  return list;
}

json run(CallContext &context, const json &params) {
  auto &store = context.store;
  const auto &settings = store.settings<Settings>("value");
  const auto &host = hostdata::of(store);
  const auto period = params::string(params, "period");
  if (period.empty() || period.size() > kMaxPeriod)
    throw invalid_argument("params.period", "params.period must be 1 to 16 bytes");
  const auto as_of = params::optional_timestamp(params, "as_of").value_or(time::now());
  const Plan plan = plan_for(host, settings);
  if (plan.weight_total == 0)
    throw Error(Status::unsupported,
                "every weighted value component is unavailable with this host mapping",
                "value.weights");
  // No host time precedes time::kEarliest, so the window need not reach further.
  const auto window_start =
      host.host_time(std::max(as_of - settings.window_days * kDay, time::kEarliest));
  const auto as_of_host = host.host_time(as_of);
  return store.with_connection([&](db::Connection &connection) {
    return jobs::run(store, connection, "value.run", context.user, [&](jobs::Run &) {
      auto &d = store.dialect();
      const auto ts = d.timestamp_param();
      connection.prepare("DELETE FROM crm_value_snapshot WHERE period = ?").execute({period});
      connection.prepare("DELETE FROM crm_value_run WHERE period = ?").execute({period});
      json used = json::array(), unavailable = json::array();
      for (std::size_t i = 0; i < 5; ++i) {
        if (plan.available[i])
          used.push_back(kComponents[i]);
        else
          unavailable.push_back({{"component", kComponents[i]}, {"reason", plan.reason[i]}});
      }
      connection
          .prepare(
              "INSERT INTO crm_value_run (period, as_of, window_days, weights, tiers, "
              "population, components, ran_at, ran_by) VALUES (?, " +
              ts + ", ?, ?, ?, 0, ?, " + ts + ", ?)")
          .execute({period, time::to_db_text(as_of), settings.window_days,
                    weights_json(settings).dump(), tiers_json(settings.tiers).dump(), used.dump(),
                    time::to_db_text(time::now()), context.user});
      std::vector<db::Value> values;
      const auto sql =
          run_statement(d, host, settings, plan, period, window_start, as_of_host, values);
      const auto population = connection.prepare(sql).execute(values);
      connection.prepare("UPDATE crm_value_run SET population = ? WHERE period = ?")
          .execute({population, period});
      std::map<std::string, std::int64_t> counts;
      {
        auto rows = connection
                        .prepare(
                            "SELECT tier, COUNT(*) FROM crm_value_snapshot WHERE period = ? "
                            "GROUP BY tier")
                        .query({period}, {db::Column::text(kMaxTierName), db::Column::integer()});
        while (rows.next()) counts[rows.text(0)] = rows.int64(1);
      }
      json tiers = json::array();
      for (const auto &tier : settings.tiers)
        tiers.push_back({{"name", tier.name},
                         {"percent", tier.percent},
                         {"customers", counts.count(tier.name) ? counts[tier.name] : 0}});
      json effective = json::object();
      for (std::size_t i = 0; i < 5; ++i)
        effective[kComponents[i]] = plan.available[i] ? settings.weights[i] : 0;
      store.log().info("value.run {}: {} customers by {}", period, population, context.user);
      return json{{"period", period},
                  {"as_of", time::format_iso8601(as_of)},
                  {"window_days", settings.window_days},
                  {"population", population},
                  {"tiers", tiers},
                  {"components", used},
                  {"unavailable", unavailable},
                  {"weights", weights_json(settings)},
                  {"effective_weights", effective}};
    });
  });
}

// ---- reading runs ------------------------------------------------------------------------------

struct RunInfo {
  std::string period;
  std::string as_of;
  std::int64_t population = 0;
  json weights, tiers, components;
  bool uses(const char *component) const {
    return std::find(components.begin(), components.end(), json(component)) != components.end();
  }
};

std::optional<RunInfo> find_run(db::Connection &connection,
                                const std::optional<std::string> &period) {
  std::string sql =
      "SELECT period, as_of, population, weights, tiers, components FROM crm_value_run";
  std::vector<db::Value> values;
  if (period) {
    sql += " WHERE period = ?";
    values.push_back(*period);
  }
  sql += " ORDER BY as_of DESC, period DESC LIMIT 1";
  auto row = connection.prepare(sql).query(
      values, {db::Column::text(kMaxPeriod), db::Column::text(32), db::Column::integer(),
               db::Column::text(1000), db::Column::text(4000), db::Column::text(200)});
  if (!row.next()) return std::nullopt;
  RunInfo info;
  info.period = row.text(0);
  auto at = time::from_db_text(row.text(1));
  info.as_of = at ? time::format_iso8601(*at) : row.text(1);
  info.population = row.int64(2);
  info.weights = json::parse(row.text(3));
  info.tiers = json::parse(row.text(4));
  info.components = json::parse(row.text(5));
  return info;
}

RunInfo require_run(db::Connection &connection, const std::string &period,
                    const std::string &field) {
  auto info = find_run(connection, period);
  if (!info) throw not_found(field, "no value run for period " + period);
  return *info;
}

json get(CallContext &context, const json &params) {
  const auto customer_id = params::id(params, "customer_id");
  const auto period = params::optional_string(params, "period");
  return context.store.with_connection([&](db::Connection &connection) {
    records::customer::require_visible(connection, context.actor, customer_id,
                                       "params.customer_id");
    auto info = find_run(connection, period);
    if (!info) {
      if (period) throw not_found("params.period", "no value run for period " + *period);
      throw not_found("params.period", "value.run has not run yet");
    }
    std::string sql = "SELECT ";
    for (std::size_t i = 0; i < 5; ++i) sql += std::string(kRawColumns[i]) + ", ";
    for (std::size_t i = 0; i < 5; ++i) sql += std::string(kPpmColumns[i]) + ", ";
    sql += "score_ppm, position, tier FROM crm_value_snapshot WHERE period = ? AND customer_id = ?";
    std::vector<db::Column> columns;
    for (std::size_t i = 0; i < 12; ++i) columns.push_back(db::Column::integer());
    columns.push_back(db::Column::text(kMaxTierName));
    auto row = connection.prepare(sql).query({info->period, customer_id}, columns);
    if (!row.next())
      throw not_found("params.customer_id", "customer " + std::to_string(customer_id) +
                                                " has no value snapshot in period " + info->period);
    std::int64_t weight_total = 0;
    for (std::size_t i = 0; i < 5; ++i)
      if (info->uses(kComponents[i])) weight_total += info->weights.value(kComponents[i], 0);
    json components = json::object();
    // Margins and credit (profit, and the receivables behind credit) are for value.sensitive;
    // without it they are null and marked withheld, while tier and score stay visible.
    const bool sensitive = context.actor.has("value.sensitive");
    for (std::size_t i = 0; i < 5; ++i) {
      const bool withheld = !sensitive && (std::string_view(kComponents[i]) == "credit" ||
                                           std::string_view(kComponents[i]) == "profit");
      if (withheld) {
        components[kComponents[i]] = {
            {"available", info->uses(kComponents[i])},
            {"withheld", true},
            {"raw", nullptr},
            {"normalised_ppm", nullptr},
            {"weight", info->uses(kComponents[i]) ? info->weights.value(kComponents[i], 0) : 0},
            {"contribution_ppm", nullptr}};
        continue;
      }
      json raw = nullptr;
      if (auto units = row.optional_int64(i))
        raw = kMoney[i] ? json(money::format(*units)) : json(*units);
      const bool available = info->uses(kComponents[i]);
      const std::int64_t weight = available ? info->weights.value(kComponents[i], 0) : 0;
      auto normalised = row.optional_int64(5 + i);
      json contribution = nullptr;
      if (normalised && weight_total > 0) contribution = weight * *normalised / weight_total;
      components[kComponents[i]] = {{"available", available},
                                    {"withheld", false},
                                    {"raw", raw},
                                    {"normalised_ppm", normalised ? json(*normalised) : json()},
                                    {"weight", weight},
                                    {"contribution_ppm", contribution}};
    }
    return json{{"customer_id", std::to_string(customer_id)},
                {"period", info->period},
                {"as_of", info->as_of},
                {"components", components},
                {"score_ppm", row.int64(10)},
                {"position", row.int64(11)},
                {"population", info->population},
                {"tier", row.text(12)}};
  });
}

json tiers(CallContext &context, const json &params) {
  const auto period = params::string(params, "period");
  return context.store.with_connection([&](db::Connection &connection) {
    auto info = require_run(connection, period, "params.period");
    std::map<std::string, std::pair<std::int64_t, std::optional<std::string>>> found;
    // The counts are of the customers the user sees, as the user's lists show them.
    std::int64_t population = 0;
    {
      std::vector<db::Value> values = {period};
      const auto visible = records::customer::attached_visible(connection.dialect(), context.actor,
                                                               "s.customer_id", values);
      auto rows =
          connection
              .prepare(
                  "SELECT s.tier, COUNT(*), SUM(s.sales_minor), MIN(s.position), "
                  "MAX(s.position) FROM crm_value_snapshot s WHERE s.period = ?" +
                  (visible.empty() ? std::string() : " AND " + visible) + " GROUP BY s.tier")
              .query(values, {db::Column::text(kMaxTierName), db::Column::integer(),
                              db::Column::text(40), db::Column::integer(), db::Column::integer()});
      while (rows.next()) {
        found[rows.text(0)] = {rows.int64(1), rows.optional_text(2)};
        population += rows.int64(1);
      }
    }
    if (context.actor.sees_all) population = info.population;
    const bool sales = info.uses("sales");
    json list = json::array();
    for (const auto &tier : info.tiers) {
      const auto name = tier["name"].get<std::string>();
      auto it = found.find(name);
      json total = sales ? json("0.00") : json();
      std::int64_t customers = 0;
      if (it != found.end()) {
        customers = it->second.first;
        if (sales && it->second.second) {
          auto minor = money::from_db_text(*it->second.second);
          if (!minor) throw Error(Status::internal, "unreadable sum " + *it->second.second);
          total = money::format(*minor / 100);
        }
      }
      list.push_back({{"name", name},
                      {"percent", tier["percent"]},
                      {"customers", customers},
                      {"sales", total}});
    }
    return json{
        {"period", period}, {"as_of", info.as_of}, {"population", population}, {"tiers", list}};
  });
}

// ---- value.migration ---------------------------------------------------------------------------

std::vector<std::string> tier_names(const RunInfo &info) {
  std::vector<std::string> names;
  for (const auto &tier : info.tiers) names.push_back(tier["name"].get<std::string>());
  return names;
}

json migration(CallContext &context, const json &params) {
  const auto from = params::string(params, "from");
  const auto to = params::string(params, "to");
  const auto from_tier = params::optional_string(params, "from_tier");
  const auto to_tier = params::optional_string(params, "to_tier");
  if (from_tier.has_value() != to_tier.has_value())
    throw invalid_argument(from_tier ? "params.to_tier" : "params.from_tier",
                           "a cell is named by both params.from_tier and params.to_tier");
  const auto limit = params::limit(params, 100);
  const auto order = keyset::by_id("c.id");
  std::vector<db::Value> after_values;  // the cursor, checked before anything runs
  const auto after = keyset::after(params, order, context.store.dialect(), after_values);
  return context.store.with_connection([&](db::Connection &connection) {
    const auto from_run = require_run(connection, from, "params.from");
    const auto to_run = require_run(connection, to, "params.to");
    auto rows = tier_names(from_run);
    rows.push_back(kNew);
    auto columns = tier_names(to_run);
    columns.push_back(kGone);
    if (!from_tier) {
      std::map<std::pair<std::string, std::string>, std::int64_t> counts;
      {
        std::vector<db::Value> values = {to, from};
        auto visible_f = records::customer::attached_visible(connection.dialect(), context.actor,
                                                             "f.customer_id", values);
        if (!visible_f.empty()) visible_f = " AND " + visible_f;
        values.insert(values.end(), {to, from});
        auto visible_t = records::customer::attached_visible(connection.dialect(), context.actor,
                                                             "t.customer_id", values);
        if (!visible_t.empty()) visible_t = " AND " + visible_t;
        auto result =
            connection
                .prepare("SELECT f.tier, COALESCE(t.tier, '" + kGone +
                         "'), COUNT(*) FROM crm_value_snapshot f LEFT JOIN crm_value_snapshot t ON "
                         "t.customer_id = f.customer_id AND t.period = ? WHERE f.period = ?" +
                         visible_f + " GROUP BY f.tier, t.tier UNION ALL SELECT '" + kNew +
                         "', t.tier, COUNT(*) FROM crm_value_snapshot t WHERE t.period = ? AND NOT "
                         "EXISTS (SELECT 1 FROM crm_value_snapshot f WHERE f.period = ? AND "
                         "f.customer_id = t.customer_id)" +
                         visible_t + " GROUP BY t.tier")
                .query(values, {db::Column::text(kMaxTierName), db::Column::text(kMaxTierName),
                                db::Column::integer()});
        while (result.next()) counts[{result.text(0), result.text(1)}] += result.int64(2);
      }
      json matrix = json::array(), cells = json::array();
      for (const auto &row : rows) {
        json line = json::array();
        for (const auto &column : columns) {
          auto it = counts.find({row, column});
          const std::int64_t n = it == counts.end() ? 0 : it->second;
          line.push_back(n);
          if (n > 0) cells.push_back({{"from_tier", row}, {"to_tier", column}, {"customers", n}});
        }
        matrix.push_back(line);
      }
      return json{{"from", from},       {"to", to},         {"rows", rows},
                  {"columns", columns}, {"matrix", matrix}, {"cells", cells}};
    }
    if (std::find(rows.begin(), rows.end(), *from_tier) == rows.end())
      throw invalid_argument("params.from_tier", "period " + from + " has no tier " + *from_tier +
                                                     " (tiers: " + list_text(rows) + ")");
    if (std::find(columns.begin(), columns.end(), *to_tier) == columns.end())
      throw invalid_argument("params.to_tier", "period " + to + " has no tier " + *to_tier +
                                                   " (tiers: " + list_text(columns) + ")");
    if (*from_tier == kNew && *to_tier == kGone)
      throw invalid_argument("params.to_tier", "no customer is both new and gone");
    // a = the side the customer is in for sure; b = the other period (LEFT JOIN).
    std::string sql =
        "SELECT c.id, c.name, f.tier, f.position, f.score_ppm, t.tier, t.position, t.score_ppm "
        "FROM crm_customer c ";
    std::vector<db::Value> values;
    if (*from_tier == kNew) {
      sql +=
          "JOIN crm_value_snapshot t ON t.customer_id = c.id AND t.period = ? AND t.tier = ? "
          "LEFT JOIN crm_value_snapshot f ON f.customer_id = c.id AND f.period = ? "
          "WHERE f.customer_id IS NULL";
      values = {to, *to_tier, from};
    } else if (*to_tier == kGone) {
      sql +=
          "JOIN crm_value_snapshot f ON f.customer_id = c.id AND f.period = ? AND f.tier = ? "
          "LEFT JOIN crm_value_snapshot t ON t.customer_id = c.id AND t.period = ? "
          "WHERE t.customer_id IS NULL";
      values = {from, *from_tier, to};
    } else {
      sql +=
          "JOIN crm_value_snapshot f ON f.customer_id = c.id AND f.period = ? AND f.tier = ? "
          "JOIN crm_value_snapshot t ON t.customer_id = c.id AND t.period = ? AND t.tier = ? "
          "WHERE 1 = 1";
      values = {from, *from_tier, to, *to_tier};
    }
    if (auto visible = records::customer::visible(connection.dialect(), context.actor, "c", values);
        !visible.empty())
      sql += " AND " + visible;
    if (!after.empty()) {
      sql += " AND " + after;
      values.insert(values.end(), after_values.begin(), after_values.end());
    }
    sql += keyset::order_limit(order, limit, values);
    auto result = connection.prepare(sql).query(
        values, {db::Column::integer(), db::Column::text(200), db::Column::text(kMaxTierName),
                 db::Column::integer(), db::Column::integer(), db::Column::text(kMaxTierName),
                 db::Column::integer(), db::Column::integer()});
    auto page = keyset::read_page(result, order, limit, [](const db::Result &row) {
      auto side = [&](std::size_t at) -> json {
        if (row.is_null(at)) return nullptr;
        return {{"tier", row.text(at)},
                {"position", row.int64(at + 1)},
                {"score_ppm", row.int64(at + 2)}};
      };
      return json{{"customer_id", std::to_string(row.int64(0))},
                  {"name", row.text(1)},
                  {"from", side(2)},
                  {"to", side(5)}};
    });
    return json{{"from", from},
                {"to", to},
                {"from_tier", *from_tier},
                {"to_tier", *to_tier},
                {"items", std::move(page["items"])},
                {"next_cursor", std::move(page["next_cursor"])}};
  });
}

namespace rs = result_schema;

// One member per value component, each of the same schema.
json per_component(const json &schema) {
  rs::Members members;
  for (const char *component : kComponents) members.push_back({component, schema});
  return rs::object(members);
}

json value_schema() {
  rs::Members components;
  for (std::size_t i = 0; i < kComponents.size(); ++i)
    components.push_back(
        {kComponents[i], rs::object({{"available", rs::boolean()},
                                     {"withheld", rs::boolean()},
                                     {"raw", rs::nullable(kMoney[i] ? rs::money() : rs::integer())},
                                     {"normalised_ppm", rs::nullable(rs::integer())},
                                     {"weight", rs::integer()},
                                     {"contribution_ppm", rs::nullable(rs::integer())}})});
  return rs::object({{"customer_id", rs::id()},
                     {"period", rs::string()},
                     {"as_of", rs::timestamp()},
                     {"components", rs::object(components)},
                     {"score_ppm", rs::integer()},
                     {"position", rs::integer()},
                     {"population", rs::integer()},
                     {"tier", rs::string()}});
}

json migration_schema() {
  json side = rs::nullable(rs::object(
      {{"tier", rs::string()}, {"position", rs::integer()}, {"score_ppm", rs::integer()}}));
  return rs::any_of(
      {rs::object({{"from", rs::string()},
                   {"to", rs::string()},
                   {"rows", rs::array(rs::string())},
                   {"columns", rs::array(rs::string())},
                   {"matrix", rs::array(rs::array(rs::integer()))},
                   {"cells", rs::array(rs::object({{"from_tier", rs::string()},
                                                   {"to_tier", rs::string()},
                                                   {"customers", rs::integer()}}))}}),
       rs::page(
           rs::object(
               {{"customer_id", rs::id()}, {"name", rs::string()}, {"from", side}, {"to", side}}),
           {{"from", rs::string()},
            {"to", rs::string()},
            {"from_tier", rs::string()},
            {"to_tier", rs::string()}})});
}

}  // namespace

void register_methods(Registry &registry) {
  registry.add_section(settings_section<Settings>(
      "value", [](const json *section, Store &) { return load_settings(section); }));
  registry.add(
      {"value.run",
       "Scores every customer of the population (value.population_stages) from sales "
       "contribution, sales expectation, credit, profit contribution and reference value, "
       "ranks them and cuts the ranking into the configured tiers, as the snapshot of a period "
       "(re-running a period replaces it). Set-based in the database; one process at a time.",
       {Field::string("period", kMaxPeriod, "the snapshot's period, e.g. \"2026-11\"").require(),
        Field::timestamp("as_of", "the end of the window and the credit date (default now)")},
       jobs::result_schema(
           {{"period", rs::string()},
            {"as_of", rs::timestamp()},
            {"window_days", rs::integer()},
            {"population", rs::integer()},
            {"tiers", rs::array(rs::object({{"name", rs::string()},
                                            {"percent", rs::integer()},
                                            {"customers", rs::integer()}}))},
            {"components", rs::array(rs::enumeration({kComponents.begin(), kComponents.end()}))},
            {"unavailable",
             rs::array(rs::object({{"component", rs::string()}, {"reason", rs::string()}}))},
            {"weights", per_component(rs::integer())},
            {"effective_weights", per_component(rs::integer())}}),
       run,
       "jobs"});
  registry.add({"value.get",
                "One customer's value in a period (default the latest): every component raw, "
                "normalised, weighted, and the score, position and tier.",
                {Field::id("customer_id", "the customer").require(),
                 Field::string("period", kMaxPeriod, "the period (default the latest run)")},
                value_schema(),
                get,
                "value.read"});
  registry.add({"value.tiers",
                "The tiers of a period: customers and total sales contribution per tier.",
                {Field::string("period", kMaxPeriod, "the period").require()},
                rs::object({{"period", rs::string()},
                            {"as_of", rs::timestamp()},
                            {"population", rs::integer()},
                            {"tiers", rs::array(rs::object({{"name", rs::string()},
                                                            {"percent", rs::integer()},
                                                            {"customers", rs::integer()},
                                                            {"sales", rs::money()}}))}}),
                tiers,
                "value.read"});
  registry.add(
      {"value.migration",
       "Tier migration between two periods: the from-tier × to-tier matrix (\"new\" = only in "
       "the later period, \"gone\" = only in the earlier), or with from_tier and to_tier the "
       "customers of that cell (keyset pages).",
       {Field::string("from", kMaxPeriod, "the earlier period").require(),
        Field::string("to", kMaxPeriod, "the later period").require(),
        Field::string("from_tier", kMaxTierName, "a tier of the earlier period, or \"new\""),
        Field::string("to_tier", kMaxTierName, "a tier of the later period, or \"gone\""),
        Field::limit(100, 1000), Field::cursor()},
       migration_schema(),
       migration,
       "value.read"});
}

}  // namespace crm::value
