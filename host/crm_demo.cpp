// crm-demo: a small ERP host. It loads the CRM plugin, opens the embedded SQLite database,
// creates sample customers, contacts and interactions (once), and prints one customer's
// profile and timeline.
//
//   crm-demo [--library PATH] [--database FILE] [--customer NAME]
#include <crm/host.hpp>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

using nlohmann::json;

namespace {

json call(const crm::host::Session &session, const json &request) {
  auto response = session.call(request.dump());
  json body = json::parse(response.body);
  if (!response.ok())
    throw std::runtime_error(request["method"].get<std::string>() +
                             " failed: " + body["error"]["message"].get<std::string>());
  return body["result"];
}

void seed(const crm::host::Session &session) {
  struct Sample {
    const char *name, *kind, *phone, *email, *region, *industry, *source;
  };
  const Sample samples[] = {
      {"华联超市（北京）有限公司", "company", "+86 10 6512 3456", "purchase@hualian.example.cn",
       "华北", "超市", "展会"},
      {"Northwind Traders", "company", "+1 206 555 0100", "orders@northwind.example.com",
       "North America", "wholesale", "website"},
      {"同仁堂药店（王府井店）", "company", "+86 10 6525 0001", "wfj@tongrentang.example.cn",
       "华北", "药店", "referral"},
      {"张伟", "person", "+86 138 0000 1234", "zhang.wei@example.cn", "华东", "个人", "media"},
  };
  for (const auto &sample : samples) {
    json customer = call(session, {{"method", "customer.create"},
                                   {"params",
                                    {{"name", sample.name},
                                     {"kind", sample.kind},
                                     {"phone", sample.phone},
                                     {"email", sample.email},
                                     {"region", sample.region},
                                     {"industry", sample.industry},
                                     {"source", sample.source}}}});
    const std::string id = customer["id"];
    json contact =
        call(session, {{"method", "contact.create"},
                       {"params",
                        {{"customer_id", id},
                         {"name", std::string(sample.kind) == "person" ? sample.name : "李娜"},
                         {"title", "采购经理"},
                         {"phone", sample.phone}}}});
    json items = json::array();
    const char *channels[] = {"tel", "email", "face_to_face", "web", "event"};
    for (int i = 0; i < 5; ++i) {
      char when[40];
      std::snprintf(when, sizeof(when), "2026-0%d-1%dT09:3%d:00+08:00", i + 1, i, i);
      items.push_back(
          {{"customer_id", id},
           {"contact_id", contact["id"]},
           {"channel", channels[i]},
           {"direction", i % 2 ? "inbound" : "outbound"},
           {"occurred_at", when},
           {"subject", "第" + std::to_string(i + 1) + "次跟进：报价与交期"},
           {"body", "客户关心价格和交货期；约定下周回访。Follow-up #" + std::to_string(i + 1)}});
    }
    call(session, {{"method", "interaction.log_batch"}, {"params", {{"items", items}}}});
  }
}

}  // namespace

int main(int argc, char **argv) {
  std::string library = CRM_DEFAULT_LIBRARY;
  std::string database = "crm-demo.db";
  std::string wanted = "华联";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--library"))
      library = argv[i + 1];
    else if (!std::strcmp(argv[i], "--database"))
      database = argv[i + 1];
    else if (!std::strcmp(argv[i], "--customer"))
      wanted = argv[i + 1];
    else {
      std::cerr << "usage: crm-demo [--library PATH] [--database FILE] [--customer NAME]\n";
      return 2;
    }
  }
  try {
    auto plugin = crm::host::Plugin::load(library);
    std::cout << "loaded " << library << " (crm " << plugin->version() << ")\n";
    crm::host::Client client(plugin,
                             json({{"database", {{"dialect", "sqlite"}, {"path", database}}},
                                   {"log", {{"sink", "stderr"}, {"level", "warn"}}}})
                                 .dump());
    auto session = client.open_session("demo.user");
    if (call(session, {{"method", "customer.list"}, {"params", {{"limit", 1}}}})["items"].empty()) {
      std::cout << "seeding sample customers into " << database << "\n";
      seed(session);
    }
    json found = call(session, {{"method", "customer.list"},
                                {"params", {{"search", wanted}, {"limit", 1}}}})["items"];
    if (found.empty()) {
      std::cerr << "no customer matches \"" << wanted << "\"\n";
      return 1;
    }
    const json &customer = found[0];
    std::cout << "\n"
              << customer["name"].get<std::string>() << "  ["
              << customer["stage"].get<std::string>() << "]  "
              << customer["region"].get<std::string>() << " / "
              << customer["industry"].get<std::string>() << "  owner "
              << customer["owner"].get<std::string>() << "\n";
    json contacts = call(session, {{"method", "contact.list"},
                                   {"params", {{"customer_id", customer["id"]}}}})["items"];
    for (const auto &contact : contacts)
      std::cout << "  contact: " << contact["name"].get<std::string>() << ", "
                << contact["title"].get<std::string>() << "\n";
    std::cout << "timeline (newest first):\n";
    json page = call(session, {{"method", "interaction.list"},
                               {"params", {{"customer_id", customer["id"]}, {"limit", 20}}}});
    for (const auto &item : page["items"])
      std::cout << "  " << item["occurred_at"].get<std::string>() << "  "
                << item["channel"].get<std::string>() << "/" << item["direction"].get<std::string>()
                << "  " << item["subject"].get<std::string>() << "\n";
    return 0;
  } catch (const std::exception &error) {
    std::cerr << "crm-demo: " << error.what() << "\n";
    return 1;
  }
}
