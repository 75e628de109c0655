// The assigner: applies the ordered rules to a customer. The first active rule for the event whose
// conditions the customer meets decides: by its strategy it chooses a member of its team who is a
// CRM user, active, not away (delegating everything) and under the cap, or, when nobody is left,
// the customer waits in the team's queue. When no rule matches nothing changes. Every decision
// comes with its explanation: the rules skipped and why, each member considered and why not.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "../core/store.hpp"
#include "rules.hpp"

namespace crm::assignment {

// What the rules look at; an absent value meets no condition on it.
struct Facts {
  std::int64_t customer_id = 0;
  std::optional<std::string> region, industry, source, business_class, tier;
  std::string stage;
};

// The facts of a stored customer (its tier: the latest value.run's), nullopt for an unknown id.
std::optional<Facts> facts_of(db::Connection &connection, std::int64_t customer_id);
nlohmann::json facts_json(const Facts &facts);

// The JSON Schema of an explanation (Outcome::explanation): closed, so that the contract pins it.
nlohmann::json explanation_schema();

struct Outcome {
  std::optional<std::string> rule_code;  // nullopt: no rule matched, nothing changes
  std::optional<std::string> owner, queue;
  nlohmann::json explanation;
};

class Assigner {
 public:
  // event is one of kEvents or "manual" (every active rule). With claim, each rule that decides
  // is locked until the caller's transaction ends and its round-robin cursor moves (written by
  // finish()); without, nothing is locked or written (assignment.explain).
  Assigner(db::Connection &connection, std::string event, std::string now, bool claim);
  Outcome decide(const Facts &facts);
  // Writes the cursors of the rules that chose somebody. Call before the transaction commits.
  void finish();
  // Whether any rule could apply to this event (so the caller may skip all else).
  bool any_rules() const { return !rules_.empty(); }

 private:
  struct Team {
    bool locked = false, exists = true, active = true;
    std::optional<std::string> cursor;
    std::vector<Member> members;
    bool chose = false;
  };
  Team &team_of(const Rule &rule);
  void choose(const Rule &rule, Team &team, const Facts &facts, Outcome &outcome);

  db::Connection &connection_;
  std::string event_, now_;
  bool claim_;
  std::vector<Rule> rules_;
  std::map<std::string, Team> teams_;  // by rule code
};

}  // namespace crm::assignment
