// users.sync over the reference ERP, on both of its shapes: the host's users are copied into the
// CRM (added, renamed, re-managed, deactivated, reactivated), a deactivated user gets no session
// and leaves orphans or, with organisation.on_user_deactivated = transfer_to_manager, hands the
// customers with their open opportunities and tasks to the manager in an audited batch; CRM
// users stay the CRM's; bad input changes nothing.
#include "erp.hpp"
#include "fixture.hpp"

namespace crm::test {
namespace {

class UsersSyncTest : public ApiTest, public ::testing::WithParamInterface<erp::Shape> {
 protected:
  erp::Shape shape() const { return GetParam(); }
  bool jinhe() const { return shape() == erp::Shape::jinhe; }
  std::string user_table() const { return jinhe() ? "t_zyda" : "sys_user"; }
  std::string login_column() const { return jinhe() ? "dlm" : "user_name"; }

  json sections(const json &organisation = json::object()) const {
    json org = {{"bootstrap_admins", {"alice"}},
                {"host_user_roles", {{"marketing", {"marketing"}}, {"*", {"sales"}}}}};
    org.update(organisation);
    return {{"host", json::parse(erp::mapping_json(shape(), database_.dialect()))},
            {"organisation", org}};
  }

  static erp::User host_user(std::string login, std::string name, std::string department,
                             std::optional<std::string> manager = std::nullopt,
                             bool active = true) {
    erp::User user;
    user.login = login;
    user.name = std::move(name);
    user.department = std::move(department);
    user.manager = std::move(manager);
    user.email = login + "@erp.example.cn";
    user.is_active = active;
    return user;
  }

  // boss 王经理 (sales) above s1 张伟 (sales) and s2 李娜 (marketing); s3 赵六 (sales) with no
  // manager; gone 钱七, inactive in the host from the start.
  void write_host_users(const std::vector<erp::User> &extra = {}) {
    erp::create_schema(database_.connection(), shape());
    erp::Writer writer(database_.connection(), shape());
    writer.add(host_user("boss", "王经理", "sales"));
    writer.add(host_user("s1", "张伟", "sales", "boss"));
    writer.add(host_user("s2", "李娜", "marketing", "boss"));
    writer.add(host_user("s3", "赵六", "sales"));
    writer.add(host_user("gone", "钱七", "warehouse", std::nullopt, false));
    for (const auto &user : extra) writer.add(user);
    writer.flush();
  }

  void set_host(const std::string &login, const std::string &assignment) {
    database_.execute("UPDATE " + user_table() + " SET " + assignment + " WHERE " + login_column() +
                      " = '" + login + "'");
  }
  void rename_host(const std::string &login, const std::string &name) {
    set_host(login, std::string(jinhe() ? "xm" : "display_name") + " = '" + name + "'");
  }
  void set_host_email(const std::string &login, const std::string &email) {
    set_host(login, std::string(jinhe() ? "yx" : "email_addr") + " = '" + email + "'");
  }
  void set_host_manager(const std::string &login, const std::string &manager) {
    if (jinhe())
      set_host(login,
               "sjzyid = " +
                   database_.column("SELECT zyid FROM t_zyda WHERE dlm = '" + manager + "'").at(0));
    else
      set_host(login, "reports_to = '" + manager + "'");
  }
  void set_host_active(const std::string &login, bool active) {
    set_host(login, jinhe() ? std::string("tybz = ") + (active ? "0" : "1")
                            : std::string("user_state = ") + (active ? "'A'" : "'I'"));
  }
  void delete_host(const std::string &login) {
    database_.execute("DELETE FROM " + user_table() + " WHERE " + login_column() + " = '" + login +
                      "'");
  }

