// What lifecycle.sync concludes from a host customer's valid orders, apart from the database:
// the run reads the orders and the customers' rows, these rules decide the moves.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "../core/time.hpp"

namespace crm::lifecycle {

// One host customer's new valid orders, added in the order the run reads them (by order time),
// summarised in O(1) space however many there are.
struct OrderSummary {
  std::string host_key;
  time::Micros first = 0;
  std::string first_key;
  time::Micros last = 0;
  // The first order placed within the repeat window of the order read before it.
  std::optional<time::Micros> repeat_at;
  std::string repeat_key;

  OrderSummary(std::string host_key, time::Micros at, std::string order_key);
  void add(time::Micros at, const std::string &order_key, time::Micros repeat_window);

 private:
  time::Micros previous_;
};

// A move the orders make: to "customer" (the first valid order) or "repeat" (an order within
// the repeat window of the one before, counting the customer's earlier orders too).
struct OrderMove {
  std::string to;
  time::Micros at = 0;
  std::string order_key;
  std::string reason_code;  // first_order, repeat_order
  std::string reason_text;
};

// The moves of a customer in `stage` whose orders known before this run ended at
// `last_known_order`, given its new orders: a customer not yet buying becomes a customer at its
// first new order; a customer becomes a repeat customer at the first new order within the window
// of an earlier one. At most one move of each kind, in time order.
std::vector<OrderMove> order_moves(const std::string &stage,
                                   const std::optional<time::Micros> &last_known_order,
                                   const OrderSummary &orders, time::Micros repeat_window);

}  // namespace crm::lifecycle
