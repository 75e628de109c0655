// users.sync (a job): the CRM's copy of the host ERP's users (host.users) kept current. New host
// users are added (origin host, roles from organisation.host_user_roles), the host's names,
// e-mails, managers and active flags are copied, and users gone from the host or flagged
// inactive there are deactivated: their customers become orphans, or move with their open
// opportunities and open tasks to their active manager (organisation.on_user_deactivated) as
// one ownership batch each. A CRM user (origin crm) whose key the host also has becomes a host
// user; other CRM users are left as they are.
#pragma once

#include "../core/registry.hpp"

namespace crm::usersync {

void register_methods(Registry &registry);

}  // namespace crm::usersync
