#include "handoff.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "../assignment/assigner.hpp"
#include "../calendar/calendar.hpp"
#include "../core/json_values.hpp"
#include "../core/keyset.hpp"
#include "../core/sql.hpp"
#include "../core/time.hpp"
#include "../lifecycle/lifecycle.hpp"
#include "../records/customer.hpp"
#include "windows.hpp"

namespace crm::handoff {

namespace {

using db::Column;
using json_values::instant;
using json_values::nullable;
using params::Field;
using Text = std::optional<std::string>;

constexpr std::size_t kChunk = 500;
constexpr time::Micros kSecond = 1'000'000;
const std::vector<std::string> kStates = {"open",     "accepted", "contacted",
                                          "returned", "won",      "disqualified"};
const std::string kLive = "('open', 'accepted')";

// A hand-off with what it needs of its customer.
struct Row {
  std::int64_t id = 0, customer_id = 0;
  std::string state;
  Text team, calendar, source, tier;
  time::Micros accept_window = 0, contact_window = 0;
  std::string opened_at, opened_by;
  Text opened_owner, accept_due_at, responded_at, responded_by;
  std::optional<std::int64_t> response_us;
  Text contact_due_at, contacted_at, contacted_by;
  std::optional<std::int64_t> contact_us;
  Text closed_at, reason_code, reason_text;
  std::string due_at;
  std::int64_t version = 0;
  std::string customer_name;
  Text owner, queue;
  std::string stage;
  Text answer;
};

const std::string kSelect =
    "SELECT h.id, h.customer_id, h.state, h.team_key, h.calendar_name, h.source_code, h.tier, "
    "h.accept_window_us, h.contact_window_us, h.opened_at, h.opened_by, h.opened_owner, "
    "h.accept_due_at, h.responded_at, h.responded_by, h.response_us, h.contact_due_at, "
    "h.contacted_at, h.contacted_by, h.contact_us, h.closed_at, h.reason_code, h.reason_text, "
    "h.due_at, h.version, c.name, c.owner, c.queue, c.stage, h.answer "
    "FROM crm_handoff h JOIN crm_customer c ON c.id = h.customer_id";

std::vector<Column> columns() {
  return {Column::integer(), Column::integer(), Column::text(16),   Column::text(64),
          Column::text(64),  Column::text(64),  Column::text(32),   Column::integer(),
          Column::integer(), Column::text(32),  Column::text(128),  Column::text(128),
          Column::text(32),  Column::text(32),  Column::text(128),  Column::integer(),
          Column::text(32),  Column::text(32),  Column::text(128),  Column::integer(),
          Column::text(32),  Column::text(64),  Column::text(1000), Column::text(32),
          Column::integer(), Column::text(200), Column::text(128),  Column::text(64),
          Column::text(16),  Column::text(16)};
}

Row read(const db::Result &r) {
  Row row;
  row.id = r.int64(0);
  row.customer_id = r.int64(1);
  row.state = r.text(2);
  row.team = r.optional_text(3);
  row.calendar = r.optional_text(4);
  row.source = r.optional_text(5);
  row.tier = r.optional_text(6);
  row.accept_window = r.int64(7);
  row.contact_window = r.int64(8);
  row.opened_at = r.text(9);
  row.opened_by = r.text(10);
  row.opened_owner = r.optional_text(11);
  row.accept_due_at = r.optional_text(12);
  row.responded_at = r.optional_text(13);
  row.responded_by = r.optional_text(14);
  row.response_us = r.optional_int64(15);
  row.contact_due_at = r.optional_text(16);
  row.contacted_at = r.optional_text(17);
  row.contacted_by = r.optional_text(18);
  row.contact_us = r.optional_int64(19);
  row.closed_at = r.optional_text(20);
  row.reason_code = r.optional_text(21);
  row.reason_text = r.optional_text(22);
  row.due_at = r.text(23);
  row.version = r.int64(24);
  row.customer_name = r.text(25);
  row.owner = r.optional_text(26);
  row.queue = r.optional_text(27);
  row.stage = r.text(28);
  row.answer = r.optional_text(29);
  return row;
}

time::Micros micros(const std::string &db_text) {
  return *time::from_db_text(db_text);
}

bool live(const std::string &state) {
  return state == "open" || state == "accepted";
}

const calendar::NamedCalendar &calendar_of(const Store &store, const Row &row) {
  const auto &calendars = calendar::of(store);
  if (row.calendar)
    if (const auto *named = calendars.find(*row.calendar)) return *named;
  // The calendar was renamed or removed from the configuration since the hand-off opened.
  return calendars.for_team(row.team.value_or(""));
}

json seconds(const std::optional<std::int64_t> &us) {
  return us ? json(*us / kSecond) : json(nullptr);
}

// Whether a clock that was due at `due` (nullopt: the calendar holds no such working time) was
// breached: by `done` when it was answered, by the closing of a hand-off that closed unanswered
// (won or disqualified meanwhile), by now while it runs (null while still in time).
json breached(const Text &due, const Text &done, bool running, const Text &closed_at,
              time::Micros now) {
  if (done) return due && micros(*done) > micros(*due);
  if (running) return due && now > micros(*due) ? json(true) : json(nullptr);
  return due && closed_at && micros(*closed_at) > micros(*due);
}

json accept_breached(const Row &row, time::Micros now) {
  return breached(row.accept_due_at, row.responded_at, row.state == "open", row.closed_at, now);
}

// Null until the hand-off is accepted (the first-contact clock has not started).
json contact_breached(const Row &row, time::Micros now) {
  if (row.answer != "accepted") return nullptr;
  return breached(row.contact_due_at, row.contacted_at, row.state == "accepted", row.closed_at,
                  now);
}

json to_json(const Store &store, const Row &row, time::Micros now) {
  json remaining = nullptr;
  const bool running = live(row.state);
  const bool has_due = running && micros(row.due_at) < time::kLatest;
  if (has_due) {
    const auto &calendar = calendar_of(store, row).calendar;
    const auto due = micros(row.due_at);
    remaining =
        now < due ? calendar.between(now, due) / kSecond : -(calendar.between(due, now) / kSecond);
  }
  return {{"id", std::to_string(row.id)},
          {"customer_id", std::to_string(row.customer_id)},
          {"customer_name", row.customer_name},
          {"state", row.state},
          {"owner", nullable(row.owner)},
          {"queue", nullable(row.queue)},
          {"team", nullable(row.team)},
          {"calendar", nullable(row.calendar)},
          {"source", nullable(row.source)},
          {"tier", nullable(row.tier)},
          {"accept_window_seconds", row.accept_window / kSecond},
          {"contact_window_seconds", row.contact_window / kSecond},
          {"opened_at", instant(row.opened_at)},
          {"opened_by", row.opened_by},
          {"opened_owner", nullable(row.opened_owner)},
          {"accept_due_at", instant(row.accept_due_at)},
          {"responded_at", instant(row.responded_at)},
          {"responded_by", nullable(row.responded_by)},
          {"answer", nullable(row.answer)},
          {"response_business_seconds", seconds(row.response_us)},
          {"contact_due_at", instant(row.contact_due_at)},
          {"contacted_at", instant(row.contacted_at)},
          {"contacted_by", nullable(row.contacted_by)},
          {"contact_business_seconds", seconds(row.contact_us)},
          {"closed_at", instant(row.closed_at)},
          {"reason_code", nullable(row.reason_code)},
          {"reason_text", nullable(row.reason_text)},
          {"due_at", has_due ? instant(row.due_at) : json(nullptr)},
          {"remaining_business_seconds", remaining},
          {"accept_breached", accept_breached(row, now)},
          {"contact_breached", contact_breached(row, now)},
          {"version", row.version}};
}

std::string latest_text() {
  return time::to_db_text(time::kLatest);
}

// ---- the history ----------------------------------------------------------------------------

struct Step {
  std::int64_t handoff_id = 0;
  std::string kind, at, actor;
  Text on_behalf_of, owner, queue;
  std::optional<std::int64_t> business_us;
};

void record_steps(Store &store, db::Connection &connection, const std::vector<Step> &steps) {
  if (steps.empty()) return;
  const auto first = store.ids().reserve_within(connection, "handoff_step",
                                                static_cast<std::int64_t>(steps.size()));
  const auto ts = connection.dialect().timestamp_param();
  std::vector<std::vector<db::Value>> rows;
  rows.reserve(steps.size());
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const auto &step = steps[i];
    rows.push_back({first + static_cast<std::int64_t>(i), step.handoff_id, step.kind, step.at,
                    step.actor, db::optional_text(step.on_behalf_of), db::optional_text(step.owner),
                    db::optional_text(step.queue),
                    step.business_us ? db::Value(*step.business_us) : db::Value()});
  }
  sql::insert_rows(connection, "crm_handoff_step",
                   "id, handoff_id, kind, at, actor, on_behalf_of, owner, queue, business_us",
                   {"?", "?", "?", ts, "?", "?", "?", "?", "?"}, rows);
}

json steps_of(db::Connection &connection, std::int64_t handoff_id) {
  auto result = connection
                    .prepare(
                        "SELECT kind, at, actor, on_behalf_of, owner, queue, business_us FROM "
                        "crm_handoff_step WHERE handoff_id = ? ORDER BY id")
                    .query({handoff_id}, {Column::text(16), Column::text(32), Column::text(128),
                                          Column::text(128), Column::text(128), Column::text(64),
                                          Column::integer()});
  json steps = json::array();
  while (result.next())
    steps.push_back({{"kind", result.text(0)},
                     {"at", instant(result.text(1))},
                     {"actor", result.text(2)},
                     {"on_behalf_of", nullable(result.optional_text(3))},
                     {"owner", nullable(result.optional_text(4))},
                     {"queue", nullable(result.optional_text(5))},
                     {"business_seconds", seconds(result.optional_int64(6))}});
  return steps;
}

// ---- opening and closing with the customer's stage --------------------------------------------

// The team whose calendar a hand-off counts in: the queue it waits in, else a team of its owner
// (the first by key), else none (the default calendar).
Text team_of(db::Connection &connection, const Text &owner, const Text &queue) {
  if (queue) return queue;
  if (!owner) return std::nullopt;
  auto result = connection
                    .prepare(
                        "SELECT team_key FROM crm_team_member WHERE user_key = ? ORDER BY "
                        "team_key")
                    .query({*owner}, {Column::text(64)});
  if (result.next()) return result.text(0);
  return std::nullopt;
}

std::string closing_state(const std::string &stage) {
  if (stage == "customer" || stage == "repeat") return "won";
  if (stage == "disqualified") return "disqualified";
  return "returned";  // back to potential (nurture) or further back
}

struct Customer {
  std::string stage;
  Text owner, queue;
};

void open_handoffs(CallContext &context, db::Connection &connection,
                   const std::vector<std::pair<std::int64_t, Customer>> &customers,
                   time::Micros now) {
  if (customers.empty()) return;
  auto &store = context.store;
  const auto &windows = store.settings<Windows>("handoff");
  const auto now_text = time::to_db_text(now);
  const auto first = store.ids().reserve_within(connection, "handoff",
                                                static_cast<std::int64_t>(customers.size()));
  const auto ts = connection.dialect().timestamp_param();
  std::vector<std::vector<db::Value>> rows;
  std::vector<Step> steps;
  for (std::size_t i = 0; i < customers.size(); ++i) {
    const auto &[customer_id, customer] = customers[i];
    const auto id = first + static_cast<std::int64_t>(i);
    const auto facts = assignment::facts_of(connection, customer_id);
    const auto team = team_of(connection, customer.owner, customer.queue);
    const auto &named = calendar::of(store).for_team(team.value_or(""));
    const auto [accept, contact] = windows.of(team, facts->source, facts->tier);
    const auto due = named.calendar.due(now, accept);
    const Text due_text = due ? Text(time::to_db_text(*due)) : std::nullopt;
    rows.push_back({id, customer_id, std::string("open"), db::optional_text(team), named.name,
                    db::optional_text(facts->source), db::optional_text(facts->tier), accept,
                    contact, now_text, context.user, db::optional_text(customer.owner),
                    db::optional_text(due_text), due_text.value_or(latest_text())});
    steps.push_back({id, "opened", now_text, context.user, std::nullopt, customer.owner,
                     customer.queue, std::nullopt});
  }
  sql::insert_rows(connection, "crm_handoff",
                   "id, customer_id, state, team_key, calendar_name, source_code, tier, "
                   "accept_window_us, contact_window_us, opened_at, opened_by, opened_owner, "
                   "accept_due_at, due_at",
                   {"?", "?", "?", "?", "?", "?", "?", "?", "?", ts, "?", "?", ts, ts}, rows);
  record_steps(store, connection, steps);
}

// The reason of the customer's latest ledger event (the return's, when the move was one).
std::pair<Text, Text> latest_reason(db::Connection &connection, std::int64_t customer_id) {
  auto result = connection
                    .prepare(
                        "SELECT reason_code, reason_text FROM crm_lifecycle_event WHERE "
                        "customer_id = ? ORDER BY id DESC")
                    .query({customer_id}, {Column::text(64), Column::text(1000)});
  if (!result.next()) return {};
  return {result.optional_text(0), result.optional_text(1)};
}

void close_handoffs(CallContext &context, db::Connection &connection,
                    const std::vector<Row> &closing, time::Micros now) {
  auto &store = context.store;
  const auto now_text = time::to_db_text(now);
  const auto ts = connection.dialect().timestamp_param();
  std::vector<Step> steps;
  for (const auto &row : closing) {
    const auto state = closing_state(row.stage);
    // A return while still open is sales' answer within the accept window; a win or a
    // disqualification is not an answer to the hand-off.
    std::optional<std::int64_t> response;
    if (row.state == "open" && state == "returned")
      response = calendar_of(store, row).calendar.between(micros(row.opened_at), now);
    Text reason_code, reason_text;
    if (state == "returned")
      std::tie(reason_code, reason_text) = latest_reason(connection, row.customer_id);
    const auto actor = context.actor.on_behalf_of(row.owner, row.customer_id);
    connection
        .prepare("UPDATE crm_handoff SET state = ?, closed_at = " + ts +
                 ", responded_at = COALESCE(responded_at, " + (response ? ts : "NULL") +
                 "), responded_by = COALESCE(responded_by, ?), answer = COALESCE(answer, ?), "
                 "response_us = "
                 "COALESCE(response_us, ?), reason_code = ?, reason_text = ?, version = version "
                 "+ 1 WHERE id = ?")
        .execute([&] {
          std::vector<db::Value> values = {state, now_text};
          if (response) values.push_back(now_text);
          values.push_back(response ? db::Value(context.user) : db::Value());
          values.push_back(response ? db::Value(std::string("returned")) : db::Value());
          values.push_back(response ? db::Value(*response) : db::Value());
          values.push_back(db::optional_text(reason_code));
          values.push_back(db::optional_text(reason_text));
          values.push_back(row.id);
          return values;
        }());
    steps.push_back({row.id, state, now_text, context.user, actor, row.owner, row.queue, response});
  }
  record_steps(store, connection, steps);
}

// Registry::on_customers_changed: a customer that is at opportunity has a live hand-off, one
// that is not has none.
void follow(CallContext &context, db::Connection &connection,
            const std::vector<std::int64_t> &ids) {
  const auto now = time::now();
  for (std::size_t start = 0; start < ids.size(); start += kChunk) {
    const std::size_t end = std::min(ids.size(), start + kChunk);
    const std::vector<std::int64_t> chunk(ids.begin() + static_cast<std::ptrdiff_t>(start),
                                          ids.begin() + static_cast<std::ptrdiff_t>(end));
    // Most changes (classes, owners, orders) find nothing to close and nothing to open.
    std::vector<db::Value> values;
    const std::string sql = kSelect + " WHERE h.state IN " + kLive +
                            " AND c.stage <> 'opportunity' AND " +
                            sql::in_list(connection.dialect(), "h.customer_id", chunk, values);
    std::vector<Row> closing;
    {
      auto result = connection.prepare(sql).query(values, columns());
      while (result.next()) closing.push_back(read(result));
    }
    close_handoffs(context, connection, closing, now);
    std::vector<db::Value> open_values;
    const std::string opening =
        "SELECT c.id, c.owner, c.queue FROM crm_customer c WHERE c.stage = 'opportunity' AND " +
        sql::in_list(connection.dialect(), "c.id", chunk, open_values) +
        " AND NOT EXISTS (SELECT 1 FROM crm_handoff h WHERE h.customer_id = c.id AND h.state IN " +
        kLive + ") ORDER BY c.id";
    std::vector<std::pair<std::int64_t, Customer>> opening_rows;
    {
      auto result = connection.prepare(opening).query(
          open_values, {Column::integer(), Column::text(128), Column::text(64)});
      while (result.next())
        opening_rows.push_back(
            {result.int64(0), {"opportunity", result.optional_text(1), result.optional_text(2)}});
    }
    open_handoffs(context, connection, opening_rows, now);
  }
}

// Registry::on_interactions_logged: the first interaction the owner (or a delegate for the
// owner) logs on a customer with a live hand-off is its first contact; it also accepts a
// hand-off that was still open.
void contacted(CallContext &context, db::Connection &connection,
               const std::vector<LoggedInteraction> &logged) {
  auto &store = context.store;
  std::map<std::int64_t, std::set<std::string>> counts_for;
  for (const auto &entry : logged) counts_for[entry.customer_id].insert(entry.counts_for);
  std::vector<std::int64_t> ids;
  for (const auto &[id, users] : counts_for) ids.push_back(id);
  const auto now = time::now();
  const auto now_text = time::to_db_text(now);
  const auto ts = connection.dialect().timestamp_param();
  for (std::size_t start = 0; start < ids.size(); start += kChunk) {
    const std::size_t end = std::min(ids.size(), start + kChunk);
    const std::vector<std::int64_t> chunk(ids.begin() + static_cast<std::ptrdiff_t>(start),
                                          ids.begin() + static_cast<std::ptrdiff_t>(end));
    std::vector<db::Value> values;
    const std::string sql = kSelect + " WHERE h.state IN " + kLive + " AND " +
                            sql::in_list(connection.dialect(), "h.customer_id", chunk, values);
    std::vector<Row> rows;
    {
      auto result = connection.prepare(sql).query(values, columns());
      while (result.next()) rows.push_back(read(result));
    }
    std::vector<Step> steps;
    for (const auto &row : rows) {
      if (!row.owner || !counts_for[row.customer_id].count(*row.owner)) continue;
      const auto &calendar = calendar_of(store, row).calendar;
      const auto on_behalf_of = context.actor.on_behalf_of(row.owner, row.customer_id);
      const auto responded = row.responded_at ? micros(*row.responded_at) : now;
      const auto response =
          row.responded_at
              ? std::optional<std::int64_t>()
              : std::optional<std::int64_t>(calendar.between(micros(row.opened_at), now));
      const auto contact = calendar.between(responded, now);
      if (response)
        steps.push_back({row.id, "accepted", now_text, context.user, on_behalf_of, row.owner,
                         row.queue, response});
      steps.push_back({row.id, "contacted", now_text, context.user, on_behalf_of, row.owner,
                       row.queue, contact});
      // Accepted by the contact itself: the contact window starts, and ends, now.
      Text contact_due = row.contact_due_at;
      if (!row.responded_at)
        if (auto due = calendar.due(now, row.contact_window)) contact_due = time::to_db_text(*due);
      connection
          .prepare(
              "UPDATE crm_handoff SET state = 'contacted', responded_at = COALESCE("
              "responded_at, " +
              ts +
              "), responded_by = COALESCE(responded_by, ?), "
              "answer = 'accepted', response_us = COALESCE(response_us, ?), contact_due_at = " +
              ts + ", contacted_at = " + ts +
              ", contacted_by = ?, contact_us = ?, version = version + 1 WHERE id = ?")
          .execute({now_text, context.user, response ? db::Value(*response) : db::Value(),
                    db::optional_text(contact_due), now_text, context.user, contact, row.id});
    }
    record_steps(store, connection, steps);
  }
}

// ---- reads ----------------------------------------------------------------------------------

std::optional<Row> find(db::Connection &connection, const std::string &where,
                        std::vector<db::Value> values) {
  auto result = connection.prepare(kSelect + " WHERE " + where).query(values, columns());
  if (!result.next()) return std::nullopt;
  return read(result);
}

std::optional<Row> live_of(db::Connection &connection, std::int64_t customer_id) {
  return find(connection, "h.customer_id = ? AND h.state IN " + kLive, {customer_id});
}

// The live hand-off of a customer the caller may answer for: its owner, a delegate covering the
// owner's work on it, or (while it waits in a queue) anyone who sees the queue, who claims it.
// The customer is locked for the rest of the transaction.
struct Answerable {
  Row row;
  records::customer::StageState customer;
  bool claim = false;
  Text on_behalf_of;
};

Answerable answerable(CallContext &context, db::Connection &connection, std::int64_t customer_id,
                      const std::optional<std::int64_t> &expected_version) {
  const auto locked = records::customer::lock_stage(connection, context.actor, customer_id);
  if (!locked)
    throw not_found("params.customer_id", "no customer with id " + std::to_string(customer_id));
  auto row = live_of(connection, customer_id);
  if (!row)
    throw conflict("params.customer_id", "customer " + std::to_string(customer_id) +
                                             " has no open hand-off: it is at " + locked->stage +
                                             " (a move to opportunity opens one)");
  if (expected_version && *expected_version != row->version)
    throw conflict("params.version", "hand-off " + std::to_string(row->id) +
                                         " was changed meanwhile: it is at version " +
                                         std::to_string(row->version) + ", not " +
                                         std::to_string(*expected_version));
  Answerable answer{*row, *locked, false, std::nullopt};
  const auto &actor = context.actor;
  if (locked->owner) {
    answer.on_behalf_of = actor.on_behalf_of(locked->owner, customer_id);
    if (*locked->owner != context.user && !answer.on_behalf_of)
      throw Error(Status::permission_denied,
                  "the hand-off of customer " + std::to_string(customer_id) + " is for \"" +
                      *locked->owner +
                      "\": only they, or a delegate covering their work, answer it",
                  "params.customer_id");
  } else {
    answer.claim = true;  // lock_stage has checked that the caller sees the queue
  }
  return answer;
}

json accept(CallContext &context, const json &params) {
  auto &store = context.store;
  const auto customer_id = params::id(params, "customer_id");
  const auto expected_version = params::optional_integer(params, "version");
  return store.with_connection([&](db::Connection &connection) {
    return store.transact(connection, [&] {
      auto answer = answerable(context, connection, customer_id, expected_version);
      auto &row = answer.row;
      if (row.state != "open")
        throw conflict("params.customer_id",
                       "the hand-off of customer " + std::to_string(customer_id) +
                           " was accepted already, by " + row.responded_by.value_or("?"));
      const auto now = time::now();
      const auto now_text = time::to_db_text(now);
      if (answer.claim) {
        records::customer::ProfileChange change;
        change.owner = Text(context.user);
        change.queue = Text();
        records::customer::update_profile(connection, customer_id, answer.customer.version, change,
                                          now_text, context.user, std::nullopt);
        registry().customers_changed(context, connection, {customer_id});
      }
      const auto &calendar = calendar_of(store, row).calendar;
      const auto response = calendar.between(micros(row.opened_at), now);
      const auto due = calendar.due(now, row.contact_window);
      const Text due_text = due ? Text(time::to_db_text(*due)) : std::nullopt;
      const auto ts = connection.dialect().timestamp_param();
      connection
          .prepare(
              "UPDATE crm_handoff SET state = 'accepted', answer = 'accepted', "
              "responded_at = " +
              ts + ", responded_by = ?, response_us = ?, contact_due_at = " + ts +
              ", due_at = " + ts + ", version = version + 1 WHERE id = ?")
          .execute({now_text, context.user, response, db::optional_text(due_text),
                    due_text.value_or(latest_text()), row.id});
      const Text owner = answer.claim ? Text(context.user) : answer.customer.owner;
      record_steps(store, connection,
                   {{row.id, "accepted", now_text, context.user, answer.on_behalf_of, owner,
                     answer.claim ? Text() : answer.customer.queue, response}});
      store.log().info("hand-off {} of customer {} accepted by {}", row.id, customer_id,
                       context.user);
      return to_json(store, *find(connection, "h.id = ?", {row.id}), now);
    });
  });
}

json return_to_nurture(CallContext &context, const json &params) {
  auto &store = context.store;
  lifecycle::Move move;
  move.customer_id = params::id(params, "customer_id");
  move.to = "potential";
  move.reason_code = params::string(params, "reason_code");
  move.reason_text = params::optional_string(params, "reason_text");
  const auto expected_version = params::optional_integer(params, "version");
  return store.with_connection([&](db::Connection &connection) {
    return store.transact(connection, [&] {
      auto answer = answerable(context, connection, move.customer_id, expected_version);
      move.on_behalf_of = answer.on_behalf_of;
      auto moved = lifecycle::move(context, connection, move);
      store.log().info("hand-off {} of customer {} returned by {}", answer.row.id, move.customer_id,
                       context.user);
      return json{
          {"handoff", to_json(store, *find(connection, "h.id = ?", {answer.row.id}), time::now())},
          {"lifecycle", std::move(moved)}};
    });
  });
}

json get(CallContext &context, const json &params) {
  const auto id = params::id(params, "id");
  auto &store = context.store;
  return store.with_connection([&](db::Connection &connection) {
    auto row = find(connection, "h.id = ?", {id});
    if (!row) throw not_found("params.id", "no hand-off with id " + std::to_string(id));
    records::customer::require_visible_attached(connection, context.actor, row->customer_id,
                                                "params.id", "hand-off " + std::to_string(id));
    auto result = to_json(store, *row, time::now());
    result["steps"] = steps_of(connection, id);
    return result;
  });
}

// "mine": the caller's own and those of the users whose work the caller covers now.
std::string mine(const Actor &actor, std::vector<db::Value> &values) {
  std::string sql = "(c.owner = ?";
  values.push_back(actor.user);
  for (const auto &user : actor.acting_for_everything) {
    sql += " OR c.owner = ?";
    values.push_back(user);
  }
  for (const auto &[user, customer_id] : actor.acting_for_customers) {
    sql += " OR (c.owner = ? AND c.id = ?)";
    values.push_back(user);
    values.push_back(customer_id);
  }
  return sql + ")";
}

json list(CallContext &context, const json &params) {
  const auto limit = params::limit(params, 50);
  const auto scope = params::optional_string(params, "scope").value_or("mine");
  const auto team = params::optional_string(params, "team");
  const auto state = params::optional_string(params, "state").value_or("live");
  const auto customer_id = params::optional_id(params, "customer_id");
  auto &store = context.store;
  const auto &actor = context.actor;
  if (scope == "team" && !team)
    throw invalid_argument("params.team", "scope team needs params.team");
  if (scope != "team" && team)
    throw invalid_argument("params.team", "params.team belongs to scope team");
  if (team && !actor.may_queue(*team))
    throw Error(Status::permission_denied,
                "you are not in team \"" + *team + "\": its hand-offs are for its members",
                "params.team");
  return store.with_connection([&](db::Connection &connection) {
    if (customer_id)
      records::customer::require_visible(connection, actor, *customer_id, "params.customer_id");
    const auto &dialect = connection.dialect();
    std::vector<db::Value> values;
    std::string sql = kSelect + " WHERE ";
    if (auto visible = records::customer::visible(dialect, actor, "c", values); !visible.empty())
      sql += visible + " AND ";
    if (state == "live") {
      sql += "h.state IN " + kLive;
    } else {
      sql += "h.state = ?";
      values.push_back(state);
    }
    if (scope == "mine") sql += " AND " + mine(actor, values);
    if (team) {
      sql +=
          " AND (c.queue = ? OR h.team_key = ? OR c.owner IN (SELECT m.user_key FROM "
          "crm_team_member m WHERE m.team_key = ?))";
      values.insert(values.end(), {*team, *team, *team});
    }
    if (customer_id) {
      sql += " AND h.customer_id = ?";
      values.push_back(*customer_id);
    }
    const auto order = keyset::by_time_id("h.due_at", "h.id", false, 23, 0);
    keyset::page_query(sql, values, dialect, params, order, limit);
    auto result = connection.prepare(sql).query(values, columns());
    const auto now = time::now();
    return keyset::read_page(result, order, limit,
                             [&](const db::Result &r) { return to_json(store, read(r), now); });
  });
}

// ---- handoff.report -------------------------------------------------------------------------

struct Tally {
  std::int64_t handoffs = 0, answered = 0, accepted = 0, returned = 0, contacted = 0, won = 0,
               accept_breaches = 0, contact_breaches = 0;
  std::vector<std::int64_t> responses, contacts;  // business microseconds
};

// The nearest-rank percentile (p of 100) of values, in whole business seconds; null for none.
json percentile(std::vector<std::int64_t> &values, int p) {
  if (values.empty()) return nullptr;
  std::sort(values.begin(), values.end());
  const std::size_t rank = (values.size() * static_cast<std::size_t>(p) + 99) / 100;
  return values[std::max<std::size_t>(rank, 1) - 1] / kSecond;
}

std::int64_t ppm(std::int64_t part, std::int64_t whole) {
  return whole ? (part * 1'000'000 + whole / 2) / whole : 0;
}

json report(CallContext &context, const json &params) {
  const auto from = *params::optional_timestamp(params, "from");
  const auto to = *params::optional_timestamp(params, "to");
  const auto group_by = params::string(params, "group_by");
  if (to <= from) throw invalid_argument("params.to", "params.to must come after params.from");
  auto &store = context.store;
  return store.with_connection([&](db::Connection &connection) {
    const auto &dialect = connection.dialect();
    std::vector<db::Value> values;
    std::string sql = kSelect + " WHERE ";
    if (auto visible = records::customer::visible(dialect, context.actor, "c", values);
        !visible.empty())
      sql += visible + " AND ";
    sql += "h.opened_at >= " + dialect.timestamp_param() + " AND h.opened_at < " +
           dialect.timestamp_param();
    values.push_back(time::to_db_text(from));
    values.push_back(time::to_db_text(to));
    const auto now = time::now();
    std::map<std::optional<std::string>, Tally> groups;
    auto result = connection.prepare(sql).query(values, columns());
    while (result.next()) {
      const auto row = read(result);
      // The person a hand-off's figures belong to: who answered it, else whom it waits for.
      const Text key = group_by == "team"     ? row.team
                       : group_by == "source" ? row.source
                                              : (row.responded_by ? row.responded_by : row.owner);
      auto &tally = groups[key];
      ++tally.handoffs;
      if (row.responded_at) {
        ++tally.answered;
        if (row.response_us) tally.responses.push_back(*row.response_us);
      }
      if (row.answer == "accepted") ++tally.accepted;
      if (row.answer == "returned") ++tally.returned;
      if (row.contacted_at) {
        ++tally.contacted;
        if (row.contact_us) tally.contacts.push_back(*row.contact_us);
      }
      if (row.state == "won") ++tally.won;
      if (accept_breached(row, now) == json(true)) ++tally.accept_breaches;
      if (contact_breached(row, now) == json(true)) ++tally.contact_breaches;
    }
    json items = json::array();
    for (auto &[key, tally] : groups)
      items.push_back({{"group", nullable(key)},
                       {"handoffs", tally.handoffs},
                       {"answered", tally.answered},
                       {"accepted", tally.accepted},
                       {"returned", tally.returned},
                       {"contacted", tally.contacted},
                       {"won", tally.won},
                       {"accept_breaches", tally.accept_breaches},
                       {"accept_breach_ppm", ppm(tally.accept_breaches, tally.handoffs)},
                       {"contact_breaches", tally.contact_breaches},
                       {"contact_breach_ppm", ppm(tally.contact_breaches, tally.accepted)},
                       {"response_median_seconds", percentile(tally.responses, 50)},
                       {"response_p90_seconds", percentile(tally.responses, 90)},
                       {"contact_median_seconds", percentile(tally.contacts, 50)},
                       {"contact_p90_seconds", percentile(tally.contacts, 90)}});
    return json{{"from", time::format_iso8601(from)},
                {"to", time::format_iso8601(to)},
                {"group_by", group_by},
                {"as_of", time::format_iso8601(now)},
                {"items", std::move(items)}};
  });
}

result_schema::Members handoff_members() {
  namespace rs = result_schema;
  const auto text = rs::nullable(rs::string());
  const auto when = rs::nullable(rs::timestamp());
  const auto flag = rs::nullable(rs::boolean());
  return {{"id", rs::id()},
          {"customer_id", rs::id()},
          {"customer_name", rs::string()},
          {"state", rs::enumeration(kStates)},
          {"owner", text},
          {"queue", text},
          {"team", text},
          {"calendar", text},
          {"source", text},
          {"tier", text},
          {"accept_window_seconds", rs::integer()},
          {"contact_window_seconds", rs::integer()},
          {"opened_at", rs::timestamp()},
          {"opened_by", rs::string()},
          {"opened_owner", text},
          {"accept_due_at", when},
          {"responded_at", when},
          {"responded_by", text},
          {"answer", rs::nullable(rs::enumeration({"accepted", "returned"}))},
          {"response_business_seconds", rs::nullable(rs::integer())},
          {"contact_due_at", when},
          {"contacted_at", when},
          {"contacted_by", text},
          {"contact_business_seconds", rs::nullable(rs::integer())},
          {"closed_at", when},
          {"reason_code", text},
          {"reason_text", text},
          {"due_at", when},
          {"remaining_business_seconds", rs::nullable(rs::integer())},
          {"accept_breached", flag},
          {"contact_breached", flag},
          {"version", rs::integer()}};
}

json handoff_schema() {
  return result_schema::object(handoff_members());
}

}  // namespace

