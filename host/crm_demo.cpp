// crm-demo: the reference ERP host. Its ERP tables (the "jinhe" schema of the reference ERP,
// tools/erp) are in an embedded SQLite database, which the reference ERP's generator fills
// (crm-erp-generate; scripts/demo.sh runs it first). It loads the CRM plugin through Boost.DLL
// over that database with the mapping of those tables (a JSON file, the configuration's "host"
// section). The configuration names one bootstrap administrator; as that administrator the demo
// sets up the organisation (a sales manager with two salespeople, a marketing team), does what
// an ERP would schedule (lifecycle.sync, classification.run, value.run) and hands the buying
// customers to the salespeople. It prints the value pyramid and one customer's 360 view as that
// customer's salesperson sees it. Every session is a real CRM user. Like any host it knows only
// the public headers: <crm/host.hpp> and the plugin's JSON.
//
//   crm-demo [--library PATH] [--database FILE] [--mapping FILE] [--customer NAME]
#include <crm/host.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

using nlohmann::json;

namespace {

constexpr const char *kAsOf = "2026-11-30T00:00:00+08:00";

// The configuration's organisation.bootstrap_admins: the one user the plugin accepts before
// any CRM user exists. The demo makes it a CRM user too, the first thing it does.
constexpr const char *kAdmin = "admin";
// Where imported and returned customers wait (the lifecycle's nurture_team, "marketing" by
// default): the queue of the marketing team, whose key is the queue's key.
constexpr const char *kMarketingQueue = "marketing";

struct DemoUser {
  const char *key;
  const char *name;
  const char *email;
  const char *manager;  // nullptr: none
  const char *role;
  const char *title;
};

// The organisation of the demo company. Managers first: a manager must exist before the users
// who report to them.
const DemoUser kUsers[] = {
    {kAdmin, "系统管理员", "admin@jinhe.example", nullptr, "admin", "CRM administrator"},
    {"zhao.min", "赵敏", "zhao.min@jinhe.example", nullptr, "manager", "sales manager"},
    {"li.na", "李娜", "li.na@jinhe.example", "zhao.min", "sales", "salesperson"},
    {"wang.qiang", "王强", "wang.qiang@jinhe.example", "zhao.min", "sales", "salesperson"},
    {"chen.jing", "陈静", "chen.jing@jinhe.example", nullptr, "marketing", "marketing lead"},
    {"liu.yang", "刘洋", "liu.yang@jinhe.example", "chen.jing", "marketing", "marketing"},
};

struct DemoTeam {
  const char *key;
  const char *name;
  const char *lead;
  std::vector<std::string> members;
};

const DemoTeam kTeams[] = {
    {"sales", "销售部", "zhao.min", {"zhao.min", "li.na", "wang.qiang"}},
    {kMarketingQueue, "市场部", "chen.jing", {"chen.jing", "liu.yang"}},
};

// The salespeople the buying customers are shared among, in turn.
const char *const kSalespeople[] = {"li.na", "wang.qiang"};

// The whole response envelope of one call.
json request(const crm::host::Session &session, const std::string &method, const json &params) {
  auto response = session.call(json({{"method", method}, {"params", params}}).dump());
  return json::parse(response.body);
}

json call(const crm::host::Session &session, const std::string &method, const json &params) {
  json body = request(session, method, params);
  if (!body.value("ok", false))
    throw std::runtime_error(method + " failed: " + body["error"]["message"].get<std::string>());
  return body["result"];
}

// Whether a get of the key found it; throws on any error but not_found.
bool exists(const crm::host::Session &session, const std::string &method, const json &params) {
  json body = request(session, method, params);
  if (body.value("ok", false)) return true;
  if (body["error"]["name"] == "not_found") return false;
  throw std::runtime_error(method + " failed: " + body["error"]["message"].get<std::string>());
}

// Creates the demo's users and teams that the database does not hold yet (a later run of the
// demo on the same database finds them), as the administrator.
void seed_organisation(const crm::host::Session &admin) {
  std::cout << "\norganisation:\n";
  for (const auto &user : kUsers) {
    if (!exists(admin, "user.get", {{"user_key", user.key}})) {
      json params = {{"user_key", user.key},
                     {"name", user.name},
                     {"email", user.email},
                     {"roles", {user.role}}};
      if (user.manager) params["manager_key"] = user.manager;
      call(admin, "user.create", params);
    }
    std::cout << "  " << std::left << std::setw(11) << user.key << std::right << user.name << "  "
              << user.title << (user.manager ? std::string(", reports to ") + user.manager : "")
              << "\n";
  }
  for (const auto &team : kTeams) {
    if (!exists(admin, "team.get", {{"team_key", team.key}}))
      call(admin, "team.create",
           {{"team_key", team.key},
            {"name", team.name},
            {"lead_key", team.lead},
            {"members", team.members}});
    std::cout << "  team " << team.key << " " << team.name << ", lead " << team.lead << ":";
    for (const auto &member : team.members) std::cout << " " << member;
    std::cout << "\n";
  }
}

// Hands the customers that buy (stages customer and repeat) and still wait in the marketing
// queue to the salespeople in turn; returns how many changed hands.
int assign_customers(const crm::host::Session &admin) {
  std::vector<json> waiting;
  for (const char *stage : {"customer", "repeat"}) {
    json params = {{"owner", kMarketingQueue}, {"stage", stage}, {"limit", 500}};
    while (true) {
      json page = call(admin, "customer.list", params);
      for (const auto &item : page["items"]) waiting.push_back(item);
      if (page["next_cursor"].is_null()) break;
      params["cursor"] = page["next_cursor"];
    }
  }
  std::size_t turn = 0;
  for (const auto &customer : waiting) {
    const char *owner = kSalespeople[turn++ % std::size(kSalespeople)];
    call(admin, "customer.update",
         {{"id", customer["id"]}, {"version", customer["version"]}, {"owner", owner}});
  }
  return static_cast<int>(waiting.size());
}

// The host section of the configuration: the mapping of the ERP's tables, a JSON file.
json read_mapping(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read the mapping " + path);
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return json::parse(text.str());
  } catch (const json::exception &error) {
    throw std::runtime_error("the mapping " + path + " is not JSON: " + error.what());
  }
}

