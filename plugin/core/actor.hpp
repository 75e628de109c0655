// Who a call acts as: the session's user, what the user's roles allow, and whose customers the
// user sees. The organisation area resolves it from the database at every call, so that a
// deactivation, a role change or a team change applies to open sessions at once.
#pragma once

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
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

  bool has(std::string_view capability) const {
    return capability == kAnySession || capabilities.find(capability) != capabilities.end();
  }
  bool may_own(std::string_view owner) const {
    return sees_all || std::find(owners.begin(), owners.end(), owner) != owners.end();
  }
  bool acts_for(std::string_view user) const {
    return std::find(acting_for.begin(), acting_for.end(), user) != acting_for.end();
  }
  bool may_queue(std::string_view queue) const {
    return sees_all || std::find(queues.begin(), queues.end(), queue) != queues.end();
  }
};

}  // namespace crm
