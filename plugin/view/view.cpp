#include "view.hpp"

#include <algorithm>
#include <set>

#include "../core/cursor.hpp"
#include "../core/money.hpp"
#include "../core/time.hpp"
#include "../hostdata/hostdata.hpp"
#include "../records/interaction.hpp"
#include "../records/ledger.hpp"
#include "../records/opportunity.hpp"

namespace crm::view {

namespace {

using params::Field;

// The timeline's kinds, in the order that breaks ties between equal times.
const std::vector<std::string> kKinds = {"interaction", "lifecycle", "opportunity",
                                         "order",       "invoice",   "payment"};
const std::vector<std::string> kChannels = {"tel",   "fax", "email", "sms",  "face_to_face",
                                            "media", "web", "event", "other"};

std::size_t kind_index(const std::string &kind) {
  return static_cast<std::size_t>(std::find(kKinds.begin(), kKinds.end(), kind) - kKinds.begin());
}

struct Item {
  time::Micros at = 0;
  std::size_t kind = 0;
  std::string key;          // the record's key in its source, as text
  std::int64_t number = 0;  // the key as a number where the source's keys are numbers
  bool numeric = false;
  json body;
};

// Timeline order: newer first; equal times by kind, then by key descending.
bool before(const Item &a, const Item &b) {
  if (a.at != b.at) return a.at > b.at;
  if (a.kind != b.kind) return a.kind < b.kind;
  if (a.numeric && b.numeric) return a.number > b.number;
  return a.key > b.key;
}

struct Position {
  time::Micros at;
  std::size_t kind;
  std::string key;
};

// Runs a method the view composes, its parameters checked against that method's schema as a
// caller's would be: a mismatch between the two is a defect of the view, and shows as one.
// A section whose method needs a capability the caller lacks is null, as the method would
// have refused it.
json call(CallContext &context, const std::string &method, const json &params) {
  const Method *found = registry().find(method);
  if (!found)
    throw std::logic_error("customer.view composes " + method + ", which is not registered");
  if (!context.actor.has(found->capability)) return nullptr;
  try {
    params::validate(params, found->params, "params");
  } catch (const Error &error) {
    throw std::logic_error("customer.view calls " + method +
                           " with parameters its schema refuses: " + error.message());
  }
  return found->handler(context, params);
}

json optional_call(CallContext &context, const std::string &method, const json &params) {
  try {
    return call(context, method, params);
  } catch (const Error &error) {
    if (error.status() == Status::not_found) return nullptr;
    throw;
  }
}

class Timeline {
 public:
  Timeline(CallContext &context, db::Connection &connection, std::int64_t customer_id,
           std::optional<std::string> host_key, std::size_t limit, std::optional<Position> after)
      : connection_(connection),
        dialect_(context.store.dialect()),
        host_(hostdata::of(context.store)),
        customer_id_(customer_id),
        host_key_(std::move(host_key)),
        limit_(limit),
        after_(std::move(after)) {}

  void interactions(const std::optional<std::string> &channel) {
    std::string sql = records::interaction::timeline_select();
    std::vector<db::Value> values = {customer_id_};
    if (channel) {
      sql += " AND channel = ?";
      values.push_back(*channel);
    }
    crm_source(
        "interaction", "occurred_at", "id", sql, values, records::interaction::timeline_columns(),
        [](const db::Result &row, Item &item) {
          item.body = {
              {"channel", row.text(2)},
              {"direction", row.text(3)},
              {"title", row.optional_text(4) ? json(*row.optional_text(4)) : json(nullptr)},
              {"contact_id", row.optional_text(5) ? json(*row.optional_text(5)) : json(nullptr)},
              {"opportunity_id",
               row.optional_text(6) ? json(*row.optional_text(6)) : json(nullptr)}};
        });
  }

  void lifecycle() {
    crm_source(
        "lifecycle", "occurred_at", "id", records::ledger::timeline_select(), {customer_id_},
        records::ledger::timeline_columns(), [](const db::Result &row, Item &item) {
          item.body = {
              {"title", row.text(3)},
              {"from", row.optional_text(2) ? json(*row.optional_text(2)) : json(nullptr)},
              {"to", row.text(3)},
              {"reason_code", row.text(4)},
              {"actor", row.text(5)},
              {"on_behalf_of", row.optional_text(6) ? json(*row.optional_text(6)) : json(nullptr)}};
        });
  }

