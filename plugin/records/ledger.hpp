// crm_lifecycle_event, the append-only ledger of customer lifecycle moves: its row, its column
// list and the one INSERT. Every area that records a move goes through here.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "../core/store.hpp"

namespace crm::records::ledger {

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

// A stored entry: the event with its id and the time the ledger recorded it.
struct Entry {
  std::int64_t id = 0;
  Event event;
  std::string recorded_at;
};

// The columns of crm_lifecycle_event in the order of columns() and markers().
extern const std::string kColumns;
// Result columns for SELECT kColumns.
std::vector<db::Column> columns();
// One parameter marker per column of kColumns (timestamps as the dialect binds them).
std::vector<std::string> markers(const db::Dialect &dialect);

// The entry of the current row of a SELECT kColumns result.
Entry read(const db::Result &row);
// The entry with this id, if there is one.
std::optional<Entry> find(db::Connection &connection, std::int64_t id);

// A keyset page (params' cursor, limit) of a customer's entries, newest first: {"items":
// [to_json(entry)...], "next_cursor"}.
nlohmann::json customer_page(db::Connection &connection, std::int64_t customer_id,
                             const nlohmann::json &params, std::size_t limit,
                             const std::function<nlohmann::json(const Entry &)> &to_json);

// The customer 360's timeline of one customer's moves: "SELECT id, occurred_at, from_stage,
// to_stage, reason_code, actor, on_behalf_of FROM ... WHERE customer_id = ?", to which the
// caller appends its conditions on occurred_at and id, its order and its limit; and its result
// columns.
const std::string &timeline_select();
std::vector<db::Column> timeline_columns();

// Appends events to the ledger on connection (inside the caller's transaction), with ids
// first_id, first_id + 1, ... reserved beforehand through store.ids(), recorded at
// recorded_at (default: now), in multi-row statements sized by the dialect's parameter limit.
void append(Store &store, db::Connection &connection, const std::vector<Event> &events,
            std::int64_t first_id, const std::optional<std::string> &recorded_at = std::nullopt);

}  // namespace crm::records::ledger
