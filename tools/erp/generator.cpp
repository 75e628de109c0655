// The deterministic logical dataset: a pure function of (seed, customers, as_of).
//
// Every random choice comes from splitmix64 streams keyed by (seed, purpose, entity), so a
// customer's facts do not depend on how many customers come before it in the run, and no
// standard-library distribution (implementation-defined) or floating point is involved.
#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "erp.hpp"

namespace crm::erp {

namespace {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, bound) (bound > 0; the modulo bias is irrelevant at these bounds).
  std::int64_t below(std::int64_t bound) {
    return static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(bound));
  }
  std::int64_t between(std::int64_t low, std::int64_t high) { return low + below(high - low + 1); }
  bool percent(int chance) { return below(100) < chance; }
  template <class T, std::size_t N>
  const T &pick(const T (&items)[N]) {
    return items[below(static_cast<std::int64_t>(N))];
  }

 private:
  std::uint64_t state_;
};

std::uint64_t stream(std::uint64_t seed, std::uint64_t purpose, std::uint64_t a,
                     std::uint64_t b = 0) {
  Rng rng(seed ^ (purpose * 0xd6e8feb86659fd93ULL));
  rng.next();
  Rng mixed(rng.next() ^ (a * 0x9e3779b97f4a7c15ULL) ^ (b * 0xc2b2ae3d27d4eb4fULL));
  mixed.next();
  return mixed.next();
}

enum Purpose : std::uint64_t {
  kUser = 1,
  kWeight,
  kCustomer,
  kOrderTime,
  kOrder,
  kItem,
};

struct City {
  const char *name, *region;
};
const City kCities[] = {{"上海", "华东"}, {"杭州", "华东"}, {"南京", "华东"},   {"苏州", "华东"},
                        {"宁波", "华东"}, {"广州", "华南"}, {"深圳", "华南"},   {"厦门", "华南"},
                        {"北京", "华北"}, {"天津", "华北"}, {"石家庄", "华北"}, {"武汉", "华中"},
                        {"长沙", "华中"}, {"成都", "西南"}, {"重庆", "西南"},   {"昆明", "西南"},
                        {"西安", "西北"}, {"兰州", "西北"}, {"沈阳", "东北"},   {"哈尔滨", "东北"}};

struct Industry {
  const char *name, *chinese_word, *english_word;
};
const Industry kIndustries[] = {{"大型商场", "百货商场", "Department Store"},
                                {"超市", "超市", "Supermarket"},
                                {"药店", "大药房", "Pharmacy"},
                                {"批发", "商贸", "Wholesale Trading"},
                                {"餐饮", "餐饮管理", "Catering"},
                                {"便利店", "便利店", "Convenience Stores"},
                                {"电商", "电子商务", "E-Commerce"}};

const char *const kTradeWords[] = {"华联", "恒信", "金鼎", "东方", "长城", "新华", "宏达",
                                   "瑞丰", "百利", "嘉禾", "永安", "中恒", "天成", "盛世",
                                   "鑫源", "福满", "万家", "益民", "康泰", "龙腾"};
const char *const kEnglishWords[] = {"Golden Harvest", "Pacific", "Evergreen",   "Blue River",
                                     "Summit",         "Lotus",   "Great Wall",  "Jade Harbor",
                                     "Northstar",      "Orient",  "Silver Leaf", "Sunrise"};
