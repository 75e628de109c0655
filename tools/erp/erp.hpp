// The reference ERP: two differently shaped host schemas of an imaginary small ERP, the
// mapping (the plugin configuration's "host" section) that reads each, and a deterministic
// generator of one logical dataset that goes into either shape.
//
//  - jinhe (金禾ERP): Chinese-ERP style, pinyin table and column names, integer keys and
//    integer status codes, order totals on the header, receivables as stored rows.
//  - meridian: western-ERP style, text customer codes ('C000042'), order headers without a
//    total, unit costs, invoices and payments as separate tables (receivables are derived),
//    credit limits in their own table, one-character status codes, DATE document dates.
//
// Both shapes hold the same facts: the mapping queries of the two shapes return the same rows
// for the same data, except for the spelling of customer keys (customer_key(), below).
// The DDL is documented in schema.cpp; the mappings are tools/erp/mapping/*.json.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "odbc.hpp"

namespace crm::erp {

enum class Shape { jinhe, meridian };

// "jinhe" or "meridian"; throws std::invalid_argument naming the value otherwise.
Shape parse_shape(std::string_view text);
std::string_view shape_name(Shape shape);

// Drops this shape's tables if present and creates them (with their indexes and the shape's
// fixed master data: departments, payment terms). Runs outside any transaction.
void create_schema(db::Connection &connection, Shape shape);
// The rows of this shape's customer table (t_khda, cust_master); nullopt when there is no such
// table.
std::optional<std::int64_t> customer_count(db::Connection &connection, Shape shape);
// The tables of a shape, in creation order.
std::vector<std::string> table_names(Shape shape);

// The "host" section of the plugin configuration for this shape on this dialect ("sqlite",
// "postgresql", "mariadb"), as JSON text. Throws std::invalid_argument for an unknown dialect.
std::string mapping_json(Shape shape, std::string_view dialect);

// The host's key of logical customer `number`: "42" in jinhe, "C000042" in meridian.
std::string customer_key(Shape shape, std::int64_t number);

// ---- Logical facts, independent of the shape ------------------------------------------------
// Money is in minor units (fen). Timestamps are "YYYY-MM-DD HH:MM:SS", dates "YYYY-MM-DD",
// both host local time. Numbers (keys) are positive.

struct Customer {
  std::int64_t number = 0;
  std::string name;
  std::optional<std::string> industry;
  std::optional<std::string> region;
  std::optional<std::int64_t> credit_limit;  // fen
  std::optional<std::int64_t> referred_by;   // the referring customer's number
  bool is_reference = false;
  std::optional<std::string> created_at;  // timestamp
  std::optional<std::string> changed_at;  // timestamp of the last change (default: created_at)
};

// Departments both shapes can encode (anything else is rejected by the Writer).
inline constexpr const char *kDepartments[] = {"marketing", "sales", "finance", "warehouse",
                                               "admin"};

struct User {
  std::string login;  // the user_key
  std::string name;
  std::string department = "sales";  // one of kDepartments
  bool is_active = true;
  std::optional<std::string> manager;  // the login of a user added before this one
  std::optional<std::string> email;
};

struct Contact {
  std::int64_t number = 0;
  std::int64_t customer = 0;
  std::string name;
  std::optional<std::string> title;
  std::optional<std::string> phone;
  std::optional<std::string> email;
};

enum class OrderStatus { valid, cancelled, draft };

struct OrderLine {
  std::int64_t number = 0;  // the line_key, unique over all orders
  std::string item;         // article code
  std::int64_t quantity = 1;
  std::int64_t unit_price = 0;            // fen; line amount = quantity * unit_price
  std::optional<std::int64_t> unit_cost;  // fen; line cost = quantity * unit_cost
  std::int64_t amount() const { return quantity * unit_price; }
  std::optional<std::int64_t> cost() const {
    return unit_cost ? std::optional<std::int64_t>(quantity * *unit_cost) : std::nullopt;
  }
};

struct Order {
  std::int64_t number = 0;  // the order_key; grows with ordered_at
  std::int64_t customer = 0;
  std::string ordered_at;  // timestamp
  OrderStatus status = OrderStatus::valid;
  bool delivered = false;  // a valid order that has shipped (jinhe 2/meridian 'D', else 1/'O')
  std::optional<std::string> salesperson;  // a User's login
  std::vector<OrderLine> lines;
  std::int64_t amount() const;  // net order amount: the sum of the lines
};

enum class InvoiceStatus { valid, cancelled };

struct Invoice {
  std::int64_t number = 0;
  std::int64_t customer = 0;
  std::optional<std::int64_t> order;
  std::string invoiced_at;  // date
  std::int64_t amount = 0;  // fen; negative for a credit note
  InvoiceStatus status = InvoiceStatus::valid;
  int terms_days = 30;  // payment terms (net days); the receivable's due date follows from it
};

struct Payment {
  std::string paid_at;  // date
  std::int64_t amount = 0;
};

// The open item of an invoice. Meridian derives receivables from its invoices and payments, so
// there: every valid invoice with a positive amount is a receivable, number == invoice, and
// customer, amount and due_date (= invoiced_at + terms_days) must agree with that invoice
// (the meridian Writer checks this and throws std::invalid_argument). Add exactly one
// Receivable for each such invoice so that jinhe, which stores receivables, holds the same.
struct Receivable {
  std::int64_t number = 0;
  std::int64_t customer = 0;
  std::optional<std::int64_t> invoice;
  std::string due_date;  // date
  std::int64_t amount = 0;
  std::vector<Payment> payments;  // partial payments, in any order
  std::int64_t paid_amount() const;
  std::optional<std::string> paid_at() const;  // the latest payment date
};

// Days since 1970-01-01 of "YYYY-MM-DD" (anything after the date is ignored) and back, in the
// core's calendar (plugin/core/time.hpp, years 1000 to 9999); parse_date_days throws
// std::invalid_argument on a malformed or impossible date.
std::int64_t parse_date_days(std::string_view date);
std::string format_date_days(std::int64_t days);
// "YYYY-MM-DD" plus days (negative allowed); throws std::invalid_argument on a malformed date.
std::string add_days(std::string_view date, int days);
// Minor units as exact decimal text: 12345 -> "123.45", -5 -> "-0.05".
std::string decimal_text(std::int64_t fen);

// Receives logical facts in the order they are produced.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void add(const Customer &customer) = 0;
  virtual void add(const User &user) = 0;
  virtual void add(const Contact &contact) = 0;
  virtual void add(const Order &order) = 0;
  virtual void add(const Invoice &invoice) = 0;
  virtual void add(const Receivable &receivable) = 0;
};

