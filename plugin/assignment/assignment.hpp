// Assignment (分配机制): the ordered rules that route customers to people, and the hooks the
// customers and lifecycle areas call when a customer is created, imported or handed to sales.
//
// Methods: assignment.rule.create, assignment.rule.update, assignment.rule.list,
// assignment.explain, assignment.apply.
#pragma once

#include "../core/registry.hpp"
#include "assigner.hpp"

namespace crm::assignment {

// Records decisions (ids reserved by the caller, first_id on) of outcomes that matched a rule,
// as `by` at `at`. outcomes[i] belongs to customer_ids[i]; those without a rule are left out.
// Returns how many were recorded.
std::size_t record(db::Connection &connection, std::int64_t first_id, const std::string &event,
                   const std::vector<std::int64_t> &customer_ids,
                   const std::vector<Outcome> &outcomes, const std::string &at,
                   const std::string &by);

void register_methods(Registry &registry);

}  // namespace crm::assignment