const char *const kSurnames[] = {"张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴",
                                 "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "高", "罗"};
const char *const kSurnamePinyin[] = {"zhang", "wang", "li", "zhao", "liu", "chen", "yang",
                                      "huang", "zhou", "wu", "xu",   "sun", "ma",   "zhu",
                                      "hu",    "guo",  "he", "lin",  "gao", "luo"};
const char *const kGiven[] = {"伟", "芳", "娜", "敏", "静",   "磊",   "洋",   "勇",   "艳",   "杰",
                              "强", "军", "平", "刚", "桂英", "秀兰", "建华", "志强", "晓明", "丽"};
const char *const kGivenPinyin[] = {
    "wei",   "fang", "na",   "min",  "jing",    "lei",    "yang",    "yong",     "yan",      "jie",
    "qiang", "jun",  "ping", "gang", "guiying", "xiulan", "jianhua", "zhiqiang", "xiaoming", "li"};
const char *const kEnglishFirst[] = {"James", "Mary",   "David", "Linda",  "Michael",
                                     "Susan", "Robert", "Karen", "Thomas", "Emily"};
const char *const kEnglishLast[] = {"Smith",  "Brown", "Wilson", "Taylor", "Clark",
                                    "Walker", "Young", "King",   "Wright", "Scott"};
const char *const kTitles[] = {"采购经理", "总经理", "财务主管", "店长", "采购员", "仓库主管"};
const char *const kEnglishTitles[] = {"Purchasing Manager", "General Manager", "Finance Lead",
                                      "Store Manager", "Buyer"};

const int kSmallTerms[] = {0, 30, 30, 30, 60};

constexpr std::int64_t kWeightCap = 4096;
constexpr std::int64_t kWeightBase = 8;

std::string format_time(std::int64_t days, std::int64_t seconds) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, " %02lld:%02lld:%02lld",
                static_cast<long long>(seconds / 3600), static_cast<long long>(seconds / 60 % 60),
                static_cast<long long>(seconds % 60));
  return format_date_days(days) + buffer;
}

// What later stages need to know about a customer.
struct Profile {
  std::int64_t weight = 0;  // 0: never orders
  std::int64_t orders = 0;
  std::int64_t first_day = 0;  // first day it may order
  std::int64_t scale = 1;      // quantity multiplier (big customers buy more per order)
  int terms_days = 30;
  int payer = 0;  // 0 punctual, 1 slow, 2 poor
  std::optional<std::string> salesperson;
};

struct Slot {
  std::int64_t at;  // seconds since the epoch, local
  std::int32_t customer;
  std::int32_t index;
};

}  // namespace