// The compiled-in path of tools/erp/mapping/jinhe.json, else jinhe.json next to the program
// (an installed demo).
std::string default_mapping(const char *program) {
  if (std::filesystem::exists(CRM_DEFAULT_MAPPING)) return CRM_DEFAULT_MAPPING;
  return (std::filesystem::path(program).parent_path() / "jinhe.json").string();
}

json configuration(const std::string &database, const json &mapping) {
  return {
      {"database", {{"dialect", "sqlite"}, {"path", database}}},
      {"log", {{"sink", "stderr"}, {"level", "warn"}}},
      {"host", mapping},
      {"lifecycle", {{"repeat_window_days", 365}, {"dormant_after_days", 180}}},
      {"classification",
       {{"rules",
         {{{"id", "key_mall"},
           {"label", "重点商场"},
           {"when", {{"industry", {"大型商场"}}, {"min_revenue", "200000.00"}}}},
          {{"id", "mall"}, {"label", "大型商场"}, {"when", {{"industry", {"大型商场"}}}}},
          {{"id", "supermarket"}, {"label", "超市"}, {"when", {{"industry", {"超市", "便利店"}}}}},
          {{"id", "pharmacy"}, {"label", "药店"}, {"when", {{"industry", {"药店"}}}}},
          {{"id", "other"}, {"label", "其他"}, {"when", json::object()}}}}}},
      {"plans",
       {{{"id", "identify"},
         {"class", "*"},
         {"stage", "potential"},
         {"title", "确认客户需求"},
         {"kind", "once"},
         {"within_days", 14},
         {"owner", "customer_owner"}},
        {{"id", "care"},
         {"class", "key_mall"},
         {"stage", "repeat"},
         {"title", "重点客户关怀回访"},
         {"kind", "recurring"},
         {"every_days", 30},
         {"owner", "customer_owner"}},
        {{"id", "care_all"},
         {"class", "*"},
         {"stage", "repeat"},
         {"title", "客户关怀回访"},
         {"kind", "recurring"},
         {"every_days", 90},
         {"owner", "customer_owner"}}}},
      {"value", {{"window_days", 365}}},
      {"organisation", {{"bootstrap_admins", {kAdmin}}}}};
}

