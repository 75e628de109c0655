// The C ABI: handles, status codes and strings in, calls on the C++ core out. No CRM rule lives
// here. Every export is noexcept and runs its body inside guarded(), so nothing thrown reaches
// the host.
#include <crm/crm.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>

#include "../core/config.hpp"
#include "../core/error.hpp"
#include "../core/logging.hpp"
#include "../core/registry.hpp"
#include "../core/store.hpp"
#include "../core/text.hpp"
#include "../system/system.hpp"
#include "core/version.hpp"

// The versions the areas see (the generated core/version.hpp) are the ones crm.h publishes.
static_assert(crm::version::kMajor == CRM_VERSION_MAJOR);
static_assert(crm::version::kMinor == CRM_VERSION_MINOR);
static_assert(crm::version::kPatch == CRM_VERSION_PATCH);
static_assert(crm::version::kNumber == CRM_VERSION_NUMBER);
static_assert(std::string_view(crm::version::kString) == CRM_VERSION_STRING);
static_assert(crm::version::kAbi == CRM_ABI_VERSION);
// The core's callback types are the header's, so the host's functions are passed through as is.
static_assert(std::is_same_v<crm::logging::Callback, crm_log_fn>);
static_assert(std::is_same_v<crm::logging::RecordCallback, crm_log_record_fn>);
static_assert(static_cast<int32_t>(crm::Status::invalid_argument) == CRM_E_INVALID_ARGUMENT);
static_assert(static_cast<int32_t>(crm::Status::not_found) == CRM_E_NOT_FOUND);
static_assert(static_cast<int32_t>(crm::Status::permission_denied) == CRM_E_PERMISSION_DENIED);
static_assert(static_cast<int32_t>(crm::Status::conflict) == CRM_E_CONFLICT);
static_assert(static_cast<int32_t>(crm::Status::database) == CRM_E_DATABASE);
static_assert(static_cast<int32_t>(crm::Status::unavailable) == CRM_E_UNAVAILABLE);
static_assert(static_cast<int32_t>(crm::Status::unsupported) == CRM_E_UNSUPPORTED);
static_assert(static_cast<int32_t>(crm::Status::internal) == CRM_E_INTERNAL);
static_assert(static_cast<int32_t>(crm::Status::no_memory) == CRM_E_NO_MEMORY);
static_assert(static_cast<int32_t>(crm::Status::invalid_handle) == CRM_E_INVALID_HANDLE);
static_assert(static_cast<int32_t>(crm::Status::abi_mismatch) == CRM_E_ABI_MISMATCH);

namespace {

// What a client shares with its sessions; kept alive by a call in flight even if the client
// is destroyed meanwhile.
struct ClientState {
  crm::Config config;
  std::shared_ptr<spdlog::logger> logger;
  std::unique_ptr<crm::Store> store;
};

struct ClientRecord {
  std::shared_ptr<ClientState> state;
};

struct SessionRecord {
  crm_client *client;
  std::shared_ptr<ClientState> state;
  std::string user;
};

// Live handles. A handle is a token, not an address: crm_client and crm_session are never
// defined, and a value not in here is never dereferenced, so closed and foreign handles are
// reported instead of crashing the host. Tokens are never handed out twice (an address would be,
// by the allocator), so a handle kept after its close stays invalid and can never start to
// mean another user's session. They lie in the non-canonical half of the x86-64 address space,
// where no real pointer a host might pass by mistake can equal one.
struct Handles {
  std::mutex mutex;
  std::uintptr_t last_token = std::uintptr_t{0xC} << 60;
  std::unordered_map<crm_client *, ClientRecord> clients;
  std::unordered_map<crm_session *, SessionRecord> sessions;

  template <class Handle>
  Handle *mint() {
    last_token += 16;
    return reinterpret_cast<Handle *>(last_token);
  }
};

// Whether the registry below still exists. Trivially destructible, so it stays readable while
// the process exits: a host may still call in from its own static destructors.
constinit std::atomic<bool> registry_alive{false};

struct Registry : Handles {
  Registry() { registry_alive = true; }
  ~Registry() { registry_alive = false; }
};

// Destroyed when the library is unloaded, with any client the host forgot: a host that loads
// and unloads the plugin repeatedly must not leak. After that every handle is invalid.
Handles &handles() {
  static Registry instance;
  if (!registry_alive)
    throw crm::Error(crm::Status::invalid_handle, "libcrm is shutting down; no handle is valid");
  return instance;
}

char *copy_string(std::string_view text) {
  auto *out = static_cast<char *>(std::malloc(text.size() + 1));
  if (!out) return nullptr;
  std::memcpy(out, text.data(), text.size());
  out[text.size()] = '\0';
  return out;
}

template <class F>
int32_t guarded(F &&body) noexcept {
  try {
    return body();
  } catch (const crm::Error &error) {
    return static_cast<int32_t>(error.status());
  } catch (const std::bad_alloc &) {
    return CRM_E_NO_MEMORY;
  } catch (...) {
    return CRM_E_INTERNAL;
  }
}

// Messages can quote configuration text; what reaches the host is always valid UTF-8.
void set_message(char **error_message, std::string_view text) {
  if (error_message) *error_message = copy_string(crm::text::with_valid_utf8(text));
}

}  // namespace

