// source.report: per source, campaign or channel, the leads whose first touch falls in a period,
// how far they went (opportunity, customer), what the host ERP invoiced them and the margin its
// orders realised after the first touch, the campaigns' cost in the period, the ROI and the
// median days from first touch to first order. One set-based statement over the customers the
// caller sees and the host's documents.
#pragma once

#include <nlohmann/json.hpp>

#include "../core/registry.hpp"

namespace crm::sources {

nlohmann::json report(CallContext &context, const nlohmann::json &params);
nlohmann::json report_schema();
std::vector<params::Field> report_fields();

}  // namespace crm::sources
