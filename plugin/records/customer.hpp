// crm_customer: the CRM's own record of a company or person. Every INSERT and
// UPDATE of the table is here, with its column list and the column limits, so
// that the areas (customers, lifecycle, classification ...) hold rules and no
// area includes another for this table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "../core/actor.hpp"
#include "../core/store.hpp"
#include "limit.hpp"

namespace crm::records::customer {

// Column limits in characters, as every dialect's DDL declares them (tests/unit
// checks the embedded migrations against kLimits); the method parameters use
// the same constants.
inline constexpr std::size_t kNameChars = 200;
inline constexpr std::size_t kKindChars = 16;
inline constexpr std::size_t kPhoneChars = 50;
inline constexpr std::size_t kEmailChars = 254;
inline constexpr std::size_t kAddressChars = 500;
inline constexpr std::size_t kRegionChars = 100;
inline constexpr std::size_t kIndustryChars = 100;
inline constexpr std::size_t kStageChars = 16;
inline constexpr std::size_t kOwnerChars = 128;
inline constexpr std::size_t kSourceChars = 100;
inline constexpr std::size_t kHostKeyChars = 128;
inline constexpr std::size_t kQueueChars = 64;  // a team key
inline constexpr std::size_t kCodeChars = 64;   // a source or campaign code

inline constexpr Limit kLimits[] = {{"name", kNameChars},
                                    {"kind", kKindChars},
                                    {"phone", kPhoneChars},
                                    {"email", kEmailChars},
                                    {"address", kAddressChars},
                                    {"region", kRegionChars},
                                    {"industry", kIndustryChars},
                                    {"stage", kStageChars},
                                    {"owner", kOwnerChars},
                                    {"source", kSourceChars},
                                    {"host_key", kHostKeyChars},
                                    {"queue", kQueueChars},
                                    {"updated_on_behalf_of", kOwnerChars},
                                    {"first_touch_source", kCodeChars},
                                    {"first_touch_campaign", kCodeChars}};

// A new customer. created_at, updated_at and stage_changed_at are `at`;
// created_by and updated_by are `by`; updated_on_behalf_of is on_behalf_of; the version is 1.
struct NewRow {
  std::int64_t id = 0;
  std::string name;
  std::string kind = "company";
  std::string stage = "unidentified";
  std::optional<std::string> phone, email, address, region, industry, owner, source;
  std::optional<std::string> queue;  // the team queue it waits in (owner then usually none)
  std::string attributes = "{}";     // a JSON object as text
  std::optional<std::string> host_key;
  bool is_reference = false;
  std::string at;  // database time text
  std::string by;
  std::optional<std::string> on_behalf_of;  // Actor::on_behalf_of of the write
  // The first touch: source and campaign codes (checked by the caller) and when, `at` unless
  // given (database text).
  std::optional<std::string> first_touch_source, first_touch_campaign, first_touch_at;
};

// Inserts rows with multi-row statements sized by the dialect's parameter
// limit.
void insert(db::Connection &connection, const std::vector<NewRow> &rows);

// A text column's new value: a value, or nullopt for NULL.
using Text = std::optional<std::string>;

// customer.update's changes; an absent member leaves its column as it is.
struct ProfileChange {
  std::optional<std::string> name, kind;
  std::optional<Text> phone, email, address, region, industry, owner, source, queue;
  std::optional<std::string> attributes;
  bool empty() const;
};

// Every write a user makes is as `by` at `at`, for on_behalf_of (Actor::on_behalf_of of the
// write: updated_on_behalf_of, NULL when nullopt); the jobs' writes (host refresh, orders) are
// for nobody and write NULL.

// Applies change if the customer is at version; false when no row matched (unknown id or
// another version).
bool update_profile(db::Connection &connection, std::int64_t id, std::int64_t version,
                    const ProfileChange &change, const std::string &at, const std::string &by,
                    const Text &on_behalf_of);

// Links the customer to the host ERP's key.
void set_host_key(db::Connection &connection, std::int64_t id, const std::string &host_key,
                  const std::string &at, const std::string &by, const Text &on_behalf_of);

// A stage move: stage, owner, queue and stage_changed_at.
void set_stage(db::Connection &connection, std::int64_t id, const std::string &stage,
               const Text &owner, const Text &queue, const std::string &stage_changed_at,
               const std::string &at, const std::string &by, const Text &on_behalf_of);

// The master data the host ERP owns for an imported customer.
struct HostFields {
  std::int64_t id = 0;
  std::string name;
  Text industry, region;
  bool is_reference = false;
};
void refresh_from_host(db::Connection &connection, const std::vector<HostFields> &rows,
                       const std::string &at, const std::string &by);

// An administrator's correction of the first touch (source, campaign, at: database text), as
// `by` at `at`; the version steps by one. false when no customer has id.
bool set_first_touch(db::Connection &connection, std::int64_t id, const Text &source,
                     const Text &campaign, const std::string &touched_at, const std::string &at,
                     const std::string &by, const Text &on_behalf_of);

// The first touch of the customers of ids (a JSON array of integers) that have none yet: the
// campaign of their earliest interaction that carries one, its source and, when that
// interaction is earlier than first_touch_at, its time. Returns how many customers changed.
// Derived from records, so the version stays: nobody's edit is overwritten.
std::int64_t take_first_touch_from_interactions(db::Connection &connection,
                                                const std::string &ids_json);

// referred_by := the customer whose host key is referrer_host_key (NULL when
// none is).
void set_referrer(db::Connection &connection, std::int64_t id,
                  const std::string &referrer_host_key);

// What a customer's orders say: first and last order times and, when the orders
// moved it, the new stage since stage_changed_at (as `by` at `at`).
struct OrderFacts {
  std::int64_t id = 0;
  std::string first_order_at, last_order_at;
  std::optional<std::string> stage;  // set when the orders moved the customer
  std::string stage_changed_at;
};
void record_orders(db::Connection &connection, const OrderFacts &facts, const std::string &at,
                   const std::string &by);

// Dormancy as of `as_of`, for customers with no order and no interaction since
// cutoff: the dormant_since mark is cleared where there was activity since
// cutoff (returns how many), and set on customers and repeat customers without
// (returns how many).
std::int64_t clear_dormant(db::Connection &connection, const std::string &cutoff);
std::int64_t mark_dormant(db::Connection &connection, const std::string &as_of,
                          const std::string &cutoff);

// The owner of every customer that passes condition (over crm_customer's columns, qualified
// as "crm_customer.", with its values) becomes `to`: returns how many changed.
std::int64_t transfer_owner(db::Connection &connection, const std::string &condition,
                            const std::vector<db::Value> &condition_values, const std::string &to,
                            const std::string &at, const std::string &by, const Text &on_behalf_of);

// business_class, class_rule and classified_at of every customer in
// crm_class_work.
void apply_classes(db::Connection &connection, const std::string &classified_at);

// ---- reads ----------------------------------------------------------------------------------
// Every read a user makes takes the Actor: a customer outside what the actor sees is refused
// (one record) or left out in SQL (lists, counts), and everything attached to a customer
// (contacts, interactions, opportunities, tasks, ledger, value) follows the customer.

// The SQL condition under which actor sees the crm_customer row of alias ("" for the table
// itself), its values appended to values; "" when the actor sees every customer. The planner
// can use it with the (owner, id) and (queue, id) indexes.
std::string visible(const db::Dialect &dialect, const Actor &actor, const std::string &alias,
                    std::vector<db::Value> &values);

// The message of a customer outside the actor's visibility: the same for every such customer,
// so that it says nothing of the record.
Error not_visible(const std::string &field, std::int64_t id);

// A stored customer. Times are database text (UTC).
struct Row {
  std::int64_t id = 0;
  std::string name, kind;
  Text phone, email, address, region, industry;
  std::string stage;
  Text owner, source, host_key;
  std::string created_at, created_by, updated_at, updated_by;
  std::int64_t version = 0;
  std::string attributes;  // a JSON object as text, as stored
  Text business_class, class_rule, classified_at;
  Text stage_changed_at, dormant_since, first_order_at, last_order_at;
  Text queue;
  Text updated_on_behalf_of;
  Text first_touch_source, first_touch_campaign, first_touch_at;
};

// nullopt for an unknown id; permission_denied for a customer the actor does not see.
std::optional<Row> find(db::Connection &connection, const Actor &actor, std::int64_t id,
                        const std::string &field = "params.id");
// The customer linked to the host ERP's key, if any.
std::optional<std::int64_t> id_of_host_key(db::Connection &connection, const std::string &host_key);

// customer.list's filters; an absent one does not filter.
struct ListFilter {
  std::optional<std::string> stage, owner, queue;
  std::optional<std::string> search;  // contained in name, phone or e-mail, case-insensitive
  // Only customers whose owner is no active CRM user (left the company, deactivated, or a key
  // the CRM does not know) and that wait in no queue: nobody is looking after them.
  bool orphaned = false;
};
// A keyset page by id (params' cursor, limit): {"items": [to_json(row)...], "next_cursor"}.
nlohmann::json page(db::Connection &connection, const Actor &actor, const ListFilter &filter,
                    const nlohmann::json &params, std::size_t limit,
                    const std::function<nlohmann::json(const Row &)> &to_json);

// What the management plans decide on, for the customers of ids that exist (at most
// sql::rows_per_statement of them); by id.
struct PlanState {
  std::string stage;
  Text business_class, owner;
};
std::map<std::int64_t, PlanState> plan_states(db::Connection &connection,
                                              const std::vector<std::int64_t> &ids);

// What a stage move decides on, read with a row lock inside the caller's transaction.
struct StageState {
  std::string stage;
  Text owner, queue;
  std::int64_t version = 0;
};
// nullopt for an unknown id; permission_denied for a customer the actor does not see.
std::optional<StageState> lock_stage(db::Connection &connection, const Actor &actor,
                                     std::int64_t id);

// What the host's orders move, for the customers linked to host_keys (at most
// sql::rows_per_statement of them), locked inside the caller's transaction; by host key.
struct OrderState {
  std::int64_t id = 0;
  std::string stage;
  Text owner;
  Text first_order_at, last_order_at;
};
std::map<std::string, OrderState> lock_by_host_keys(db::Connection &connection,
                                                    const std::vector<std::string> &host_keys);

// Of ids, those that name a customer, each with whether the actor sees it and its owner.
struct Existing {
  bool visible = false;
  Text owner;
};
std::map<std::int64_t, Existing> existing(db::Connection &connection, const Actor &actor,
                                          const std::set<std::int64_t> &ids);

// Actor::on_behalf_of for a write to a record of customer_id whose owner is record_owner (an
// opportunity's, a task's; nullopt for the customer itself or a record without one): the
// record's owner, or else the customer's owner, is the responsible user. Reads the customer's
// owner only when it is needed (the actor acts for somebody and the record has no owner).
Text on_behalf_of(db::Connection &connection, const Actor &actor, std::int64_t customer_id,
                  const Text &record_owner);

// Throws not_found naming `field` unless the customer exists, and permission_denied unless the
// actor sees it.
void require_visible(db::Connection &connection, const Actor &actor, std::int64_t id,
                     const std::string &field);
// For records attached to a customer (an opportunity, a task): throws permission_denied on
// field, saying only that `what` (e.g. "opportunity 7") is not visible, unless the actor sees
// the customer the record belongs to.
void require_visible_attached(db::Connection &connection, const Actor &actor,
                              std::int64_t customer_id, const std::string &field,
                              const std::string &what);
// The condition "the customer of column customer_id_column is visible to actor", "" for an
// actor who sees every customer; values appended.
std::string attached_visible(const db::Dialect &dialect, const Actor &actor,
                             const std::string &customer_id_column, std::vector<db::Value> &values);

}  // namespace crm::records::customer