  json sync(const json &params = json::object()) { return ok("users.sync", params); }
  json get_user(const std::string &key) { return ok("user.get", {{"user_key", key}}); }
  // Whether the user gets a session (the plugin refuses unknown and inactive users).
  bool may_sign_in(const std::string &key) {
    try {
      auto session = client_->open_session(key);
      return session.call(request("user.me", json::object())).status == CRM_OK;
    } catch (const host::Error &error) {
      EXPECT_EQ(error.status(), CRM_E_PERMISSION_DENIED) << error.what();
      return false;
    }
  }
  std::set<std::string> orphan_ids() {
    std::set<std::string> out;
    const json orphans = ok("ownership.orphans", {{"limit", 500}});  // kept: items are iterated
    for (const auto &item : orphans["items"]) out.insert(item["id"].get<std::string>());
    return out;
  }
  std::string owner_of(const json &id) { return ok("customer.get", {{"id", id}})["owner"]; }
  static json departure(const json &result, const std::string &key) {
    for (const auto &entry : result["deactivated_users"])
      if (entry["user_key"] == key) return entry;
    ADD_FAILURE() << key << " is not among the deactivated users of " << result.dump();
    return json::object();
  }
};

TEST_P(UsersSyncTest, AddsHostUsersAndCopiesTheirChanges) {
  write_host_users();
  reconfigure(sections());
  json first = sync();
  EXPECT_EQ(first["status"], "done");
  EXPECT_EQ(first["host_users"], 5);
  EXPECT_EQ(first["added"], 5) << first;
  EXPECT_EQ(first["updated"], 0);
  EXPECT_EQ(first["deactivated"], 0);
  EXPECT_EQ(first["unchanged"], 0);

  json s1 = get_user("s1");
  EXPECT_EQ(s1["name"], "张伟");  // Chinese names round-trip byte for byte
  EXPECT_EQ(s1["origin"], "host");
  EXPECT_EQ(s1["email"], "s1@erp.example.cn");
  EXPECT_EQ(s1["manager_key"], "boss");
  EXPECT_EQ(s1["active"], true);
  EXPECT_EQ(s1["roles"], json({"sales"}));                  // "*"
  EXPECT_EQ(get_user("s2")["roles"], json({"marketing"}));  // by department
  EXPECT_EQ(get_user("gone")["roles"], json({"sales"}));    // warehouse: "*"
  EXPECT_EQ(get_user("gone")["active"], false);
  EXPECT_EQ(get_user("boss")["manager_key"], nullptr);
  EXPECT_TRUE(may_sign_in("s1"));
  EXPECT_FALSE(may_sign_in("gone"));
  // Its manager sees s1's customers through the hierarchy the host gave.
  auto managers = ok_on(session_as("s1"), "user.me", json::object())["managers"];
  EXPECT_EQ(managers, json({"boss"}));

  json again = sync();
  EXPECT_EQ(again["added"], 0);
  EXPECT_EQ(again["unchanged"], 5) << again;

  rename_host("s1", "张伟（华东）");
  set_host_email("s2", "lina@erp.example.cn");
  set_host_manager("s3", "boss");
  // A preview says what a run would do and writes nothing.
  const std::string before = database_.snapshot();
  json preview = sync({{"preview", true}});
  EXPECT_EQ(preview["preview"], true);
  EXPECT_EQ(preview["updated"], 3) << preview;
  EXPECT_EQ(database_.snapshot(), before);

  json third = sync();
  EXPECT_EQ(third["updated"], 3) << third;
  EXPECT_EQ(third["unchanged"], 2);
  EXPECT_EQ(get_user("s1")["name"], "张伟（华东）");
  EXPECT_EQ(get_user("s1")["version"], 2);
  EXPECT_EQ(get_user("s2")["email"], "lina@erp.example.cn");
  EXPECT_EQ(get_user("s3")["manager_key"], "boss");
  EXPECT_EQ(database_.column("SELECT runs FROM crm_job WHERE name = 'users.sync'"),
            std::vector<std::string>{"3"});

  // The host keeps name, e-mail, manager and active flag; the roles are the CRM's.
  json s1_now = get_user("s1");
  for (const auto &[field, value] :
       std::vector<std::pair<std::string, json>>{{"name", "别名"},
                                                 {"email", "x@example.com"},
                                                 {"manager_key", "s3"},
                                                 {"active", false}}) {
    json failure =
        rejects("user.update", {{"user_key", "s1"}, {"version", s1_now["version"]}, {field, value}},
                "invalid_argument", "params." + field);
    EXPECT_NE(failure["message"].get<std::string>().find("host ERP keeps"), std::string::npos)
        << failure;
  }
  json promoted =
      ok("user.update",
         {{"user_key", "s1"}, {"version", s1_now["version"]}, {"roles", {"sales", "manager"}}});
  EXPECT_EQ(promoted["roles"], json({"manager", "sales"}));
  // A later sync keeps the CRM's roles.
  EXPECT_EQ(sync()["unchanged"], 5);
  EXPECT_EQ(get_user("s1")["roles"], json({"manager", "sales"}));
}

TEST_P(UsersSyncTest, DeactivationInTheHostEndsSessionsAndLeavesOrphansUntilReactivated) {
  write_host_users();
  reconfigure(sections());
  sync();
  const json a = customer("张伟的客户甲", {{"owner", "s1"}})["id"];
  const json b = customer("张伟的客户乙", {{"owner", "s1"}})["id"];
  const json c = customer("李娜的客户", {{"owner", "s2"}})["id"];
  EXPECT_TRUE(orphan_ids().empty());
  auto open = session_as("s1");  // signed in before the host deactivates s1
  EXPECT_EQ(open.call(request("user.me", json::object())).status, CRM_OK);

  set_host_active("s1", false);
  delete_host("s2");  // gone from the host altogether
  json result = sync();
  EXPECT_EQ(result["deactivated"], 2) << result;
  EXPECT_EQ(result["on_user_deactivated"], "orphan");
  EXPECT_EQ(departure(result, "s1")["outcome"], "orphaned");
  EXPECT_EQ(departure(result, "s1")["customers"], 2);
  EXPECT_EQ(departure(result, "s2")["customers"], 1);
  EXPECT_EQ(departure(result, "s2")["batch_id"], nullptr);
  EXPECT_FALSE(may_sign_in("s1"));
  EXPECT_FALSE(may_sign_in("s2"));
  EXPECT_EQ(open.call(request("user.me", json::object())).status, CRM_E_PERMISSION_DENIED);
  EXPECT_EQ(get_user("s2")["active"], false);
  EXPECT_EQ(owner_of(a), "s1");  // nothing moved
  EXPECT_EQ(orphan_ids(), (std::set<std::string>{a, b, c}));
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_ownership_batch"),
            std::vector<std::string>{"0"});
  // Deactivated stays deactivated: the next run changes nothing.
  json again = sync();
  EXPECT_EQ(again["deactivated"], 0);
  EXPECT_EQ(again["unchanged"], 5) << again;