void print_pyramid(const json &tiers) {
  std::cout << "\nvalue pyramid " << tiers["period"].get<std::string>() << ":\n";
  for (const auto &tier : tiers["tiers"])
    std::cout << "  " << std::left << std::setw(8) << tier["name"].get<std::string>() << std::right
              << std::setw(7) << tier["customers"].get<std::int64_t>() << " customers   sales "
              << tier["sales"].get<std::string>() << "\n";
}

void print_view(const json &view) {
  const json &profile = view["profile"];
  std::cout << "\n"
            << profile["name"].get<std::string>() << "  ["
            << view["lifecycle"]["stage"].get<std::string>() << "]  " << profile["region"].dump()
            << " / " << profile["industry"].dump() << "  host key " << profile["host_key"].dump()
            << "  owner " << view["owner"].dump() << "\n";
  std::cout << "  class: " << view["classification"]["class"].dump() << " (rule "
            << view["classification"]["rule"].dump() << ")\n";
  if (view.contains("value") && !view["value"].is_null()) {
    const json &value = view["value"];
    std::cout << "  value " << value["period"].get<std::string>() << ": tier "
              << value["tier"].get<std::string>() << ", position " << value["position"] << " of "
              << value["population"] << ", score " << value["score_ppm"] << " ppm\n";
    for (const auto &[name, component] : value["components"].items()) {
      std::cout << "    " << std::left << std::setw(12) << name << std::right;
      if (component.value("withheld", false))
        std::cout << " withheld (needs value.sensitive)\n";
      else
        std::cout << " raw " << component.value("raw", json()).dump() << "  normalised "
                  << component.value("normalised_ppm", json()).dump() << "\n";
    }
  }
  for (const auto &contact : view["host_contacts"])
    std::cout << "  ERP contact: " << contact["name"].get<std::string>() << " "
              << contact["title"].dump() << " " << contact["phone"].dump() << "\n";
  for (const auto &opportunity : view["opportunities"])
    std::cout << "  open opportunity: " << opportunity["name"].get<std::string>() << " "
              << opportunity["amount"].dump() << " (" << opportunity["stage"].get<std::string>()
              << ")\n";
  if (view.contains("tasks"))
    for (const auto &task : view["tasks"])
      std::cout << "  task: " << task["title"].get<std::string>() << " due "
                << task["due_at"].get<std::string>() << " (" << task["owner"].dump() << ")\n";
  std::cout << "  timeline (newest first):\n";
  for (const auto &item : view["timeline"]["items"]) {
    std::cout << "    " << item["at"].get<std::string>() << "  " << std::left << std::setw(12)
              << item["kind"].get<std::string>() << std::right;
    if (item.contains("title") && item["title"].is_string())
      std::cout << item["title"].get<std::string>();
    if (item.contains("amount") && item["amount"].is_string())
      std::cout << "  " << item["amount"].get<std::string>();
    if (item.contains("status")) std::cout << "  " << item["status"].get<std::string>();
    std::cout << "\n";
  }
}

}  // namespace

