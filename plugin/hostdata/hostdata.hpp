// The host ERP's own data, read (never written) through the mapping in the "host" section of
// the configuration: one SELECT per entity in the host's terms, returning the columns below.
// Checked against the live database when the client is created.
//
//   customers    customer_key, name, industry?, region?, credit_limit?, referred_by_key?,
//                is_reference?, created_at?
//   contacts     contact_key, customer_key, name, title?, phone?, email?
//   users        user_key, name, department?, is_active?, manager_key?, email?
//   orders       order_key, customer_key, ordered_at, amount, status ('valid' | 'cancelled' |
//                'draft'), salesperson_key?
//   order_lines  order_key, line_key?, amount, cost?
//   invoices     invoice_key, customer_key, order_key?, invoiced_at, amount, status ('valid' |
//                'cancelled')
//   receivables  receivable_key, customer_key, invoice_key?, due_date, amount, paid_amount,
//                paid_at?
//
// Times in host tables are host local time; "time_zone" ("+08:00") says how far that is from
// UTC. Every entity is optional; what needs an unmapped entity says so.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "../core/registry.hpp"
#include "../core/time.hpp"
#include "host_query.hpp"

namespace crm::hostdata {

class HostData {
 public:
  bool mapped(std::string_view entity) const { return entities_.count(std::string(entity)) != 0; }
  // The entity's checked query; Error(unsupported) naming host.<entity> when it is not mapped.
  const db::HostQuery &entity(std::string_view name) const;
  int offset_minutes() const { return offset_minutes_; }
  // A UTC instant as host local time text "YYYY-MM-DD HH:MM:SS", for comparing with host times
  // (bind with dialect.timestamp_param(), compare with dialect.host_time(column)).
  std::string host_time(time::Micros utc) const;
  // A host local time as read from the database ("YYYY-MM-DD" or with a time) as UTC.
  std::optional<time::Micros> to_utc(std::string_view host_text) const;

  static HostData load(const json *section, Store &store);

 private:
  std::map<std::string, db::HostQuery, std::less<>> entities_;
  int offset_minutes_ = 0;
};

const HostData &of(const Store &store);

void register_methods(Registry &registry);

}  // namespace crm::hostdata
