// crm_test_worker: one host process of the multi-process test. It loads libcrm through
// host.hpp, then for `rounds` rounds: creates a customer, logs a batch of interactions for it,
// and tries an optimistic update of the shared customer (reading its version first).
// Prints {"created": [...ids], "logged": n, "updated": n, "conflicts": n, "errors": [...]}.
// With SHARED_CUSTOMER_ID "jobs" it instead runs the scheduled jobs lifecycle.sync and
// value.run ROUNDS times each and prints {"sync": [...results], "value": [...results]}. With
// "assign" it creates ROUNDS customers without owner or queue and prints
// {"owners": {user: count}, "queued": n, "errors": [...]}.
//
//   crm_test_worker LIBRARY CONFIG_JSON SHARED_CUSTOMER_ID ROUNDS NAME
#include <crm/host.hpp>

#include <iostream>
#include <nlohmann/json.hpp>

using nlohmann::json;

int main(int argc, char **argv) {
  if (argc != 6) {
    std::cerr << "usage: crm_test_worker LIBRARY CONFIG_JSON SHARED_ID ROUNDS NAME\n";
    return 2;
  }
  const std::string shared = argv[3];
  const int rounds = std::stoi(argv[4]);
  const std::string name = argv[5];
  json report = {{"created", json::array()},
                 {"logged", 0},
                 {"updated", 0},
                 {"conflicts", 0},
                 {"errors", json::array()}};
  try {
    auto plugin = crm::host::Plugin::load(argv[1]);
    crm::host::Client client(plugin, argv[2]);
    auto session = client.open_session(name);
    auto call = [&](const std::string &method, const json &params) {
      auto response = session.call(json({{"method", method}, {"params", params}}).dump());
      return std::make_pair(response.status, json::parse(response.body));
    };
    if (shared == "assign") {
      // Customers created without owner or queue: the assignment rules place each one.
      report = {{"owners", json::object()}, {"queued", 0}, {"errors", json::array()}};
      for (int round = 0; round < rounds; ++round) {
        auto [status, body] =
            call("customer.create", {{"name", name + " 线索 " + std::to_string(round)}});
        if (status != CRM_OK) {
          report["errors"].push_back(body);
          continue;
        }
        const auto &owner = body["result"]["owner"];
        if (owner.is_null())
          report["queued"] = report["queued"].get<int>() + 1;
        else
          report["owners"][owner.get<std::string>()] =
              report["owners"].value(owner.get<std::string>(), 0) + 1;
      }
    }
    if (shared == "jobs") {
      report = {{"sync", json::array()}, {"value", json::array()}, {"errors", json::array()}};
      for (int round = 0; round < rounds; ++round) {
        auto [synced, sync] = call("lifecycle.sync", {{"as_of", "2026-11-30T00:00:00Z"}});
        report[synced == CRM_OK ? "sync" : "errors"].push_back(synced == CRM_OK ? sync["result"]
                                                                                : sync);
        auto [valued, value] =
            call("value.run", {{"period", "2026-11"}, {"as_of", "2026-11-30T00:00:00Z"}});
        report[valued == CRM_OK ? "value" : "errors"].push_back(valued == CRM_OK ? value["result"]
                                                                                 : value);
      }
    }
    for (int round = 0; shared != "jobs" && shared != "assign" && round < rounds; ++round) {
      auto [status, body] =
          call("customer.create", {{"name", name + " #" + std::to_string(round)}});
      if (status != CRM_OK) {
        report["errors"].push_back(body);
        continue;
      }
      const std::string id = body["result"]["id"];
      report["created"].push_back(id);
      json items = json::array();
      for (int i = 0; i < 50; ++i)
        items.push_back({{"customer_id", id},
                         {"channel", "tel"},
                         {"direction", "outbound"},
                         {"occurred_at", "2026-06-01T00:00:00Z"},
                         {"subject", name}});
      auto [logged, log_body] = call("interaction.log_batch", {{"items", items}});
      if (logged == CRM_OK)
        report["logged"] = report["logged"].get<int>() + 50;
      else
        report["errors"].push_back(log_body);

      auto [got, current] = call("customer.get", {{"id", shared}});
      if (got != CRM_OK) {
        report["errors"].push_back(current);
        continue;
      }
      auto [updated, update_body] =
          call("customer.update", {{"id", shared},
                                   {"version", current["result"]["version"]},
                                   {"address", name + " round " + std::to_string(round)}});
      if (updated == CRM_OK)
        report["updated"] = report["updated"].get<int>() + 1;
      else if (updated == CRM_E_CONFLICT)
        report["conflicts"] = report["conflicts"].get<int>() + 1;
      else
        report["errors"].push_back(update_body);
    }
  } catch (const std::exception &error) {
    report["errors"].push_back(error.what());
  }
  std::cout << report.dump() << std::endl;
  return report["errors"].empty() ? 0 : 1;
}
