// The rule of a manual lifecycle move, without a database.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <tuple>

#include "core/error.hpp"
#include "lifecycle/order_rules.hpp"
#include "lifecycle/transitions.hpp"

namespace crm::lifecycle {
namespace {

Settings settings() {
  Settings s;
  s.transitions = {{"unidentified", {"potential", "disqualified"}},
                   {"potential", {"opportunity", "disqualified"}},
                   {"opportunity", {"potential", "disqualified"}},
                   {"customer", {"disqualified"}}};
  return s;
}

// The refusal check_transition throws, as status, field and message.
std::tuple<Status, std::string, std::string> refusal(const std::string &from, const std::string &to,
                                                     std::optional<std::string> reason = {}) {
  try {
    check_transition(settings(), 7, from, to, reason);
  } catch (const Error &error) {
    return {error.status(), error.field(), error.what()};
  }
  ADD_FAILURE() << from << " -> " << to << " was allowed";
  return {};
}

TEST(LifecycleTransition, AnAllowedMoveIsNotANurtureReturn) {
  EXPECT_FALSE(check_transition(settings(), 7, "unidentified", "potential", std::nullopt));
  EXPECT_FALSE(check_transition(settings(), 7, "potential", "opportunity", std::nullopt));
}

TEST(LifecycleTransition, OpportunityToPotentialIsANurtureReturnThatNeedsAReason) {
  EXPECT_TRUE(check_transition(settings(), 7, "opportunity", "potential", "no budget this year"));
  for (const auto &reason : {std::optional<std::string>(), std::optional<std::string>("")}) {
    auto [status, field, message] = refusal("opportunity", "potential", reason);
    EXPECT_EQ(status, Status::invalid_argument);
    EXPECT_EQ(field, "params.reason_text");
  }
}

TEST(LifecycleTransition, TheSameStageAndMovesOutsideTheTransitionsAreConflicts) {
  auto [status, field, message] = refusal("potential", "potential");
  EXPECT_EQ(status, Status::conflict);
  EXPECT_EQ(field, "params.to");
  EXPECT_EQ(message, "customer 7 is already in stage potential");

  std::tie(status, field, message) = refusal("unidentified", "opportunity");
  EXPECT_EQ(status, Status::conflict);
  EXPECT_EQ(field, "params.to");
  EXPECT_EQ(message, "a customer cannot move from unidentified to opportunity");

  // A stage with no entry in the transitions (repeat here) allows no manual move at all.
  std::tie(status, field, message) = refusal("repeat", "disqualified");
  EXPECT_EQ(status, Status::conflict);
}

TEST(LifecycleTransition, CustomerAndRepeatAreNamedAsComingFromTheOrders) {
  auto [status, field, message] = refusal("potential", "customer");
  EXPECT_EQ(status, Status::conflict);
  EXPECT_EQ(message,
            "a customer cannot move from potential to customer (customer comes from the host's "
            "orders through lifecycle.sync)");
  std::tie(status, field, message) = refusal("customer", "repeat");
  EXPECT_NE(message.find("(repeat comes from the host's orders"), std::string::npos) << message;
}

// ---- the sync's decisions on a customer's orders ----

constexpr time::Micros kDay = 86'400'000'000LL;
constexpr time::Micros kWindow = 365 * kDay;

// A customer's new orders on the given days (from the epoch), keys o1, o2 ...
OrderSummary orders_on(std::initializer_list<std::int64_t> days) {
  std::optional<OrderSummary> summary;
  int n = 0;
  for (const auto day : days) {
    const auto key = "o" + std::to_string(++n);
    if (!summary)
      summary.emplace("k", day * kDay, key);
    else
      summary->add(day * kDay, key, kWindow);
  }
  return *summary;
}

// The moves as "to@day:order reason", in order.
std::vector<std::string> moves(const std::string &stage, std::optional<std::int64_t> last_known_day,
                               const OrderSummary &orders) {
  std::optional<time::Micros> last_known;
  if (last_known_day) last_known = *last_known_day * kDay;
  std::vector<std::string> out;
  for (const auto &move : order_moves(stage, last_known, orders, kWindow))
    out.push_back(move.to + "@" + std::to_string(move.at / kDay) + ":" + move.order_key + " " +
                  move.reason_code);
  return out;
}

using Moves = std::vector<std::string>;

TEST(LifecycleOrders, TheSummaryKeepsFirstLastAndTheFirstOrderWithinTheWindowOfThePrevious) {
  const auto summary = orders_on({10, 400, 500, 510});
  EXPECT_EQ(summary.first, 10 * kDay);
  EXPECT_EQ(summary.first_key, "o1");
  EXPECT_EQ(summary.last, 510 * kDay);
  // 400 is 390 days after 10: outside; 500 is 100 days after 400: the first repeat.
  ASSERT_TRUE(summary.repeat_at);
  EXPECT_EQ(*summary.repeat_at, 500 * kDay);
  EXPECT_EQ(summary.repeat_key, "o3");
  EXPECT_FALSE(orders_on({10, 376}).repeat_at);      // 366 days apart
  EXPECT_EQ(orders_on({10, 375}).repeat_key, "o2");  // exactly the window
}

TEST(LifecycleOrders, AFirstOrderMakesACustomerOfEveryStageBeforeBuying) {
  for (const char *stage : {"unidentified", "potential", "opportunity", "disqualified"})
    EXPECT_EQ(moves(stage, std::nullopt, orders_on({20})), Moves{"customer@20:o1 first_order"})
        << stage;
}

TEST(LifecycleOrders, NewOrdersWithinTheWindowOfEachOtherMakeARepeatCustomerAtTheSecond) {
  EXPECT_EQ(moves("potential", std::nullopt, orders_on({20, 700, 800})),
            (Moves{"customer@20:o1 first_order", "repeat@800:o3 repeat_order"}));
  EXPECT_EQ(moves("potential", std::nullopt, orders_on({20, 700})),
            Moves{"customer@20:o1 first_order"});
}

TEST(LifecycleOrders, ACustomerRepeatsWhenItsFirstNewOrderFollowsItsLastKnownOneWithinTheWindow) {
  EXPECT_EQ(moves("customer", 100, orders_on({300})), Moves{"repeat@300:o1 repeat_order"});
  EXPECT_EQ(moves("customer", 100, orders_on({465})), Moves{"repeat@465:o1 repeat_order"});
  // Too late after the last known order: only the new orders among themselves count.
  EXPECT_EQ(moves("customer", 100, orders_on({466})), Moves{});
  EXPECT_EQ(moves("customer", 100, orders_on({466, 470})), Moves{"repeat@470:o2 repeat_order"});
  // An order read late but dated before the last known one is not a repeat of it.
  EXPECT_EQ(moves("customer", 100, orders_on({50})), Moves{});
  EXPECT_EQ(moves("customer", std::nullopt, orders_on({50})), Moves{});
}

TEST(LifecycleOrders, ARepeatCustomerDoesNotMoveAgain) {
  EXPECT_EQ(moves("repeat", 100, orders_on({120, 130})), Moves{});
}

TEST(LifecycleOrders, TheLastKnownOrderCountsOnlyForACustomerBeforeThisRun) {
  // A potential customer whose only known order is gone (e.g. cancelled) starts afresh.
  EXPECT_EQ(moves("potential", 100, orders_on({120})), Moves{"customer@120:o1 first_order"});
}

}  // namespace
}  // namespace crm::lifecycle
