// crm_task: the tasks of the management plans and the manual ones. The INSERTs, UPDATEs and
// reads, the column list and the column limits of the table are here, so that the tasks area
// holds the plan rules and no SQL for the table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "../core/actor.hpp"
#include "../core/store.hpp"
#include "limit.hpp"

namespace crm::records::task {

inline constexpr std::size_t kPlanIdChars = 64;
inline constexpr std::size_t kKindChars = 16;
inline constexpr std::size_t kTitleChars = 200;
inline constexpr std::size_t kOwnerChars = 128;
inline constexpr std::size_t kStatusChars = 16;
inline constexpr std::size_t kNoteChars = 1000;
inline constexpr Limit kLimits[] = {{"plan_id", kPlanIdChars},
                                    {"kind", kKindChars},
                                    {"title", kTitleChars},
                                    {"owner", kOwnerChars},
                                    {"status", kStatusChars},
                                    {"note", kNoteChars},
                                    {"updated_on_behalf_of", kOwnerChars}};

// One row. Times are database text (UTC).
struct Row {
  std::int64_t id = 0;
  std::int64_t customer_id = 0;
  std::optional<std::string> plan_id;  // nullopt for a manual task
  std::string kind;                    // once, recurring, manual
  std::string title;
  std::optional<std::string> owner;
  std::string due_at;
  std::string status = "open";  // open, done, cancelled
  std::string created_at;
  std::string created_by;
  std::optional<std::string> completed_at, completed_by, note;
  std::int64_t version = 1;
  // For whom the latest write that names its user (created_by, completed_by; a transfer) was
  // done: Actor::on_behalf_of of that write, nullopt when the user acted for themselves.
  std::optional<std::string> updated_on_behalf_of;
};

// Inserts rows (ids reserved beforehand) with multi-row statements sized by the dialect's
// parameter limit.
void insert(db::Connection &connection, const std::vector<Row> &rows);

// The task with id; nullopt when there is none. With lock, the row stays locked until the
// caller's transaction ends.
std::optional<Row> find(db::Connection &connection, std::int64_t id, bool lock = false);

// The open plan tasks (id, customer, plan, owner) of customer_ids (at most a few hundred).
struct PlanTask {
  std::int64_t id = 0;
  std::int64_t customer_id = 0;
  std::string plan_id;
  std::optional<std::string> owner;
};
std::vector<PlanTask> open_plan_tasks(db::Connection &connection,
                                      const std::vector<std::int64_t> &customer_ids);

// Gives the open ones of ids to owner (a plan task following its customer's owner). A job's
// change is done for no one: updated_on_behalf_of becomes NULL, as in cancel.
void hand_over(db::Connection &connection, const std::optional<std::string> &owner,
               const std::vector<std::int64_t> &ids);
// Cancels the open ones of ids with reason as the note, as `by` at `at` (a plan's consequence of
// a change to their customer: for nobody).
void cancel(db::Connection &connection, const std::vector<std::int64_t> &ids,
            const std::string &reason, const std::string &at, const std::string &by);
// Marks the task done as `by` at `at` for on_behalf_of, with note when one is given.
void complete(db::Connection &connection, std::int64_t id, const std::string &at,
              const std::string &by, const std::optional<std::string> &note,
              const std::optional<std::string> &on_behalf_of);

// The owner of every task the ownership batch moves becomes `to` (for on_behalf_of); returns how
// many.
std::int64_t transfer_owner(db::Connection &connection, std::int64_t batch_id,
                            const std::string &to, const std::optional<std::string> &on_behalf_of);

// task.list's filters.
struct Filter {
  std::string status = "open";
  std::optional<std::string> owner;
  std::optional<std::int64_t> customer_id;
  std::optional<std::string> due_before;  // database time text
};
// A keyset page of the tasks that pass filter, soonest due first (then by id), for params'
// limit and cursor: {"items": [to_json(row)...], "next_cursor"}.
// Only rows of customers the actor sees.
nlohmann::json page(db::Connection &connection, const Actor &actor, const Filter &filter,
                    const nlohmann::json &params, std::size_t limit,
                    nlohmann::json (*to_json)(const Row &));

}  // namespace crm::records::task
