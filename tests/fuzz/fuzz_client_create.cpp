// crm_fuzz_client_create: the input (a NUL-terminated copy) as config_json of crm_client_create.
// Checks: never CRM_E_INTERNAL or CRM_E_NO_MEMORY; on failure *out is NULL and the message is
// set, non-empty and valid UTF-8; on success the client is destroyed again.
//
// Files. Each execution runs with a temporary folder as the working directory (and goes back
// to the original one afterwards, where libFuzzer reads and writes its corpus); the folder
// holds crm.db, the reference ERP (jinhe shape, 20 customers) with the CRM tables, which the
// seed corpus names as "crm.db", so relative database and log paths land in the folder. After
// every execution everything else in the folder is removed, and crm.db is restored from a copy
// every kResetEvery executions or when it grows past kResetBytes. Crash artifacts go to the
// original working directory unless -artifact_prefix says otherwise (a relative prefix is made
// absolute first). Configurations that could make
// the library write or load files elsewhere are not run: an absolute path whose folder exists
// (or any absolute log path: the file sink creates folders), "..", "file:" URIs, extensions
// (LoadExt) that are not absolute paths, drivers given as paths or library names, and SQL that
// attaches or vacuums databases (host queries run on the database). Server dialects may only
// name this machine, and unixODBC reads a private driver list (no driver logs to /tmp).
#include <crm/crm.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dialect.hpp"
#include "erp.hpp"
#include "fuzz_support.hpp"
#include "odbc.hpp"

namespace {

using nlohmann::json;
namespace fuzz = crm::fuzz;

constexpr std::uint64_t kResetEvery = 20000;
constexpr std::uint64_t kResetBytes = 32ull << 20;

std::string folder;    // the temporary folder: work/ (the working directory) and pristine.db
std::string work;      // the working directory
std::string pristine;  // crm.db as made by LLVMFuzzerInitialize
std::uint64_t executions = 0;
int home = -1;  // the original working directory, open

// Runs in the temporary folder for its lifetime.
class InWork {
 public:
  InWork() {
    if (chdir(work.c_str()) != 0) fuzz::fail("cannot enter " + work);
  }
  ~InWork() {
    if (fchdir(home) != 0) fuzz::fail("cannot return to the original working directory");
  }
};

// libFuzzer parses its flags after LLVMFuzzerInitialize: make the artifact paths absolute
// (and name the original working directory when none is given), as crashes are saved while
// the working directory is the temporary folder.
void absolute_artifact_paths(int *argc, char ***argv, const std::string &origin) {
  // Kept for the whole run (libFuzzer reads argv until it exits), reachable, never freed.
  static auto *arguments = new std::vector<char *>;
  bool prefix = false;
  for (int i = 0; i < *argc; ++i) {
    std::string argument = (*argv)[i];
    for (const char *flag : {"-artifact_prefix=", "-exact_artifact_path="}) {
      const std::string name = flag;
      if (argument.rfind(name, 0) != 0) continue;
      prefix = prefix || name == "-artifact_prefix=";
      const std::string value = argument.substr(name.size());
      if (value.empty() || value[0] != '/') argument = name + origin + "/" + value;
    }
    arguments->push_back(strdup(argument.c_str()));
  }
  if (!prefix) arguments->push_back(strdup(("-artifact_prefix=" + origin + "/").c_str()));
  arguments->push_back(nullptr);
  *argc = static_cast<int>(arguments->size()) - 1;
  *argv = arguments->data();
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto &c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool path_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
}

// Whether a database path or connection string could reach a file outside the working
// directory. An absolute path is harmless only when its folder does not exist: SQLite creates
// files, never folders, and dlopen finds nothing there.
bool risky_database_text(std::string_view text) {
  const std::string folded = lower(text);
  if (folded.find("..") != std::string::npos || folded.find("file:") != std::string::npos)
    return true;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '/' || (i > 0 && path_char(text[i - 1]))) continue;
    std::size_t end = text.find_first_of(";}", i);
    std::string path(
        text.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i));
    std::string parent = std::filesystem::path(path).parent_path().string();
    std::error_code error;
    if (parent.empty() || std::filesystem::exists(parent, error) || error) return true;
  }
  // An extension or a driver named without a path is looked up in the system's library path.
  for (const char *attribute : {"loadext", "driver"}) {
    for (std::size_t at = folded.find(attribute); at != std::string::npos;
         at = folded.find(attribute, at + 1)) {
      std::size_t value = folded.find('=', at);
      if (value == std::string::npos) continue;
      ++value;
      while (value < folded.size() && (folded[value] == ' ' || folded[value] == '{')) ++value;
      const bool absolute = value < folded.size() && folded[value] == '/';
      if (std::string(attribute) == "loadext" && !absolute) return true;
      const std::size_t end = folded.find(';', value);
      const std::string name = folded.substr(value, end == std::string::npos ? end : end - value);
      if (std::string(attribute) == "driver" && name.find(".so") != std::string::npos) return true;
    }
  }
  return false;
}

