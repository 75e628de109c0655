// Opportunities: a sale being worked for a customer, through the pipeline stages qualify,
// develop, propose and negotiate, until it is won or lost (and perhaps reopened). Amounts are
// exact (minor units, see core/money.hpp); every meaningful change is appended to
// crm_opportunity_event, from which history and time in stage are read.
// Methods: opportunity.create, .get, .update, .close, .reopen, .list.
#pragma once

#include "../core/registry.hpp"

namespace crm::opportunities {

void register_methods(Registry &registry);

}  // namespace crm::opportunities
