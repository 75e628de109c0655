// crm_contact: the people at a customer. The INSERT, the column list and the column limits of
// the table are here, so that the contacts area holds its rules and no SQL for the table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "../core/store.hpp"
#include "limit.hpp"

namespace crm::records::contact {

inline constexpr std::size_t kNameChars = 200;
inline constexpr std::size_t kTitleChars = 100;
inline constexpr std::size_t kPhoneChars = 50;
inline constexpr std::size_t kEmailChars = 254;
inline constexpr Limit kLimits[] = {
    {"name", kNameChars}, {"title", kTitleChars}, {"phone", kPhoneChars}, {"email", kEmailChars}};

// One row. Times are database text (UTC).
struct Row {
  std::int64_t id = 0;
  std::int64_t customer_id = 0;
  std::string name;
  std::optional<std::string> title, phone, email;
  std::string created_at;
  std::string created_by;
};

void insert(db::Connection &connection, const Row &row);

// The contact with id; nullopt when there is none.
std::optional<Row> find(db::Connection &connection, std::int64_t id);

// The customer of each of ids that names a contact.
std::map<std::int64_t, std::int64_t> customers_of(db::Connection &connection,
                                                  const std::set<std::int64_t> &ids);

// A keyset page of the customer's contacts by id, for params' limit and cursor:
// {"items": [to_json(row)...], "next_cursor"}.
nlohmann::json page(db::Connection &connection, std::int64_t customer_id,
                    const nlohmann::json &params, std::size_t limit,
                    nlohmann::json (*to_json)(const Row &));

}  // namespace crm::records::contact
