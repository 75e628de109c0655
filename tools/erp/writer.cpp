// Writer: logical facts -> one shape's tables, with multi-row INSERTs.
#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "dialect.hpp"
#include "erp.hpp"

namespace crm::erp {

namespace {

enum class Kind { id, text, money, date, ts };

struct ColumnSpec {
  const char *name;
  Kind kind;
};

struct TableSpec {
  const char *name;
  std::vector<ColumnSpec> columns;
};

// Table order is the index used by the add() functions below.
enum JinheTable { kZyda, kKhda, kKhlxr, kXsdd, kXsddmx, kXsfp, kYszk };
enum MeridianTable {
  kSysUser,
  kPayTerms,
  kCustMaster,
  kCustCredit,
  kCustContact,
  kSoHeader,
  kSoLine,
  kArInvoice,
  kArPayment
};

std::vector<TableSpec> specs(Shape shape) {
  using K = Kind;
  if (shape == Shape::jinhe)
    return {
        {"t_zyda",
         {{"zyid", K::id},
          {"dlm", K::text},
          {"xm", K::text},
          {"bmbm", K::text},
          {"tybz", K::id},
          {"sjzyid", K::id},
          {"yx", K::text}}},
        {"t_khda",
         {{"khid", K::id},
          {"khbm", K::text},
          {"khmc", K::text},
          {"hy", K::text},
          {"dq", K::text},
          {"xyed", K::money},
          {"tjkhid", K::id},
          {"ybkh", K::id},
          {"jdsj", K::ts},
          {"xgsj", K::ts}}},
        {"t_khlxr",
         {{"lxrid", K::id},
          {"khid", K::id},
          {"xm", K::text},
          {"zw", K::text},
          {"dh", K::text},
          {"yx", K::text}}},
        {"t_xsdd",
         {{"ddid", K::id},
          {"ddbh", K::text},
          {"khid", K::id},
          {"djrq", K::ts},
          {"zje", K::money},
          {"zt", K::id},
          {"ywyid", K::id}}},
        {"t_xsddmx",
         {{"mxid", K::id},
          {"ddid", K::id},
          {"hh", K::id},
          {"spbm", K::text},
          {"sl", K::id},
          {"dj", K::money},
          {"je", K::money},
          {"cbje", K::money}}},
        {"t_xsfp",
         {{"fpid", K::id},
          {"fphm", K::text},
          {"khid", K::id},
          {"ddid", K::id},
          {"kprq", K::date},
          {"je", K::money},
          {"fplx", K::id},
          {"zt", K::id},
          {"zqts", K::id}}},
        {"t_yszk",
         {{"yszkid", K::id},
          {"khid", K::id},
          {"fpid", K::id},
          {"dqrq", K::date},
          {"ysje", K::money},
          {"yishje", K::money},
          {"zhskrq", K::date}}},
    };
  return {
      {"sys_user",
       {{"user_name", K::text},
        {"display_name", K::text},
        {"dept_code", K::text},
        {"user_state", K::text},
        {"reports_to", K::text},
        {"email_addr", K::text}}},
      {"pay_terms", {{"terms_code", K::text}, {"net_days", K::id}, {"descr", K::text}}},
      {"cust_master",
       {{"cust_code", K::text},
        {"cust_name", K::text},
        {"sector", K::text},
        {"sales_area", K::text},
        {"referrer_code", K::text},
        {"ref_flag", K::text},
        {"created_ts", K::ts},
        {"changed_ts", K::ts}}},
      {"cust_credit", {{"cust_code", K::text}, {"credit_limit", K::money}, {"currency", K::text}}},
      {"cust_contact",
       {{"contact_id", K::id},
        {"cust_code", K::text},
        {"full_name", K::text},
        {"job_title", K::text},
        {"phone_no", K::text},
        {"email_addr", K::text}}},
      {"so_header",
       {{"order_no", K::id},
        {"cust_code", K::text},
        {"order_date", K::date},
        {"entered_at", K::ts},
        {"state_code", K::text},
        {"sales_rep", K::text}}},
      {"so_line",
       {{"line_id", K::id},
        {"order_no", K::id},
        {"line_seq", K::id},
        {"item_code", K::text},
        {"qty", K::id},
        {"unit_price", K::money},
        {"unit_cost", K::money}}},
      {"ar_invoice",
       {{"invoice_no", K::id},
        {"cust_code", K::text},
        {"order_no", K::id},
        {"invoice_date", K::date},
        {"doc_type", K::text},
        {"doc_total", K::money},
        {"terms_code", K::text},
        {"voided", K::text}}},
      {"ar_payment",
       {{"payment_id", K::id},
        {"invoice_no", K::id},
        {"pay_date", K::date},
        {"pay_amt", K::money}}},
  };
}

const char *const kJinheDepartmentCodes[] = {"01", "02", "03", "04", "05"};
const char *const kMeridianDepartmentCodes[] = {"MKT", "SLS", "FIN", "WHS", "ADM"};

std::size_t department_index(const std::string &department) {
  for (std::size_t i = 0; i < std::size(kDepartments); ++i)
    if (department == kDepartments[i]) return i;
  throw std::invalid_argument(
      "user.department: must be one of marketing, sales, finance, "
      "warehouse, admin, not '" +
      department.substr(0, 40) + "'");
}

void require(bool condition, const char *field, const std::string &message) {
  if (!condition) throw std::invalid_argument(std::string(field) + ": " + message);
}

void check_key(std::int64_t number, const char *field) {
  require(number > 0, field, "must be a positive number, not " + std::to_string(number));
}

void check_date(const std::string &value, const char *field) {
  require(value.size() == 10, field,
          "must be a date YYYY-MM-DD, not '" + value.substr(0, 40) + "'");
  try {
    parse_date_days(value);
  } catch (const std::invalid_argument &error) {
    require(false, field, error.what());
  }
}

void check_timestamp(const std::string &value, const char *field) {
  auto digit = [&](std::size_t i) { return value[i] >= '0' && value[i] <= '9'; };
  bool ok = value.size() == 19 && value[10] == ' ' && value[13] == ':' && value[16] == ':' &&
            digit(11) && digit(12) && digit(14) && digit(15) && digit(17) && digit(18);
  require(ok, field, "must be a timestamp YYYY-MM-DD HH:MM:SS, not '" + value.substr(0, 40) + "'");
  check_date(value.substr(0, 10), field);
}

db::Value opt_text(const std::optional<std::string> &text) {
  return text ? db::Value(*text) : db::null_value();
}

db::Value opt_money(const std::optional<std::int64_t> &fen) {
  return fen ? db::Value(decimal_text(*fen)) : db::null_value();
}

db::Value money(std::int64_t fen) {
  return decimal_text(fen);
}

std::string padded(const char *prefix, std::int64_t number, int width) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%s%0*lld", prefix, width, static_cast<long long>(number));
  return buffer;
}

std::string terms_code(int days) {
  return "N" + std::to_string(days);
}

}  // namespace