// Buffers facts and writes them into one shape with multi-row INSERTs, each statement within
// the dialect's parameter and packet limits. Rows are written as buffers fill up, on the
// caller's connection and in the caller's transaction; flush() writes the rest. Users must be
// added before the orders that name them as salesperson. The schema has no foreign keys
// (rows of different tables are written in buffer order).
class Writer final : public Sink {
 public:
  Writer(db::Connection &connection, Shape shape);
  ~Writer() override;
  Writer(const Writer &) = delete;
  Writer &operator=(const Writer &) = delete;

  void add(const Customer &customer) override;
  void add(const User &user) override;
  void add(const Contact &contact) override;
  void add(const Order &order) override;
  void add(const Invoice &invoice) override;
  void add(const Receivable &receivable) override;
  void flush();
  // Rows handed to the database so far (all tables).
  std::int64_t rows_written() const { return rows_written_; }

  struct Table;

 private:
  void push(Table &table, std::vector<db::Value> row);
  void write(Table &table, std::size_t rows);

  db::Connection &connection_;
  Shape shape_;
  std::vector<std::unique_ptr<Table>> tables_;
  std::unordered_map<std::string, std::int64_t> user_ids_;  // jinhe: login -> 职员 id
  struct OpenInvoice {
    std::int64_t customer;
    std::int64_t amount;
    std::string due_date;
  };
  std::unordered_map<std::int64_t, OpenInvoice> open_invoices_;  // meridian
  std::unordered_set<int> terms_written_;                        // meridian
  std::int64_t next_payment_ = 1;
  std::int64_t rows_written_ = 0;
};

struct Options {
  Shape shape = Shape::jinhe;
  std::uint64_t seed = 42;
  std::int64_t customers = 1000;
  std::string as_of = "2026-11-30";
};

struct Summary {
  std::int64_t customers = 0, users = 0, contacts = 0, orders = 0, order_lines = 0, invoices = 0,
               receivables = 0, payments = 0;
  std::int64_t rows() const {
    return customers + users + contacts + orders + order_lines + invoices + receivables + payments;
  }
};

// The logical dataset of these options (options.shape is ignored), handed to sink in order:
// users, then customers with their contacts, then orders (numbered in time order) each followed
// by its invoices and receivables. A pure function of seed, customers and as_of.
Summary produce(const Options &options, Sink &sink);

// create_schema + produce into a Writer, in transactions of bounded size.
Summary generate(db::Connection &connection, const Options &options);

}  // namespace crm::erp
