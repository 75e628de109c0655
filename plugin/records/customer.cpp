#include "customer.hpp"

namespace crm::records::customer {

void require_exists(db::Connection &connection, std::int64_t id, const std::string &field) {
  auto result = connection.prepare("SELECT 1 FROM crm_customer WHERE id = ?")
                    .query({id}, {db::Column::integer()});
  if (!result.next()) throw not_found(field, "no customer with id " + std::to_string(id));
}

}  // namespace crm::records::customer