  set_host_active("s1", true);
  json back = sync();
  EXPECT_EQ(back["reactivated"], 1) << back;
  EXPECT_TRUE(may_sign_in("s1"));
  EXPECT_EQ(orphan_ids(), (std::set<std::string>{c}));
}

TEST_P(UsersSyncTest, TransferToManagerMovesCustomersOpenOpportunitiesAndTasksInOneBatch) {
  write_host_users();
  reconfigure(sections({{"on_user_deactivated", "transfer_to_manager"}}));
  sync();
  const json a = customer("张伟的客户甲", {{"owner", "s1"}, {"stage", "customer"}})["id"];
  const json b = customer("张伟的客户乙", {{"owner", "s1"}})["id"];
  const json open_deal =
      ok("opportunity.create", {{"customer_id", a}, {"name", "一期"}, {"owner", "s1"}})["id"];
  json lost = ok("opportunity.create", {{"customer_id", a}, {"name", "旧单"}, {"owner", "s1"}});
  ok("opportunity.close",
     {{"id", lost["id"]}, {"version", lost["version"]}, {"outcome", "lost"}, {"reason", "价格"}});
  const json task = ok("task.create", {{"customer_id", b},
                                       {"title", "回访"},
                                       {"due_at", "2030-01-01T00:00:00Z"},
                                       {"owner", "s1"}})["id"];
  const json lonely = customer("赵六的客户", {{"owner", "s3"}})["id"];

  set_host_active("s1", false);
  delete_host("s3");  // s3 has no manager: the customers stay orphans
  json preview = sync({{"preview", true}});
  EXPECT_EQ(departure(preview, "s1")["outcome"], "transferred");
  EXPECT_EQ(departure(preview, "s1")["batch_id"], nullptr);
  EXPECT_EQ(owner_of(a), "s1");

  json result = sync();
  json s1 = departure(result, "s1");
  EXPECT_EQ(s1["outcome"], "transferred") << result;
  EXPECT_EQ(s1["to"], "boss");
  EXPECT_EQ(s1["customers"], 2);
  EXPECT_EQ(s1["opportunities"], 1);
  EXPECT_EQ(s1["tasks"], 1);
  json s3 = departure(result, "s3");
  EXPECT_EQ(s3["outcome"], "orphaned");
  EXPECT_EQ(s3["manager_key"], nullptr);
  EXPECT_EQ(s3["to"], nullptr);

  EXPECT_EQ(owner_of(a), "boss");
  EXPECT_EQ(owner_of(b), "boss");
  EXPECT_EQ(ok("opportunity.get", {{"id", open_deal}})["owner"], "boss");
  EXPECT_EQ(ok("opportunity.get", {{"id", lost["id"]}})["owner"], "s1");  // closed: stays
  const json tasks = ok("task.list", {{"customer_id", b}});
  ASSERT_EQ(tasks["items"].size(), 1u);
  EXPECT_EQ(tasks["items"][0]["id"], task);
  EXPECT_EQ(tasks["items"][0]["owner"], "boss");
  EXPECT_EQ(orphan_ids(), (std::set<std::string>{lonely}));

  // The same audit as ownership.transfer: one batch, every move with its owner before.
  json batch = ok("ownership.batch.get", {{"id", s1["batch_id"]}});
  EXPECT_EQ(batch["from"], "s1");
  EXPECT_EQ(batch["to"], "boss");
  EXPECT_EQ(batch["reason"], "deactivated in the host ERP (users.sync)");
  EXPECT_EQ(batch["filter"], json({{"job", "users.sync"}}));
  EXPECT_EQ(batch["counts"], json({{"customers", 2}, {"opportunities", 1}, {"tasks", 1}}));
  EXPECT_EQ(batch["moves"].size(), 4u);
  for (const auto &move : batch["moves"]) EXPECT_EQ(move["owner_before"], "s1");
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_ownership_batch"),
            std::vector<std::string>{"1"});
}

