// crm_source, crm_campaign and crm_first_touch_change: where leads come from. The dictionary of
// sources and their campaigns, and the record of every correction of a customer's first touch.
// Every statement over these tables is here, with their column limits; the sources area holds
// the rules.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "../core/store.hpp"
#include "limit.hpp"

namespace crm::records::source {

inline constexpr std::size_t kCodeChars = 64;
inline constexpr std::size_t kNameChars = 200;
inline constexpr std::size_t kChannelChars = 16;
inline constexpr std::size_t kKindChars = 16;
inline constexpr std::size_t kUserChars = 128;
inline constexpr std::size_t kReasonChars = 500;

inline constexpr Limit kSourceLimits[] = {{"code", kCodeChars},       {"name", kNameChars},
                                          {"channel", kChannelChars}, {"kind", kKindChars},
                                          {"created_by", kUserChars}, {"updated_by", kUserChars}};
// starts_on and ends_on are CHAR(10) dates, checked as dates.
inline constexpr Limit kCampaignLimits[] = {{"code", kCodeChars},
                                            {"source_code", kCodeChars},
                                            {"name", kNameChars},
                                            {"created_by", kUserChars},
                                            {"updated_by", kUserChars}};
inline constexpr Limit kChangeLimits[] = {
    {"source_before", kCodeChars},  {"campaign_before", kCodeChars}, {"source_after", kCodeChars},
    {"campaign_after", kCodeChars}, {"reason", kReasonChars},        {"changed_by", kUserChars}};

// Who wrote a row when; times are database text (UTC).
struct Stamp {
  std::string created_at, created_by, updated_at, updated_by;
  std::int64_t version = 1;
};

struct Source {
  std::string code, name, channel, kind;
  bool active = true;
  Stamp stamp;
};

struct Campaign {
  std::string code, source_code, name;
  std::string starts_on, ends_on;  // YYYY-MM-DD, inclusive, in the host's calendar
  std::int64_t cost_minor = 0;
  bool active = true;
  Stamp stamp;
};

// A new row is written as `by` at `at`, version 1. Throws DbError (e.g. a duplicate code).
void insert(db::Connection &connection, const Source &source, const std::string &at,
            const std::string &by);
void insert(db::Connection &connection, const Campaign &campaign, const std::string &at,
            const std::string &by);

// Replaces the row's changeable columns if it is at version (the version then steps by one);
// false when no row matched (an unknown code or another version).
bool update(db::Connection &connection, const Source &source, std::int64_t version,
            const std::string &at, const std::string &by);
bool update(db::Connection &connection, const Campaign &campaign, std::int64_t version,
            const std::string &at, const std::string &by);

std::optional<Source> find_source(db::Connection &connection, const std::string &code);
std::optional<Campaign> find_campaign(db::Connection &connection, const std::string &code);

// The campaigns whose period meets [first_day, last_day] (YYYY-MM-DD, inclusive), any state.
std::vector<Campaign> campaigns_meeting(db::Connection &connection, const std::string &first_day,
                                        const std::string &last_day);

struct SourceFilter {
  std::optional<bool> active;
  std::optional<std::string> kind, channel;
};
struct CampaignFilter {
  std::optional<bool> active;
  std::optional<std::string> source_code;
};
// Keyset pages by code (params' cursor, limit): {"items": [to_json(row)...], "next_cursor"}.
nlohmann::json page(db::Connection &connection, const SourceFilter &filter,
                    const nlohmann::json &params, std::size_t limit,
                    nlohmann::json (*to_json)(const Source &));
nlohmann::json page(db::Connection &connection, const CampaignFilter &filter,
                    const nlohmann::json &params, std::size_t limit,
                    nlohmann::json (*to_json)(const Campaign &));

// A customer's first touch: source and campaign codes and when (database text, UTC).
struct FirstTouch {
  std::optional<std::string> source, campaign, at;
};

// One correction of a first touch, as recorded.
struct Change {
  std::int64_t id = 0;
  std::int64_t customer_id = 0;
  FirstTouch before, after;
  std::string reason, changed_at, changed_by;
};
void insert(db::Connection &connection, const Change &change);
// The customer's corrections, newest first (at most limit of them).
std::vector<Change> changes_of(db::Connection &connection, std::int64_t customer_id,
                               std::size_t limit);

}  // namespace crm::records::source