struct Writer::Table {
  std::string name;
  std::vector<ColumnSpec> columns;
  std::string insert_head;  // "INSERT INTO t (a, b) VALUES "
  std::string row_marks;    // "(?, CAST(? AS DATE))"
  std::size_t rows_per_statement = 1;
  std::size_t max_bytes = 0;
  std::vector<db::Value> buffer;
  std::size_t rows = 0;
  std::size_t bytes = 0;
  std::string full_sql;  // the statement for rows_per_statement rows, built once
};

Writer::Writer(db::Connection &connection, Shape shape) : connection_(connection), shape_(shape) {
  const auto &dialect = connection.dialect();
  const bool postgresql = dialect.name() == "postgresql";
  for (auto &spec : specs(shape)) {
    auto table = std::make_unique<Table>();
    table->name = spec.name;
    table->columns = spec.columns;
    table->insert_head = "INSERT INTO " + table->name + " (";
    table->row_marks = "(";
    for (std::size_t i = 0; i < spec.columns.size(); ++i) {
      if (i) {
        table->insert_head += ", ";
        table->row_marks += ", ";
      }
      table->insert_head += spec.columns[i].name;
      const char *mark = "?";
      if (postgresql) {
        // Explicit types, so that no psqlODBC version's parameter typing matters.
        switch (spec.columns[i].kind) {
          case Kind::money:
            mark = "CAST(? AS NUMERIC)";
            break;
          case Kind::date:
            mark = "CAST(? AS DATE)";
            break;
          case Kind::ts:
            mark = "CAST(? AS TIMESTAMP)";
            break;
          default:
            break;
        }
      }
      table->row_marks += mark;
    }
    table->insert_head += ") VALUES ";
    table->row_marks += ")";
    table->rows_per_statement = std::max<std::size_t>(
        1, std::min<std::size_t>(1000, dialect.max_parameters() / spec.columns.size()));
    table->max_bytes = dialect.max_statement_bytes() / 2;
    table->buffer.reserve(table->rows_per_statement * spec.columns.size());
    tables_.push_back(std::move(table));
  }
}

