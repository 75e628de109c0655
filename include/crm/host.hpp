// host.hpp - header-only C++ loader for libcrm, for ERP hosts written in C++.
//
// Loads the plugin at run time with Boost.DLL, checks its ABI version before anything else,
// and wraps the C handles in RAII objects that keep the library loaded while any of them
// lives. Needs Boost.DLL (header-only), Boost.Filesystem and libdl; links nothing of libcrm
// (CMake: find_package(crm COMPONENTS host) and target crm::host; pkg-config: crm-host).
//
// A bare file name such as "libcrm.so.1" (crm::host::soname) is found by the dynamic linker's
// own search (LD_LIBRARY_PATH, the ld.so cache, the system library folders); a name with a
// folder in it is that file and nothing else. A failure throws Error naming what was tried.
//
//   auto plugin = crm::host::Plugin::load(crm::host::soname);   // or a path
//   crm::host::Client client(plugin, R"({"database": {"dialect": "sqlite", "path": "crm.db"}})");
//   crm::host::Session session = client.open_session("erp-user-42");
//   crm::host::Response response = session.call(R"({"method": "system.describe"})");
//
// Threads: as in crm.h: a Client may be shared by threads; a Session is used by one thread at
// a time.
#ifndef CRM_HOST_HPP
#define CRM_HOST_HPP

#include <crm/crm.h>

#include <boost/dll/shared_library.hpp>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#ifndef _WIN32
#include <dlfcn.h>
#endif

#define CRM_HOST_STRINGIFY_(x) #x
#define CRM_HOST_STRINGIFY(x) CRM_HOST_STRINGIFY_(x)

namespace crm::host {

// The SONAME of the ABI this host is compiled against: what Plugin::load searches for by default.
inline constexpr const char *soname = "libcrm.so." CRM_HOST_STRINGIFY(CRM_ABI_VERSION);

// A failed call into the plugin: the status code and the plugin's message.
class Error : public std::runtime_error {
 public:
  Error(std::int32_t status, const std::string &message)
      : std::runtime_error(message), status_(status) {}
  std::int32_t status() const noexcept { return status_; }

 private:
  std::int32_t status_;
};

// The loaded library and its function table.
class Plugin {
 public:
  static std::shared_ptr<Plugin> load(const boost::dll::fs::path &path = soname) {
    return std::shared_ptr<Plugin>(new Plugin(path));
  }

  const crm_plugin_api &api() const noexcept { return *api_; }
  std::string manifest() const { return api_->manifest_json; }
  std::string version() const { return api_->version_string(); }
  std::string status_name(std::int32_t status) const { return api_->status_string(status); }

 private:
  explicit Plugin(const boost::dll::fs::path &path) {
    // Without search_system_folders Boost.DLL turns a bare name into "./name"; with it a bare
    // name goes to dlopen as is (the dynamic linker's search) and a path is opened exactly.
    boost::dll::fs::error_code ec;
    library_.load(path,
                  boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local |
                      boost::dll::load_mode::search_system_folders,
                  ec);
    if (ec || !library_.is_loaded()) throw Error(CRM_E_UNAVAILABLE, load_failure(path, ec));
    if (!library_.has("crm_plugin_query"))
      throw Error(CRM_E_ABI_MISMATCH, path.string() + " is not a crm plugin (no crm_plugin_query)");
    auto &query =
        library_.get<std::int32_t(std::uint32_t, const crm_plugin_api **)>("crm_plugin_query");
    const crm_plugin_api *api = nullptr;
    const std::int32_t status = query(CRM_ABI_VERSION, &api);
    if (status != CRM_OK || !api)
      throw Error(
          status == CRM_OK ? CRM_E_ABI_MISMATCH : status,
          path.string() + " does not provide crm ABI version " + std::to_string(CRM_ABI_VERSION));
    if (api->struct_size < sizeof(crm_plugin_api) || api->abi_version != CRM_ABI_VERSION)
      throw Error(CRM_E_ABI_MISMATCH, path.string() + " returned an older function table");
    api_ = api;
  }

