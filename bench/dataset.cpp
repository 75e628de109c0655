#include "dataset.hpp"

#include <chrono>
#include <cstdio>

namespace bench {

namespace {

const char *const kCities[] = {"北京", "上海", "广州", "深圳", "杭州", "成都", "武汉",
                               "南京", "苏州", "天津", "重庆", "西安", "青岛", "厦门"};
const char *const kTradeWords[] = {"华联", "恒信", "金鼎", "东方", "长城", "新华", "宏达",
                                   "瑞丰", "百利", "嘉禾", "永安", "中恒", "天成", "盛世"};
const char *const kCompanyKinds[] = {"超市", "药店", "贸易", "电子", "机械", "食品",
                                     "物流", "建材", "服装", "科技", "餐饮", "家居"};
const char *const kEnglishNames[] = {"Northwind", "Contoso",   "Fabrikam", "Tailspin",
                                     "Litware",   "Adventure", "Wingtip",  "Proseware"};
const char *const kEnglishSuffixes[] = {"Traders", "Supplies", "Holdings",  "Logistics",
                                        "Foods",   "Retail",   "Components"};
const char *const kSurnames[] = {"张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴"};
const char *const kGivenNames[] = {"伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰"};
const char *const kRegions[] = {"华北", "华东", "华南",          "华中",   "西南",
                                "西北", "东北", "North America", "Europe", "Southeast Asia"};
const char *const kIndustries[] = {"超市", "药店",      "wholesale", "manufacturing",
                                   "餐饮", "logistics", "电子",      "retail"};
const char *const kSources[] = {"web", "event", "referral", "展会", "media", "cold call"};
const char *const kStreets[] = {"建国路", "人民路", "中山路", "解放路", "长安街", "南京路"};
const char *const kChannels[] = {"tel", "email", "face_to_face", "web", "event", "sms", "other"};
const char *const kDirections[] = {"inbound", "outbound"};

// Note vocabulary: CRM follow-up phrases in both languages, mixed the way sales staff write.
const char *const kChinese[] = {
    "客户关心价格", "交货期",   "约定下周回访", "报价已发送",   "样品已寄出", "合同条款",
    "付款方式",     "质量问题", "售后服务",     "采购经理",     "库存不足",   "物流安排",
    "发票抬头",     "折扣申请", "年度框架协议", "竞争对手报价", "技术参数",   "现场拜访",
    "电话沟通",     "需求确认", "预算审批",     "新品推荐",     "退换货",     "账期三十天"};
const char *const kEnglish[] = {"follow-up", "quote",    "delivery", "invoice", "meeting",
                                "call back", "order",    "discount", "sample",  "shipment",
                                "contract",  "payment",  "pricing",  "urgent",  "renewal",
                                "PO #",      "warranty", "demo",     "budget",  "next week"};
const char *const kPunctuation[] = {"，", "。", "; ", ", ", " ", "：", " - "};

std::uint64_t mix(std::uint64_t seed, std::uint64_t a, std::uint64_t b) {
  Rng rng(seed ^ (a * 0x9e3779b97f4a7c15ULL) ^ (b * 0xc2b2ae3d27d4eb4fULL));
  rng.next();
  return rng.next();
}

std::string mixed_text(Rng &rng, int min_tokens, int max_tokens) {
  const auto tokens = rng.between(min_tokens, max_tokens);
  std::string text;
  for (std::int64_t i = 0; i < tokens; ++i) {
    if (i) text += rng.pick(kPunctuation);
    if (rng.below(5) < 3) {
      text += rng.pick(kChinese);
    } else {
      text += rng.pick(kEnglish);
      if (rng.below(4) == 0) text += std::to_string(rng.between(1, 9999));
    }
  }
  return text;
}

std::string format_time(std::int64_t micros, char separator) {
  const CivilTime time = civil_time(micros);
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u%c%02u:%02u:%02u.%06u", time.year, time.month,
                time.day, separator, time.hour, time.minute, time.second, time.microsecond);
  return buffer;
}

}  // namespace

