// Sources and campaigns (线索来源与市场活动): the dictionary of where leads come from, the
// campaigns run through each source with their periods and costs, a customer's first touch and its
// corrections, and source.report, the channel ROI counted on the host ERP's own invoices and
// margins.
//
// Methods: source.create, source.update, source.list, campaign.create, campaign.update,
// campaign.list, customer.first_touch.correct, customer.first_touch.history, source.report.
#pragma once

#include "../core/registry.hpp"

namespace crm::sources {

inline const std::vector<std::string> kKinds = {"media",       "website", "event", "referral",
                                                "prospecting", "partner", "other"};
// The interaction channels (crm_interaction.channel).
inline const std::vector<std::string> kChannels = {"tel",   "fax", "email", "sms",  "face_to_face",
                                                   "media", "web", "event", "other"};

void register_methods(Registry &registry);

}  // namespace crm::sources
