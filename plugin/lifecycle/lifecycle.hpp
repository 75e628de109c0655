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
  std::string nurture_owner = "marketing";  // owner after a return to nurture
};

// One ledger entry. Times are database text (UTC).
struct Event {
  std::int64_t customer_id = 0;
  std::optional<std::string> from_stage;
  std::string to_stage;
  std::string occurred_at;
  std::string actor;
  std::optional<std::string> on_behalf_of;
  std::string reason_code;
  std::optional<std::string> reason_text;
  std::string source_kind = "manual";  // manual, order, opportunity, import
  std::optional<std::string> source_key;
  std::optional<std::string> owner_before;
  std::optional<std::string> owner_after;
};

// Appends events to the ledger on connection (inside the caller's transaction); ids are
// reserved beforehand through store.ids(), so call reserve_event_ids outside the transaction.
void append(Store &store, db::Connection &connection, const std::vector<Event> &events,
            std::int64_t first_id);

void register_methods(Registry &registry);

}  // namespace crm::lifecycle
