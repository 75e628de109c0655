// The catalog of crm_call methods: name, parameter schema, handler. Each domain area registers
// its own methods; dispatch and system.describe read the same catalog.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "params.hpp"
#include "store.hpp"

namespace crm {

using nlohmann::json;

// What a method runs with: the client's store and the session's host user.
struct CallContext {
  Store &store;
  const std::string &user;
};

struct Method {
  std::string name;
  std::string summary;
  std::vector<params::Field> params;
  std::function<json(CallContext &, const json &)> handler;
};

class Registry {
 public:
  void add(Method method);
  const Method *find(std::string_view name) const;
  const std::vector<Method> &methods() const { return methods_; }

 private:
  std::vector<Method> methods_;
};

// Every method of this build.
const Registry &registry();

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
