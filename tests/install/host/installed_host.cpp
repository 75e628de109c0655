// An integrator's host on an installed crm: loads the plugin by SONAME through host.hpp (the
// dynamic linker's search, LD_LIBRARY_PATH set as after ldconfig), then by path; creates a
// client (its first administrator named in the configuration), opens a session and makes calls,
// sees an unknown user refused with the plugin's reason; and checks that a failed load is a
// crm::host::Error naming what was tried.
//   installed_host WORK_DIR INSTALLED_LIBRARY
#include <crm/host.hpp>

#include <cstdio>
#include <string>

namespace {

int failures = 0;

void check(bool ok, const std::string &what) {
  if (!ok) {
    std::fprintf(stderr, "installed_host: check failed: %s\n", what.c_str());
    ++failures;
  }
}

bool contains(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

void use(const std::shared_ptr<crm::host::Plugin> &plugin, const std::string &database) {
  check(plugin->version() == CRM_VERSION_STRING, "version " + plugin->version());
  crm::host::Client client(plugin,
                           R"({"database": {"dialect": "sqlite", "path": ")" + database +
                               R"("}, "organisation": {"bootstrap_admins": ["integrator"]}})");
  crm::host::Session session = client.open_session("integrator");
  auto created =
      session.call(R"({"method": "customer.create", "params": {"name": "Northwind Traders"}})");
  check(created.ok(), "customer.create: " + created.body);
  check(contains(created.body, R"("name":"Northwind Traders")"), created.body);
  check(contains(created.body, R"("created_by":"integrator")"), created.body);
  auto describe = session.call(R"({"method": "system.describe"})");
  check(describe.ok() && contains(describe.body, R"("customer.create")"), "system.describe");
  // Only CRM users get a session; the plugin says why another is refused (crm_session_open_ex).
  try {
    client.open_session("stranger");
    check(false, "a session of an unknown user opened");
  } catch (const crm::host::Error &error) {
    check(error.status() == CRM_E_PERMISSION_DENIED, "status " + std::to_string(error.status()));
    check(contains(error.what(), R"(unknown user "stranger")"), error.what());
    check(error.field() == "user_key", "field " + error.field());
  }
}

// Loading `name` must fail with a crm::host::Error whose message holds every part of `expected`.
void expect_load_failure(const std::string &name, std::initializer_list<std::string> expected) {
  try {
    crm::host::Plugin::load(name);
    check(false, "loading " + name + " succeeded");
  } catch (const crm::host::Error &error) {
    std::printf("expected failure: %s\n", error.what());
    check(error.status() == CRM_E_UNAVAILABLE, "status " + std::to_string(error.status()));
    for (const auto &part : expected)
      check(contains(error.what(), part), "\"" + part + "\" not in: " + error.what());
  } catch (const std::exception &error) {
    check(false, std::string("not a crm::host::Error: ") + error.what());
  }
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: installed_host WORK_DIR INSTALLED_LIBRARY\n");
    return 2;
  }
  const std::string work = argv[1];
  try {
    // By SONAME: crm::host::soname is "libcrm.so.1"; load() without an argument is the same.
    check(std::string(crm::host::soname) == "libcrm.so." + std::to_string(CRM_ABI_VERSION),
          "soname");
    use(crm::host::Plugin::load("libcrm.so.1"), work + "/by-soname.db");
    use(crm::host::Plugin::load(), work + "/by-default.db");
    // By path: that file, wherever the working directory is.
    use(crm::host::Plugin::load(argv[2]), work + "/by-path.db");
  } catch (const std::exception &error) {
    check(false, std::string("unexpected exception: ") + error.what());
  }
  expect_load_failure("libcrm-missing.so.1",
                      {"libcrm-missing.so.1", "dynamic linker",
                       "LD_LIBRARY_PATH=", "cannot open shared object file"});
  expect_load_failure(work + "/nowhere/libcrm.so.1",
                      {work + "/nowhere/libcrm.so.1", "no search", "No such file"});
  if (failures != 0) {
    std::fprintf(stderr, "installed_host: %d check(s) failed\n", failures);
    return 1;
  }
  std::printf("installed_host: all checks passed\n");
  return 0;
}
