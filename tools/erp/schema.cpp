// The two host schemas (DDL per dialect), their mappings, and shape-independent helpers.
//
// Column types are written once with placeholders and spelled per dialect:
//   {id}    integer key        sqlite INTEGER, postgresql/mariadb BIGINT
//   {money} exact money        DECIMAL(16,2) (SQLite gives it NUMERIC affinity: values with
//                              up to 15 significant digits read back exactly)
//   {ts}    local timestamp    sqlite/mariadb DATETIME (text in SQLite), postgresql TIMESTAMP
//   {date}  document date      DATE (text 'YYYY-MM-DD' in SQLite)
// No foreign keys are declared (as in many ERPs); the indexes are the ones the ERP's own
// screens and the CRM's reads need: customer columns and document dates.
#include <cstdio>
#include <stdexcept>

#include "core/time.hpp"
#include "dialect.hpp"
#include "erp.hpp"
#include "mapping_data.hpp"

namespace crm::erp {

namespace {

// ---- jinhe (金禾ERP) -------------------------------------------------------------------------
const char *const kJinheTables[] = {"t_bmda", "t_zyda",   "t_khda", "t_khlxr",
                                    "t_xsdd", "t_xsddmx", "t_xsfp", "t_yszk"};

const char *const kJinheDdl[] = {
    // 部门档案 departments. bmlx 部门类型: 1 市场 marketing, 2 销售 sales, 3 财务 finance,
    // 4 仓储 warehouse, 5 行政 administration.
    "CREATE TABLE t_bmda (bmbm VARCHAR(8) NOT NULL PRIMARY KEY, bmmc VARCHAR(40) NOT NULL, "
    "bmlx INT NOT NULL)",
    "INSERT INTO t_bmda (bmbm, bmmc, bmlx) VALUES ('01', '市场部', 1), ('02', '销售部', 2), "
    "('03', '财务部', 3), ('04', '仓储部', 4), ('05', '行政部', 5)",
    // 职员档案 employees: zyid 职员ID, dlm 登录名 login, xm 姓名 name, bmbm 部门编码,
    // tybz 停用标志 1 = disabled, sjzyid 上级职员ID (the manager's zyid), yx 邮箱 e-mail.
    "CREATE TABLE t_zyda (zyid {id} NOT NULL PRIMARY KEY, dlm VARCHAR(40) NOT NULL, "
    "xm VARCHAR(60) NOT NULL, bmbm VARCHAR(8), tybz INT NOT NULL DEFAULT 0, sjzyid INT, "
    "yx VARCHAR(100))",
    "CREATE UNIQUE INDEX t_zyda_dlm ON t_zyda (dlm)",
    // 客户档案 customers: khid 客户ID, khbm 客户编码, khmc 客户名称, hy 行业, dq 地区,
    // xyed 信用额度 credit limit, tjkhid 推荐客户ID (referred by), ybkh 样板客户 reference
    // customer 0/1, jdsj 建档时间 created, xgsj 修改时间 last changed.
    "CREATE TABLE t_khda (khid {id} NOT NULL PRIMARY KEY, khbm VARCHAR(20) NOT NULL, "
    "khmc VARCHAR(200) NOT NULL, hy VARCHAR(40), dq VARCHAR(40), xyed {money}, tjkhid {id}, "
    "ybkh INT NOT NULL DEFAULT 0, jdsj {ts}, xgsj {ts})",
    "CREATE INDEX t_khda_dq ON t_khda (dq)",
    // 客户联系人 contacts: lxrid, khid, xm 姓名, zw 职务 title, dh 电话, yx 邮箱.
    "CREATE TABLE t_khlxr (lxrid {id} NOT NULL PRIMARY KEY, khid {id} NOT NULL, "
    "xm VARCHAR(60) NOT NULL, zw VARCHAR(60), dh VARCHAR(40), yx VARCHAR(120))",
    "CREATE INDEX t_khlxr_khid ON t_khlxr (khid)",
    // 销售订单 sales order header: ddid, ddbh 订单编号, khid, djrq 单据日期 (time of entry),
    // zje 总金额 net total = sum of the lines, zt 状态: 0 草稿 draft, 1 已审核 approved,
    // 2 已发货 shipped, 3 已关闭 closed, 9 作废 void; ywyid 业务员 salesperson (t_zyda).
    "CREATE TABLE t_xsdd (ddid {id} NOT NULL PRIMARY KEY, ddbh VARCHAR(20) NOT NULL, "
    "khid {id} NOT NULL, djrq {ts} NOT NULL, zje {money} NOT NULL, zt INT NOT NULL, ywyid {id})",
    "CREATE INDEX t_xsdd_khid_djrq ON t_xsdd (khid, djrq)",
    "CREATE INDEX t_xsdd_djrq ON t_xsdd (djrq)",
    // 销售订单明细 order lines: mxid, ddid, hh 行号, spbm 商品编码, sl 数量, dj 单价,
    // je 金额 = sl * dj, cbje 成本金额 line cost (NULL where unknown).
    "CREATE TABLE t_xsddmx (mxid {id} NOT NULL PRIMARY KEY, ddid {id} NOT NULL, hh INT NOT NULL, "
    "spbm VARCHAR(20) NOT NULL, sl {id} NOT NULL, dj {money} NOT NULL, je {money} NOT NULL, "
    "cbje {money})",
    "CREATE INDEX t_xsddmx_ddid ON t_xsddmx (ddid)",
    // 销售发票 invoices: fpid, fphm 发票号码, khid, ddid, kprq 开票日期, je 金额 (always
    // positive), fplx 发票类型 1 蓝字 normal, 2 红字 credit note; zt 1 正常 valid, 9 作废 void;
    // zqts 账期天数 payment terms in days.
    "CREATE TABLE t_xsfp (fpid {id} NOT NULL PRIMARY KEY, fphm VARCHAR(20) NOT NULL, "
    "khid {id} NOT NULL, ddid {id}, kprq {date} NOT NULL, je {money} NOT NULL, fplx INT NOT NULL, "
    "zt INT NOT NULL, zqts INT NOT NULL)",
    "CREATE INDEX t_xsfp_khid_kprq ON t_xsfp (khid, kprq)",
    "CREATE INDEX t_xsfp_kprq ON t_xsfp (kprq)",
    "CREATE INDEX t_xsfp_ddid ON t_xsfp (ddid)",
    // 应收账款 receivables: yszkid, khid, fpid, dqrq 到期日期 due, ysje 应收金额 due amount,
    // yishje 已收金额 paid so far, zhskrq 最后收款日期 last payment date.
    "CREATE TABLE t_yszk (yszkid {id} NOT NULL PRIMARY KEY, khid {id} NOT NULL, fpid {id}, "
    "dqrq {date} NOT NULL, ysje {money} NOT NULL, yishje {money} NOT NULL DEFAULT 0, "
    "zhskrq {date})",
    "CREATE INDEX t_yszk_khid_dqrq ON t_yszk (khid, dqrq)",
    "CREATE INDEX t_yszk_dqrq ON t_yszk (dqrq)",
    "CREATE INDEX t_yszk_fpid ON t_yszk (fpid)",
};

// ---- meridian ---------------------------------------------------------------------------------
const char *const kMeridianTables[] = {"sys_user",    "pay_terms",    "cust_master",
                                       "cust_credit", "cust_contact", "so_header",
                                       "so_line",     "ar_invoice",   "ar_payment"};

const char *const kMeridianDdl[] = {
    // Users: dept_code MKT marketing, SLS sales, FIN finance, WHS warehouse, ADM administration;
    // user_state 'A' active, 'I' inactive; reports_to the manager's user_name.
    "CREATE TABLE sys_user (user_name VARCHAR(40) NOT NULL PRIMARY KEY, "
    "display_name VARCHAR(60) NOT NULL, dept_code CHAR(3) NOT NULL, user_state CHAR(1) NOT NULL, "
    "reports_to VARCHAR(40), email_addr VARCHAR(100))",
    // Payment terms: net_days after the invoice date. Codes 'N<days>'.
    "CREATE TABLE pay_terms (terms_code VARCHAR(8) NOT NULL PRIMARY KEY, net_days INT NOT NULL, "
    "descr VARCHAR(40) NOT NULL)",
    "INSERT INTO pay_terms (terms_code, net_days, descr) VALUES ('N0', 0, 'Cash on invoice'), "
    "('N30', 30, 'Net 30 days'), ('N60', 60, 'Net 60 days'), ('N90', 90, 'Net 90 days')",
    // Customer master: cust_code 'C' + 6 digits, sector (industry), sales_area (region),
    // referrer_code (the referring customer), ref_flag 'Y' = reference customer, created_ts,
    // changed_ts (last change).
    "CREATE TABLE cust_master (cust_code VARCHAR(12) NOT NULL PRIMARY KEY, "
    "cust_name VARCHAR(200) NOT NULL, sector VARCHAR(40), sales_area VARCHAR(40), "
    "referrer_code VARCHAR(12), ref_flag CHAR(1) NOT NULL, created_ts {ts}, changed_ts {ts})",
    "CREATE INDEX cust_master_area ON cust_master (sales_area)",
    // Credit limits, one row per customer that has one.
    "CREATE TABLE cust_credit (cust_code VARCHAR(12) NOT NULL PRIMARY KEY, "
    "credit_limit {money} NOT NULL, currency CHAR(3) NOT NULL)",
    "CREATE TABLE cust_contact (contact_id {id} NOT NULL PRIMARY KEY, "
    "cust_code VARCHAR(12) NOT NULL, full_name VARCHAR(60) NOT NULL, job_title VARCHAR(60), "
    "phone_no VARCHAR(40), email_addr VARCHAR(120))",
    "CREATE INDEX cust_contact_cust ON cust_contact (cust_code)",
    // Sales order header, no total: order_date (document date), entered_at (entry time),
    // state_code 'Q' quotation, 'O' open, 'D' delivered, 'X' cancelled; sales_rep a user_name.
    "CREATE TABLE so_header (order_no {id} NOT NULL PRIMARY KEY, cust_code VARCHAR(12) NOT NULL, "
    "order_date {date} NOT NULL, entered_at {ts} NOT NULL, state_code CHAR(1) NOT NULL, "
    "sales_rep VARCHAR(40))",
    "CREATE INDEX so_header_cust_date ON so_header (cust_code, order_date)",
    "CREATE INDEX so_header_cust_entered ON so_header (cust_code, entered_at)",
    "CREATE INDEX so_header_date ON so_header (order_date)",
    // Order lines: net amount = qty * unit_price, cost = qty * unit_cost (NULL where unknown).
    "CREATE TABLE so_line (line_id {id} NOT NULL PRIMARY KEY, order_no {id} NOT NULL, "
    "line_seq INT NOT NULL, item_code VARCHAR(20) NOT NULL, qty {id} NOT NULL, "
    "unit_price {money} NOT NULL, unit_cost {money})",
    "CREATE INDEX so_line_order ON so_line (order_no)",
    // Invoices and credit notes: doc_type 'INV' / 'CRN' (doc_total negative), voided 'Y'/'N'.
    "CREATE TABLE ar_invoice (invoice_no {id} NOT NULL PRIMARY KEY, "
    "cust_code VARCHAR(12) NOT NULL, order_no {id}, invoice_date {date} NOT NULL, "
    "doc_type CHAR(3) NOT NULL, doc_total {money} NOT NULL, terms_code VARCHAR(8) NOT NULL, "
    "voided CHAR(1) NOT NULL)",
    "CREATE INDEX ar_invoice_cust_date ON ar_invoice (cust_code, invoice_date)",
    "CREATE INDEX ar_invoice_date ON ar_invoice (invoice_date)",
    "CREATE INDEX ar_invoice_order ON ar_invoice (order_no)",
    // Payments received against invoices, several partial payments per invoice.
    "CREATE TABLE ar_payment (payment_id {id} NOT NULL PRIMARY KEY, invoice_no {id} NOT NULL, "
    "pay_date {date} NOT NULL, pay_amt {money} NOT NULL)",
    "CREATE INDEX ar_payment_invoice ON ar_payment (invoice_no, pay_date)",
    "CREATE INDEX ar_payment_date ON ar_payment (pay_date)",
};

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

std::string spell(std::string sql, std::string_view dialect) {
  const bool sqlite = dialect == "sqlite", postgresql = dialect == "postgresql";
  sql = replace_all(std::move(sql), "{id}", sqlite ? "INTEGER" : "BIGINT");
  sql = replace_all(std::move(sql), "{money}", "DECIMAL(16,2)");
  sql = replace_all(std::move(sql), "{ts}", postgresql ? "TIMESTAMP" : "DATETIME");
  sql = replace_all(std::move(sql), "{date}", "DATE");
  return sql;
}

}  // namespace

// The calendar is the core's (plugin/core/time.hpp): a date is its midnight, UTC.
constexpr std::int64_t kMicrosPerDay = 86'400'000'000;

std::int64_t parse_date_days(std::string_view text) {
  const auto digits = [&](std::size_t from, std::size_t count) {
    for (std::size_t i = from; i < from + count; ++i)
      if (text[i] < '0' || text[i] > '9') return false;
    return true;
  };
  if (text.size() < 10 || text[4] != '-' || text[7] != '-' || !digits(0, 4) || !digits(5, 2) ||
      !digits(8, 2))
    throw std::invalid_argument("not a date YYYY-MM-DD: " + std::string(text.substr(0, 40)));
  const auto midnight = time::from_db_text(std::string(text.substr(0, 10)) + " 00:00:00");
  if (!midnight) throw std::invalid_argument("no such date: " + std::string(text.substr(0, 10)));
  return *midnight / kMicrosPerDay;
}

std::string format_date_days(std::int64_t days) {
  return time::to_db_text(days * kMicrosPerDay).substr(0, 10);
}

std::string add_days(std::string_view date, int days) {
  return format_date_days(parse_date_days(date) + days);
}

std::string decimal_text(std::int64_t fen) {
  const bool negative = fen < 0;
  const std::uint64_t magnitude =
      negative ? static_cast<std::uint64_t>(-(fen + 1)) + 1 : static_cast<std::uint64_t>(fen);
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%s%llu.%02llu", negative ? "-" : "",
                static_cast<unsigned long long>(magnitude / 100),
                static_cast<unsigned long long>(magnitude % 100));
  return buffer;
}