  void opportunities() {
    crm_source("opportunity", "e.occurred_at", "e.id", records::opportunity::timeline_select(),
               {customer_id_}, records::opportunity::timeline_columns(),
               [](const db::Result &row, Item &item) {
                 std::optional<std::int64_t> amount;
                 if (auto text = row.optional_text(4)) amount = std::stoll(*text);
                 item.body = {
                     {"title", row.text(7)},
                     {"event", row.text(2)},
                     {"stage", row.optional_text(3) ? json(*row.optional_text(3)) : json(nullptr)},
                     {"amount", amount ? json(money::format(*amount)) : json(nullptr)},
                     {"probability", row.optional_text(5) ? json(std::stoll(*row.optional_text(5)))
                                                          : json(nullptr)},
                     {"opportunity_id", std::to_string(row.int64(6))}};
               });
  }

  void orders() {
    if (!host_key_ || !host_.mapped("orders")) return;
    const auto &q = host_.entity("orders");
    host_source("order", q, "ordered_at", "order_key",
                "h.amount, h.status, " + q.column("h", "salesperson_key"),
                [](const db::Result &row, Item &item) {
                  item.body = {{"title", "order " + item.key},
                               {"amount", decimal(row.optional_text(2))},
                               {"status", row.text(3)},
                               {"salesperson", row.optional_text(4) ? json(*row.optional_text(4))
                                                                    : json(nullptr)}};
                });
  }

  void invoices() {
    if (!host_key_ || !host_.mapped("invoices")) return;
    const auto &q = host_.entity("invoices");
    host_source("invoice", q, "invoiced_at", "invoice_key",
                "h.amount, h.status, " + text_or_null(q, "order_key"),
                [](const db::Result &row, Item &item) {
                  item.body = {{"title", "invoice " + item.key},
                               {"amount", decimal(row.optional_text(2))},
                               {"status", row.text(3)},
                               {"order_key", row.optional_text(4) ? json(*row.optional_text(4))
                                                                  : json(nullptr)}};
                });
  }

  void payments() {
    if (!host_key_ || !host_.mapped("receivables")) return;
    const auto &q = host_.entity("receivables");
    if (!q.has("paid_at")) return;
    host_source("payment", q, "paid_at", "receivable_key",
                "h.paid_amount, h.amount, " + dialect_.text_cast(dialect_.host_time("h.due_date")),
                [](const db::Result &row, Item &item) {
                  auto paid = row.optional_text(2) ? money::from_db_text(*row.optional_text(2))
                                                   : std::nullopt;
                  auto due = row.optional_text(3) ? money::from_db_text(*row.optional_text(3))
                                                  : std::nullopt;
                  json outstanding = nullptr;
                  if (paid && due) outstanding = money::format(*due - *paid);
                  item.body = {{"title", "payment for " + item.key},
                               {"amount", paid ? json(money::format(*paid)) : json(nullptr)},
                               {"due_amount", due ? json(money::format(*due)) : json(nullptr)},
                               {"outstanding", outstanding},
                               {"due_date", row.text(4).substr(0, 10)}};
                });
  }

  json page() {
    std::sort(items_.begin(), items_.end(), before);
    json out = json::array();
    json next = nullptr;
    for (std::size_t i = 0; i < items_.size() && i < limit_; ++i) {
      auto &item = items_[i];
      json entry = {
          {"kind", kKinds[item.kind]}, {"at", time::format_iso8601(item.at)}, {"key", item.key}};
      entry.update(item.body);
      out.push_back(std::move(entry));
    }
    if (items_.size() > limit_) {
      const auto &last = items_[limit_ - 1];
      next = cursor::encode(json::array({last.at, kKinds[last.kind], last.key}));
    }
    return {{"items", std::move(out)}, {"next_cursor", next}};
  }

 private:
  static json decimal(const std::optional<std::string> &text) {
    if (!text) return nullptr;
    auto minor = money::from_db_text(*text);
    return minor ? json(money::format(*minor)) : json(*text);
  }
  std::string text_or_null(const db::HostQuery &q, const std::string &column) const {
    return q.has(column) ? dialect_.text_cast("h." + column) : std::string("NULL");
  }

