// crm_interaction: every contact with a customer on every channel. The INSERTs (one row, or a
// batch of thousands sized by the dialect), the reads, the column list and the column limits of
// the table are here, so that the interactions area holds its rules and no SQL for the table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "../core/store.hpp"
#include "limit.hpp"

namespace crm::records::interaction {

inline constexpr std::size_t kChannelChars = 16;
inline constexpr std::size_t kDirectionChars = 8;
inline constexpr std::size_t kSubjectChars = 500;
inline constexpr std::size_t kLoggedByChars = 128;
inline constexpr std::size_t kCampaignChars = 64;
inline constexpr Limit kLimits[] = {
    {"channel", kChannelChars}, {"campaign", kCampaignChars},  {"direction", kDirectionChars},
    {"subject", kSubjectChars}, {"logged_by", kLoggedByChars}, {"on_behalf_of", kLoggedByChars}};
// body is TEXT (MEDIUMTEXT on MariaDB): this is the parameter's limit, not the column's.
inline constexpr std::size_t kBodyChars = 65535;

// What a caller records. Times are database text (UTC).
struct Entry {
  std::int64_t customer_id = 0;
  std::optional<std::int64_t> contact_id;
  std::optional<std::int64_t> opportunity_id;
  std::string channel;
  std::string direction;
  std::string occurred_at;
  std::optional<std::string> subject;
  std::optional<std::string> body;
  // The user it is logged for (Actor::on_behalf_of of the write); nullopt: for the logger.
  std::optional<std::string> on_behalf_of;
  // The campaign it belongs to (a campaign code, checked by the caller).
  std::optional<std::string> campaign;
};

// A stored row: the entry with its id and who logged it when.
struct Row : Entry {
  std::int64_t id = 0;
  std::string logged_at;
  std::string logged_by;
};

// Inserts entries with ids first_id, first_id + 1, ... (reserved beforehand through
// store.ids()) as logged by logged_by at logged_at, inside the caller's transaction. Where the
// dialect prefers parameter arrays (MariaDB's bulk protocol) as arrays, otherwise as multi-row
// VALUES statements; either way within the dialect's parameter count and statement size.
void insert(db::Connection &connection, const std::vector<Entry> &entries, std::int64_t first_id,
            const std::string &logged_at, const std::string &logged_by);

// The interaction with id; nullopt when there is none.
std::optional<Row> find(db::Connection &connection, std::int64_t id);

// A keyset page of the customer's interactions, newest first (then by id), only those on
// channel when one is given, for params' limit and cursor: {"items": [to_json(row)...],
// "next_cursor"}.
nlohmann::json page(db::Connection &connection, std::int64_t customer_id,
                    const std::optional<std::string> &channel, const nlohmann::json &params,
                    std::size_t limit, nlohmann::json (*to_json)(const Row &));

// The customer 360's timeline of one customer's interactions: "SELECT id, occurred_at, channel,
// direction, subject, contact_id, opportunity_id (the ids as text) FROM ... WHERE customer_id =
// ?", to which the caller appends its conditions (channel, occurred_at and id), its order and
// its limit; and its result columns.
const std::string &timeline_select();
std::vector<db::Column> timeline_columns();

}  // namespace crm::records::interaction