TEST_P(UsersSyncTest, AnInactiveManagerTakesNothing) {
  write_host_users();
  reconfigure(sections({{"on_user_deactivated", "transfer_to_manager"}}));
  sync();
  const json a = customer("张伟的客户", {{"owner", "s1"}})["id"];
  set_host_active("boss", false);
  set_host_active("s1", false);
  json result = sync();
  EXPECT_EQ(result["deactivated"], 2) << result;
  EXPECT_EQ(departure(result, "s1")["outcome"], "orphaned");
  EXPECT_EQ(departure(result, "s1")["manager_key"], "boss");
  EXPECT_EQ(departure(result, "boss")["outcome"], "no_customers");
  EXPECT_EQ(owner_of(a), "s1");
  EXPECT_EQ(orphan_ids(), (std::set<std::string>{a}));
}

TEST_P(UsersSyncTest, CrmUsersStayTheCrmsAndAHostUserOfTheSameKeyTakesOver) {
  write_host_users();
  reconfigure(sections());
  user("crm1", {"manager"}, {{"name", "本地用户"}, {"email", "crm1@example.com"}});
  user("s1", {"manager"}, {{"name", "旧名字"}});  // the host has s1 too
  json result = sync();
  EXPECT_EQ(result["added"], 4) << result;
  EXPECT_EQ(result["taken_over"], 1);
  EXPECT_EQ(result["updated"], 1);
  json crm1 = get_user("crm1");
  EXPECT_EQ(crm1["origin"], "crm");
  EXPECT_EQ(crm1["name"], "本地用户");
  EXPECT_EQ(crm1["version"], 1);
  EXPECT_EQ(crm1["active"], true);
  json s1 = get_user("s1");
  EXPECT_EQ(s1["origin"], "host");
  EXPECT_EQ(s1["name"], "张伟");
  EXPECT_EQ(s1["roles"], json({"manager"}));  // the CRM's roles are kept
  // The CRM's own user is no host user gone missing.
  EXPECT_EQ(sync()["deactivated"], 0);
  EXPECT_EQ(get_user("crm1")["active"], true);
  // A CRM user stays editable; s1 no longer is.
  ok("user.update", {{"user_key", "crm1"}, {"version", 1}, {"name", "本地用户二"}});
  rejects("user.update", {{"user_key", "s1"}, {"version", s1["version"]}, {"name", "x"}},
          "invalid_argument", "params.name");
}

