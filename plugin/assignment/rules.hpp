// crm_assignment_rule and crm_assignment: the ordered assignment rules and the record of every
// decision they made. Every statement over these tables is here, with their column limits; the
// assigner holds the rules of choosing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "../core/store.hpp"
#include "../records/limit.hpp"

namespace crm::assignment {

inline constexpr std::size_t kCodeChars = 64;
inline constexpr std::size_t kNameChars = 200;
inline constexpr std::size_t kTeamChars = 64;
inline constexpr std::size_t kUserChars = 128;
inline constexpr std::size_t kStrategyChars = 16;
inline constexpr std::size_t kJsonChars = 4000;  // conditions and weights, as JSON text
inline constexpr std::size_t kEventChars = 16;
// A rule set is read whole at every assignment: it stays small enough to.
inline constexpr std::size_t kMaxRules = 200;

inline constexpr records::Limit kRuleLimits[] = {
    {"code", kCodeChars},         {"name", kNameChars},          {"conditions", kJsonChars},
    {"strategy", kStrategyChars}, {"team_key", kTeamChars},      {"user_key", kUserChars},
    {"weights", kJsonChars},      {"last_user_key", kUserChars}, {"created_by", kUserChars},
    {"updated_by", kUserChars}};
inline constexpr records::Limit kDecisionLimits[] = {{"event", kEventChars},
                                                     {"rule_code", kCodeChars},
                                                     {"owner", kUserChars},
                                                     {"queue", kTeamChars},
                                                     {"decided_by", kUserChars}};

// What a rule may ask of a customer, each an "any of" list of values.
inline const std::vector<std::string> kConditionNames = {"region", "industry", "source",
                                                         "class",  "tier",     "stage"};
inline const std::vector<std::string> kStrategies = {"user", "round_robin", "least_load",
                                                     "weighted"};
// When rules apply: a customer created without owner or queue, imported from the host, or moved
// to opportunity (the hand-off to sales); `manual` is assignment.apply.
inline const std::vector<std::string> kEvents = {"create", "import", "handoff"};

struct Rule {
  std::string code, name;
  std::int64_t priority = 0;  // lower first, then by code
  bool active = true;
  bool on_create = false, on_import = false, on_handoff = false;
  std::map<std::string, std::vector<std::string>> conditions;  // by kConditionNames
  std::string strategy;
  std::string team_key;
  std::optional<std::string> user_key;          // strategy user
  std::optional<std::int64_t> cap;              // open leads and opportunities per person
  std::map<std::string, std::int64_t> weights;  // strategy weighted; members not named weigh 1
  std::optional<std::string> last_user_key;     // whom it chose last
  std::string created_at, created_by, updated_at, updated_by;
  std::int64_t version = 1;

  bool applies_on(const std::string &event) const {
    return event == "manual" || (event == "create" && on_create) ||
           (event == "import" && on_import) || (event == "handoff" && on_handoff);
  }
};

nlohmann::json conditions_json(const Rule &rule);
nlohmann::json weights_json(const Rule &rule);

// Written as `by` at `at`, version 1. Throws DbError (e.g. a duplicate code).
void insert(db::Connection &connection, const Rule &rule, const std::string &at,
            const std::string &by);
// Every column but the cursor and created_*, if the row is at version; false when no row matched.
bool update(db::Connection &connection, const Rule &rule, std::int64_t version,
            const std::string &at, const std::string &by);
std::optional<Rule> find(db::Connection &connection, const std::string &code);
// Every rule (active or not), by priority then code.
std::vector<Rule> all(db::Connection &connection);
std::int64_t count(db::Connection &connection);

// The rule's round-robin cursor, read with the row locked until the caller's transaction ends:
// whoever assigns by the same rule meanwhile waits. nullopt when the rule is gone.
std::optional<std::optional<std::string>> lock_cursor(db::Connection &connection,
                                                      const std::string &code);
void set_cursor(db::Connection &connection, const std::string &code, const std::string &user_key);

// A member of a rule's team as the rules see it now.
struct Member {
  std::string user_key;
  bool known = false;                     // has a crm_user row
  bool active = false;                    // that row is active
  std::optional<std::string> away_until;  // an active delegation of everything ends then
  std::int64_t load = 0;  // customers owned at unidentified, potential or opportunity
};
// The members of team_key by key, as of now (database text), in one statement.
std::vector<Member> members(db::Connection &connection, const std::string &team_key,
                            const std::string &now);
// The member-like facts of one user, whether or not in the team (strategy user).
Member member(db::Connection &connection, const std::string &team_key, const std::string &user_key,
              const std::string &now, bool &in_team);

// One decision, as recorded.
struct Decision {
  std::int64_t id = 0;
  std::int64_t customer_id = 0;
  std::string event;
  std::optional<std::string> rule_code, owner, queue;
  std::string explanation;  // JSON text
  std::string decided_at, decided_by;
};
// Multi-row inserts sized by the dialect's parameter limit.
void insert(db::Connection &connection, const std::vector<Decision> &decisions);
// The customer's decisions, newest first.
std::vector<Decision> decisions_of(db::Connection &connection, std::int64_t customer_id,
                                   std::size_t limit);

}  // namespace crm::assignment