extern "C" {

CRM_API const char *crm_version_string(void) {
  return CRM_VERSION_STRING;
}
CRM_API uint32_t crm_version_number(void) {
  return CRM_VERSION_NUMBER;
}
CRM_API uint32_t crm_abi_version(void) {
  return CRM_ABI_VERSION;
}

CRM_API const char *crm_status_string(int32_t status) {
  if (status > 0 || status < CRM_E_ABI_MISMATCH) return "unknown";
  return crm::status_name(static_cast<crm::Status>(status)).data();
}

CRM_API void crm_string_free(char *string) {
  std::free(string);
}

CRM_API int32_t crm_log_callback_set(crm_log_fn fn, int32_t min_level, void *user_data) {
  return guarded([&] {
    if (min_level < CRM_LOG_TRACE || min_level > CRM_LOG_CRITICAL + 1)
      return CRM_E_INVALID_ARGUMENT;
    crm::logging::set_callback(fn, min_level, user_data);
    return CRM_OK;
  });
}

CRM_API int32_t crm_log_record_callback_set(crm_log_record_fn fn, int32_t min_level,
                                            void *user_data) {
  return guarded([&] {
    if (min_level < CRM_LOG_TRACE || min_level > CRM_LOG_CRITICAL + 1)
      return CRM_E_INVALID_ARGUMENT;
    crm::logging::set_record_callback(fn, min_level, user_data);
    return CRM_OK;
  });
}

CRM_API int32_t crm_client_create(const char *config_json, crm_client **out, char **error_message) {
  if (error_message) *error_message = nullptr;
  if (out) *out = nullptr;
  int32_t status = guarded([&] {
    if (!out) {
      set_message(error_message, "out must not be NULL");
      return CRM_E_INVALID_ARGUMENT;
    }
    if (!config_json) {
      set_message(error_message, "config_json must not be NULL");
      return CRM_E_INVALID_ARGUMENT;
    }
    try {
      auto state = std::make_shared<ClientState>();
      state->config = crm::parse_config(config_json, crm::registry().section_names());
      // The handle is minted first so that the records of the creation carry it too; a
      // failed creation only leaves a token unused (tokens are never handed out twice).
      crm_client *handle = nullptr;
      {
        std::lock_guard lock(handles().mutex);
        handle = handles().mint<crm_client>();
      }
      state->logger = crm::logging::make_logger(state->config.log, handle);
      state->store = std::make_unique<crm::Store>(state->config, state->logger);
      crm::load_settings(*state->store, state->config);
      std::lock_guard lock(handles().mutex);
      handles().clients.emplace(handle, ClientRecord{std::move(state)});
      *out = handle;
      return CRM_OK;
    } catch (const crm::Error &error) {
      std::string text = error.message();
      if (!error.field().empty() && text.find(error.field()) == std::string::npos)
        text = error.field() + ": " + text;
      set_message(error_message, text);
      return static_cast<int32_t>(error.status());
    } catch (const std::bad_alloc &) {
      set_message(error_message, "out of memory");
      return CRM_E_NO_MEMORY;
    } catch (const std::exception &error) {
      set_message(error_message, std::string("internal error: ") + error.what());
      return CRM_E_INTERNAL;
    }
  });
  return status;
}

CRM_API void crm_client_destroy(crm_client *client) {
  guarded([&] {
    if (!client) return CRM_OK;
    std::optional<ClientRecord> owned;
    std::vector<SessionRecord> orphans;
    {
      std::lock_guard lock(handles().mutex);
      auto &clients = handles().clients;
      auto found = clients.find(client);
      if (found == clients.end()) return CRM_E_INVALID_HANDLE;
      owned = std::move(found->second);
      clients.erase(found);
      auto &sessions = handles().sessions;
      for (auto it = sessions.begin(); it != sessions.end();) {
        if (it->second.client == client) {
          orphans.push_back(std::move(it->second));
          it = sessions.erase(it);
        } else {
          ++it;
        }
      }
    }
    // Connections close here, outside the lock (a call still in flight keeps the state).
    return CRM_OK;
  });
}

CRM_API int32_t crm_session_open_ex(crm_client *client, const char *user_key, crm_session **out,
                                    char **error_json) {
  if (out) *out = nullptr;
  if (error_json) *error_json = nullptr;
  auto refuse = [&](crm::Status status, std::string_view message, std::string_view field) {
    if (error_json) *error_json = copy_string(crm::error_envelope(status, message, field));
    return static_cast<int32_t>(status);
  };
  return guarded([&] {
    if (!out) return refuse(crm::Status::invalid_argument, "out must not be NULL", "out");
    if (!user_key)
      return refuse(crm::Status::invalid_argument, "user_key must not be NULL", "user_key");
    std::string_view user(user_key);
    if (auto problem = crm::text::user_key_problem(user))
      return refuse(crm::Status::invalid_argument, "user_key " + std::string(*problem), "user_key");
    std::shared_ptr<ClientState> state;
    {
      std::lock_guard lock(handles().mutex);
      auto found = handles().clients.find(client);
      if (!client || found == handles().clients.end())
        return refuse(crm::Status::invalid_handle, "client is NULL, destroyed, or not a crm_client",
                      "client");
      state = found->second.state;
    }
    // The host authenticated the user; the plugin decides, from the user's CRM record, whether
    // the user may act at all. Outside the handle lock: it reads the database.
    try {
      crm::registry().resolve_actor(*state->store, std::string(user));
    } catch (const crm::Error &error) {
      return refuse(error.status(), error.message(), "user_key");
    }
    std::lock_guard lock(handles().mutex);
    if (!handles().clients.count(client))
      return refuse(crm::Status::invalid_handle, "client was destroyed meanwhile", "client");
    crm_session *handle = handles().mint<crm_session>();
    handles().sessions.emplace(handle, SessionRecord{client, std::move(state), std::string(user)});
    *out = handle;
    return CRM_OK;
  });
}

CRM_API int32_t crm_session_open(crm_client *client, const char *user_key, crm_session **out) {
  return crm_session_open_ex(client, user_key, out, nullptr);
}

CRM_API void crm_session_close(crm_session *session) {
  guarded([&] {
    if (!session) return CRM_OK;
    std::optional<SessionRecord> owned;
    std::lock_guard lock(handles().mutex);
    auto found = handles().sessions.find(session);
    if (found == handles().sessions.end()) return CRM_E_INVALID_HANDLE;
    owned = std::move(found->second);
    handles().sessions.erase(found);
    return CRM_OK;
  });
}

CRM_API int32_t crm_call(crm_session *session, const char *request_json, size_t request_len,
                         char **response_json, size_t *response_len) {
  if (response_json) *response_json = nullptr;
  if (response_len) *response_len = 0;
  auto respond = [&](int32_t status, const std::string &body) {
    if (response_json) {
      *response_json = copy_string(body);
      if (!*response_json) return CRM_E_NO_MEMORY;
    }
    if (response_len) *response_len = body.size();
    return status;
  };
  return guarded([&] {
    std::shared_ptr<ClientState> state;
    std::string user;
    {
      std::lock_guard lock(handles().mutex);
      auto found = handles().sessions.find(session);
      if (!session || found == handles().sessions.end())
        return respond(CRM_E_INVALID_HANDLE,
                       crm::error_envelope(crm::Status::invalid_handle,
                                           "session is NULL, closed, or not a crm_session"));
      state = found->second.state;
      user = found->second.user;
    }
    if (!request_json)
      return respond(CRM_E_INVALID_ARGUMENT,
                     crm::error_envelope(crm::Status::invalid_argument,
                                         "request_json must not be NULL", "request"));
    auto response = crm::dispatch(*state->store, user, std::string_view(request_json, request_len),
                                  state->config.max_request_bytes);
    return respond(static_cast<int32_t>(response.status), response.body);
  });
}

CRM_API int32_t crm_plugin_query(uint32_t host_abi_version, const crm_plugin_api **out) {
  if (out) *out = nullptr;
  return guarded([&] {
    if (!out) return CRM_E_INVALID_ARGUMENT;
    if (host_abi_version != CRM_ABI_VERSION) return CRM_E_ABI_MISMATCH;
    static const std::string manifest = crm::system::manifest_json();
    static const crm_plugin_api api = {sizeof(crm_plugin_api),
                                       CRM_ABI_VERSION,
                                       manifest.c_str(),
                                       crm_version_string,
                                       crm_version_number,
                                       crm_status_string,
                                       crm_string_free,
                                       crm_log_callback_set,
                                       crm_client_create,
                                       crm_client_destroy,
                                       crm_session_open,
                                       crm_session_close,
                                       crm_call};
    *out = &api;
    return CRM_OK;
  });
}

}  // extern "C"