std::uint64_t Rng::next() {
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

Customer Dataset::customer(std::int64_t id) const {
  Rng rng(mix(seed_, 1, static_cast<std::uint64_t>(id)));
  Customer customer;
  customer.id = id;
  const auto shape = rng.below(10);
  if (shape < 6) {
    customer.kind = "company";
    customer.name = std::string(rng.pick(kTradeWords)) + rng.pick(kCompanyKinds) + "（" +
                    rng.pick(kCities) + "）有限公司";
  } else if (shape < 8) {
    customer.kind = "company";
    customer.name = std::string(rng.pick(kEnglishNames)) + " " + rng.pick(kEnglishSuffixes) + " " +
                    std::to_string(rng.between(1, 999));
  } else {
    customer.kind = "person";
    customer.name = std::string(rng.pick(kSurnames)) + rng.pick(kGivenNames);
  }
  customer.phone = "+86 1" + std::to_string(rng.between(30, 89)) + " " +
                   std::to_string(rng.between(1000, 9999)) + " " +
                   std::to_string(rng.between(1000, 9999));
  customer.email = "c" + std::to_string(id) + "@example.cn";
  customer.address = std::string(rng.pick(kCities)) + "市" + rng.pick(kStreets) +
                     std::to_string(rng.between(1, 999)) + "号";
  customer.region = rng.pick(kRegions);
  customer.industry = rng.pick(kIndustries);
  customer.source = rng.pick(kSources);
  customer.attributes = "{\"credit_days\":" + std::to_string(rng.between(0, 9) * 10) +
                        ",\"erp_code\":\"C" + std::to_string(100000 + id) + "\"}";
  if (owners_ > 0) customer.owner = owner_key((id - 1) % owners_);
  return customer;
}

std::string Dataset::owner_key(std::int64_t index) {
  char key[48];
  std::snprintf(key, sizeof key, "bench.sales.%03lld", static_cast<long long>(index));
  return key;
}

Interaction Dataset::interaction(std::int64_t index) const {
  // 2023-01-01 .. 2025-12-31 UTC, millisecond resolution.
  constexpr std::int64_t kStart = 1'672'531'200LL * 1000, kSpan = 3LL * 365 * 86'400 * 1000;
  Rng rng(mix(seed_, 2, static_cast<std::uint64_t>(index)));
  Interaction item;
  item.customer_id = rng.between(1, customers_);
  item.channel = rng.pick(kChannels);
  item.direction = rng.pick(kDirections);
  item.occurred_at = (kStart + static_cast<std::int64_t>(rng.below(kSpan))) * 1000;
  item.subject = mixed_text(rng, 2, 5);
  item.body = mixed_text(rng, 4, 30);
  return item;
}

std::vector<Interaction> Dataset::interactions(std::int64_t first_index, std::size_t count) const {
  std::vector<Interaction> items;
  items.reserve(count);
  for (std::size_t i = 0; i < count; ++i)
    items.push_back(interaction(first_index + static_cast<std::int64_t>(i)));
  return items;
}

Rng Dataset::stream(std::uint64_t purpose) const {
  return Rng(mix(seed_, 3, purpose));
}

CivilTime civil_time(std::int64_t micros) {
  return crm::time::to_civil(micros);
}

std::string db_time(std::int64_t micros) {
  return format_time(micros, ' ');
}

std::string iso_time(std::int64_t micros, int offset_minutes) {
  std::string text = format_time(micros + offset_minutes * 60'000'000LL, 'T');
  const int magnitude = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  char zone[16];
  std::snprintf(zone, sizeof zone, "%c%02d:%02d", offset_minutes < 0 ? '-' : '+', magnitude / 60,
                magnitude % 60);
  return text + zone;
}

std::int64_t now_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace bench
