#include "order_rules.hpp"

#include <algorithm>
#include <utility>

namespace crm::lifecycle {

OrderSummary::OrderSummary(std::string key, time::Micros at, std::string order_key)
    : host_key(std::move(key)),
      first(at),
      first_key(std::move(order_key)),
      last(at),
      previous_(at) {}

void OrderSummary::add(time::Micros at, const std::string &order_key, time::Micros repeat_window) {
  if (!repeat_at && at - previous_ <= repeat_window) {
    repeat_at = at;
    repeat_key = order_key;
  }
  last = std::max(last, at);
  previous_ = at;
}

std::vector<OrderMove> order_moves(const std::string &stage,
                                   const std::optional<time::Micros> &last_known_order,
                                   const OrderSummary &orders, time::Micros repeat_window) {
  std::vector<OrderMove> moves;
  const auto repeat = [&](time::Micros at, const std::string &key) {
    moves.push_back({"repeat", at, key, "repeat_order", "another order within the repeat window"});
  };
  const bool buying = stage == "customer" || stage == "repeat";
  if (!buying)
    moves.push_back({"customer", orders.first, orders.first_key, "first_order",
                     "first valid order in the ERP"});
  if (buying && stage != "customer") return moves;  // repeat already
  // A customer before this run repeats when its first new order follows its last known one
  // within the window; otherwise (and for one that just became a customer) the new orders must
  // repeat among themselves.
  if (buying && last_known_order && orders.first > *last_known_order &&
      orders.first - *last_known_order <= repeat_window)
    repeat(orders.first, orders.first_key);
  else if (orders.repeat_at)
    repeat(*orders.repeat_at, orders.repeat_key);
  return moves;
}

}  // namespace crm::lifecycle