TEST_P(UsersSyncTest, ManyUsersInMoreThanOneChunk) {
  std::vector<erp::User> many;
  for (int i = 0; i < 1100; ++i) {
    char login[16];
    std::snprintf(login, sizeof login, "u%04d", i);
    many.push_back(host_user(login, "用户" + std::to_string(i), "sales", "boss"));
  }
  write_host_users(many);
  reconfigure(sections());
  json first = sync();
  EXPECT_EQ(first["added"], 1105) << first.dump().substr(0, 500);
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_user_role"),
            std::vector<std::string>{"1105"});
  customer("最后一个的客户", {{"owner", "u1099"}});
  database_.execute("DELETE FROM " + user_table() + " WHERE " + login_column() + " LIKE 'u%'");
  json second = sync();
  EXPECT_EQ(second["deactivated"], 1100) << second.dump().substr(0, 500);
  EXPECT_EQ(second["deactivated_users"].size(), 1100u);
  EXPECT_EQ(departure(second, "u1099")["customers"], 1);
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_user WHERE active = 0"),
            std::vector<std::string>{"1101"});
  EXPECT_FALSE(may_sign_in("u0000"));
  EXPECT_FALSE(may_sign_in("u1099"));
}

TEST_P(UsersSyncTest, BadInputAndMissingRightsChangeNothing) {
  write_host_users();
  reconfigure(sections());
  sync();
  set_host_active("s1", false);
  rejects("users.sync", {{"preview", "yes"}}, "invalid_argument", "params.preview");
  rejects("users.sync", {{"preview", 1}}, "invalid_argument", "params.preview");
  rejects("users.sync", {{"dry_run", true}}, "invalid_argument", "params.dry_run");
  // The job capability is needed: s3 is sales.
  const std::string before = database_.snapshot();
  auto session = session_as("s3");
  auto response = session.call(request("users.sync", json::object()));
  EXPECT_EQ(json::parse(response.body)["error"]["name"], "permission_denied") << response.body;
  EXPECT_EQ(database_.snapshot(), before);
  EXPECT_TRUE(may_sign_in("s1"));
}

TEST_P(UsersSyncTest, WithoutAHostUsersMappingUsersAreTheCrms) {
  write_host_users();
  json host = json::parse(erp::mapping_json(shape(), database_.dialect()));
  host.erase("users");
  reconfigure({{"host", host}});
  json failure = rejects("users.sync", json::object(), "unsupported", "host.users");
  EXPECT_NE(failure["message"].get<std::string>().find("user.create"), std::string::npos);
  // Organisation settings are checked: unknown roles and policies are refused at creation.
  EXPECT_NE(client_error({{"organisation", {{"host_user_roles", {{"*", {"chief"}}}}}}})
                .find("organisation.host_user_roles.*[0]"),
            std::string::npos);
  EXPECT_NE(client_error({{"organisation", {{"on_user_deactivated", "delete"}}}})
                .find("organisation.on_user_deactivated"),
            std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Shapes, UsersSyncTest,
                         ::testing::Values(erp::Shape::jinhe, erp::Shape::meridian),
                         [](const auto &info) { return std::string(erp::shape_name(info.param)); });

}  // namespace
}  // namespace crm::test