void register_methods(Registry &registry) {
  namespace rs = result_schema;
  registry.add_section(settings_section<Windows>(
      "handoff", [](const json *section, Store &) { return load_windows(section); }));
  registry.on_customers_changed(follow);
  registry.on_interactions_logged(contacted);
  const auto version =
      Field::integer("version", 1, INT64_MAX, "the hand-off's version, to refuse a stale request");
  registry.add({"handoff.accept",
                "Accepts the open hand-off of a customer (its owner, a delegate, or a member of "
                "the queue it waits in, who then owns it): the first-contact clock starts.",
                {Field::id("customer_id", "the customer handed to sales").require(), version},
                handoff_schema(),
                accept,
                "handoff.write"});
  registry.add({"handoff.return",
                "Returns the customer of a live hand-off to nurture: back to potential and to "
                "the nurture team's queue, through the lifecycle ledger.",
                {Field::id("customer_id", "the customer handed to sales").require(),
                 Field::string("reason_code", 64, "why, as a code (e.g. no_budget)").require(),
                 Field::string("reason_text", 1000, "why, in words (required)"), version},
                rs::object({{"handoff", handoff_schema()}, {"lifecycle", rs::free_object()}}),
                return_to_nurture,
                "handoff.write"});
  registry.add(
      {"handoff.list",
       "Hand-offs by due time (then id): mine (default; with those of whom I cover), my "
       "team's, or all I see; live ones by default; keyset pages.",
       {Field::enumeration("scope", {"mine", "team", "all"},
                           "mine (default), team (needs team) or all"),
        Field::string("team", 64, "scope team: the team"),
        Field::enumeration(
            "state", {"live", "open", "accepted", "contacted", "returned", "won", "disqualified"},
            "live (default: open or accepted) or one state"),
        Field::id("customer_id", "only this customer's"), Field::limit(50, 500), Field::cursor()},
       rs::page(handoff_schema()),
       list,
       "handoff.read"});
  registry.add({"handoff.get",
                "One hand-off with its history: every step, who took it and the business time "
                "it took.",
                {Field::id("id", "hand-off id").require()},
                [] {
                  auto members = handoff_members();
                  const auto text = rs::nullable(rs::string());
                  members.push_back(
                      {"steps", rs::array(rs::object(
                                    {{"kind", rs::enumeration({"opened", "accepted", "contacted",
                                                               "returned", "won", "disqualified"})},
                                     {"at", rs::timestamp()},
                                     {"actor", rs::string()},
                                     {"on_behalf_of", text},
                                     {"owner", text},
                                     {"queue", text},
                                     {"business_seconds", rs::nullable(rs::integer())}}))});
                  return rs::object(members);
                }(),
                get,
                "handoff.read"});
  registry.add(
      {"handoff.report",
       "Hand-offs opened in [from, to) that the caller sees, per team, person or "
       "source: answers, breaches and their rates, median and p90 response and "
       "first-contact times in business seconds.",
       {Field::timestamp("from", "start of the period").require(),
        Field::timestamp("to", "end of the period (exclusive)").require(),
        Field::enumeration("group_by", {"team", "person", "source"}, "the grouping").require()},
       rs::object({{"from", rs::timestamp()},
                   {"to", rs::timestamp()},
                   {"group_by", rs::string()},
                   {"as_of", rs::timestamp()},
                   {"items", rs::array(rs::object({
                                 {"group", rs::nullable(rs::string())},
                                 {"handoffs", rs::integer()},
                                 {"answered", rs::integer()},
                                 {"accepted", rs::integer()},
                                 {"returned", rs::integer()},
                                 {"contacted", rs::integer()},
                                 {"won", rs::integer()},
                                 {"accept_breaches", rs::integer()},
                                 {"accept_breach_ppm", rs::integer()},
                                 {"contact_breaches", rs::integer()},
                                 {"contact_breach_ppm", rs::integer()},
                                 {"response_median_seconds", rs::nullable(rs::integer())},
                                 {"response_p90_seconds", rs::nullable(rs::integer())},
                                 {"contact_median_seconds", rs::nullable(rs::integer())},
                                 {"contact_p90_seconds", rs::nullable(rs::integer())},
                             }))}}),
       report,
       "reports"});
}

}  // namespace crm::handoff
