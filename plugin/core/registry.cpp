#include "registry.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <new>

#include "json_text.hpp"
#include "text.hpp"

namespace crm {

void Registry::add(Method method) {
  if (find(method.name)) throw std::logic_error("method " + method.name + " is registered twice");
  const bool has_schema = method.result.is_object() &&
                          (method.result.contains("type") || method.result.contains("anyOf"));
  if (!has_schema) throw std::logic_error("method " + method.name + " has no result schema");
  if (method.capability.empty())
    throw std::logic_error("method " + method.name + " names no capability");
  methods_.push_back(std::move(method));
}

std::set<std::string> Registry::section_names() const {
  std::set<std::string> names;
  for (const auto &section : sections_) names.insert(section.name);
  return names;
}

void load_settings(Store &store, const Config &config) {
  for (const auto &section : registry().sections()) {
    auto found = config.sections.find(section.name);
    store.set_settings(
        section.name,
        section.load(found == config.sections.end() ? nullptr : &found->second, store));
  }
}

Actor Registry::resolve_actor(Store &store, const std::string &user) const {
  if (!resolver_) throw Error(Status::internal, "no organisation area in this build");
  return resolver_(store, user);
}

const Method *Registry::find(std::string_view name) const {
  auto found = std::find_if(methods_.begin(), methods_.end(),
                            [&](const Method &method) { return method.name == name; });
  return found == methods_.end() ? nullptr : &*found;
}

std::string to_text(const json &value) {
  return value.dump(-1, ' ', false, json::error_handler_t::strict);
}

std::string error_envelope(Status status, std::string_view message, std::string_view field) {
  json error = {{"code", static_cast<std::int32_t>(status)},
                {"name", status_name(status)},
                {"message", message}};
  if (!field.empty()) error["field"] = field;
  // Messages can quote caller text; replace what is not UTF-8 rather than fail to report.
  return json({{"ok", false}, {"error", error}})
      .dump(-1, ' ', false, json::error_handler_t::replace);
}

namespace {

Response fail(const Error &error) {
  return {error.status(), error_envelope(error.status(), error.message(), error.field())};
}

}  // namespace

Response dispatch(Store &store, const std::string &user, std::string_view request,
                  std::size_t max_request_bytes) {
  try {
    if (request.size() > max_request_bytes)
      throw invalid_argument("request", "the request is " + std::to_string(request.size()) +
                                            " bytes, more than the limit of " +
                                            std::to_string(max_request_bytes));
    if (auto bad = text::invalid_utf8_offset(request))
      throw invalid_argument("request",
                             "the request is not valid UTF-8 (byte " + std::to_string(*bad) + ")");
    json envelope = json_text::parse(request, "the request", "request");
    if (!envelope.is_object())
      throw invalid_argument("request", "the request must be a JSON object with method and params");
    for (const auto &[key, value] : envelope.items())
      if (key != "method" && key != "params")
        throw invalid_argument(key, "unknown request member " + key);
    auto method_name = envelope.find("method");
    if (method_name == envelope.end() || !method_name->is_string())
      throw invalid_argument("method", "method is required and must be a string");
    const Method *method = registry().find(method_name->get_ref<const std::string &>());
    if (!method)
      throw Error(Status::unsupported,
                  "unknown method \"" + method_name->get<std::string>().substr(0, 100) +
                      "\" (system.describe lists the methods)",
                  "method");
    json params = json::object();
    if (auto found = envelope.find("params"); found != envelope.end() && !found->is_null())
      params = std::move(*found);
    const Actor actor = registry().resolve_actor(store, user);
    if (!actor.has(method->capability))
      throw Error(Status::permission_denied, method->name + " needs the capability " +
                                                 method->capability + ", which no role of user \"" +
                                                 user + "\" grants");
    params::validate(params, method->params, "params");
    CallContext context{store, user, actor};
    json result = method->handler(context, params);
    return {Status::ok, to_text(json({{"ok", true}, {"result", std::move(result)}}))};
  } catch (const Error &error) {
    return fail(error);
  } catch (const db::DbError &error) {
    return fail(translate(error));
  } catch (const std::bad_alloc &) {
    return {Status::no_memory, error_envelope(Status::no_memory, "out of memory")};
  } catch (const std::exception &error) {
    store.log().error("internal error: {}", error.what());
    return {Status::internal,
            error_envelope(Status::internal, std::string("internal error: ") + error.what())};
  } catch (...) {
    return {Status::internal, error_envelope(Status::internal, "internal error")};
  }
}

}  // namespace crm
