// crm_opportunity and crm_opportunity_event: the sales pipeline's stages, the rule for an
// opportunity whose probability is NULL (in C++ and in SQL, so that every area reads it alike),
// and every INSERT, UPDATE and read of the two tables with their column limits, so that the
// opportunities area holds the pipeline's rules and no SQL for them.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "../core/actor.hpp"
#include "../core/money.hpp"
#include "../core/store.hpp"
#include "limit.hpp"

namespace crm::records::opportunity {

struct Stage {
  const char *name;
  std::int64_t probability;  // the default, in percent
};
// The pipeline, in order.
inline constexpr Stage kStages[] = {
    {"qualify", 10}, {"develop", 30}, {"propose", 60}, {"negotiate", 80}};
inline const std::vector<std::string> kStageNames = {"qualify", "develop", "propose", "negotiate"};

// The probability, in percent, of an opportunity in stage that has none of its own: the
// stage's default (0 for a stage outside the pipeline).
std::int64_t default_probability(std::string_view stage);

// The probability as SQL: the column's value, or the stage's default when it is NULL.
std::string probability_sql(const std::string &probability_column, const std::string &stage_column);

inline constexpr std::size_t kNameChars = 200;
inline constexpr std::size_t kStageChars = 32;
inline constexpr std::size_t kStatusChars = 8;
inline constexpr std::size_t kExpectedCloseChars = 10;  // YYYY-MM-DD
inline constexpr std::size_t kOwnerChars = 128;
inline constexpr std::size_t kReasonChars = 500;  // close_reason, and the events' reason
inline constexpr Limit kLimits[] = {
    {"name", kNameChars},   {"stage", kStageChars},         {"status", kStatusChars},
    {"owner", kOwnerChars}, {"close_reason", kReasonChars}, {"updated_on_behalf_of", kOwnerChars}};
inline constexpr Limit kEventLimits[] = {
    {"from_stage", kStageChars}, {"to_stage", kStageChars}, {"reason", kReasonChars}};

// One opportunity. Times are database text (UTC); probability is the resolved one (the
// stage's default where the column is NULL).
struct Row {
  std::int64_t id = 0;
  std::int64_t customer_id = 0;
  std::string name;
  std::string stage;
  std::string status;  // open, won, lost
  std::optional<money::Minor> amount;
  std::int64_t probability = 0;
  std::optional<std::string> expected_close;
  std::optional<std::string> owner;
  std::optional<std::string> stage_entered_at;
  std::optional<std::string> closed_at;
  std::optional<std::string> close_reason;
  std::string created_at, created_by, updated_at, updated_by;
  std::optional<std::string> updated_on_behalf_of;  // Actor::on_behalf_of of the latest write
  std::int64_t version = 0;
};

// Inserts row as given (stage_entered_at, created_at and updated_at set).
void insert(db::Connection &connection, const Row &row);

// The opportunity with id; nullopt when there is none.
std::optional<Row> find(db::Connection &connection, std::int64_t id);

// A column's new value: a value, or nullopt for NULL.
template <class T>
using Nullable = std::optional<T>;

// An update's changes; an absent member leaves its column as it is. updated_at, updated_by
// and updated_on_behalf_of (NULL for nullopt) are always written.
struct Change {
  std::optional<std::string> name, stage, status;
  std::optional<Nullable<std::string>> expected_close, owner, close_reason;
  std::optional<Nullable<money::Minor>> amount;
  std::optional<std::int64_t> probability;
  std::optional<std::string> stage_entered_at;
  std::optional<Nullable<std::string>> closed_at;
  std::string updated_at, updated_by;
  std::optional<std::string> updated_on_behalf_of;
};

// Applies change if the opportunity is at version (and counts the version up); false when no
// row matched (unknown id or another version).
bool update(db::Connection &connection, std::int64_t id, std::int64_t version,
            const Change &change);

// The owner of every opportunity the ownership batch moves becomes `to` (updated as `by` at
// `at` for on_behalf_of); returns how many.
std::int64_t transfer_owner(db::Connection &connection, std::int64_t batch_id,
                            const std::string &to, const std::string &at, const std::string &by,
                            const std::optional<std::string> &on_behalf_of);

// opportunity.list's filters.
struct Filter {
  std::optional<std::int64_t> customer_id;
  std::optional<std::string> owner, status, stage;
};
// A keyset page of the opportunities that pass filter, by id, for params' limit and cursor:
// {"items": [to_json(row)...], "next_cursor"}.
// Only rows of customers the actor sees.
nlohmann::json page(db::Connection &connection, const Actor &actor, const Filter &filter,
                    const nlohmann::json &params, std::size_t limit,
                    nlohmann::json (*to_json)(const Row &));

// One entry of an opportunity's history: from_stage is the stage before the change; to_stage,
// amount and probability the state after it.
struct Event {
  std::string kind;  // created, stage, amount, probability, won, lost, reopened
  std::optional<std::string> from_stage;
  std::string to_stage;
  std::optional<money::Minor> amount;
  std::int64_t probability = 0;
  std::optional<std::string> reason;
};

// Appends events of the opportunity, with ids first_id, first_id + 1, ... reserved
// beforehand, as `actor` at occurred_at, inside the caller's transaction.
void append_events(db::Connection &connection, std::int64_t opportunity_id,
                   std::int64_t customer_id, const std::vector<Event> &events,
                   std::int64_t first_id, const std::string &occurred_at, const std::string &actor);

// A stored event.
struct StoredEvent {
  std::int64_t id = 0;
  Event event;
  std::string occurred_at;
  std::string actor;
};
// The opportunity's history, oldest first (then by id).
std::vector<StoredEvent> history(db::Connection &connection, std::int64_t opportunity_id);

// The customer 360's timeline of one customer's opportunity events: "SELECT e.id, e.occurred_at,
// e.kind, e.to_stage, e.amount_minor and e.probability (as text), e.opportunity_id, o.name FROM
// crm_opportunity_event e JOIN crm_opportunity o ... WHERE e.customer_id = ?", to which the
// caller appends its conditions on e.occurred_at and e.id, its order and its limit; and its
// result columns.
const std::string &timeline_select();
std::vector<db::Column> timeline_columns();

// The customer of each of ids that names an opportunity.
std::map<std::int64_t, std::int64_t> customers_of(db::Connection &connection,
                                                  const std::set<std::int64_t> &ids);

}  // namespace crm::records::opportunity