Writer::~Writer() = default;

void Writer::push(Table &table, std::vector<db::Value> row) {
  for (auto &value : row) {
    if (const auto *text = std::get_if<std::string>(&value))
      table.bytes += text->size() + 8;
    else
      table.bytes += 8;
    table.buffer.push_back(std::move(value));
  }
  ++table.rows;
  if (table.rows >= table.rows_per_statement || table.bytes >= table.max_bytes)
    write(table, table.rows);
}

void Writer::write(Table &table, std::size_t rows) {
  if (rows == 0) return;
  std::string built;
  const std::string *sql = &table.full_sql;
  if (rows != table.rows_per_statement || table.full_sql.empty()) {
    built.reserve(table.insert_head.size() + rows * (table.row_marks.size() + 2));
    built = table.insert_head;
    for (std::size_t i = 0; i < rows; ++i) {
      if (i) built += ", ";
      built += table.row_marks;
    }
    if (rows == table.rows_per_statement) table.full_sql = built;
    sql = &built;
  }
  connection_.prepare(*sql).execute(table.buffer);
  rows_written_ += static_cast<std::int64_t>(rows);
  table.buffer.clear();
  table.rows = 0;
  table.bytes = 0;
}

void Writer::flush() {
  for (auto &table : tables_) write(*table, table->rows);
}

void Writer::add(const User &user) {
  require(!user.login.empty() && user.login.size() <= 40, "user.login", "must be 1 to 40 bytes");
  require(!user.name.empty(), "user.name", "must not be empty");
  const auto department = department_index(user.department);
  require(!user_ids_.count(user.login), "user.login", "duplicate login '" + user.login + "'");
  if (user.manager)
    require(user_ids_.count(*user.manager) > 0, "user.manager",
            "no user with login '" + user.manager->substr(0, 40) + "' was added before");
  const auto id = static_cast<std::int64_t>(user_ids_.size()) + 1;
  const db::Value email = user.email ? db::Value(*user.email) : db::null_value();
  if (shape_ == Shape::jinhe)
    push(*tables_[kZyda],
         {id, user.login, user.name, std::string(kJinheDepartmentCodes[department]),
          std::int64_t{user.is_active ? 0 : 1},
          user.manager ? db::Value(user_ids_.at(*user.manager)) : db::null_value(), email});
  else
    push(*tables_[kSysUser],
         {user.login, user.name, std::string(kMeridianDepartmentCodes[department]),
          std::string(user.is_active ? "A" : "I"),
          user.manager ? db::Value(*user.manager) : db::null_value(), email});
  user_ids_.emplace(user.login, id);
}

