// Transfer of ownership (工作转移): when a salesperson leaves or territories change, a user's
// customers move to another with their open opportunities and tasks, in one transaction and
// audited record by record; orphans are the customers nobody active owns. Methods:
// ownership.transfer, ownership.batch.get, ownership.batch.list, ownership.orphans.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "../core/registry.hpp"

namespace crm::ownership {

// One transfer: from's customers (all, those in stage, or customer_ids), of those actor sees,
// with from's open opportunities and open tasks on them, to `to`.
struct Transfer {
  std::string from, to;
  std::optional<std::string> stage;
  std::vector<std::int64_t> customer_ids;
  json filter = json::object();  // what the batch records of the selection
  std::string reason;
};

struct Moved {
  std::int64_t batch_id = 0, customers = 0, opportunities = 0, tasks = 0;
};

// Moves transfer inside the caller's transaction on connection, set-based, recorded as one
// audited batch made by `by` (ownership.transfer and users.sync both move work this way). Throws
// crm::Error(conflict) and moves nothing when another transfer took some of the customers
// meanwhile. The caller checks that `to` is an active user.
Moved transfer_within(Store &store, db::Connection &connection, const Actor &actor,
                      const Transfer &transfer, const std::string &by);

void register_methods(Registry &registry);

}  // namespace crm::ownership
