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
//   crm::host::Client client(plugin, R"({"database": {"dialect": "sqlite", "path": "crm.db"},
//                                          "organisation": {"bootstrap_admins":
//                                          ["erp-user-42"]}})");
//   crm::host::Session session = client.open_session("erp-user-42");
//
// open_session throws Error for a user the plugin refuses (CRM_E_PERMISSION_DENIED: not an
// active CRM user nor a bootstrap administrator) with the plugin's reason, e.g. "unknown user
// ..." or "inactive user ...", when the library has crm_session_open_ex (1.2.0; looked up by
// name, since it is not in crm_plugin_api); with an older library only the status is known.
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

// A failed call into the plugin: the status code, the plugin's message and, where the plugin
// named one, the field at fault (e.g. "user_key").
class Error : public std::runtime_error {
 public:
  Error(std::int32_t status, const std::string &message, std::string field = {})
      : std::runtime_error(message), status_(status), field_(std::move(field)) {}
  std::int32_t status() const noexcept { return status_; }
  const std::string &field() const noexcept { return field_; }

 private:
  std::int32_t status_;
  std::string field_;
};

namespace detail {

// Appends the code point as UTF-8.
inline void append_utf8(std::string &out, std::uint32_t code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

// Reads the JSON string starting at text[at] == '"'; on success `at` is past its closing quote.
inline bool read_json_string(std::string_view text, std::size_t &at, std::string &out) {
  out.clear();
  if (at >= text.size() || text[at] != '"') return false;
  auto hex4 = [&](std::size_t from, std::uint32_t &value) {
    if (from + 4 > text.size()) return false;
    value = 0;
    for (std::size_t i = from; i < from + 4; ++i) {
      const char c = text[i];
      value <<= 4;
      if (c >= '0' && c <= '9')
        value |= static_cast<std::uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        value |= static_cast<std::uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        value |= static_cast<std::uint32_t>(c - 'A' + 10);
      else
        return false;
    }
    return true;
  };
  for (std::size_t i = at + 1; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      at = i + 1;
      return true;
    }
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i >= text.size()) return false;
    switch (text[i]) {
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        std::uint32_t code = 0;
        if (!hex4(i + 1, code)) return false;
        i += 4;
        std::uint32_t low = 0;
        if (code >= 0xD800 && code < 0xDC00 && i + 6 < text.size() && text[i + 1] == '\\' &&
            text[i + 2] == 'u' && hex4(i + 3, low) && low >= 0xDC00 && low < 0xE000) {
          code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
          i += 6;
        }
        append_utf8(out, code);
        break;
      }
      default:  // '"', '\\' and '/' stand for themselves
        out += text[i];
        break;
    }
  }
  return false;
}

// A string member of the "error" object of a crm error envelope ({"ok": false, "error":
// {"code", "name", "message", "field"}}), or "" when there is none. Enough JSON for the
// plugin's envelopes: strings are read whole, so nothing inside one is mistaken for a key.
inline std::string envelope_error_member(std::string_view envelope, std::string_view member) {
  int depth = 0;
  bool in_error = false;
  std::string key;
  std::string token;
  for (std::size_t at = 0; at < envelope.size();) {
    const char c = envelope[at];
    if (c == '{' || c == '[') {
      ++depth;
      ++at;
    } else if (c == '}' || c == ']') {
      if (--depth < 2) in_error = false;
      ++at;
    } else if (c == '"') {
      if (!read_json_string(envelope, at, token)) return {};
      std::size_t next = at;
      while (next < envelope.size() && (envelope[next] == ' ' || envelope[next] == '\n' ||
                                        envelope[next] == '\r' || envelope[next] == '\t'))
        ++next;
      if (next < envelope.size() && envelope[next] == ':') {  // a key
        key = token;
        at = next + 1;
        if (depth == 1 && key == "error") in_error = true;
      } else if (in_error && depth == 2 && key == member) {  // a string value of "error"
        return token;
      }
    } else {
      ++at;
    }
  }
  return {};
}

}  // namespace detail

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

  // crm_session_open_ex when the library exports it (1.2.0 and later), else nullptr.
  using session_open_ex_fn = decltype(crm_session_open_ex);
  session_open_ex_fn *session_open_ex() const noexcept { return session_open_ex_; }

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
    // Added after the first release of ABI v1, so not in the table: looked up by name.
    if (library_.has("crm_session_open_ex"))
      session_open_ex_ = &library_.get<session_open_ex_fn>("crm_session_open_ex");
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
  session_open_ex_fn *session_open_ex_ = nullptr;
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

// Throws Error with the plugin's reason (from crm_session_open_ex's error envelope) where the
// library gives one, e.g. "unknown user \"x\": ...", and the field at fault ("user_key").
inline Session Client::open_session(const std::string &user_key) const {
  crm_session *session = nullptr;
  const auto &plugin = *handle_->plugin;
  std::int32_t status = CRM_OK;
  std::string message;
  std::string field;
  if (auto *open_ex = plugin.session_open_ex()) {
    char *error_json = nullptr;
    status = open_ex(handle_->client, user_key.c_str(), &session, &error_json);
    OwnedString owned(handle_->plugin, error_json);
    if (status != CRM_OK && error_json) {
      const std::string envelope = owned.str();
      message = detail::envelope_error_member(envelope, "message");
      field = detail::envelope_error_member(envelope, "field");
    }
  } else {
    status = plugin.api().session_open(handle_->client, user_key.c_str(), &session);
  }
  if (status != CRM_OK) {
    if (message.empty())
      message =
          "cannot open a session for user \"" + user_key + "\": " + plugin.status_name(status);
    throw Error(status, message, field);
  }
  return Session(handle_, session);
}

}  // namespace crm::host

#endif  // CRM_HOST_HPP