void Writer::add(const Customer &customer) {
  check_key(customer.number, "customer.number");
  require(!customer.name.empty(), "customer.name", "must not be empty");
  if (customer.referred_by) check_key(*customer.referred_by, "customer.referred_by");
  if (customer.created_at) check_timestamp(*customer.created_at, "customer.created_at");
  if (customer.changed_at) check_timestamp(*customer.changed_at, "customer.changed_at");
  const auto changed_at = opt_text(customer.changed_at ? customer.changed_at : customer.created_at);
  if (shape_ == Shape::jinhe) {
    push(*tables_[kKhda],
         {customer.number, padded("KH", customer.number, 6), customer.name,
          opt_text(customer.industry), opt_text(customer.region), opt_money(customer.credit_limit),
          customer.referred_by ? db::Value(*customer.referred_by) : db::null_value(),
          std::int64_t{customer.is_reference ? 1 : 0}, opt_text(customer.created_at), changed_at});
    return;
  }
  const auto code = customer_key(Shape::meridian, customer.number);
  push(*tables_[kCustMaster],
       {code, customer.name, opt_text(customer.industry), opt_text(customer.region),
        customer.referred_by ? db::Value(customer_key(Shape::meridian, *customer.referred_by))
                             : db::null_value(),
        std::string(customer.is_reference ? "Y" : "N"), opt_text(customer.created_at), changed_at});
  if (customer.credit_limit)
    push(*tables_[kCustCredit], {code, money(*customer.credit_limit), std::string("CNY")});
}

void Writer::add(const Contact &contact) {
  check_key(contact.number, "contact.number");
  check_key(contact.customer, "contact.customer");
  require(!contact.name.empty(), "contact.name", "must not be empty");
  if (shape_ == Shape::jinhe)
    push(*tables_[kKhlxr], {contact.number, contact.customer, contact.name, opt_text(contact.title),
                            opt_text(contact.phone), opt_text(contact.email)});
  else
    push(*tables_[kCustContact],
         {contact.number, customer_key(Shape::meridian, contact.customer), contact.name,
          opt_text(contact.title), opt_text(contact.phone), opt_text(contact.email)});
}

void Writer::add(const Order &order) {
  check_key(order.number, "order.number");
  check_key(order.customer, "order.customer");
  check_timestamp(order.ordered_at, "order.ordered_at");
  if (order.salesperson)
    require(user_ids_.count(*order.salesperson) > 0, "order.salesperson",
            "no user with login '" + order.salesperson->substr(0, 40) + "' was added");
  for (const auto &line : order.lines) {
    check_key(line.number, "order.lines.number");
    require(!line.item.empty(), "order.lines.item", "must not be empty");
  }
  const bool valid = order.status == OrderStatus::valid;
  if (shape_ == Shape::jinhe) {
    const std::int64_t code = order.status == OrderStatus::cancelled ? 9
                              : order.status == OrderStatus::draft   ? 0
                              : order.delivered                      ? 2
                                                                     : 1;
    push(*tables_[kXsdd],
         {order.number, padded("XS", order.number, 10), order.customer, order.ordered_at,
          money(order.amount()), code,
          order.salesperson ? db::Value(user_ids_.at(*order.salesperson)) : db::null_value()});
    std::int64_t position = 0;
    for (const auto &line : order.lines)
      push(*tables_[kXsddmx],
           {line.number, order.number, ++position, line.item, line.quantity, money(line.unit_price),
            money(line.amount()), opt_money(line.cost())});
    return;
  }
  const char *code = order.status == OrderStatus::cancelled ? "X"
                     : order.status == OrderStatus::draft   ? "Q"
                     : (valid && order.delivered)           ? "D"
                                                            : "O";
  push(*tables_[kSoHeader],
       {order.number, customer_key(Shape::meridian, order.customer), order.ordered_at.substr(0, 10),
        order.ordered_at, std::string(code), opt_text(order.salesperson)});
  std::int64_t position = 0;
  for (const auto &line : order.lines)
    push(*tables_[kSoLine], {line.number, order.number, ++position, line.item, line.quantity,
                             money(line.unit_price), opt_money(line.unit_cost)});
}