Summary produce(const Options &options, Sink &sink) {
  if (options.customers < 1 || options.customers > 100'000'000)
    throw std::invalid_argument("customers: must be 1 to 100000000");
  const std::int64_t as_of = parse_date_days(options.as_of);
  const std::int64_t window_start = as_of - 3 * 365;
  const std::uint64_t seed = options.seed;
  const std::int64_t customers = options.customers;
  Summary summary;

  // ---- users: marketing and sales, a few others; about one per 500 customers ----------------
  const std::int64_t user_count = std::max<std::int64_t>(8, customers / 500);
  std::vector<std::string> sales_logins, logins;
  for (std::int64_t u = 1; u <= user_count; ++u) {
    Rng rng(stream(seed, kUser, static_cast<std::uint64_t>(u)));
    const auto surname = rng.below(std::size(kSurnames));
    const auto given = rng.below(std::size(kGiven));
    User user;
    char number[32];
    std::snprintf(number, sizeof number, "%03lld", static_cast<long long>(u));
    user.login = std::string(kSurnamePinyin[surname]) + kGivenPinyin[given] + number;
    user.name = std::string(kSurnames[surname]) + kGiven[given];
    const auto slot = u % 10;
    user.department = slot < 3    ? "marketing"
                      : slot < 8  ? "sales"
                      : slot == 8 ? "finance"
                                  : "warehouse";
    if (u == user_count && user_count >= 10) user.department = "admin";
    if (u == 1) user.department = "sales";
    user.is_active = u == 1 || rng.percent(92);
    // Not drawn from rng, so that every other generated value stays what it was: a tree of
    // managers (user u reports to user u / 2; user 1 to nobody) and a mailbox per login.
    if (u > 1) user.manager = logins[static_cast<std::size_t>(u / 2 - 1)];
    user.email = user.login + "@erp.example.cn";
    logins.push_back(user.login);
    if (user.department == "sales" && user.is_active) sales_logins.push_back(user.login);
    sink.add(user);
    ++summary.users;
  }

  // ---- customer weights (Pareto-like, integer) and the order allocation ---------------------
  std::vector<Profile> profiles(static_cast<std::size_t>(customers) + 1);
  std::int64_t weight_sum = 0;
  for (std::int64_t i = 1; i <= customers; ++i) {
    Rng rng(stream(seed, kWeight, static_cast<std::uint64_t>(i)));
    auto &profile = profiles[static_cast<std::size_t>(i)];
    if (rng.percent(8)) continue;  // a customer that never orders
    const std::int64_t u = 1 + rng.below(1 << 20);
    profile.weight = kWeightBase + std::min(kWeightCap, (std::int64_t{1} << 20) / u);
    weight_sum += profile.weight;
  }
  // Target: 1.82 orders per customer with 5.5 lines each = 10 lines per customer.
  const std::int64_t target_orders = customers * 182 / 100;

  // ---- customers and contacts ---------------------------------------------------------------
  std::int64_t contact_number = 0;
  std::vector<Slot> slots;
  slots.reserve(static_cast<std::size_t>(target_orders + customers / 10 + 16));
  for (std::int64_t i = 1; i <= customers; ++i) {
    Rng rng(stream(seed, kCustomer, static_cast<std::uint64_t>(i)));
    auto &profile = profiles[static_cast<std::size_t>(i)];
    const bool big = profile.weight >= 200;
    if (profile.weight > 0 && weight_sum > 0) {
      const std::int64_t product = target_orders * profile.weight;
      profile.orders = product / weight_sum + (rng.below(weight_sum) < product % weight_sum);
    }
    Customer customer;
    customer.number = i;
    const auto &city = rng.pick(kCities);
    const Industry &industry =
        big && rng.percent(60) ? kIndustries[rng.below(2) == 0 ? 0 : 3] : rng.pick(kIndustries);
    const bool english = rng.percent(18);
    if (english)
      customer.name =
          std::string(rng.pick(kEnglishWords)) + " " + industry.english_word + " Co., Ltd.";
    else
      customer.name = std::string(rng.pick(kTradeWords)) + industry.chinese_word + "（" +
                      city.name + "）有限公司";
    if (!rng.percent(5)) customer.industry = industry.name;
    if (!rng.percent(3)) customer.region = city.region;
    if (rng.percent(85))
      customer.credit_limit = (profile.weight / 16 + rng.between(1, 10)) * 1'000'000;  // 万元
    if (i > 10 && rng.percent(6)) customer.referred_by = rng.between(1, i - 1);
    customer.is_reference = big ? rng.percent(40) : profile.weight > 0 && rng.percent(2);
    const std::int64_t created = as_of - rng.between(60, 4 * 365);
    customer.created_at = format_time(created, rng.between(8 * 3600, 18 * 3600));
    sink.add(customer);
    ++summary.customers;

    const std::int64_t contacts = rng.percent(5) ? 0 : rng.between(1, 3);
    for (std::int64_t c = 0; c < contacts; ++c) {
      Contact contact;
      contact.number = ++contact_number;
      contact.customer = i;
      if (english) {
        const auto first = rng.below(std::size(kEnglishFirst));
        const auto last = rng.below(std::size(kEnglishLast));
        contact.name = std::string(kEnglishFirst[first]) + " " + kEnglishLast[last];
        if (rng.percent(80)) contact.title = rng.pick(kEnglishTitles);
        contact.email = std::string(kEnglishFirst[first]) + "." + kEnglishLast[last] + "@c" +
                        std::to_string(i) + ".example.com";
      } else {
        const auto surname = rng.below(std::size(kSurnames));
        const auto given = rng.below(std::size(kGiven));
        contact.name = std::string(kSurnames[surname]) + kGiven[given];
        if (rng.percent(80)) contact.title = rng.pick(kTitles);
        if (rng.percent(60))
          contact.email = std::string(kSurnamePinyin[surname]) + kGivenPinyin[given] + "@c" +
                          std::to_string(i) + ".example.cn";
      }
      if (rng.percent(90)) {
        char phone[32];
        std::snprintf(phone, sizeof phone, "13%09lld",
                      static_cast<long long>(rng.below(1'000'000'000)));
        contact.phone = phone;
      }
      sink.add(contact);
      ++summary.contacts;
    }

    profile.first_day = std::max(created + 1, window_start);
    profile.scale = 1 + profile.weight / 1024;
    profile.terms_days =
        big ? (rng.percent(50) ? 60 : 90) : static_cast<int>(rng.pick(kSmallTerms));
    const auto payer = rng.below(100);
    profile.payer = payer < 70 ? 0 : payer < 90 ? 1 : 2;
    if (!sales_logins.empty() && !rng.percent(10))
      profile.salesperson = sales_logins[static_cast<std::size_t>(
          rng.below(static_cast<std::int64_t>(sales_logins.size())))];
    if (profile.first_day >= as_of) profile.orders = 0;
    for (std::int64_t k = 0; k < profile.orders; ++k) {
      Rng when(
          stream(seed, kOrderTime, static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(k)));
      const std::int64_t day = when.between(profile.first_day, as_of - 1);
      slots.push_back({day * 86400 + when.between(8 * 3600, 19 * 3600 - 1),
                       static_cast<std::int32_t>(i), static_cast<std::int32_t>(k)});
    }
  }

  // ---- orders in time order, each with its invoices and receivables -------------------------
  std::sort(slots.begin(), slots.end(), [](const Slot &a, const Slot &b) {
    if (a.at != b.at) return a.at < b.at;
    if (a.customer != b.customer) return a.customer < b.customer;
    return a.index < b.index;
  });
  std::int64_t order_number = 0, line_number = 0, invoice_number = 0;
  for (const auto &slot : slots) {
    const auto &profile = profiles[static_cast<std::size_t>(slot.customer)];
    Rng rng(stream(seed, kOrder, static_cast<std::uint64_t>(slot.customer),
                   static_cast<std::uint64_t>(slot.index)));
    const std::int64_t day = slot.at / 86400;
    const std::int64_t age = as_of - day;
    Order order;
    order.number = ++order_number;
    order.customer = slot.customer;
    order.ordered_at = format_time(day, slot.at % 86400);
    const auto roll = rng.below(1000);
    order.status = roll < 40   ? OrderStatus::cancelled
                   : roll < 60 ? OrderStatus::draft
                               : OrderStatus::valid;
    order.delivered = order.status == OrderStatus::valid && age > 7 && rng.percent(95);
    order.salesperson = profile.salesperson;
    const std::int64_t lines = rng.between(1, 10);
    for (std::int64_t l = 0; l < lines; ++l) {
      OrderLine line;
      line.number = ++line_number;
      const std::int64_t item = rng.between(1, 5000);
      char code[32];
      std::snprintf(code, sizeof code, "SP%05lld", static_cast<long long>(item));
      line.item = code;
      Rng article(stream(seed, kItem, static_cast<std::uint64_t>(item)));
      line.unit_price = article.between(5, 2000) * 100 + article.below(100);
      line.quantity = rng.between(1, 20) * profile.scale;
      if (rng.percent(92)) line.unit_cost = line.unit_price * article.between(55, 85) / 100;
      order.lines.push_back(std::move(line));
    }
    sink.add(order);
    ++summary.orders;
    summary.order_lines += lines;
    if (order.status != OrderStatus::valid || age < 2 || !rng.percent(92)) continue;

    // The invoice, sometimes voided and issued again.
    const std::int64_t amount = order.amount();
    std::int64_t invoice_day = day + rng.below(std::min<std::int64_t>(10, age));
    Invoice invoice;
    invoice.customer = slot.customer;
    invoice.order = order.number;
    invoice.amount = amount;
    invoice.terms_days = profile.terms_days;
    if (rng.percent(2) && invoice_day + 1 < as_of) {
      invoice.number = ++invoice_number;
      invoice.invoiced_at = format_date_days(invoice_day);
      invoice.status = InvoiceStatus::cancelled;
      sink.add(invoice);
      ++summary.invoices;
      ++invoice_day;
    }
    invoice.number = ++invoice_number;
    invoice.invoiced_at = format_date_days(invoice_day);
    invoice.status = InvoiceStatus::valid;
    sink.add(invoice);
    ++summary.invoices;

    Receivable receivable;
    receivable.number = invoice.number;
    receivable.customer = slot.customer;
    receivable.invoice = invoice.number;
    const std::int64_t due = invoice_day + profile.terms_days;
    receivable.due_date = format_date_days(due);
    receivable.amount = amount;
    // Payment behaviour: punctual customers pay by the due date (sometimes in two parts),
    // slow ones late and in parts, poor ones partly or not at all.
    std::int64_t parts = 1, first = 0, gap = 0, share = 100;
    if (profile.payer == 0) {
      parts = rng.percent(25) ? 2 : 1;
      first = invoice_day + rng.between(0, std::max<std::int64_t>(1, profile.terms_days));
      gap = rng.between(5, 20);
    } else if (profile.payer == 1) {
      parts = rng.between(1, 3);
      first = due + rng.between(5, 60);
      gap = rng.between(10, 40);
      if (rng.percent(25)) share = rng.between(40, 90);
    } else {
      parts = rng.percent(50) ? 0 : 1;
      first = due + rng.between(30, 120);
      share = rng.between(20, 60);
    }
    std::int64_t remaining = amount * share / 100;
    for (std::int64_t p = 0; p < parts && remaining > 0; ++p) {
      const std::int64_t paid_day = first + p * gap;
      const std::int64_t part = p + 1 == parts ? remaining : remaining * rng.between(30, 70) / 100;
      if (paid_day > as_of) break;
      receivable.payments.push_back({format_date_days(paid_day), part});
      remaining -= part;
    }
    summary.payments += static_cast<std::int64_t>(receivable.payments.size());
    sink.add(receivable);
    ++summary.receivables;

    // A credit note for a return, now and then.
    if (rng.percent(3)) {
      const std::int64_t credit_day = invoice_day + rng.between(5, 60);
      if (credit_day <= as_of) {
        Invoice credit;
        credit.number = ++invoice_number;
        credit.customer = slot.customer;
        credit.order = order.number;
        credit.invoiced_at = format_date_days(credit_day);
        credit.amount = -(amount * rng.between(5, 40) / 100);
        credit.terms_days = profile.terms_days;
        if (credit.amount < 0) {
          sink.add(credit);
          ++summary.invoices;
        }
      }
    }
  }
  return summary;
}

Summary generate(db::Connection &connection, const Options &options) {
  create_schema(connection, options.shape);
  Writer writer(connection, options.shape);
  // Commits every ~200,000 rows: large transactions, bounded server-side state.
  struct Batched final : Sink {
    Writer &writer;
    db::Connection &connection;
    std::int64_t committed = 0;
    Batched(Writer &w, db::Connection &c) : writer(w), connection(c) {}
    void step() {
      if (writer.rows_written() - committed < 200'000) return;
      connection.commit();
      committed = writer.rows_written();
      connection.begin();
    }
    void add(const Customer &x) override { writer.add(x), step(); }
    void add(const User &x) override { writer.add(x), step(); }
    void add(const Contact &x) override { writer.add(x), step(); }
    void add(const Order &x) override { writer.add(x), step(); }
    void add(const Invoice &x) override { writer.add(x), step(); }
    void add(const Receivable &x) override { writer.add(x), step(); }
  } batched(writer, connection);
  connection.begin();
  try {
    auto summary = produce(options, batched);
    writer.flush();
    connection.commit();
    return summary;
  } catch (...) {
    connection.rollback();
    throw;
  }
}

}  // namespace crm::erp
