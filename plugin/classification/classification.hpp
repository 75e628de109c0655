// Business-type classification (客户分类 by business type): ordered rules from the
// "classification" configuration section, first match wins. A rule's conditions look at the
// customer's profile (industry, region, lifecycle stage, source) and at its valid host orders in
// a window before the run's as_of (count and exact sum, from the host "orders" mapping).
// classification.run applies every rule to every customer in one set-based statement and stores
// business_class / class_rule / classified_at where they change; classification.explain shows
// why a customer gets its class.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "../core/money.hpp"
#include "../core/registry.hpp"

namespace crm::classification {

struct Rule {
  std::string id;
  std::string class_id;  // the business class it assigns (default: the rule id)
  std::string label;
  std::vector<std::string> industry, region, stage, source;  // empty: any
  std::optional<std::int64_t> min_orders;
  std::optional<money::Minor> min_revenue;
  bool uses_orders() const { return min_orders || min_revenue; }
};

struct Settings {
  std::vector<Rule> rules;
  std::int64_t window_days = 365;
  // Whether some rule assigns class_id.
  bool known_class(const std::string &class_id) const;
  // The first rule with this id, or nullptr.
  const Rule *rule(const std::string &id) const;
};

const Settings &settings(const Store &store);

// {class, rule, label, classified_at} from a customer's stored business_class, class_rule and
// classified_at (database text); all null when unclassified.
json to_json(const Store &store, const std::optional<std::string> &business_class,
             const std::optional<std::string> &rule_id,
             const std::optional<std::string> &classified_at);
// The JSON Schema of to_json's result.
json schema();
// The same, read from the database.
json of_customer(Store &store, db::Connection &connection, const Actor &actor,
                 std::int64_t customer_id);

void register_methods(Registry &registry);

}  // namespace crm::classification
