#include "usersync.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "../core/jobs.hpp"
#include "../core/sql.hpp"
#include "../core/text.hpp"
#include "../core/time.hpp"
#include "../hostdata/hostdata.hpp"
#include "../organisation/directory.hpp"
#include "../ownership/ownership.hpp"

namespace crm::usersync {

namespace {

using db::Column;
using organisation::User;
using params::Field;

constexpr const char *kJob = "users.sync";
constexpr std::size_t kKeyChars = 128;
constexpr const char *kReason = "deactivated in the host ERP (users.sync)";

struct HostUser {
  std::string key, name;
  std::optional<std::string> department, manager_key, email;
  bool active = true;
};

// What became of a deactivated user's customers.
struct Departure {
  std::string user_key;
  std::optional<std::string> manager_key;
  std::int64_t customers = 0;
  std::string outcome;  // no_customers, orphaned, transferred
  std::optional<ownership::Moved> moved;
};

struct Counts {
  std::int64_t added = 0, updated = 0, deactivated = 0, reactivated = 0, unchanged = 0,
               taken_over = 0, skipped = 0;
};

Departure departure(const std::string &user_key, const std::optional<std::string> &manager_key) {
  Departure d;
  d.user_key = user_key;
  d.manager_key = manager_key;
  return d;
}

// A value the CRM can store, or nullopt (the row is skipped and counted).
std::optional<std::string> fit(const std::optional<std::string> &text, std::size_t max_chars) {
  if (!text) return std::nullopt;
  if (text::invalid_utf8_offset(*text) || text::code_points(*text) > max_chars) return "";
  return text;
}

class Sync {
 public:
  Sync(CallContext &context, db::Connection &connection, bool preview)
      : context_(context),
        store_(context.store),
        connection_(connection),
        settings_(context.store.settings<organisation::Settings>("organisation")),
        preview_(preview),
        now_(time::to_db_text(time::now())) {}

  json run() {
    read_host();
    plan();
    if (!preview_) write();
    settle_departures();
    json departures = json::array();
    for (const auto &d : departures_) {
      json entry = {{"user_key", d.user_key},
                    {"manager_key", d.manager_key ? json(*d.manager_key) : json(nullptr)},
                    {"customers", d.customers},
                    {"outcome", d.outcome},
                    {"to", nullptr},
                    {"batch_id", nullptr},
                    {"opportunities", 0},
                    {"tasks", 0}};
      if (d.outcome == "transferred") {
        entry["to"] = *d.manager_key;
        if (d.moved) {
          entry["batch_id"] = std::to_string(d.moved->batch_id);
          entry["customers"] = d.moved->customers;
          entry["opportunities"] = d.moved->opportunities;
          entry["tasks"] = d.moved->tasks;
        }
      }
      departures.push_back(std::move(entry));
    }
    return {
        {"preview", preview_},
        {"host_users", static_cast<std::int64_t>(host_.size())},
        {"added", counts_.added},
        {"updated", counts_.updated},
        {"deactivated", counts_.deactivated},
        {"reactivated", counts_.reactivated},
        {"unchanged", counts_.unchanged},
        {"taken_over", counts_.taken_over},
        {"skipped", counts_.skipped},
        {"on_user_deactivated",
         settings_.on_user_deactivated == organisation::Settings::OnDeactivated::transfer_to_manager
             ? "transfer_to_manager"
             : "orphan"},
        {"deactivated_users", departures}};
  }

