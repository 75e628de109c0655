// The method catalog of this build: each area adds its methods here.
#include "assignment/assignment.hpp"
#include "calendar/calendar.hpp"
#include "classification/classification.hpp"
#include "contacts/contacts.hpp"
#include "core/registry.hpp"
#include "customers/customers.hpp"
#include "delegation/delegation.hpp"
#include "handoff/handoff.hpp"
#include "hostdata/hostdata.hpp"
#include "interactions/interactions.hpp"
#include "lifecycle/lifecycle.hpp"
#include "opportunities/opportunities.hpp"
#include "organisation/organisation.hpp"
#include "ownership/ownership.hpp"
#include "sources/sources.hpp"
#include "system/system.hpp"
#include "tasks/tasks.hpp"
#include "usersync/usersync.hpp"
#include "value/value.hpp"
#include "view/view.hpp"

namespace crm {

const Registry &registry() {
  static const Registry catalog = [] {
    Registry registry;
    system::register_methods(registry);
    organisation::register_methods(registry);  // first: every call resolves its Actor there
    hostdata::register_methods(registry);
    calendar::register_methods(registry);  // after host: its default zone is host.time_zone
    delegation::register_methods(registry);
    ownership::register_methods(registry);
    usersync::register_methods(registry);
    customers::register_methods(registry);
    assignment::register_methods(registry);
    sources::register_methods(registry);
    contacts::register_methods(registry);
    interactions::register_methods(registry);
    lifecycle::register_methods(registry);
    handoff::register_methods(registry);
    opportunities::register_methods(registry);
    classification::register_methods(registry);
    tasks::register_methods(registry);
    value::register_methods(registry);
    view::register_methods(registry);  // last: it composes the methods above
    return registry;
  }();
  return catalog;
}

}  // namespace crm