int main(int argc, char **argv) {
  std::string library = CRM_DEFAULT_LIBRARY;
  std::string database = "crm-demo.db";
  std::string mapping;
  std::string wanted;
  bool usage = argc % 2 == 0;  // an option without its value
  for (int i = 1; !usage && i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--library"))
      library = argv[i + 1];
    else if (!std::strcmp(argv[i], "--database"))
      database = argv[i + 1];
    else if (!std::strcmp(argv[i], "--customer"))
      wanted = argv[i + 1];
    else if (!std::strcmp(argv[i], "--mapping"))
      mapping = argv[i + 1];
    else
      usage = true;
  }
  if (usage) {
    std::cerr << "usage: crm-demo [--library PATH] [--database FILE] [--mapping FILE] "
                 "[--customer NAME]\n";
    return 2;
  }
  if (mapping.empty()) mapping = default_mapping(argv[0]);
  try {
    const json host = read_mapping(mapping);
    auto plugin = crm::host::Plugin::load(library);
    std::cout << "loaded " << library << " (crm " << plugin->version() << ")\n";
    std::optional<crm::host::Client> created;
    try {
      created.emplace(plugin, configuration(database, host).dump());
    } catch (const crm::host::Error &error) {
      // The plugin checks every query of the mapping against the database when the client is
      // created: a database without the ERP's tables fails here.
      std::cerr << "crm-demo: " << error.what() << "\n"
                << "crm-demo: the ERP tables of " << database << " must match " << mapping
                << "; the reference ERP's generator creates them with sample data:\n"
                << "  crm-erp-generate --dialect sqlite --path " << database
                << " --shape jinhe --customers 2000\n";
      return 1;
    }
    crm::host::Client &client = *created;
    auto admin = client.open_session(kAdmin);
    seed_organisation(admin);

    std::cout << "\n";
    json sync = call(admin, "lifecycle.sync", {{"as_of", kAsOf}});
    std::cout << "lifecycle.sync: " << sync.dump() << "\n";
    json classes = call(admin, "classification.run", {{"as_of", kAsOf}});
    std::cout << "classification.run: " << classes.dump() << "\n";
    std::cout << "customers handed from the " << kMarketingQueue
              << " queue to the salespeople: " << assign_customers(admin) << "\n";
    json run = call(admin, "value.run", {{"period", "2026-11"}, {"as_of", kAsOf}});
    std::cout << "value.run: population " << run["population"] << "\n";
    print_pyramid(call(admin, "value.tiers", {{"period", "2026-11"}}));

    std::string id;
    if (wanted.empty()) {  // the top customer of the pyramid
      json top = call(admin, "value.migration",
                      {{"from", "2026-11"},
                       {"to", "2026-11"},
                       {"from_tier", "key"},
                       {"to_tier", "key"},
                       {"limit", 1}});
      if (!top["items"].empty()) id = top["items"][0]["customer_id"];
    } else {
      json found = call(admin, "customer.list", {{"search", wanted}, {"limit", 1}})["items"];
      if (found.empty()) {
        std::cerr << "no customer matches \"" << wanted << "\"\n";
        return 1;
      }
      id = found[0]["id"];
    }
    if (id.empty()) {
      std::cerr << "no customer to show\n";
      return 1;
    }
    // The customer as its owner sees it, in the owner's own session (a salesperson sees tier
    // and score but not margins and credit); a customer still in the marketing queue is shown
    // to the marketing lead, one of somebody else to the administrator.
    const json owner = call(admin, "customer.get", {{"id", id}})["owner"];
    std::string viewer = kAdmin;
    if (owner == kMarketingQueue) viewer = kTeams[1].lead;
    for (const auto &user : kUsers)
      if (owner == user.key) viewer = user.key;
    auto session = client.open_session(viewer);
    const json me = call(session, "user.me", json::object());
    std::cout << "\nas " << me["name"].get<std::string>() << " (" << viewer << ", roles "
              << me["roles"].dump() << ", scope " << me["scope"].get<std::string>() << ")";
    if (me["sees_owners"].is_array())
      std::cout << ", sees customers of " << me["sees_owners"].dump();
    std::cout << ":\n";
    if (call(session, "interaction.list", {{"customer_id", id}, {"limit", 1}})["items"].empty()) {
      call(session, "interaction.log",
           {{"customer_id", id},
            {"channel", "tel"},
            {"direction", "outbound"},
            {"occurred_at", "2026-11-20T10:00:00+08:00"},
            {"subject", "年度回访：确认明年采购计划"}});
      call(session, "opportunity.create",
           {{"customer_id", id},
            {"name", "2027 年度框架协议"},
            {"amount", "1200000.00"},
            {"stage", "propose"}});
    }
    print_view(call(session, "customer.view", {{"id", id}, {"limit", 15}}));
    return 0;
  } catch (const std::exception &error) {
    std::cerr << "crm-demo: " << error.what() << "\n";
    return 1;
  }
}