 private:
  // Every host user, by key (the first row of a key the host repeats).
  void read_host() {
    const auto &users = hostdata::of(store_).entity("users");
    auto &dialect = store_.dialect();
    const std::string sql = "SELECT " + dialect.text_cast("h.user_key") + ", h.name, " +
                            users.column("h", "department") + ", " +
                            dialect.text_cast(users.column("h", "is_active")) + ", " +
                            dialect.text_cast(users.column("h", "manager_key")) + ", " +
                            users.column("h", "email") + " FROM " + users.derived("h");
    auto result = connection_.prepare(sql).query(
        {}, {Column::text(512), Column::text(1000), Column::text(512), Column::text(32),
             Column::text(512), Column::text(1000)});
    while (result.next()) {
      HostUser user;
      user.key = result.text(0);
      const auto name = fit(result.optional_text(1), organisation::kUserNameChars);
      const auto email = fit(result.optional_text(5), organisation::kEmailChars);
      const auto manager = result.optional_text(4);
      // A key the CRM cannot hold, or a name or e-mail longer than the CRM's columns, is not
      // copied (counted as skipped): it would fail the whole run.
      if (user.key.size() > kKeyChars || text::user_key_problem(user.key) || !name ||
          name->empty() || (email && email->empty()) ||
          (manager && (manager->size() > kKeyChars || text::user_key_problem(*manager)))) {
        ++counts_.skipped;
        store_.log().warn(
            "users.sync: host user {} skipped (key, name, e-mail or manager the "
            "CRM cannot store)",
            user.key.substr(0, 64));
        continue;
      }
      user.name = *name;
      user.email = email;
      user.department = result.optional_text(2);
      if (user.department && user.department->size() > 64) user.department.reset();
      const auto flag = result.optional_text(3);
      user.active = !flag || *flag != "0";
      // A user who is their own manager has none.
      if (manager && *manager != user.key) user.manager_key = manager;
      host_.emplace(user.key, std::move(user));
    }
  }

  void plan() {
    for (auto &user : organisation::all_users(connection_)) crm_.emplace(user.user_key, user);
    for (const auto &[key, host] : host_) {
      auto found = crm_.find(key);
      if (found == crm_.end()) {
        User user;
        user.user_key = key;
        user.name = host.name;
        user.email = host.email;
        user.manager_key = host.manager_key;
        user.active = host.active;
        user.origin = "host";
        user.roles = settings_.host_roles(host.department);
        user.created_at = user.updated_at = now_;
        user.created_by = user.updated_by = context_.user;
        added_.push_back(user);
        ++counts_.added;
        continue;
      }
      User &user = found->second;
      const bool was_active = user.active;
      const bool taken_over = user.origin != "host";
      if (!taken_over && user.name == host.name && user.email == host.email &&
          user.manager_key == host.manager_key && user.active == host.active) {
        ++counts_.unchanged;
        continue;
      }
      user.name = host.name;
      user.email = host.email;
      user.manager_key = host.manager_key;
      user.active = host.active;
      user.origin = "host";
      user.version += 1;
      user.updated_at = now_;
      user.updated_by = context_.user;
      changed_.push_back(user);
      if (taken_over) ++counts_.taken_over;
      if (was_active && !host.active) {
        ++counts_.deactivated;
        departures_.push_back(departure(key, host.manager_key));
      } else if (!was_active && host.active) {
        ++counts_.reactivated;
      } else {
        ++counts_.updated;
      }
    }
    // Host users the host no longer has: deactivated. CRM users (origin crm) are the CRM's.
    for (auto &[key, user] : crm_) {
      if (user.origin != "host" || host_.count(key)) continue;
      if (!user.active) {
        ++counts_.unchanged;
        continue;
      }
      user.active = false;
      vanished_.push_back(key);
      departures_.push_back(departure(key, user.manager_key));
      ++counts_.deactivated;
    }
    // The state after the run, for judging the managers of the users who leave.
    for (const auto &user : added_) crm_.emplace(user.user_key, user);
  }

  void write() {
    for (const auto &user : added_) organisation::insert_user(connection_, user);
    for (const auto &user : changed_)
      if (!organisation::update_user(connection_, user))
        throw conflict("users.sync", "user \"" + user.user_key +
                                         "\" was changed during the run; run users.sync again");
    if (organisation::deactivate_host_users(connection_, vanished_, now_, context_.user) !=
        static_cast<std::int64_t>(vanished_.size()))
      throw conflict("users.sync", "users were changed during the run; run users.sync again");
  }

