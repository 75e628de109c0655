#include "source.hpp"

#include "../core/keyset.hpp"

namespace crm::records::source {

namespace {

const std::string kSourceColumns =
    "code, name, channel, kind, active, created_at, created_by, updated_at, updated_by, version";
const std::string kCampaignColumns =
    "code, source_code, name, starts_on, ends_on, cost_minor, active, created_at, created_by, "
    "updated_at, updated_by, version";
const std::string kChangeColumns =
    "id, customer_id, source_before, campaign_before, at_before, source_after, campaign_after, "
    "at_after, reason, changed_at, changed_by";

std::vector<db::Column> stamp_columns() {
  using db::Column;
  return {Column::text(32), Column::text(kUserChars), Column::text(32), Column::text(kUserChars),
          Column::integer()};
}

Stamp read_stamp(const db::Result &r, std::size_t at) {
  return {r.text(at), r.text(at + 1), r.text(at + 2), r.text(at + 3), r.int64(at + 4)};
}

std::vector<db::Column> source_columns() {
  using db::Column;
  std::vector<Column> columns = {Column::text(kCodeChars), Column::text(kNameChars),
                                 Column::text(kChannelChars), Column::text(kKindChars),
                                 Column::integer()};
  for (auto &column : stamp_columns()) columns.push_back(column);
  return columns;
}

Source read_source(const db::Result &r) {
  return {r.text(0), r.text(1), r.text(2), r.text(3), r.int64(4) != 0, read_stamp(r, 5)};
}

std::vector<db::Column> campaign_columns() {
  using db::Column;
  std::vector<Column> columns = {Column::text(kCodeChars), Column::text(kCodeChars),
                                 Column::text(kNameChars), Column::text(10),
                                 Column::text(10),         Column::integer(),
                                 Column::integer()};
  for (auto &column : stamp_columns()) columns.push_back(column);
  return columns;
}

Campaign read_campaign(const db::Result &r) {
  return {r.text(0), r.text(1),  r.text(2),       r.text(3),
          r.text(4), r.int64(5), r.int64(6) != 0, read_stamp(r, 7)};
}

std::int64_t flag(bool value) {
  return value ? 1 : 0;
}

}  // namespace

void insert(db::Connection &connection, const Source &source, const std::string &at,
            const std::string &by) {
  const auto ts = connection.dialect().timestamp_param();
  connection
      .prepare("INSERT INTO crm_source (" + kSourceColumns + ") VALUES (?, ?, ?, ?, ?, " + ts +
               ", ?, " + ts + ", ?, 1)")
      .execute({source.code, source.name, source.channel, source.kind, flag(source.active), at, by,
                at, by});
}

void insert(db::Connection &connection, const Campaign &campaign, const std::string &at,
            const std::string &by) {
  const auto ts = connection.dialect().timestamp_param();
  connection
      .prepare("INSERT INTO crm_campaign (" + kCampaignColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, " +
               ts + ", ?, " + ts + ", ?, 1)")
      .execute({campaign.code, campaign.source_code, campaign.name, campaign.starts_on,
                campaign.ends_on, campaign.cost_minor, flag(campaign.active), at, by, at, by});
}

bool update(db::Connection &connection, const Source &source, std::int64_t version,
            const std::string &at, const std::string &by) {
  const auto ts = connection.dialect().timestamp_param();
  return connection
             .prepare(
                 "UPDATE crm_source SET name = ?, channel = ?, kind = ?, active = ?, "
                 "updated_at = " +
                 ts + ", updated_by = ?, version = version + 1 WHERE code = ? AND version = ?")
             .execute({source.name, source.channel, source.kind, flag(source.active), at, by,
                       source.code, version}) == 1;
}

bool update(db::Connection &connection, const Campaign &campaign, std::int64_t version,
            const std::string &at, const std::string &by) {
  const auto ts = connection.dialect().timestamp_param();
  return connection
             .prepare(
                 "UPDATE crm_campaign SET name = ?, starts_on = ?, ends_on = ?, "
                 "cost_minor = ?, active = ?, updated_at = " +
                 ts + ", updated_by = ?, version = version + 1 WHERE code = ? AND version = ?")
             .execute({campaign.name, campaign.starts_on, campaign.ends_on, campaign.cost_minor,
                       flag(campaign.active), at, by, campaign.code, version}) == 1;
}

std::optional<Source> find_source(db::Connection &connection, const std::string &code) {
  auto row = connection.prepare("SELECT " + kSourceColumns + " FROM crm_source WHERE code = ?")
                 .query({code}, source_columns());
  if (!row.next()) return std::nullopt;
  return read_source(row);
}

std::optional<Campaign> find_campaign(db::Connection &connection, const std::string &code) {
  auto row = connection.prepare("SELECT " + kCampaignColumns + " FROM crm_campaign WHERE code = ?")
                 .query({code}, campaign_columns());
  if (!row.next()) return std::nullopt;
  return read_campaign(row);
}

std::vector<Campaign> campaigns_meeting(db::Connection &connection, const std::string &first_day,
                                        const std::string &last_day) {
  auto rows = connection
                  .prepare("SELECT " + kCampaignColumns +
                           " FROM crm_campaign WHERE starts_on <= ? AND ends_on >= ? ORDER BY code")
                  .query({last_day, first_day}, campaign_columns());
  std::vector<Campaign> campaigns;
  while (rows.next()) campaigns.push_back(read_campaign(rows));
  return campaigns;
}

nlohmann::json page(db::Connection &connection, const SourceFilter &filter,
                    const nlohmann::json &params, std::size_t limit,
                    nlohmann::json (*to_json)(const Source &)) {
  std::string sql = "SELECT " + kSourceColumns + " FROM crm_source WHERE 1 = 1";
  std::vector<db::Value> values;
  if (filter.active) {
    sql += " AND active = ?";
    values.push_back(flag(*filter.active));
  }
  if (filter.kind) {
    sql += " AND kind = ?";
    values.push_back(*filter.kind);
  }
  if (filter.channel) {
    sql += " AND channel = ?";
    values.push_back(*filter.channel);
  }
  const keyset::Order order{{{"code", keyset::Kind::text, 0}}, false};
  keyset::page_query(sql, values, connection.dialect(), params, order, limit);
  auto result = connection.prepare(sql).query(values, source_columns());
  return keyset::read_page(result, order, limit,
                           [&](const db::Result &row) { return to_json(read_source(row)); });
}

nlohmann::json page(db::Connection &connection, const CampaignFilter &filter,
                    const nlohmann::json &params, std::size_t limit,
                    nlohmann::json (*to_json)(const Campaign &)) {
  std::string sql = "SELECT " + kCampaignColumns + " FROM crm_campaign WHERE 1 = 1";
  std::vector<db::Value> values;
  if (filter.active) {
    sql += " AND active = ?";
    values.push_back(flag(*filter.active));
  }
  if (filter.source_code) {
    sql += " AND source_code = ?";
    values.push_back(*filter.source_code);
  }
  const keyset::Order order{{{"code", keyset::Kind::text, 0}}, false};
  keyset::page_query(sql, values, connection.dialect(), params, order, limit);
  auto result = connection.prepare(sql).query(values, campaign_columns());
  return keyset::read_page(result, order, limit,
                           [&](const db::Result &row) { return to_json(read_campaign(row)); });
}

void insert(db::Connection &connection, const Change &change) {
  const auto ts = connection.dialect().timestamp_param();
  connection
      .prepare("INSERT INTO crm_first_touch_change (" + kChangeColumns + ") VALUES (?, ?, ?, ?, " +
               ts + ", ?, ?, " + ts + ", ?, " + ts + ", ?)")
      .execute({change.id, change.customer_id, db::optional_text(change.before.source),
                db::optional_text(change.before.campaign), db::optional_text(change.before.at),
                db::optional_text(change.after.source), db::optional_text(change.after.campaign),
                db::optional_text(change.after.at), change.reason, change.changed_at,
                change.changed_by});
}

std::vector<Change> changes_of(db::Connection &connection, std::int64_t customer_id,
                               std::size_t limit) {
  using db::Column;
  auto rows =
      connection
          .prepare("SELECT " + kChangeColumns +
                   " FROM crm_first_touch_change WHERE customer_id = ? ORDER BY id DESC LIMIT ?")
          .query({customer_id, static_cast<std::int64_t>(limit)},
                 {Column::integer(), Column::integer(), Column::text(kCodeChars),
                  Column::text(kCodeChars), Column::text(32), Column::text(kCodeChars),
                  Column::text(kCodeChars), Column::text(32), Column::text(kReasonChars),
                  Column::text(32), Column::text(kUserChars)});
  std::vector<Change> changes;
  while (rows.next()) {
    Change change;
    change.id = rows.int64(0);
    change.customer_id = rows.int64(1);
    change.before = {rows.optional_text(2), rows.optional_text(3), rows.optional_text(4)};
    change.after = {rows.optional_text(5), rows.optional_text(6), rows.optional_text(7)};
    change.reason = rows.text(8);
    change.changed_at = rows.text(9);
    change.changed_by = rows.text(10);
    changes.push_back(std::move(change));
  }
  return changes;
}

}  // namespace crm::records::source
