// The organisation: who may open a session and act (users, roles), whose customers each user
// sees (teams, queues, the manager hierarchy), and the methods that manage them: user.create,
// .update, .get, .list, .me; team.create, .update, .get, .list. Registers the "organisation"
// configuration section and the resolution of every call's Actor.
#pragma once

#include "../core/registry.hpp"

namespace crm::organisation {

nlohmann::json user_schema();
nlohmann::json team_schema();
void register_methods(Registry &registry);

}  // namespace crm::organisation