  // What was tried and why it failed: the dynamic linker's own reason where there is one
  // (Boost.DLL reports every failure as "Bad file descriptor").
  static std::string load_failure(const boost::dll::fs::path &path,
                                  const boost::dll::fs::error_code &ec) {
    std::string tried;
    if (path.has_parent_path()) {
      tried = "the file " + path.string() + " (a path: no search)";
    } else {
      const char *ld_library_path = std::getenv("LD_LIBRARY_PATH");
      tried = path.string() + " through the dynamic linker's search (LD_LIBRARY_PATH=" +
              (ld_library_path ? "\"" + std::string(ld_library_path) + "\"" : "unset") +
              ", the executable's RUNPATH, the ld.so cache, the system library folders)";
    }
    std::string reason;
#ifndef _WIN32
    // Boost.DLL does not keep dlerror(); asking dlopen again gives the linker's own reason.
    if (void *handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) {
      ::dlclose(handle);
    } else if (const char *text = ::dlerror()) {
      reason = text;
    }
#endif
    if (reason.empty()) reason = ec ? ec.message() : "not loaded";
    return "cannot load the crm plugin: tried " + tried + ": " + reason;
  }

  boost::dll::shared_library library_;
  const crm_plugin_api *api_ = nullptr;
};

// A plugin-owned string, freed through the plugin.
class OwnedString {
 public:
  OwnedString(std::shared_ptr<Plugin> plugin, char *text) noexcept
      : plugin_(std::move(plugin)), text_(text) {}
  OwnedString(const OwnedString &) = delete;
  OwnedString &operator=(const OwnedString &) = delete;
  ~OwnedString() {
    if (text_) plugin_->api().string_free(text_);
  }
  std::string str(std::size_t length) const { return text_ ? std::string(text_, length) : ""; }
  std::string str() const { return text_ ? std::string(text_) : ""; }

 private:
  std::shared_ptr<Plugin> plugin_;
  char *text_;
};

struct Response {
  std::int32_t status;  // CRM_OK or the error code in body
  std::string body;     // the JSON envelope
  bool ok() const noexcept { return status == CRM_OK; }
};

class Session;

class Client {
 public:
  Client(std::shared_ptr<Plugin> plugin, const std::string &config_json)
      : handle_(std::make_shared<Handle>(std::move(plugin))) {
    char *message = nullptr;
    crm_client *client = nullptr;
    const std::int32_t status =
        handle_->plugin->api().client_create(config_json.c_str(), &client, &message);
    OwnedString owned(handle_->plugin, message);
    if (status != CRM_OK) throw Error(status, owned.str());
    handle_->client = client;
  }

  inline Session open_session(const std::string &user_key) const;
  const std::shared_ptr<Plugin> &plugin() const noexcept { return handle_->plugin; }

 private:
  friend class Session;
  // Destroyed after the last Session of this client (each holds a reference).
  struct Handle {
    explicit Handle(std::shared_ptr<Plugin> p) : plugin(std::move(p)) {}
    ~Handle() { plugin->api().client_destroy(client); }
    std::shared_ptr<Plugin> plugin;
    crm_client *client = nullptr;
  };
  std::shared_ptr<Handle> handle_;
};

class Session {
 public:
  Session(Session &&other) noexcept
      : client_(std::move(other.client_)), session_(std::exchange(other.session_, nullptr)) {}
  Session &operator=(Session &&other) noexcept {
    if (this != &other) {
      close();
      client_ = std::move(other.client_);
      session_ = std::exchange(other.session_, nullptr);
    }
    return *this;
  }
  Session(const Session &) = delete;
  Session &operator=(const Session &) = delete;
  ~Session() { close(); }

  // One crm_call; the response envelope is returned for errors too.
  Response call(std::string_view request) const {
    char *body = nullptr;
    std::size_t length = 0;
    const auto &api = client_->plugin->api();
    const std::int32_t status = api.call(session_, request.data(), request.size(), &body, &length);
    OwnedString owned(client_->plugin, body);
    return {status, owned.str(length)};
  }

  crm_session *handle() const noexcept { return session_; }

 private:
  friend class Client;
  Session(std::shared_ptr<Client::Handle> client, crm_session *session)
      : client_(std::move(client)), session_(session) {}
  void close() noexcept {
    if (session_ && client_) client_->plugin->api().session_close(session_);
    session_ = nullptr;
  }

  std::shared_ptr<Client::Handle> client_;
  crm_session *session_ = nullptr;
};

inline Session Client::open_session(const std::string &user_key) const {
  crm_session *session = nullptr;
  const std::int32_t status =
      handle_->plugin->api().session_open(handle_->client, user_key.c_str(), &session);
  if (status != CRM_OK)
    throw Error(status, "cannot open a session for user \"" + user_key +
                            "\": " + handle_->plugin->status_name(status));
  return Session(handle_, session);
}

}  // namespace crm::host

#endif  // CRM_HOST_HPP
