// The rule of a manual lifecycle move, apart from the database, so that it can be tested alone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "lifecycle.hpp"

namespace crm::lifecycle {

// Checks a manual move of customer customer_id from stage `from` to `to` under settings: a
// conflict on params.to when the customer is in that stage already or the move is not among
// settings.transitions (customer and repeat come from the host's orders), an invalid_argument on
// params.reason_text for a return to nurture (opportunity → potential) without a reason.
// Returns whether the move is a return to nurture (the customer then waits in the nurture_team
// queue).
bool check_transition(const Settings &settings, std::int64_t customer_id, const std::string &from,
                      const std::string &to, const std::optional<std::string> &reason_text);

}  // namespace crm::lifecycle