void Writer::add(const Invoice &invoice) {
  check_key(invoice.number, "invoice.number");
  check_key(invoice.customer, "invoice.customer");
  if (invoice.order) check_key(*invoice.order, "invoice.order");
  check_date(invoice.invoiced_at, "invoice.invoiced_at");
  require(invoice.terms_days >= 0 && invoice.terms_days <= 3650, "invoice.terms_days",
          "must be 0 to 3650");
  const bool cancelled = invoice.status == InvoiceStatus::cancelled;
  const db::Value order = invoice.order ? db::Value(*invoice.order) : db::null_value();
  if (shape_ == Shape::jinhe) {
    push(*tables_[kXsfp],
         {invoice.number, padded("FP", invoice.number, 8), invoice.customer, order,
          invoice.invoiced_at, money(invoice.amount < 0 ? -invoice.amount : invoice.amount),
          std::int64_t{invoice.amount < 0 ? 2 : 1}, std::int64_t{cancelled ? 9 : 1},
          std::int64_t{invoice.terms_days}});
    return;
  }
  const int days = invoice.terms_days;
  if (days != 0 && days != 30 && days != 60 && days != 90 && !terms_written_.count(days)) {
    terms_written_.insert(days);
    push(*tables_[kPayTerms],
         {terms_code(days), std::int64_t{days}, "Net " + std::to_string(days) + " days"});
  }
  push(*tables_[kArInvoice],
       {invoice.number, customer_key(Shape::meridian, invoice.customer), order, invoice.invoiced_at,
        std::string(invoice.amount < 0 ? "CRN" : "INV"), money(invoice.amount), terms_code(days),
        std::string(cancelled ? "Y" : "N")});
  if (!cancelled && invoice.amount > 0)
    open_invoices_[invoice.number] = {invoice.customer, invoice.amount,
                                      add_days(invoice.invoiced_at, days)};
}

void Writer::add(const Receivable &receivable) {
  check_key(receivable.number, "receivable.number");
  check_key(receivable.customer, "receivable.customer");
  check_date(receivable.due_date, "receivable.due_date");
  for (const auto &payment : receivable.payments)
    check_date(payment.paid_at, "receivable.payments.paid_at");
  if (shape_ == Shape::jinhe) {
    push(*tables_[kYszk], {receivable.number, receivable.customer,
                           receivable.invoice ? db::Value(*receivable.invoice) : db::null_value(),
                           receivable.due_date, money(receivable.amount),
                           money(receivable.paid_amount()), opt_text(receivable.paid_at())});
    return;
  }
  // Meridian has no receivables table: the open item is the invoice itself.
  require(receivable.invoice && *receivable.invoice == receivable.number, "receivable.invoice",
          "meridian derives receivables from invoices: invoice must equal the receivable number");
  auto found = open_invoices_.find(receivable.number);
  require(found != open_invoices_.end(), "receivable.invoice",
          "no valid invoice " + std::to_string(receivable.number) +
              " with a positive amount was added before (or it has a receivable already)");
  require(found->second.customer == receivable.customer, "receivable.customer",
          "differs from the invoice's customer");
  require(found->second.amount == receivable.amount, "receivable.amount",
          "differs from the invoice's amount");
  require(found->second.due_date == receivable.due_date, "receivable.due_date",
          "must be the invoice date plus its terms_days (" + found->second.due_date + ")");
  open_invoices_.erase(found);
  for (const auto &payment : receivable.payments)
    push(*tables_[kArPayment],
         {next_payment_++, receivable.number, payment.paid_at, money(payment.amount)});
}

}  // namespace crm::erp
