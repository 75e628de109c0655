// The rule of a manual lifecycle move, without a database.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <tuple>

#include "core/error.hpp"
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

}  // namespace
}  // namespace crm::lifecycle