  // Rows of this kind that come after the cursor: "(time, key) < (t, k)" in timeline order.
  template <class Fill>
  void crm_source(const std::string &kind, const std::string &time_column,
                  const std::string &id_column, std::string sql, std::vector<db::Value> values,
                  std::vector<db::Column> columns, Fill fill) {
    const std::size_t index = kind_index(kind);
    const auto ts = dialect_.timestamp_param();
    if (after_) {
      const auto t = time::to_db_text(after_->at);
      if (index > after_->kind) {
        sql += " AND " + time_column + " <= " + ts;
        values.push_back(t);
      } else if (index < after_->kind) {
        sql += " AND " + time_column + " < " + ts;
        values.push_back(t);
      } else {
        sql += " AND (" + time_column + " < " + ts + " OR (" + time_column + " = " + ts + " AND " +
               id_column + " < ?))";
        values.push_back(t);
        values.push_back(t);
        values.push_back(static_cast<std::int64_t>(std::stoll(after_->key)));
      }
    }
    sql += " ORDER BY " + time_column + " DESC, " + id_column + " DESC LIMIT ?";
    values.push_back(static_cast<std::int64_t>(limit_ + 1));
    auto result = connection_.prepare(sql).query(values, columns, limit_ + 1);
    while (result.next()) {
      Item item;
      item.kind = index;
      item.number = result.int64(0);
      item.numeric = true;
      item.key = std::to_string(item.number);
      auto at = time::from_db_text(result.text(1));
      if (!at) continue;
      item.at = *at;
      fill(result, item);
      items_.push_back(std::move(item));
    }
  }

  // The cursor's record key as the host entity's key column holds it. The cursor came from the
  // caller, so a key the column cannot hold is the caller's mistake, not ours.
  static db::Value cursor_key(const db::HostQuery &q, const std::string &key_column,
                              const std::string &key) {
    auto value = q.try_key_value(key_column, key);
    if (!value)
      throw invalid_argument("params.cursor", "params.cursor is not a cursor of this method");
    return *value;
  }

  // The same over a host entity, filtered by the customer's host key. Host times are host
  // local with whole seconds: the cursor's instant is compared in those terms.
  template <class Fill>
  void host_source(const std::string &kind, const db::HostQuery &q, const std::string &time_column,
                   const std::string &key_column, const std::string &more, Fill fill) {
    const std::size_t index = kind_index(kind);
    const auto ts = dialect_.timestamp_param();
    const std::string at = dialect_.host_time("h." + time_column);
    std::string sql = "SELECT " + dialect_.text_cast("h." + key_column) + ", " +
                      dialect_.text_cast(at) + ", " + more + " FROM " + q.derived("h") +
                      " WHERE h.customer_key = ? AND h." + time_column + " IS NOT NULL";
    // A host key the host's key column cannot hold (link_host takes any text): no rows.
    auto customer = q.try_key_value("customer_key", *host_key_);
    if (!customer) return;
    std::vector<db::Value> values = {*customer};
    if (after_) {
      // Host rows have whole seconds, so "earlier than the cursor's instant" is "at or before
      // its second" when the instant has a fraction, and only then can no row tie with it.
      const bool whole = after_->at % 1'000'000 == 0;
      const auto second =
          host_.host_time(after_->at - (after_->at % 1'000'000 + 1'000'000) % 1'000'000);
      if (!whole || index > after_->kind) {
        sql += " AND " + at + " <= " + ts;
        values.push_back(second);
      } else if (index < after_->kind) {
        sql += " AND " + at + " < " + ts;
        values.push_back(second);
      } else {
        sql += " AND (" + at + " < " + ts + " OR (" + at + " = " + ts + " AND h." + key_column +
               " < ?))";
        values.push_back(second);
        values.push_back(second);
        values.push_back(cursor_key(q, key_column, after_->key));
      }
    }
    sql += " ORDER BY " + at + " DESC, h." + key_column + " DESC LIMIT ?";
    values.push_back(static_cast<std::int64_t>(limit_ + 1));
    std::vector<db::Column> columns = {db::Column::text(128), db::Column::text(32),
                                       db::Column::text(40), db::Column::text(40),
                                       db::Column::text(128)};
    auto result = connection_.prepare(sql).query(values, columns, limit_ + 1);
    while (result.next()) {
      Item item;
      item.kind = index;
      item.key = result.text(0);
      item.numeric = q.integer_column(key_column);
      if (item.numeric) item.number = std::stoll(item.key);
      auto utc = host_.to_utc(result.text(1));
      if (!utc) continue;
      item.at = *utc;
      fill(result, item);
      items_.push_back(std::move(item));
    }
  }

