// The catalog of crm_call methods: name, parameter schema, handler. Each domain area registers
// its own methods; dispatch and system.describe read the same catalog.
#pragma once

#include <any>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "actor.hpp"
#include "params.hpp"
#include "result_schema.hpp"
#include "store.hpp"

namespace crm {

using nlohmann::json;

// What a method runs with: the client's store, the session's host user and what that user may
// see and do (resolved for this call).
struct CallContext {
  Store &store;
  const std::string &user;
  const Actor &actor;
};

struct Method {
  std::string name;
  std::string summary;
  std::vector<params::Field> params;
  json result;  // the JSON Schema of a successful result (core/result_schema.hpp)
  std::function<json(CallContext &, const json &)> handler;
  // What the caller must hold: a capability of the role model (organisation/roles.hpp), or
  // kAnySession. Checked by dispatch before the handler runs; every method names one.
  std::string capability;
};

// Resolves the session's user to an Actor, or throws crm::Error(permission_denied) saying why
// the user may not act (unknown, inactive).
using ActorResolver = std::function<Actor(Store &, const std::string &user)>;

// A configuration section owned by one area. load() checks it (the JSON, or null when the
// section is absent) once at client creation, where it may also look at the live database, and
// returns std::shared_ptr<const T> for the area's methods to read through Store::settings<T>.
// Sections load in registration order, so a later one may read an earlier one's settings.
struct SettingsSection {
  std::string name;
  std::function<std::any(const json *section, Store &store)> load;
};

template <class T, class F>
SettingsSection settings_section(std::string name, F load) {
  return {std::move(name), [load](const json *section, Store &store) -> std::any {
            return std::shared_ptr<const T>(std::make_shared<T>(load(section, store)));
          }};
}

// Told, inside the writing transaction, which customers changed stage, class or owner, so that
// what depends on those (management-plan tasks) follows at once.
using CustomersChanged =
    std::function<void(CallContext &, db::Connection &, const std::vector<std::int64_t> &ids)>;

// Told, inside the writing transaction, of the interactions just logged: each one's customer and
// the user it counts for (the caller, or the delegator the caller logged it for).
struct LoggedInteraction {
  std::int64_t customer_id = 0;
  std::string counts_for;
};
using InteractionsLogged = std::function<void(CallContext &, db::Connection &,
                                              const std::vector<LoggedInteraction> &logged)>;

class Registry {
 public:
  void on_customers_changed(CustomersChanged listener) {
    listeners_.push_back(std::move(listener));
  }
  void customers_changed(CallContext &context, db::Connection &connection,
                         const std::vector<std::int64_t> &ids) const {
    if (ids.empty()) return;
    for (const auto &listener : listeners_) listener(context, connection, ids);
  }
  void on_interactions_logged(InteractionsLogged listener) {
    interaction_listeners_.push_back(std::move(listener));
  }
  void interactions_logged(CallContext &context, db::Connection &connection,
                           const std::vector<LoggedInteraction> &logged) const {
    if (logged.empty()) return;
    for (const auto &listener : interaction_listeners_) listener(context, connection, logged);
  }
  void add(Method method);
  void set_actor_resolver(ActorResolver resolver) { resolver_ = std::move(resolver); }
  Actor resolve_actor(Store &store, const std::string &user) const;
  void add_section(SettingsSection section) { sections_.push_back(std::move(section)); }
  const std::vector<SettingsSection> &sections() const { return sections_; }
  std::set<std::string> section_names() const;
  const Method *find(std::string_view name) const;
  const std::vector<Method> &methods() const { return methods_; }

 private:
  std::vector<Method> methods_;
  std::vector<SettingsSection> sections_;
  std::vector<CustomersChanged> listeners_;
  std::vector<InteractionsLogged> interaction_listeners_;
  ActorResolver resolver_;
};

// Every method of this build.
const Registry &registry();

// Loads every settings section of this build into store (throws crm::Error naming the field).
void load_settings(Store &store, const Config &config);

// The response envelope of one request. status is Status::ok or the error's status.
struct Response {
  Status status;
  std::string body;
};

// Parses, validates and runs one request; never throws.
Response dispatch(Store &store, const std::string &user, std::string_view request,
                  std::size_t max_request_bytes);

// Envelope for an error raised outside dispatch (bad handle, NULL request ...).
std::string error_envelope(Status status, std::string_view message, std::string_view field = {});

// Serializes a response: UTF-8 as is (Chinese text is not escaped).
std::string to_text(const json &value);

}  // namespace crm
