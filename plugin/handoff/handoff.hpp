// The hand-off SLA (the seed's 销售部门必须在要求时间内给出处理意见): a move to opportunity hands
// the customer to sales. Within the accept window (business hours of the receiving team's calendar)
// sales accepts it or returns it to nurture; after acceptance, the first contact (an
// interaction logged by the owner or a delegate for the owner) is due within the contact
// window. Hand-offs open and close by themselves as customers enter and leave opportunity
// (Registry::on_customers_changed), whoever moves them; the assignee is the customer's owner
// or queue at each moment, so that a transfer or a delegation carries a running clock.
//
// Methods: handoff.accept, handoff.return, handoff.list, handoff.get, handoff.report.
#pragma once

#include "../core/registry.hpp"

namespace crm::handoff {

void register_methods(Registry &registry);

}  // namespace crm::handoff