  db::Connection &connection_;
  const db::Dialect &dialect_;
  const hostdata::HostData &host_;
  std::int64_t customer_id_;
  std::optional<std::string> host_key_;
  std::size_t limit_;
  std::optional<Position> after_;
  std::vector<Item> items_;
};

// The host ERP's own contacts of the customer (read-only here; the CRM's are in "contacts").
json host_contacts(CallContext &context, db::Connection &connection,
                   const std::optional<std::string> &host_key) {
  const auto &host = hostdata::of(context.store);
  json out = json::array();
  if (!host_key || !host.mapped("contacts")) return out;
  const auto &q = host.entity("contacts");
  auto customer = q.try_key_value("customer_key", *host_key);
  if (!customer) return out;  // a key the host's key column cannot hold: no contacts
  const auto &d = context.store.dialect();
  auto result = connection
                    .prepare("SELECT " + d.text_cast("h.contact_key") + ", h.name, " +
                             q.column("h", "title") + ", " + q.column("h", "phone") + ", " +
                             q.column("h", "email") + " FROM " + q.derived("h") +
                             " WHERE h.customer_key = ? ORDER BY h.contact_key LIMIT 50")
                    .query({*customer},
                           {db::Column::text(128), db::Column::text(200), db::Column::text(200),
                            db::Column::text(100), db::Column::text(254)},
                           50);
  auto nullable = [&](std::size_t column) {
    auto text = result.optional_text(column);
    return text ? json(*text) : json(nullptr);
  };
  while (result.next())
    out.push_back({{"key", result.text(0)},
                   {"name", result.text(1)},
                   {"title", nullable(2)},
                   {"phone", nullable(3)},
                   {"email", nullable(4)}});
  return out;
}

json customer_view(CallContext &context, const json &params) {
  const auto id = params::id(params, "id");
  const auto limit = params::limit(params, 20);
  std::set<std::string> kinds(kKinds.begin(), kKinds.end());
  if (params.contains("kinds") && params["kinds"].is_array()) {
    kinds.clear();
    for (const auto &kind : params["kinds"]) kinds.insert(kind.get<std::string>());
  }
  const auto channel = params::optional_string(params, "channel");
  if (channel) kinds = {"interaction"};  // a channel is a property of interactions only
  std::optional<Position> after;
  if (auto key = params::cursor(params, 3, "params")) {
    const auto at = params::cursor_integer((*key)[0]);
    const auto &kind = (*key)[1];
    const auto &record = (*key)[2];
    if (!at || !kind.is_string() || kind_index(kind.get<std::string>()) == kKinds.size() ||
        !record.is_string() || record.get<std::string>().empty() ||
        (kind_index(kind.get<std::string>()) < 3 && !params::parse_id(record.get<std::string>())))
      throw invalid_argument("params.cursor", "params.cursor is not a cursor of this method");
    after = Position{*at, kind_index(kind.get<std::string>()), record.get<std::string>()};
  }

  // One connection and one snapshot for the whole view: the methods it composes run on it.
  return context.store.with_connection([&](db::Connection &connection) {
    Store::ReadScope scope(context.store, connection);
    json view;
    // The customer first: an unknown id is not_found before anything else runs.
    json profile = call(context, "customer.get", {{"id", std::to_string(id)}});
    std::optional<std::string> host_key;
    if (profile["host_key"].is_string()) host_key = profile["host_key"].get<std::string>();

    if (!after) {
      const auto customer_id = std::to_string(id);
      view["contacts"] =
          call(context, "contact.list", {{"customer_id", customer_id}, {"limit", 50}})["items"];
      view["host_contacts"] = host_contacts(context, connection, host_key);
      view["opportunities"] =
          call(context, "opportunity.list",
               {{"customer_id", customer_id}, {"status", "open"}, {"limit", 50}})["items"];
      view["tasks"] =
          call(context, "task.list",
               {{"customer_id", customer_id}, {"status", "open"}, {"limit", 50}})["items"];
      view["value"] = optional_call(context, "value.get", {{"customer_id", customer_id}});
      view["lifecycle"] = profile["lifecycle"];
      view["lifecycle"]["stage"] = profile["stage"];
      view["lifecycle"]["history"] = call(context, "lifecycle.history",
                                          {{"customer_id", customer_id}, {"limit", 10}})["items"];
      view["classification"] = profile["classification"];
      view["owner"] = profile["owner"];
      view["profile"] = std::move(profile);
    }

    // Timeline kinds follow the capabilities of the methods that list them.
    for (const auto &[kind, capability] :
         {std::pair{"interaction", "interaction.read"}, std::pair{"lifecycle", "lifecycle.read"},
          std::pair{"opportunity", "opportunity.read"}})
      if (!context.actor.has(capability)) kinds.erase(kind);
    Timeline timeline(context, connection, id, host_key, limit, after);
    if (kinds.count("interaction")) timeline.interactions(channel);
    if (kinds.count("lifecycle")) timeline.lifecycle();
    if (kinds.count("opportunity")) timeline.opportunities();
    if (kinds.count("order")) timeline.orders();
    if (kinds.count("invoice")) timeline.invoices();
    if (kinds.count("payment")) timeline.payments();
    view["timeline"] = timeline.page();
    return view;
  });
}

namespace rs = result_schema;

// A timeline entry of one kind: kind, at, key and title, then the kind's own members.
json entry_schema(const std::string &kind, rs::Members members, bool titled = true) {
  members.insert(members.begin(), {{"kind", rs::enumeration({kind})},
                                   {"at", rs::timestamp()},
                                   {"key", rs::string()},
                                   {"title", titled ? rs::string() : rs::nullable(rs::string())}});
  return rs::object(members);
}

json timeline_schema() {
  const json text = rs::nullable(rs::string());
  return rs::page(rs::any_of(
      {entry_schema("interaction",
                    {{"channel", rs::enumeration(kChannels)},
                     {"direction", rs::enumeration({"inbound", "outbound"})},
                     {"contact_id", rs::nullable(rs::id())},
                     {"opportunity_id", rs::nullable(rs::id())}},
                    false),
       entry_schema("lifecycle", {{"from", text},
                                  {"to", rs::string()},
                                  {"reason_code", rs::string()},
                                  {"actor", rs::string()},
                                  {"on_behalf_of", text}}),
       entry_schema("opportunity", {{"event", rs::string()},
                                    {"stage", text},
                                    {"amount", rs::nullable(rs::money())},
                                    {"probability", rs::nullable(rs::integer())},
                                    {"opportunity_id", rs::id()}}),
       entry_schema("order", {{"amount", rs::nullable(rs::money())},
                              {"status", rs::string()},
                              {"salesperson", text}}),
       entry_schema(
           "invoice",
           {{"amount", rs::nullable(rs::money())}, {"status", rs::string()}, {"order_key", text}}),
       entry_schema("payment", {{"amount", rs::nullable(rs::money())},
                                {"due_amount", rs::nullable(rs::money())},
                                {"outstanding", rs::nullable(rs::money())},
                                {"due_date", rs::date()}})}));
}

// The first page holds every section, composed from the results of the methods it calls; later
// pages (with a cursor) hold the timeline only.
json view_schema(const Registry &registry) {
  auto result_of = [&](const char *method) -> const json & {
    const Method *found = registry.find(method);
    if (!found) throw std::logic_error(std::string("customer.view composes ") + method);
    return found->result;
  };
  auto items_of = [&](const char *method) { return result_of(method)["properties"]["items"]; };
  const json &profile = result_of("customer.get");
  json lifecycle = profile["properties"]["lifecycle"];
  lifecycle["properties"]["stage"] = profile["properties"]["stage"];
  lifecycle["properties"]["history"] = items_of("lifecycle.history");
  lifecycle["required"].push_back("stage");
  lifecycle["required"].push_back("history");
  const json text = rs::nullable(rs::string());
  return rs::any_of({rs::object({{"profile", profile},
                                 {"contacts", items_of("contact.list")},
                                 {"host_contacts", rs::array(rs::object({{"key", rs::string()},
                                                                         {"name", rs::string()},
                                                                         {"title", text},
                                                                         {"phone", text},
                                                                         {"email", text}}))},
                                 {"opportunities", items_of("opportunity.list")},
                                 {"tasks", items_of("task.list")},
                                 {"value", rs::nullable(result_of("value.get"))},
                                 {"lifecycle", lifecycle},
                                 {"classification", profile["properties"]["classification"]},
                                 {"owner", profile["properties"]["owner"]},
                                 {"timeline", timeline_schema()}}),
                     rs::object({{"timeline", timeline_schema()}})});
}

}  // namespace

void register_methods(Registry &registry) {
  registry.add(
      {"customer.view",
       "The customer 360: profile, contacts (the CRM's, and the host ERP's as host_contacts), "
       "class, lifecycle stage and history, value, open "
       "opportunities and tasks, and one timeline (newest first) of interactions, lifecycle "
       "moves, opportunity events and the host's orders, invoices and payments. Later pages "
       "(with cursor) hold the timeline only.",
       {Field::id("id", "the customer").require(),
        Field::enumerations("kinds", kKinds, "timeline kinds to include (default all)"),
        Field::enumeration("channel", kChannels, "only interactions on this channel"),
        Field::limit(20, 200), Field::cursor()},
       view_schema(registry),
       customer_view,
       "customer.read"});
}

}  // namespace crm::view