  // The customers of each deactivated user: counted; with transfer_to_manager moved to an
  // active manager through the same transfer as ownership.transfer, one batch per user.
  void settle_departures() {
    if (departures_.empty()) return;
    std::vector<std::string> keys;
    for (const auto &d : departures_) keys.push_back(d.user_key);
    std::map<std::string, std::int64_t> owned;
    std::vector<db::Value> values;
    const auto departed = sql::in_list(connection_.dialect(), "owner", keys, values);
    auto result = connection_
                      .prepare("SELECT owner, COUNT(*) FROM crm_customer WHERE " + departed +
                               " GROUP BY owner")
                      .query(values, {Column::text(kKeyChars), Column::integer()});
    while (result.next()) owned[result.text(0)] = result.int64(1);
    const bool transfer =
        settings_.on_user_deactivated == organisation::Settings::OnDeactivated::transfer_to_manager;
    // The job moves every customer of the user, whoever runs it.
    Actor everyone;
    everyone.user = context_.user;
    everyone.sees_all = true;
    for (auto &d : departures_) {
      d.customers = owned.count(d.user_key) ? owned[d.user_key] : 0;
      if (d.customers == 0) {
        d.outcome = "no_customers";
        continue;
      }
      const auto manager = d.manager_key ? crm_.find(*d.manager_key) : crm_.end();
      if (!transfer || manager == crm_.end() || !manager->second.active) {
        d.outcome = "orphaned";
        continue;
      }
      d.outcome = "transferred";
      if (preview_) continue;
      ownership::Transfer move;
      move.from = d.user_key;
      move.to = *d.manager_key;
      move.reason = kReason;
      move.filter = {{"job", kJob}};
      d.moved = ownership::transfer_within(store_, connection_, everyone, move, context_.user);
    }
  }

  CallContext &context_;
  Store &store_;
  db::Connection &connection_;
  const organisation::Settings &settings_;
  bool preview_;
  std::string now_;
  std::map<std::string, HostUser> host_;
  std::map<std::string, User> crm_;
  std::vector<User> added_, changed_;
  std::vector<std::string> vanished_;
  std::vector<Departure> departures_;
  Counts counts_;
};

json sync(CallContext &context, const json &params) {
  auto &store = context.store;
  const bool preview = params.value("preview", false);
  if (!hostdata::of(store).mapped("users"))
    throw Error(Status::unsupported,
                "users.sync copies the host's users, and the host's users are not mapped (add "
                "host.users.query to the configuration); without that mapping the users are the "
                "CRM's own, managed with user.create and user.update",
                "host.users");
  return store.with_connection([&](db::Connection &connection) -> json {
    if (preview) {
      json result =
          store.transact(connection, [&] { return Sync(context, connection, true).run(); });
      result["status"] = "done";
      return result;
    }
    jobs::ensure(connection, kJob);
    return jobs::run(store, connection, kJob, context.user,
                     [&](jobs::Run &) { return Sync(context, connection, false).run(); });
  });
}

}  // namespace

void register_methods(Registry &registry) {
  namespace rs = result_schema;
  const json nullable_text = rs::nullable(rs::string());
  registry.add(
      {"users.sync",
       "Copies the host ERP's users (host.users) into the CRM: adds new ones (origin host, roles "
       "from organisation.host_user_roles, default sales), copies names, e-mails, managers and "
       "active flags (a CRM user whose key the host has becomes a host user; other CRM users are "
       "left alone), and deactivates users the host flags inactive or no longer has. A "
       "deactivated user gets no session; their customers become orphans, or with "
       "organisation.on_user_deactivated = transfer_to_manager move with their open "
       "opportunities and open tasks to the user's active manager as one ownership batch each. "
       "One process at a time; preview says what a run would do and writes nothing.",
       {Field::boolean("preview", "count only, write nothing (default false)")},
       jobs::result_schema(
           {{"preview", rs::boolean()},
            {"host_users", rs::integer()},
            {"added", rs::integer()},
            {"updated", rs::integer()},
            {"deactivated", rs::integer()},
            {"reactivated", rs::integer()},
            {"unchanged", rs::integer()},
            {"taken_over", rs::integer()},
            {"skipped", rs::integer()},
            {"on_user_deactivated", rs::enumeration({"orphan", "transfer_to_manager"})},
            {"deactivated_users",
             rs::array(rs::object(
                 {{"user_key", rs::string()},
                  {"manager_key", nullable_text},
                  {"customers", rs::integer()},
                  {"outcome", rs::enumeration({"no_customers", "orphaned", "transferred"})},
                  {"to", nullable_text},
                  {"batch_id", rs::nullable(rs::id())},
                  {"opportunities", rs::integer()},
                  {"tasks", rs::integer()}}))}}),
       sync,
       "jobs"});
}

}  // namespace crm::usersync
