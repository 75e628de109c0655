// Customer lifecycle: unidentified → potential → opportunity → customer → repeat (and
// disqualified), every move recorded in the append-only crm_lifecycle_event ledger.
// Manual moves follow the configured transitions ("lifecycle" section); moves derived from the
// host ERP's orders (first valid order → customer, a further order within the repeat window →
// repeat) and dormancy come from lifecycle.sync, incrementally.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "../core/registry.hpp"

namespace crm::lifecycle {

inline const std::vector<std::string> kStages = {"unidentified", "potential", "opportunity",
                                                 "customer",     "repeat",    "disqualified"};

struct Settings {
  std::map<std::string, std::set<std::string>> transitions;  // allowed manual moves
  std::int64_t repeat_window_days = 365;
  std::int64_t dormant_after_days = 180;
  // The team whose queue imports and returns to nurture land in (they then have no owner).
  std::string nurture_team = "marketing";
};

// A manual move of one customer, as lifecycle.transition makes it (params.* name its fields in
// errors).
struct Move {
  std::int64_t customer_id = 0;
  std::string to, reason_code;
  std::optional<std::string> reason_text, on_behalf_of;
  std::optional<std::int64_t> expected_version;
};
// Makes the move inside the caller's transaction and returns lifecycle.transition's result:
// checks, assignment at the hand-off, the ledger event, Registry::customers_changed.
json move(CallContext &context, db::Connection &connection, const Move &request);

void register_methods(Registry &registry);

}  // namespace crm::lifecycle
