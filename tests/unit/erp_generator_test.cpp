// The reference ERP (tools/erp): both host schemas, their mappings read the way the plugin reads
// them (as derived tables), the deterministic generator and the Writer, on the test database.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "dialect.hpp"
#include "erp.hpp"
#include "odbc.hpp"
#include "test_database.hpp"

namespace crm::erp {
namespace {

using Row = std::vector<std::string>;
using Rows = std::vector<Row>;

// How a mapped column is compared: keys and flags as text, customer keys without their shape's
// spelling, money in minor units, timestamps and dates in one text form.
enum class Class { key, customer, text, money, timestamp, date };

struct Entity {
  const char *name;
  std::vector<std::pair<const char *, Class>> columns;
};

const std::vector<Entity> &entities() {
  using C = Class;
  static const std::vector<Entity> all = {
      {"customers",
       {{"customer_key", C::customer},
        {"name", C::text},
        {"industry", C::text},
        {"region", C::text},
        {"credit_limit", C::money},
        {"referred_by_key", C::customer},
        {"is_reference", C::key},
        {"created_at", C::timestamp}}},
      {"contacts",
       {{"contact_key", C::key},
        {"customer_key", C::customer},
        {"name", C::text},
        {"title", C::text},
        {"phone", C::text},
        {"email", C::text}}},
      {"users",
       {{"user_key", C::text},
        {"name", C::text},
        {"department", C::text},
        {"is_active", C::key},
        {"manager_key", C::text},
        {"email", C::text}}},
      {"orders",
       {{"order_key", C::key},
        {"customer_key", C::customer},
        {"ordered_at", C::timestamp},
        {"amount", C::money},
        {"status", C::text},
        {"salesperson_key", C::text}}},
      {"order_lines",
       {{"order_key", C::key}, {"line_key", C::key}, {"amount", C::money}, {"cost", C::money}}},
      {"invoices",
       {{"invoice_key", C::key},
        {"customer_key", C::customer},
        {"order_key", C::key},
        {"invoiced_at", C::date},
        {"amount", C::money},
        {"status", C::text}}},
      {"receivables",
       {{"receivable_key", C::key},
        {"customer_key", C::customer},
        {"invoice_key", C::key},
        {"due_date", C::date},
        {"amount", C::money},
        {"paid_amount", C::money},
        {"paid_at", C::date}}},
  };
  return all;
}

const Entity &entity(std::string_view name) {
  for (const auto &e : entities())
    if (name == e.name) return e;
  throw std::logic_error("no entity " + std::string(name));
}

// "123.4", "-0.05", "120", "37.02" -> minor units as text; anything else fails the test.
std::string fen(const std::string &text) {
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  std::int64_t whole = 0, fraction = 0;
  int digits = 0;
  bool any = false;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i, any = true)
    whole = whole * 10 + (text[i] - '0');
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
      any = true;
      if (digits < 2) {
        fraction = fraction * 10 + (text[i] - '0');
        ++digits;
      } else if (text[i] != '0') {
        ADD_FAILURE() << "money with more than 2 decimals: " << text;
      }
    }
  }
  if (!any || i != text.size()) ADD_FAILURE() << "not a decimal: '" << text << "'";
  while (digits < 2) fraction *= 10, ++digits;
  const std::int64_t value = whole * 100 + fraction;
  return std::to_string(negative ? -value : value);
}

std::string normalise(const std::optional<std::string> &value, Class kind) {
  if (!value) return "<null>";
  const std::string &text = *value;
  switch (kind) {
    case Class::customer: {
      // 'C000042' (meridian) and '42' (jinhe) are the same logical customer.
      std::string digits = text[0] == 'C' ? text.substr(1) : text;
      return std::to_string(std::stoll(digits));
    }
    case Class::money:
      return fen(text);
    case Class::timestamp:
      EXPECT_GE(text.size(), 19u) << text;
      return text.substr(0, 19);
    case Class::date:
      EXPECT_GE(text.size(), 10u) << text;
      // A date column must come back as a date, not a timestamp (or with a zero time at most).
      if (text.size() > 10) {
        EXPECT_EQ(text.substr(10, 9), " 00:00:00") << text;
      }
      return text.substr(0, 10);
    default:
      return text;
  }
}