Shape parse_shape(std::string_view text) {
  if (text == "jinhe") return Shape::jinhe;
  if (text == "meridian") return Shape::meridian;
  throw std::invalid_argument("shape: must be jinhe or meridian, not '" +
                              std::string(text.substr(0, 40)) + "'");
}

std::string_view shape_name(Shape shape) {
  return shape == Shape::jinhe ? "jinhe" : "meridian";
}

std::vector<std::string> table_names(Shape shape) {
  if (shape == Shape::jinhe) return {std::begin(kJinheTables), std::end(kJinheTables)};
  return {std::begin(kMeridianTables), std::end(kMeridianTables)};
}

std::optional<std::int64_t> customer_count(db::Connection &connection, Shape shape) {
  const char *table = shape == Shape::jinhe ? "t_khda" : "cust_master";
  try {
    auto result = connection.prepare(std::string("SELECT COUNT(*) FROM ") + table)
                      .query({}, {db::Column::integer()});
    return result.next() ? result.int64(0) : 0;
  } catch (const db::DbError &) {
    return std::nullopt;  // no such table
  }
}

void create_schema(db::Connection &connection, Shape shape) {
  const std::string dialect(connection.dialect().name());
  for (const auto &table : table_names(shape))
    connection.execute_direct("DROP TABLE IF EXISTS " + table);
  const std::string options(connection.dialect().table_options());
  auto run = [&](const char *statement) {
    std::string sql = spell(statement, dialect);
    if (sql.rfind("CREATE TABLE", 0) == 0) sql += options;
    connection.execute_direct(sql);
  };
  if (shape == Shape::jinhe)
    for (const char *statement : kJinheDdl) run(statement);
  else
    for (const char *statement : kMeridianDdl) run(statement);
}

