// Management plans (管理方案) and tasks. The "plans" configuration section lists, per business
// class (or "*") and lifecycle stage, the task a customer in that class and stage should have:
// once (due within_days after the customer arrives there) or recurring (every every_days,
// the next one created when the last is completed). Whenever customers change stage, class or
// owner (Registry::on_customers_changed, inside the writing transaction) their plan tasks follow:
// tasks of plans that no longer apply are cancelled with a note, missing ones are created.
// Methods: task.list, task.complete, task.create (manual tasks).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "../core/registry.hpp"

namespace crm::tasks {

struct Plan {
  std::string id;
  std::string class_id = "*";  // a business class, or "*" for any (also none)
  std::string stage;           // a lifecycle stage
  std::string title;
  std::string kind;                      // once, recurring
  std::int64_t days = 0;                 // within_days (once) or every_days (recurring)
  std::string owner = "customer_owner";  // "customer_owner" or a host user
};

struct Plans {
  std::vector<Plan> plans;
  const Plan *find(const std::string &id) const;
};

void register_methods(Registry &registry);

}  // namespace crm::tasks