std::string query_of(Shape shape, db::Connection &connection, const std::string &name) {
  auto mapping = nlohmann::json::parse(mapping_json(shape, connection.dialect().name()));
  return mapping.at(name).at("query").get<std::string>();
}

// The mapping query of an entity wrapped as the plugin wraps it, with an optional WHERE.
Rows fetch(db::Connection &connection, Shape shape, const std::string &name,
           const std::string &where = "", const std::vector<db::Value> &params = {}) {
  const auto &spec = entity(name);
  std::string sql = "SELECT ";
  std::vector<db::Column> columns;
  for (std::size_t i = 0; i < spec.columns.size(); ++i) {
    sql += (i ? ", h." : "h.") + std::string(spec.columns[i].first);
    columns.push_back(db::Column::text(200));
  }
  sql += " FROM (" + query_of(shape, connection, name) + ") h" + where;
  Rows rows;
  auto result = connection.prepare(sql).query(params, columns);
  while (result.next()) {
    Row row;
    for (std::size_t i = 0; i < spec.columns.size(); ++i)
      row.push_back(normalise(result.optional_text(i), spec.columns[i].second));
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

std::map<std::string, Rows> fetch_all(db::Connection &connection, Shape shape) {
  std::map<std::string, Rows> all;
  for (const auto &e : entities()) all[e.name] = fetch(connection, shape, e.name);
  return all;
}

std::uint64_t digest(const std::map<std::string, Rows> &all) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  auto feed = [&](const std::string &text) {
    for (unsigned char c : text) hash = (hash ^ c) * 0x100000001b3ULL;
    hash = (hash ^ 0xff) * 0x100000001b3ULL;
  };
  for (const auto &[name, rows] : all) {
    feed(name);
    for (const auto &row : rows)
      for (const auto &cell : row) feed(cell);
  }
  return hash;
}

// Collects the logical facts without a database.
struct Facts final : Sink {
  std::vector<Customer> customers;
  std::vector<User> users;
  std::vector<Contact> contacts;
  std::vector<Order> orders;
  std::vector<Invoice> invoices;
  std::vector<Receivable> receivables;
  void add(const Customer &x) override { customers.push_back(x); }
  void add(const User &x) override { users.push_back(x); }
  void add(const Contact &x) override { contacts.push_back(x); }
  void add(const Order &x) override { orders.push_back(x); }
  void add(const Invoice &x) override { invoices.push_back(x); }
  void add(const Receivable &x) override { receivables.push_back(x); }
};

constexpr std::int64_t kCustomers = 300;

class ErpTest : public ::testing::Test {
 protected:
  db::Connection &connection() { return database_.connection(); }
  Summary load(Shape shape, std::uint64_t seed = 42, std::int64_t customers = kCustomers) {
    Options options;
    options.shape = shape;
    options.seed = seed;
    options.customers = customers;
    return generate(connection(), options);
  }
  test::TestDatabase database_;
};

TEST(ErpMapping, EveryShapeAndDialectMapsEveryEntityAsADerivedTable) {
  for (const char *dialect : {"sqlite", "postgresql", "mariadb"}) {
    for (Shape shape : {Shape::jinhe, Shape::meridian}) {
      auto mapping = nlohmann::json::parse(mapping_json(shape, dialect));
      EXPECT_EQ(mapping.at("time_zone"), "+08:00");
      EXPECT_EQ(mapping.at("customers").at("watermark"), "customer_key");
      EXPECT_EQ(mapping.at("orders").at("watermark"), "order_key");
      for (const auto &e : entities()) {
        const auto query = mapping.at(e.name).at("query").get<std::string>();
        EXPECT_EQ(query.find("ORDER BY"), std::string::npos) << e.name;
        EXPECT_EQ(query.find("LIMIT"), std::string::npos) << e.name;
        EXPECT_EQ(query.find(';'), std::string::npos) << e.name;
        EXPECT_EQ(query.find("crm_"), std::string::npos) << e.name;
        for (const auto &[column, kind] : e.columns)
          EXPECT_NE(query.find(std::string(" AS ") + column), std::string::npos)
              << dialect << " " << e.name << "." << column;
      }
    }
    // Only the receivables' due-date arithmetic differs between the meridian dialects.
    auto meridian = nlohmann::json::parse(mapping_json(Shape::meridian, dialect));
    auto reference = nlohmann::json::parse(mapping_json(Shape::meridian, "sqlite"));
    meridian.erase("receivables");
    reference.erase("receivables");
    EXPECT_EQ(meridian, reference) << dialect;
  }
  EXPECT_THROW(mapping_json(Shape::jinhe, "oracle"), std::invalid_argument);
  EXPECT_EQ(parse_shape("meridian"), Shape::meridian);
  EXPECT_THROW(parse_shape("sap"), std::invalid_argument);
  EXPECT_EQ(customer_key(Shape::jinhe, 42), "42");
  EXPECT_EQ(customer_key(Shape::meridian, 42), "C000042");
  EXPECT_EQ(decimal_text(-5), "-0.05");
  EXPECT_EQ(decimal_text(1234567), "12345.67");
  EXPECT_EQ(add_days("2024-02-28", 1), "2024-02-29");
  EXPECT_EQ(add_days("2026-12-31", 60), "2027-03-01");
  EXPECT_THROW(add_days("2026-02-30", 1), std::invalid_argument);
}

TEST(ErpFacts, CountsSkewAndVarietyOfTheLogicalDataset) {
  Options options;
  const std::int64_t n = 20000;
  options.customers = n;
  Facts facts;
  const auto summary = produce(options, facts);
  EXPECT_EQ(summary.customers, n);
  EXPECT_EQ(summary.order_lines, static_cast<std::int64_t>([&] {
              std::size_t lines = 0;
              for (const auto &order : facts.orders) lines += order.lines.size();
              return lines;
            }()));
  // About ten order lines per customer (1,000,000 at 100,000 customers).
  EXPECT_GT(summary.order_lines, n * 8);
  EXPECT_LT(summary.order_lines, n * 12);
  EXPECT_EQ(summary.orders, static_cast<std::int64_t>(facts.orders.size()));

  std::map<std::int64_t, std::int64_t> revenue;
  std::map<OrderStatus, int> statuses;
  std::string last_time;
  for (const auto &order : facts.orders) {
    ++statuses[order.status];
    if (order.status == OrderStatus::valid) revenue[order.customer] += order.amount();
    EXPECT_LE(last_time, order.ordered_at) << "order numbers grow with time";
    last_time = order.ordered_at;
    EXPECT_LT(order.ordered_at, "2026-11-30");
    EXPECT_GE(order.ordered_at, "2023-12-01");
  }
  EXPECT_GT(statuses[OrderStatus::cancelled], 0);
  EXPECT_GT(statuses[OrderStatus::draft], 0);
  const auto without_orders = n - static_cast<std::int64_t>(revenue.size());
  EXPECT_GT(without_orders, n * 5 / 100);
  EXPECT_LT(without_orders, n * 30 / 100);
  // The value pyramid: the top 1% of customers carry a large share of the revenue.
  std::vector<std::int64_t> amounts;
  std::int64_t total = 0;
  for (const auto &[customer, amount] : revenue) amounts.push_back(amount), total += amount;
  std::sort(amounts.rbegin(), amounts.rend());
  std::int64_t top = 0, top_tenth = 0;
  for (std::size_t i = 0; i < static_cast<std::size_t>(n / 10); ++i)
    (i < static_cast<std::size_t>(n / 100) ? top : top_tenth) += amounts[i];
  top_tenth += top;
  EXPECT_GT(top * 100 / total, 30) << "top 1% share " << top * 100 / total << "%";
  EXPECT_GT(top_tenth * 100 / total, 50) << "top 10% share " << top_tenth * 100 / total << "%";

  std::set<std::string> regions, industries, departments;
  int referred = 0, references = 0, english = 0, limits = 0;
  for (const auto &customer : facts.customers) {
    if (customer.region) regions.insert(*customer.region);
    if (customer.industry) industries.insert(*customer.industry);
    referred += customer.referred_by.has_value();
    references += customer.is_reference;
    english += customer.name.find("Co., Ltd.") != std::string::npos;
    limits += customer.credit_limit.has_value();
  }
  std::set<std::string> logins;
  int managed = 0;
  for (const auto &user : facts.users) {
    departments.insert(user.department);
    // Every manager is a user generated before (a tree, no cycle); everyone has a mailbox.
    if (user.manager) {
      EXPECT_TRUE(logins.count(*user.manager)) << user.login << " -> " << *user.manager;
      ++managed;
    }
    EXPECT_TRUE(user.email && user.email->find('@') != std::string::npos) << user.login;
    logins.insert(user.login);
  }
  EXPECT_EQ(managed, static_cast<int>(facts.users.size()) - 1);
  EXPECT_TRUE(departments.count("marketing") && departments.count("sales"));
  EXPECT_GE(regions.size(), 6u);
  EXPECT_TRUE(regions.count("华东") && regions.count("华南") && regions.count("西南"));
  EXPECT_TRUE(industries.count("大型商场") && industries.count("超市") && industries.count("药店"));
  EXPECT_GT(referred, 0);
  EXPECT_GT(references, 0);
  EXPECT_GT(english, 0);
  EXPECT_GT(limits, n / 2);

  int credit_notes = 0, cancelled = 0;
  for (const auto &invoice : facts.invoices) {
    credit_notes += invoice.amount < 0;
    cancelled += invoice.status == InvoiceStatus::cancelled;
  }
  EXPECT_GT(credit_notes, 0);
  EXPECT_GT(cancelled, 0);
  int partial = 0, unpaid_overdue = 0, several = 0, late = 0;
  for (const auto &receivable : facts.receivables) {
    const auto paid = receivable.paid_amount();
    EXPECT_LE(paid, receivable.amount);
    partial += paid > 0 && paid < receivable.amount;
    unpaid_overdue += paid == 0 && receivable.due_date < "2026-11-30";
    several += receivable.payments.size() >= 2;
    late += receivable.paid_at() && *receivable.paid_at() > receivable.due_date;
  }
  EXPECT_GT(partial, 0);
  EXPECT_GT(unpaid_overdue, 0);
  EXPECT_GT(several, 0);
  EXPECT_GT(late, 0);
}

TEST_F(ErpTest, SameSeedSameDataOtherSeedOtherData) {
  const auto summary = load(Shape::jinhe);
  const auto first = fetch_all(connection(), Shape::jinhe);
  EXPECT_EQ(static_cast<std::int64_t>(first.at("customers").size()), summary.customers);
  EXPECT_EQ(static_cast<std::int64_t>(first.at("order_lines").size()), summary.order_lines);
  EXPECT_EQ(static_cast<std::int64_t>(first.at("receivables").size()), summary.receivables);
  load(Shape::jinhe);  // drops and recreates the tables
  const auto again = fetch_all(connection(), Shape::jinhe);
  EXPECT_EQ(digest(again), digest(first));
  load(Shape::jinhe, 43);
  EXPECT_NE(digest(fetch_all(connection(), Shape::jinhe)), digest(first));
}

TEST_F(ErpTest, BothShapesReturnTheSameFacts) {
  const auto jinhe = load(Shape::jinhe);
  const auto meridian = load(Shape::meridian);
  EXPECT_EQ(jinhe.rows(), meridian.rows());
  const auto a = fetch_all(connection(), Shape::jinhe);
  const auto b = fetch_all(connection(), Shape::meridian);
  for (const auto &e : entities()) {
    ASSERT_FALSE(a.at(e.name).empty()) << e.name;
    EXPECT_EQ(a.at(e.name).size(), b.at(e.name).size()) << e.name;
    EXPECT_TRUE(a.at(e.name) == b.at(e.name)) << e.name << " differs between the shapes";
  }
  EXPECT_EQ(static_cast<std::int64_t>(a.at("orders").size()), jinhe.orders);
  EXPECT_EQ(static_cast<std::int64_t>(a.at("invoices").size()), jinhe.invoices);
  EXPECT_EQ(static_cast<std::int64_t>(a.at("contacts").size()), jinhe.contacts);
  EXPECT_EQ(static_cast<std::int64_t>(a.at("users").size()), jinhe.users);

  // The facts are the generator's: compare with the logical dataset itself.
  Options options;
  options.customers = kCustomers;
  Facts facts;
  produce(options, facts);
  std::map<std::string, std::string> names;
  for (const auto &row : a.at("customers")) names[row[0]] = row[1];
  for (const auto &customer : facts.customers)
    EXPECT_EQ(names[std::to_string(customer.number)], customer.name);  // byte for byte
  std::map<std::string, std::string> amounts;
  for (const auto &row : b.at("orders")) amounts[row[0]] = row[3];
  for (const auto &order : facts.orders)
    EXPECT_EQ(amounts[std::to_string(order.number)], std::to_string(order.amount()));
}

TEST_F(ErpTest, MappingsFilterAsDerivedTablesByCustomerAndDate) {
  load(Shape::jinhe);
  load(Shape::meridian);
  const auto &dialect = connection().dialect();
  const auto orders = fetch(connection(), Shape::jinhe, "orders");
  // The customer with the most orders, and a date in the middle of the window.
  std::map<std::string, int> per_customer;
  for (const auto &row : orders) ++per_customer[row[1]];
  const auto busiest = std::max_element(per_customer.begin(), per_customer.end(),
                                        [](auto &x, auto &y) { return x.second < y.second; });
  const std::int64_t customer = std::stoll(busiest->first);
  const std::string since = "2025-06-01 00:00:00";
  std::size_t expected = 0;
  for (const auto &row : orders) expected += row[1] == busiest->first && row[2] >= since;
  ASSERT_GT(expected, 0u);
  for (Shape shape : {Shape::jinhe, Shape::meridian}) {
    const db::Value key =
        shape == Shape::jinhe ? db::Value(customer) : db::Value(customer_key(shape, customer));
    auto filtered = fetch(
        connection(), shape, "orders",
        " WHERE h.customer_key = ? AND h.ordered_at >= " + dialect.timestamp_param(), {key, since});
    EXPECT_EQ(filtered.size(), expected) << shape_name(shape);
    for (const auto &row : filtered) EXPECT_GE(row[2], since);

    auto all_receivables = fetch(connection(), shape, "receivables");
    std::size_t due = 0;
    for (const auto &row : all_receivables)
      due += row[1] == busiest->first && row[3] >= "2025-06-01";
    auto receivables = fetch(connection(), shape, "receivables",
                             " WHERE h.customer_key = ? AND h.due_date >= ?", {key, "2025-06-01"});
    EXPECT_EQ(receivables.size(), due) << shape_name(shape);
    EXPECT_GT(due, 0u);
  }
}

// A hand-made customer with its documents, written through the Writer into both shapes.
struct HandMade {
  User user{"li.lei", "李雷", "sales", true, std::nullopt, "li.lei@example.cn"};
  Customer referrer, customer;
  Contact contact;
  Order order;
  Invoice invoice, credit;
  Receivable receivable;
  HandMade() {
    referrer.number = 3;
    referrer.name = "Northwind Traders";
    customer.number = 7;
    customer.name = "华联超市（北京）有限公司 𠀀 O'Brien; DROP TABLE t_khda --";
    customer.industry = "超市";
    customer.region = "华北";
    customer.credit_limit = 12345678;
    customer.referred_by = 3;
    customer.is_reference = true;
    customer.created_at = "2024-01-02 03:04:05";
    contact = {11, 7, "韩梅梅", "采购经理", "13800138000", "han@example.cn"};
    order.number = 100;
    order.customer = 7;
    order.ordered_at = "2025-03-04 10:11:12";
    order.salesperson = "li.lei";
    order.delivered = true;
    order.lines = {{501, "SP00001", 3, 1999, 1200}, {502, "SP00002", 2, 50005, std::nullopt}};
    invoice = {900, 7, 100, "2025-03-06", order.amount(), InvoiceStatus::valid, 60};
    credit = {901, 7, 100, "2025-04-01", -1999, InvoiceStatus::valid, 60};
    receivable.number = 900;
    receivable.customer = 7;
    receivable.invoice = 900;
    receivable.due_date = "2025-05-05";
    receivable.amount = order.amount();
    receivable.payments = {{"2025-05-20", 40000}, {"2025-04-30", 25000}};
  }
  void write(Writer &writer) const {
    writer.add(user);
    writer.add(referrer);
    writer.add(customer);
    writer.add(contact);
    writer.add(order);
    writer.add(invoice);
    writer.add(receivable);
    writer.add(credit);
    writer.flush();
  }
};

TEST_F(ErpTest, WriterRoundTripsAHandMadeCustomerInBothShapes) {
  const HandMade made;
  ASSERT_EQ(made.order.amount(), 3 * 1999 + 2 * 50005);
  for (Shape shape : {Shape::jinhe, Shape::meridian}) {
    SCOPED_TRACE(std::string(shape_name(shape)));
    create_schema(connection(), shape);
    {
      db::Transaction transaction(connection());
      Writer writer(connection(), shape);
      made.write(writer);
      transaction.commit();
    }
    auto customers = fetch(connection(), shape, "customers");
    ASSERT_EQ(customers.size(), 2u);
    EXPECT_EQ(customers[1], (Row{"7", made.customer.name, "超市", "华北", "12345678", "3", "1",
                                 "2024-01-02 03:04:05"}));
    EXPECT_EQ(customers[0], (Row{"3", "Northwind Traders", "<null>", "<null>", "<null>", "<null>",
                                 "0", "<null>"}));
    EXPECT_EQ(fetch(connection(), shape, "contacts"),
              (Rows{{"11", "7", "韩梅梅", "采购经理", "13800138000", "han@example.cn"}}));
    EXPECT_EQ(fetch(connection(), shape, "users"),
              (Rows{{"li.lei", "李雷", "sales", "1", "<null>", "li.lei@example.cn"}}));
    EXPECT_EQ(fetch(connection(), shape, "orders"),
              (Rows{{"100", "7", "2025-03-04 10:11:12", "106007", "valid", "li.lei"}}));
    EXPECT_EQ(fetch(connection(), shape, "order_lines"),
              (Rows{{"100", "501", "5997", "3600"}, {"100", "502", "100010", "<null>"}}));
    EXPECT_EQ(fetch(connection(), shape, "invoices"),
              (Rows{{"900", "7", "100", "2025-03-06", "106007", "valid"},
                    {"901", "7", "100", "2025-04-01", "-1999", "valid"}}));
    EXPECT_EQ(fetch(connection(), shape, "receivables"),
              (Rows{{"900", "7", "900", "2025-05-05", "106007", "65000", "2025-05-20"}}));
  }
}

TEST_F(ErpTest, WriterRejectsFactsAShapeCannotHold) {
  create_schema(connection(), Shape::meridian);
  const HandMade made;
  Writer writer(connection(), Shape::meridian);
  writer.add(made.user);
  Order order = made.order;
  order.salesperson = "nobody";
  EXPECT_THROW(writer.add(order), std::invalid_argument);
  order = made.order;
  order.ordered_at = "2025-02-30 10:00:00";
  EXPECT_THROW(writer.add(order), std::invalid_argument);
  User user = made.user;
  user.login = "other";
  user.department = "r&d";
  EXPECT_THROW(writer.add(user), std::invalid_argument);
  writer.add(made.invoice);
  Receivable receivable = made.receivable;
  receivable.due_date = "2025-05-06";  // not invoice date + 60 days
  EXPECT_THROW(writer.add(receivable), std::invalid_argument);
  receivable = made.receivable;
  receivable.invoice = 901;
  EXPECT_THROW(writer.add(receivable), std::invalid_argument);
  writer.add(made.receivable);
  EXPECT_THROW(writer.add(made.receivable), std::invalid_argument);  // only one per invoice
}

}  // namespace
}  // namespace crm::erp