// Whether a connection string names a server other than this machine: a fuzzed host name would
// mean DNS lookups and connection attempts that time out, and no server of this machine is
// meant to be reached either (the test suite's servers listen on ports of their own).
bool remote_server(std::string_view text) {
  const std::string folded = lower(text);
  for (const char *attribute : {"server", "host"}) {
    for (std::size_t at = folded.find(attribute); at != std::string::npos;
         at = folded.find(attribute, at + 1)) {
      std::size_t i = at + std::strlen(attribute);
      while (i < folded.size() && std::isalpha(static_cast<unsigned char>(folded[i]))) ++i;
      while (i < folded.size() && folded[i] == ' ') ++i;
      if (i >= folded.size() || folded[i] != '=') continue;
      ++i;
      while (i < folded.size() && (folded[i] == ' ' || folded[i] == '{')) ++i;
      std::size_t end = folded.find_first_of(";}", i);
      const std::string name = folded.substr(i, end == std::string::npos ? end : end - i);
      const bool loopback = name.empty() || name == "localhost" ||
                            (name.rfind("127.", 0) == 0 &&
                             name.find_first_not_of("0123456789.") == std::string::npos);
      if (!loopback) return true;
    }
  }
  return false;
}

bool risky_log_path(std::string_view path) {
  return (!path.empty() && path[0] == '/') || path.find("..") != std::string_view::npos;
}

// Any string in the document (keys included) that could write a database elsewhere through SQL.
bool risky_sql(const json &value) {
  std::vector<const json *> pending = {&value};
  while (!pending.empty()) {
    const json *item = pending.back();
    pending.pop_back();
    auto risky = [](const std::string &text) {
      const std::string folded = lower(text);
      return folded.find("attach") != std::string::npos ||
             folded.find("vacuum") != std::string::npos ||
             folded.find("load_extension") != std::string::npos;
    };
    if (item->is_string() && risky(item->get_ref<const std::string &>())) return true;
    if (item->is_object())
      for (const auto &[key, member] : item->items()) {
        if (risky(key)) return true;
        pending.push_back(&member);
      }
    if (item->is_array())
      for (const auto &member : *item) pending.push_back(&member);
  }
  return false;
}

// Whether crm_client_create may be given this configuration (see the top of this file). The
// document is read exactly as the library reads it (the same JSON parser).
bool may_run(std::string_view config) {
  json root = json::parse(config, nullptr, false);
  if (root.is_discarded() || !root.is_object()) return true;  // no file is reached
  if (risky_sql(root)) return false;
  auto text_at = [&](const char *section, const char *key) -> std::optional<std::string> {
    auto found = root.find(section);
    if (found == root.end() || !found->is_object()) return std::nullopt;
    auto member = found->find(key);
    if (member == found->end() || !member->is_string()) return std::nullopt;
    return member->get<std::string>();
  };
  for (const char *key : {"path", "connection_string"})
    if (auto text = text_at("database", key); text && risky_database_text(*text)) return false;
  if (auto text = text_at("database", "connection_string"); text && remote_server(*text))
    return false;
  if (auto driver = text_at("database", "driver"))
    if (driver->find('/') != std::string::npos || driver->find(".so") != std::string::npos)
      return false;
  if (auto path = text_at("log", "path"); path && risky_log_path(*path)) return false;
  return true;
}