std::string mapping_json(Shape shape, std::string_view dialect) {
  if (dialect != "sqlite" && dialect != "postgresql" && dialect != "mariadb")
    throw std::invalid_argument("dialect: must be sqlite, postgresql or mariadb, not '" +
                                std::string(dialect.substr(0, 40)) + "'");
  const std::string name =
      shape == Shape::jinhe ? std::string("jinhe") : "meridian." + std::string(dialect);
  for (const auto &file : detail::kMappingFiles)
    if (name == file.name) return file.text;
  throw std::logic_error("mapping file " + name + ".json was not compiled in");
}

std::string customer_key(Shape shape, std::int64_t number) {
  if (shape == Shape::jinhe) return std::to_string(number);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "C%06lld", static_cast<long long>(number));
  return buffer;
}

std::int64_t Order::amount() const {
  std::int64_t total = 0;
  for (const auto &line : lines) total += line.amount();
  return total;
}

std::int64_t Receivable::paid_amount() const {
  std::int64_t total = 0;
  for (const auto &payment : payments) total += payment.amount;
  return total;
}

std::optional<std::string> Receivable::paid_at() const {
  std::optional<std::string> latest;
  for (const auto &payment : payments)
    if (!latest || payment.paid_at > *latest) latest = payment.paid_at;
  return latest;
}

}  // namespace crm::erp
