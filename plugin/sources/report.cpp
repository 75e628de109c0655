#include "report.hpp"

#include <algorithm>
#include <map>

#include "../core/money.hpp"
#include "../core/time.hpp"
#include "../hostdata/hostdata.hpp"
#include "../records/customer.hpp"
#include "../records/source.hpp"
#include "sources.hpp"

namespace crm::sources {

namespace {

using params::Field;
const std::vector<std::string> kGroupings = {"source", "campaign", "channel"};
constexpr std::int64_t kMaxPeriodDays = 3660;
constexpr std::int64_t kPpm = 1'000'000;
// What a group's key reads as in SQL where it is NULL (no first touch): no code is empty.
const std::string kNoKey = "''";

// numerator / denominator in millionths, rounded half away from zero; null for a zero
// denominator.
json ppm(__int128 numerator, __int128 denominator) {
  if (denominator == 0) return nullptr;
  const bool negative = (numerator < 0) != (denominator < 0);
  if (numerator < 0) numerator = -numerator;
  if (denominator < 0) denominator = -denominator;
  const __int128 scaled = (numerator * kPpm * 2 + denominator) / (denominator * 2);
  return static_cast<std::int64_t>(negative ? -scaled : scaled);
}

// A campaign's cost for the part of its period [its first day's start, the day after its last)
// in the host's calendar that lies in [from, to): the whole cost when the period is covered,
// else the share of its microseconds, rounded half away from zero to the minor unit.
money::Minor cost_in(const records::source::Campaign &campaign, time::Micros from, time::Micros to,
                     int offset_minutes) {
  const time::Micros shift = static_cast<time::Micros>(offset_minutes) * 60'000'000;
  const time::Micros begin = *time::parse_date(campaign.starts_on) * time::kMicrosPerDay - shift;
  const time::Micros end = (*time::parse_date(campaign.ends_on) + 1) * time::kMicrosPerDay - shift;
  const time::Micros overlap = std::min(end, to) - std::max(begin, from);
  if (overlap <= 0) return 0;
  if (overlap >= end - begin) return campaign.cost_minor;
  const __int128 share =
      (static_cast<__int128>(campaign.cost_minor) * overlap * 2 + (end - begin)) /
      (static_cast<__int128>(end - begin) * 2);
  return static_cast<money::Minor>(share);
}

struct Figures {
  std::int64_t leads = 0, opportunities = 0, customers = 0;
  __int128 revenue = 0, margin = 0, cost = 0;
  std::optional<double> median_days;
};

struct Query {
  std::string sql;
  std::vector<db::Value> values;
};

struct Plan {
  bool invoices = false, orders = false, margins = false;
};

// The range of host documents of the leads: documents of a lead's customer, at or after its
// first touch and no later than as_of. The population's period bounds every touch, so documents
// before it are passed over by their own time first. Appended to "FROM <documents> x".
struct Range {
  std::string from, to, from_host, as_of_host;
  std::string as_of;  // database text
};

std::string of_lead(const db::Dialect &d, const hostdata::HostData &host,
                    const std::string &time_column, const Range &range,
                    std::vector<db::Value> &values) {
  const std::string ts = d.timestamp_param();
  const std::string at = d.host_time(time_column);
  values.push_back(range.from_host);
  values.push_back(range.as_of_host);
  values.push_back(range.from);
  values.push_back(range.to);
  return " CROSS JOIN crm_customer cc WHERE cc.host_key = " + d.text_cast("x.customer_key") +
         " AND " + at + " >= " + ts + " AND " + at + " <= " + ts +
         " AND cc.first_touch_at >= " + ts + " AND cc.first_touch_at < " + ts + " AND " + at +
         " >= " + d.shifted_time("cc.first_touch_at", host.offset_minutes());
}

// The CTEs both statements start from: pop (the leads the actor sees, with their group key g),
// and ord (each lead's first valid order after its first touch) where orders are mapped.
std::string population(const db::Dialect &d, const hostdata::HostData &host, const Actor &actor,
                       const std::string &group_by, const Plan &plan, const Range &range,
                       std::vector<db::Value> &values) {
  const std::string ts = d.timestamp_param();
  const std::string key = group_by == "source"     ? "c.first_touch_source"
                          : group_by == "campaign" ? "c.first_touch_campaign"
                                                   : "s.channel";
  std::string sql = "WITH pop AS (SELECT c.id AS cid, c.first_touch_at AS touched, " + key +
                    " AS g, " + d.shifted_time("c.first_touch_at", host.offset_minutes()) +
                    " AS touched_host FROM crm_customer c";
  if (group_by == "channel") sql += " LEFT JOIN crm_source s ON s.code = c.first_touch_source";
  sql += " WHERE c.first_touch_at >= " + ts + " AND c.first_touch_at < " + ts;
  values.push_back(range.from);
  values.push_back(range.to);
  if (auto visible = records::customer::visible(d, actor, "c", values); !visible.empty())
    sql += " AND " + visible;
  sql += ")";
  if (plan.orders)
    sql += ", ord AS (SELECT cc.id AS cid, MIN(" + d.host_time("x.ordered_at") +
           ") AS first_at FROM " + host.entity("orders").derived("x") +
           of_lead(d, host, "x.ordered_at", range, values) +
           " AND x.status = 'valid' GROUP BY cc.id)";
  return sql;
}

Query figures_query(const db::Dialect &d, const hostdata::HostData &host, const Actor &actor,
                    const std::string &group_by, const Plan &plan, const Range &range) {
  Query q;
  const std::string ts = d.timestamp_param();
  q.sql = population(d, host, actor, group_by, plan, range, q.values);
  std::string joins;
  if (plan.invoices) {
    q.sql += ", inv AS (SELECT cc.id AS cid, SUM(" + d.minor_units("x.amount") + ") AS v FROM " +
             host.entity("invoices").derived("x") +
             of_lead(d, host, "x.invoiced_at", range, q.values) +
             " AND x.status = 'valid' GROUP BY cc.id)";
    joins += " LEFT JOIN inv ON inv.cid = p.cid";
  }
  if (plan.margins) {
    // The lines of valid orders, as value.run's profit counts them: lines without a cost are
    // left out rather than counted at full margin.
    q.sql += ", mar AS (SELECT cc.id AS cid, SUM(" + d.minor_units("l.amount") + " - " +
             d.minor_units("l.cost") + ") AS v FROM " + host.entity("order_lines").derived("l") +
             " JOIN " + host.entity("orders").derived("x") + " ON x.order_key = l.order_key" +
             of_lead(d, host, "x.ordered_at", range, q.values) +
             " AND x.status = 'valid' AND l.cost IS NOT NULL GROUP BY cc.id)";
    joins += " LEFT JOIN mar ON mar.cid = p.cid";
  }
  q.sql +=
      ", led AS (SELECT e.customer_id AS cid, MAX(CASE WHEN e.to_stage IN ('customer', 'repeat') "
      "THEN 1 ELSE 0 END) AS won FROM crm_lifecycle_event e JOIN pop p ON p.cid = e.customer_id "
      "WHERE e.to_stage IN ('opportunity', 'customer', 'repeat') AND e.occurred_at >= p.touched "
      "AND e.occurred_at <= " +
      ts + " GROUP BY e.customer_id)";
  q.values.push_back(range.as_of);
  joins += " LEFT JOIN led ON led.cid = p.cid";
  const std::string ordered = plan.orders ? "ord.cid IS NOT NULL" : "1 = 0";
  if (plan.orders) joins += " LEFT JOIN ord ON ord.cid = p.cid";
  q.sql += " SELECT p.g, COUNT(*), SUM(CASE WHEN led.cid IS NOT NULL OR " + ordered +
           " THEN 1 ELSE 0 END), SUM(CASE WHEN led.won = 1 OR " + ordered +
           " THEN 1 ELSE 0 END), " + (plan.invoices ? "SUM(COALESCE(inv.v, 0))" : "0") + ", " +
           (plan.margins ? "SUM(COALESCE(mar.v, 0))" : "0") + " FROM pop p" + joins +
           " GROUP BY p.g";
  return q;
}

// The median of each group's whole days from first touch to first order (and of all leads, at
// level 1): the one or two middle rows of each ordered group.
Query median_query(const db::Dialect &d, const hostdata::HostData &host, const Actor &actor,
                   const std::string &group_by, const Plan &plan, const Range &range) {
  Query q;
  q.sql = population(d, host, actor, group_by, plan, range, q.values);
  q.sql += ", days AS (SELECT COALESCE(p.g, " + kNoKey + ") AS k, " +
           d.days_between("p.touched_host", "ord.first_at") +
           " AS n FROM pop p JOIN ord ON ord.cid = p.cid)";
  // Row numbers 2 * rn in [total, total + 2] are the middle row of an odd count and the two
  // middle rows of an even one.
  q.sql +=
      " SELECT 0 AS level, m.k, SUM(m.n), COUNT(*) FROM (SELECT k, n, ROW_NUMBER() OVER "
      "(PARTITION BY k ORDER BY n) AS rn, COUNT(*) OVER (PARTITION BY k) AS total FROM days) m "
      "WHERE 2 * m.rn BETWEEN m.total AND m.total + 2 GROUP BY m.k UNION ALL SELECT 1 AS level, " +
      kNoKey +
      ", SUM(m.n), COUNT(*) FROM (SELECT n, ROW_NUMBER() OVER (ORDER BY n) AS rn, COUNT(*) OVER "
      "() AS total FROM days) m WHERE 2 * m.rn BETWEEN m.total AND m.total + 2";
  return q;
}

json money_json(__int128 minor) {
  return money::format(static_cast<money::Minor>(minor));
}

json figures_json(const Figures &f, bool revenue_known, bool margin_known, bool margin_visible) {
  const bool margin_shown = margin_known && margin_visible;
  json roi = nullptr;
  if (margin_shown) roi = ppm(f.margin - f.cost, f.cost);
  json median = nullptr;
  if (f.median_days) median = *f.median_days;
  return {{"leads", f.leads},
          {"opportunities", f.opportunities},
          {"customers", f.customers},
          {"conversion",
           {{"lead_to_opportunity_ppm", ppm(f.opportunities, f.leads)},
            {"opportunity_to_customer_ppm", ppm(f.customers, f.opportunities)},
            {"lead_to_customer_ppm", ppm(f.customers, f.leads)}}},
          {"revenue", revenue_known ? money_json(f.revenue) : json(nullptr)},
          {"margin", margin_shown ? money_json(f.margin) : json(nullptr)},
          {"cost", money_json(f.cost)},
          {"roi_ppm", roi},
          {"median_days_to_first_order", median}};
}

}  // namespace

std::vector<params::Field> report_fields() {
  return {Field::timestamp("from", "first touches from this instant on").require(),
          Field::timestamp("to", "first touches before this instant (at most 3660 days after from)")
              .require(),
          Field::timestamp("as_of", "host documents up to this instant (default: now)"),
          Field::enumeration("group_by", kGroupings,
                             "one row per source (default), campaign or "
                             "channel")
              .not_null()};
}

json report(CallContext &context, const json &params) {
  auto &store = context.store;
  const auto &host = hostdata::of(store);
  const auto from = *params::optional_timestamp(params, "from");
  const auto to = *params::optional_timestamp(params, "to");
  const auto as_of = params::optional_timestamp(params, "as_of").value_or(time::now());
  const auto group_by = params::optional_string(params, "group_by").value_or("source");
  if (to <= from) throw invalid_argument("params.to", "params.to must be after params.from");
  if ((to - from) / time::kMicrosPerDay >= kMaxPeriodDays)
    throw invalid_argument("params.to", "the period from params.from to params.to is longer than " +
                                            std::to_string(kMaxPeriodDays) + " days");
  if (as_of < from)
    throw invalid_argument("params.as_of", "params.as_of must not be before params.from");
  Plan plan;
  json unavailable = json::array();
  plan.invoices = host.mapped("invoices");
  if (!plan.invoices)
    unavailable.push_back({{"figure", "revenue"}, {"reason", "host.invoices is not mapped"}});
  plan.orders = host.mapped("orders");
  if (!plan.orders)
    unavailable.push_back(
        {{"figure", "median_days_to_first_order"}, {"reason", "host.orders is not mapped"}});
  plan.margins =
      plan.orders && host.mapped("order_lines") && host.entity("order_lines").has("cost");
  if (!plan.margins)
    unavailable.push_back(
        {{"figure", "margin"},
         {"reason", plan.orders && host.mapped("order_lines")
                        ? "host.order_lines has no cost column"
                        : "host.orders and host.order_lines with a cost column are not mapped"}});
  const bool margin_visible = context.actor.has("value.sensitive");
  const Range range{time::to_db_text(from), time::to_db_text(to), host.host_time(from),
                    host.host_time(as_of), time::to_db_text(as_of)};

  return store.with_connection([&](db::Connection &connection) {
    Store::ReadScope snapshot(store, connection);
    const auto &d = connection.dialect();
    std::map<std::string, Figures> groups;  // "" for the leads without a first touch
    {
      auto q = figures_query(d, host, context.actor, group_by, plan, range);
      auto rows = connection.prepare(q.sql).query(
          q.values, {db::Column::text(records::source::kCodeChars), db::Column::integer(),
                     db::Column::integer(), db::Column::integer(), db::Column::text(40),
                     db::Column::text(40)});
      while (rows.next()) {
        auto &f = groups[rows.optional_text(0).value_or("")];
        f.leads = rows.int64(1);
        f.opportunities = rows.int64(2);
        f.customers = rows.int64(3);
        f.revenue = rows.optional_text(4) ? std::stoll(*rows.optional_text(4)) : 0;
        f.margin = rows.optional_text(5) ? std::stoll(*rows.optional_text(5)) : 0;
      }
    }
    Figures total;
    if (plan.orders) {
      auto q = median_query(d, host, context.actor, group_by, plan, range);
      auto rows = connection.prepare(q.sql).query(
          q.values, {db::Column::integer(), db::Column::text(records::source::kCodeChars),
                     db::Column::integer(), db::Column::integer()});
      while (rows.next()) {
        if (rows.int64(3) == 0) continue;  // the overall row of no orders at all
        const double median =
            static_cast<double>(rows.int64(2)) / static_cast<double>(rows.int64(3));
        if (rows.int64(0) == 1)
          total.median_days = median;
        else
          groups[rows.text(1)].median_days = median;
      }
    }
    // Costs: every campaign whose period meets [from, to), for its share of the period.
    const auto first_day =
        time::format_date((from + host.offset_minutes() * 60'000'000LL) / time::kMicrosPerDay);
    const auto last_day =
        time::format_date((to - 1 + host.offset_minutes() * 60'000'000LL) / time::kMicrosPerDay);
    std::map<std::string, records::source::Source> sources;
    auto source_of = [&](const std::string &code) -> const records::source::Source * {
      auto found = sources.find(code);
      if (found == sources.end()) {
        auto source = records::source::find_source(connection, code);
        if (!source) return nullptr;
        found = sources.emplace(code, *source).first;
      }
      return &found->second;
    };
    std::map<std::string, std::string> campaign_names;
    for (const auto &campaign :
         records::source::campaigns_meeting(connection, first_day, last_day)) {
      campaign_names[campaign.code] = campaign.name;
      const auto cost = cost_in(campaign, from, to, host.offset_minutes());
      std::string key = group_by == "source" ? campaign.source_code : campaign.code;
      if (group_by == "channel") {
        const auto *source = source_of(campaign.source_code);
        key = source ? source->channel : "";
      }
      groups[key].cost += cost;
    }
    json list = json::array();
    json unattributed = nullptr;
    for (auto &[key, f] : groups) {
      total.leads += f.leads;
      total.opportunities += f.opportunities;
      total.customers += f.customers;
      total.revenue += f.revenue;
      total.margin += f.margin;
      total.cost += f.cost;
      json row = {{"key", key.empty() ? json(nullptr) : json(key)}};
      json name = nullptr;
      if (!key.empty() && group_by == "source") {
        if (const auto *source = source_of(key)) name = source->name;
      } else if (!key.empty() && group_by == "campaign") {
        auto known = campaign_names.find(key);
        if (known == campaign_names.end()) {
          if (auto campaign = records::source::find_campaign(connection, key))
            known = campaign_names.emplace(key, campaign->name).first;
        }
        if (known != campaign_names.end()) name = known->second;
      }
      row["name"] = name;
      row.update(figures_json(f, plan.invoices, plan.margins, margin_visible));
      if (key.empty())
        unattributed = std::move(row);
      else
        list.push_back(std::move(row));
    }
    if (!unattributed.is_null()) list.push_back(std::move(unattributed));
    json withheld = json::array();
    if (!margin_visible) {
      withheld.push_back("margin");
      withheld.push_back("roi_ppm");
    }
    return json{{"from", time::format_iso8601(from)},
                {"to", time::format_iso8601(to)},
                {"as_of", time::format_iso8601(as_of)},
                {"group_by", group_by},
                {"groups", std::move(list)},
                {"total", figures_json(total, plan.invoices, plan.margins, margin_visible)},
                {"unavailable", std::move(unavailable)},
                {"withheld", std::move(withheld)}};
  });
}

json report_schema() {
  namespace rs = result_schema;
  const json ratio = rs::nullable(rs::integer());
  const result_schema::Members figures = {
      {"leads", rs::integer()},
      {"opportunities", rs::integer()},
      {"customers", rs::integer()},
      {"conversion", rs::object({{"lead_to_opportunity_ppm", ratio},
                                 {"opportunity_to_customer_ppm", ratio},
                                 {"lead_to_customer_ppm", ratio}})},
      {"revenue", rs::nullable(rs::money())},
      {"margin", rs::nullable(rs::money())},
      {"cost", rs::money()},
      {"roi_ppm", ratio},
      {"median_days_to_first_order", rs::nullable(rs::number())}};
  auto group = figures;
  group.insert(group.begin(),
               {{"key", rs::nullable(rs::string())}, {"name", rs::nullable(rs::string())}});
  return rs::object(
      {{"from", rs::timestamp()},
       {"to", rs::timestamp()},
       {"as_of", rs::timestamp()},
       {"group_by", rs::enumeration(kGroupings)},
       {"groups", rs::array(rs::object(group))},
       {"total", rs::object(figures)},
       {"unavailable", rs::array(rs::object({{"figure", rs::string()}, {"reason", rs::string()}}))},
       {"withheld", rs::array(rs::string())}});
}

}  // namespace crm::sources
