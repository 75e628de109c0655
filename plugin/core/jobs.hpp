// Scheduled work shared by several host processes: one crm_job row per job. A run holds the
// row's lock for its whole transaction (FOR UPDATE SKIP LOCKED where the database has it), so a
// second process asking for the same job at the same time is told it is running elsewhere
// instead of doing the work twice. The row also keeps the job's watermark between runs.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "result_schema.hpp"
#include "store.hpp"
#include "time.hpp"

namespace crm::jobs {

using nlohmann::json;

// How long a job waits on SQLite for another process's run of a job to release the database.
inline constexpr std::chrono::minutes kSerialisedClaimPatience{10};

struct Run {
  std::string name;
  json watermark;  // what the last run saw ({} at first)
};

// The result of a job method: its own members with status "done", or only
// {"status": "running_elsewhere", "job": name} when another process holds the job.
inline json result_schema(result_schema::Members done) {
  namespace rs = result_schema;
  done.insert(done.begin(), {"status", rs::enumeration({"done"})});
  return rs::any_of(
      {rs::object(done),
       rs::object({{"status", rs::enumeration({"running_elsewhere"})}, {"job", rs::string()}})});
}

// Adds the crm_job row of job `name` where no migration added it (a job newer than the schema's
// seeded rows), outside any transaction on connection. Two processes adding it at once: the
// second insert breaks the key, and the row is there, which is all that is needed.
inline void ensure(db::Connection &connection, const std::string &name) {
  {
    auto row = connection.prepare("SELECT COUNT(*) FROM crm_job WHERE name = ?")
                   .query({name}, {db::Column::integer()});
    if (row.next() && row.int64(0) > 0) return;
  }
  try {
    connection.prepare("INSERT INTO crm_job (name) VALUES (?)").execute({name});
  } catch (const db::DbError &error) {
    if (error.kind() != db::DbErrorKind::constraint) throw;
  }
}

// Runs work(run) as job `name` inside one transaction on connection; work may change
// run.watermark and returns the run's result, which is stored with the watermark on commit.
// Returns {"status": "running_elsewhere"} without running work when another process holds it.
template <class F>
json run(Store &store, db::Connection &connection, const std::string &name, const std::string &user,
         F &&work) {
  auto &dialect = store.dialect();
  // SQLite has no row locks: taking the write lock first serialises runs instead. A process
  // that asks while another one's run holds the lock waits for it (a run can take minutes, far
  // longer than the busy timeout), then does its own, which finds the work done.
  const bool serialised = dialect.for_update_skip_locked().empty();
  const auto patience = std::chrono::steady_clock::now() + kSerialisedClaimPatience;
  for (;;) {
    bool claimed = false;
    try {
      return store.transact(connection, [&]() -> json {
        const auto started = time::to_db_text(time::now());
        if (serialised)
          connection
              .prepare("UPDATE crm_job SET last_started_at = " + dialect.timestamp_param() +
                       " WHERE name = ?")
              .execute({started, name});
        Run current{name, json::object()};
        {
          auto row = connection
                         .prepare("SELECT watermark FROM crm_job WHERE name = ?" +
                                  std::string(dialect.for_update_skip_locked()))
                         .query({name}, {db::Column::text(2000)});
          if (!row.next()) return {{"status", "running_elsewhere"}, {"job", name}};
          claimed = true;
          if (auto text = row.optional_text(0)) {
            current.watermark = json::parse(*text, nullptr, false);
            if (current.watermark.is_discarded() || !current.watermark.is_object())
              current.watermark = json::object();
          }
        }
        json result = work(current);
        result["status"] = "done";
        connection
            .prepare("UPDATE crm_job SET watermark = ?, runs = runs + 1, last_started_at = " +
                     dialect.timestamp_param() +
                     ", last_finished_at = " + dialect.timestamp_param() +
                     ", last_run_by = ?, last_result = ? WHERE name = ?")
            .execute({current.watermark.dump(), started, time::to_db_text(time::now()), user,
                      result.dump(), name});
        return result;
      });
    } catch (const db::DbError &error) {
      // Only the wait for the claim is retried: nothing of the work has run then.
      if (!serialised || claimed || error.kind() != db::DbErrorKind::retryable ||
          std::chrono::steady_clock::now() > patience)
        throw;
    }
  }
}

}  // namespace crm::jobs