void make_database() {
  crm::db::Environment environment;
  auto dialect = crm::db::make_dialect("sqlite");
  crm::db::ConnectionSettings settings;
  settings.dialect = "sqlite";
  settings.path = work + "/crm.db";
  {
    crm::db::Connection connection(environment, *dialect, dialect->connection_string(settings));
    crm::erp::Options options;
    options.shape = crm::erp::Shape::jinhe;
    options.customers = 20;
    crm::erp::generate(connection, options);
  }
  // The CRM tables, as a host's first client creates them.
  json config = {{"database", {{"dialect", "sqlite"}, {"path", "crm.db"}}},
                 {"log", {{"sink", "none"}}},
                 {"host", json::parse(crm::erp::mapping_json(crm::erp::Shape::jinhe, "sqlite"))}};
  crm_client *client = nullptr;
  char *message = nullptr;
  if (crm_client_create(config.dump().c_str(), &client, &message) != CRM_OK)
    fuzz::fail("crm_fuzz_client_create: cannot create the fixture's client", message);
  crm_client_destroy(client);
}

void cleanup() {
  fuzz::remove_tree(folder);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv) {
  std::error_code error;
  const std::string origin = std::filesystem::current_path(error).string();
  home = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (error || home < 0) fuzz::fail("cannot open the working directory");
  absolute_artifact_paths(argc, argv, origin);
  folder = fuzz::make_temp_dir("crm-fuzz-client-");
  work = folder + "/work";
  pristine = folder + "/pristine.db";
  std::filesystem::create_directory(work, error);
  if (error) fuzz::fail("cannot create " + work);
  // unixODBC reads its driver and data source lists from here instead of /etc: only SQLite3 is
  // listed, and no driver's logging (Debian turns on psqlODBC's CommLog, written to /tmp).
  {
    std::ofstream drivers(folder + "/odbcinst.ini");
    drivers << "[SQLite3]\nDescription=SQLite3 ODBC Driver\nDriver=libsqlite3odbc.so\n";
    std::ofstream sources(folder + "/odbc.ini");
  }
  setenv("ODBCSYSINI", folder.c_str(), 1);
  setenv("ODBCINI", (folder + "/odbc.ini").c_str(), 1);
  try {
    InWork in_work;
    make_database();
  } catch (const std::exception &failure) {
    fuzz::fail("crm_fuzz_client_create: cannot generate the reference ERP", failure.what());
  }
  fuzz::copy_file(work + "/crm.db", pristine);
  std::atexit(cleanup);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  const std::string config(reinterpret_cast<const char *>(data), size);  // NUL-terminated copy
  if (!may_run(config)) return -1;                                       // not added to the corpus
  InWork in_work;
  crm_client *client = reinterpret_cast<crm_client *>(&executions);  // must be overwritten
  char *message = nullptr;
  const auto status = crm_client_create(config.c_str(), &client, &message);
  auto failure = [&](const std::string &what) {
    fuzz::fail(what, "status " + std::to_string(status) + " (" + crm_status_string(status) +
                         ")\nconfig: " + config.substr(0, 600) +
                         "\nmessage: " + (message ? message : "(none)"));
  };
  if (status == CRM_E_INTERNAL) failure("crm_client_create returned CRM_E_INTERNAL");
  if (status == CRM_E_NO_MEMORY) failure("crm_client_create returned CRM_E_NO_MEMORY");
  if (status > CRM_OK || status < CRM_E_ABI_MISMATCH)
    failure("crm_client_create returned an unknown status");
  if (status == CRM_OK) {
    if (!client) failure("CRM_OK without a client");
    crm_client_destroy(client);
  } else {
    if (client) failure("a failed crm_client_create left *out set");
    if (!message || !*message) failure("a failed crm_client_create gave no error message");
    if (!fuzz::valid_utf8(message)) failure("the error message is not valid UTF-8");
  }
  crm_string_free(message);

  fuzz::clear_folder(work, {"crm.db"});
  if (++executions % kResetEvery == 0 || fuzz::file_size(work + "/crm.db") > kResetBytes) {
    std::remove((work + "/crm.db").c_str());
    fuzz::copy_file(pristine, work + "/crm.db");
  }
  return 0;
}
