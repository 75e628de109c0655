// Who a call acts as: the session's user, what the user's roles allow, and whose customers the
// user sees. The organisation area resolves it from the database at every call, so that a
// deactivation, a role change or a team change applies to open sessions at once.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crm {

// Method::capability of the methods every signed-in user may call (system.describe, user.me).
inline constexpr std::string_view kAnySession = "session";

struct Actor {
  std::string user;
  std::set<std::string, std::less<>> capabilities;
  std::vector<std::string> roles;
  std::string scope;  // own, team, subordinates or all
  bool sees_all = false;
  // Customers visible short of sees_all: those owned by one of owners (the user first), those
  // waiting in one of queues (team keys), and the ids in customers.
  std::vector<std::string> owners;
  std::vector<std::string> queues;
  std::vector<std::int64_t> customers;
  // Users whose work the user may do now (active delegations to the user): what on_behalf_of
  // may name. Delegation is not transitive: a delegate of this user does not act for these.
  std::vector<std::string> acting_for;
  // Of acting_for, the delegators whose delegation covers everything they own (scope everything),
  // and the (delegator, customer id) pairs of the delegations limited to chosen customers.
  std::vector<std::string> acting_for_everything;
  std::vector<std::pair<std::string, std::int64_t>> acting_for_customers;

  bool has(std::string_view capability) const {
    return capability == kAnySession || capabilities.find(capability) != capabilities.end();
  }
  bool may_own(std::string_view owner) const {
    return sees_all || std::find(owners.begin(), owners.end(), owner) != owners.end();
  }
  bool acts_for(std::string_view user) const {
    return std::find(acting_for.begin(), acting_for.end(), user) != acting_for.end();
  }
  // The one rule of on_behalf_of for every write (ledger, customers, interactions, opportunities,
  // tasks): the user the write is done for when its record's responsible user (a customer's
  // owner; for a record attached to a customer, the record's owner or else the customer's owner;
  // before the write, or as created) is not the caller but a user whose work on that customer
  // the caller covers now through an active delegation; nullopt otherwise (the caller acts for
  // themselves, or by role). customer_id nullopt: a write over all of the user's customers (a
  // transfer), which only a delegation of everything covers.
  std::optional<std::string> on_behalf_of(const std::optional<std::string> &responsible,
                                          std::optional<std::int64_t> customer_id) const {
    if (!responsible || *responsible == user) return std::nullopt;
    if (std::find(acting_for_everything.begin(), acting_for_everything.end(), *responsible) !=
        acting_for_everything.end())
      return responsible;
    if (customer_id && std::find(acting_for_customers.begin(), acting_for_customers.end(),
                                 std::pair<std::string, std::int64_t>(
                                     *responsible, *customer_id)) != acting_for_customers.end())
      return responsible;
    return std::nullopt;
  }
  bool may_queue(std::string_view queue) const {
    return sees_all || std::find(queues.begin(), queues.end(), queue) != queues.end();
  }
};

}  // namespace crm
