// Management plans and tasks on every database: plan tasks follow stage moves
// (lifecycle.transition) and class changes (classification.run), recurring completion, manual
// tasks, listing and keyset paging, conflicts and bad input (each rejection leaves the database
// unchanged), and many customers changing at once.
#include <ctime>
#include <set>

#include "fixture.hpp"

namespace crm::test {
namespace {

// Seconds since the epoch of "YYYY-MM-DDTHH:MM:SS[.ffffff]Z".
std::int64_t epoch(const json &iso) {
  std::tm tm{};
  const auto text = iso.get<std::string>();
  if (!strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) ADD_FAILURE() << text;
  return static_cast<std::int64_t>(timegm(&tm));
}

constexpr std::int64_t kDay = 86400;

json configuration() {
  return {{"classification",
           {{"rules",
             {{{"id", "vip"}, {"label", "重点客户"}, {"when", {{"industry", {"大型商场"}}}}}}}}},
          {"plans",
           {{{"id", "identify"},
             {"class", "*"},
             {"stage", "unidentified"},
             {"title", "识别客户：核实联系方式"},
             {"kind", "once"},
             {"within_days", 3},
             {"owner", "customer_owner"}},
            {{"id", "nurture"},
             {"stage", "potential"},
             {"title", "培育：每月联系"},
             {"kind", "recurring"},
             {"every_days", 30},
             {"owner", "marketing"}},
            {{"id", "vip_care"},
             {"class", "vip"},
             {"stage", "potential"},
             {"title", "重点关怀"},
             {"kind", "recurring"},
             {"every_days", 7}}}}};
}

class TaskTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    reconfigure(configuration());
  }

  json tasks(const json &filter) {
    json params = filter;
    params["limit"] = 500;
    return ok("task.list", params)["items"];
  }
  std::set<std::string> plans_of(const json &items) {
    std::set<std::string> out;
    for (const auto &t : items)
      out.insert(t["plan_id"].is_null() ? "-" : t["plan_id"].get<std::string>());
    return out;
  }
  json move(const std::string &id, const std::string &to) {
    return ok("lifecycle.transition", {{"customer_id", id}, {"to", to}, {"reason_code", "test"}});
  }
};

TEST_F(TaskTest, PlanTasksFollowStageAndClass) {
  const auto now = static_cast<std::int64_t>(std::time(nullptr));
  const auto id = customer("华联超市（北京）有限公司")["id"].get<std::string>();
  auto open = tasks({{"customer_id", id}});
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0]["plan_id"], "identify");
  EXPECT_EQ(open[0]["kind"], "once");
  EXPECT_EQ(open[0]["title"], "识别客户：核实联系方式");
  EXPECT_EQ(open[0]["owner"], "alice");  // the customer's owner
  EXPECT_NEAR(epoch(open[0]["due_at"]), now + 3 * kDay, 120);
  const auto identify = open[0]["id"];

  move(id, "potential");
  open = tasks({{"customer_id", id}});
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0]["plan_id"], "nurture");
  EXPECT_EQ(open[0]["owner"], "marketing");
  EXPECT_NEAR(epoch(open[0]["due_at"]), now + 30 * kDay, 120);
  auto cancelled = tasks({{"customer_id", id}, {"status", "cancelled"}});
  ASSERT_EQ(cancelled.size(), 1u);
  EXPECT_EQ(cancelled[0]["id"], identify);
  EXPECT_NE(cancelled[0]["note"].get<std::string>().find("stage potential"), std::string::npos)
      << cancelled[0]["note"];
  EXPECT_EQ(cancelled[0]["completed_by"], "alice");

  // Becoming a vip adds the class's plan; the stage plan stays as it was.
  auto current = ok("customer.get", {{"id", id}});
  ok("customer.update", {{"id", id}, {"version", current["version"]}, {"industry", "大型商场"}});
  ok("classification.run");
  EXPECT_EQ(plans_of(tasks({{"customer_id", id}})), (std::set<std::string>{"nurture", "vip_care"}));
  EXPECT_EQ(tasks({{"customer_id", id}, {"status", "cancelled"}}).size(), 1u);

  // Losing the class cancels its task, naming the class.
  current = ok("customer.get", {{"id", id}});
  ok("customer.update", {{"id", id}, {"version", current["version"]}, {"industry", "超市"}});
  ok("classification.run");
  EXPECT_EQ(plans_of(tasks({{"customer_id", id}})), (std::set<std::string>{"nurture"}));
  cancelled = tasks({{"customer_id", id}, {"status", "cancelled"}});
  ASSERT_EQ(cancelled.size(), 2u);
  EXPECT_EQ(plans_of(cancelled), (std::set<std::string>{"identify", "vip_care"}));
  for (const auto &t : cancelled)
    if (t["plan_id"] == "vip_care") {
      EXPECT_NE(t["note"].get<std::string>().find("class vip"), std::string::npos) << t["note"];
    }

  // A transfer of the customer hands over the tasks of plans owned by the customer's owner
  // (vip_care), not those of plans with an owner of their own (nurture: marketing).
  current = ok("customer.get", {{"id", id}});
  ok("customer.update", {{"id", id}, {"version", current["version"]}, {"industry", "大型商场"}});
  ok("classification.run");
  current = ok("customer.get", {{"id", id}});
  ok("customer.update", {{"id", id}, {"version", current["version"]}, {"owner", "bob"}});
  for (const auto &t : tasks({{"customer_id", id}}))
    EXPECT_EQ(t["owner"], t["plan_id"] == "vip_care" ? "bob" : "marketing") << t;
  EXPECT_EQ(tasks({{"owner", "alice"}, {"customer_id", id}}).size(), 0u);

  // Disqualified: no plan applies, every plan task is cancelled; manual tasks stay.
  ok("task.create", {{"customer_id", id}, {"title", "回访"}, {"due_at", "2030-01-01T00:00:00Z"}});
  move(id, "disqualified");
  EXPECT_EQ(plans_of(tasks({{"customer_id", id}})), (std::set<std::string>{"-"}));
}

TEST_F(TaskTest, CompletingARecurringTaskSchedulesTheNext) {
  const auto id = customer("Acme", {{"stage", "potential"}})["id"].get<std::string>();
  auto open = tasks({{"customer_id", id}});
  ASSERT_EQ(open.size(), 1u);
  const auto first = open[0];
  const auto before = database_.snapshot();
  rejects("task.complete", {{"id", first["id"]}, {"version", 2}}, "conflict", "params.version");
  EXPECT_EQ(database_.snapshot(), before);

  const auto now = static_cast<std::int64_t>(std::time(nullptr));
  auto done =
      ok("task.complete", {{"id", first["id"]}, {"version", 1}, {"note", "电话已联系；O'Brien"}});
  EXPECT_EQ(done["task"]["status"], "done");
  EXPECT_EQ(done["task"]["note"], "电话已联系；O'Brien");
  EXPECT_EQ(done["task"]["completed_by"], "alice");
  EXPECT_EQ(done["task"]["version"], 2);
  ASSERT_TRUE(done["next"].is_object());
  EXPECT_EQ(done["next"]["plan_id"], "nurture");
  EXPECT_EQ(done["next"]["status"], "open");
  EXPECT_NEAR(epoch(done["next"]["due_at"]), now + 30 * kDay, 120);
  EXPECT_EQ(tasks({{"customer_id", id}}).size(), 1u);
  EXPECT_EQ(tasks({{"customer_id", id}, {"status", "done"}}).size(), 1u);

  rejects("task.complete", {{"id", first["id"]}}, "conflict", "params.id");
  // A once task has no successor; a cancelled one cannot be completed.
  const auto other = customer("Beta")["id"].get<std::string>();
  const auto once = tasks({{"customer_id", other}})[0];
  move(other, "potential");
  rejects("task.complete", {{"id", once["id"]}}, "conflict", "params.id");
  const auto manual =
      ok("task.create",
         {{"customer_id", other}, {"title", "寄送样品"}, {"due_at", "2030-01-01T08:00:00+08:00"}});
  EXPECT_EQ(manual["kind"], "manual");
  EXPECT_EQ(manual["due_at"], "2030-01-01T00:00:00Z");
  EXPECT_EQ(ok("task.complete", {{"id", manual["id"]}})["next"], nullptr);
}

TEST_F(TaskTest, ListingFiltersAndPagesByDueTime) {
  const auto a = customer("A", {{"stage", "customer"}})["id"].get<std::string>();
  const auto b = customer("B", {{"stage", "customer"}})["id"].get<std::string>();
  const std::vector<std::pair<std::string, std::string>> due = {
      {a, "2030-01-03T00:00:00Z"}, {b, "2030-01-01T00:00:00Z"}, {a, "2030-01-02T00:00:00Z"},
      {b, "2030-01-02T00:00:00Z"}, {a, "2030-01-01T00:00:00Z"}, {a, "2030-01-05T00:00:00Z"},
      {b, "2030-01-04T00:00:00Z"}};
  for (std::size_t i = 0; i < due.size(); ++i)
    ok("task.create", {{"customer_id", due[i].first},
                       {"title", "任务 " + std::to_string(i)},
                       {"due_at", due[i].second},
                       {"owner", i % 2 ? "bob" : "carol"}});
  std::vector<std::pair<std::string, std::int64_t>> seen;
  json cursor = nullptr;
  int pages = 0;
  do {
    json params = {{"limit", 2}};
    if (!cursor.is_null()) params["cursor"] = cursor;
    auto page = ok("task.list", params);
    for (const auto &t : page["items"])
      seen.emplace_back(t["due_at"].get<std::string>(), std::stoll(t["id"].get<std::string>()));
    cursor = page["next_cursor"];
    ++pages;
  } while (!cursor.is_null() && pages < 10);
  EXPECT_EQ(pages, 4);
  ASSERT_EQ(seen.size(), due.size());
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(seen.front().first, "2030-01-01T00:00:00Z");
  EXPECT_EQ(seen.back().first, "2030-01-05T00:00:00Z");

  EXPECT_EQ(tasks({{"owner", "bob"}}).size(), 3u);
  EXPECT_EQ(tasks({{"customer_id", b}}).size(), 3u);
  EXPECT_EQ(tasks({{"due_before", "2030-01-02T00:00:00Z"}}).size(), 2u);
  EXPECT_EQ(tasks({{"owner", "carol"}, {"customer_id", a}, {"due_before", "2030-01-03T00:00:00Z"}})
                .size(),
            2u);
  EXPECT_TRUE(tasks({{"status", "done"}}).empty());
}

TEST_F(TaskTest, BadInputIsRefusedAndChangesNothing) {
  const auto id = customer("Acme")["id"].get<std::string>();
  const json good = {{"customer_id", id}, {"title", "回访"}, {"due_at", "2030-01-01T00:00:00Z"}};
  rejects("task.create", with(good, {{"customer_id", "987654"}}), "not_found",
          "params.customer_id");
  rejects("task.create", with(good, {{"customer_id", 5}}), "invalid_argument",
          "params.customer_id");
  rejects("task.create", with(good, {{"title", std::string(201, 'x')}}), "invalid_argument",
          "params.title");
  rejects("task.create", with(good, {{"title", nullptr}}), "invalid_argument", "params.title");
  rejects("task.create", with(good, {{"due_at", "tomorrow"}}), "invalid_argument", "params.due_at");
  rejects("task.create", with(good, {{"owner", 7}}), "invalid_argument", "params.owner");
  rejects("task.create", with(good, {{"priority", 1}}), "invalid_argument", "params.priority");
  rejects("task.complete", {{"id", "987654"}}, "not_found", "params.id");
  rejects("task.complete", {{"id", "x"}}, "invalid_argument", "params.id");
  rejects("task.complete", {{"id", "1"}, {"version", 0}}, "invalid_argument", "params.version");
  rejects("task.list", {{"status", "closed"}}, "invalid_argument", "params.status");
  rejects("task.list", {{"customer_id", "987654"}}, "not_found", "params.customer_id");
  rejects("task.list", {{"cursor", "bm90LWEtY3Vyc29y"}}, "invalid_argument", "params.cursor");

  // Text with SQL metacharacters and Chinese goes in and out byte for byte.
  const std::string title = "回访'); DELETE FROM crm_task; -- 𠀀";
  auto made = ok("task.create", with(good, {{"title", title}, {"owner", "王小明"}}));
  EXPECT_EQ(made["title"], title);
  EXPECT_EQ(tasks({{"owner", "王小明"}})[0]["title"], title);
}

TEST_F(TaskTest, PlanConfigurationErrorsNameThePath) {
  auto refused = [&](const json &plan, const std::string &path) {
    auto config = configuration();
    config["plans"] = json::array({plan});
    const auto message = client_error(config);
    EXPECT_NE(message.find(path), std::string::npos) << message;
  };
  const json plan = {
      {"id", "p"}, {"stage", "potential"}, {"title", "t"}, {"kind", "once"}, {"within_days", 3}};
  refused(with(plan, {{"class", "gold"}}), "plans[0].class");
  refused(with(plan, {{"stage", "lead"}}), "plans[0].stage");
  refused(with(plan, {{"kind", "daily"}}), "plans[0].kind");
  refused(with(plan, {{"kind", "recurring"}}), "plans[0].within_days");
  refused(with(plan, {{"within_days", -1}}), "plans[0].within_days");
  refused(with(plan, {{"colour", "red"}}), "plans[0].colour");
  refused(with(plan, {{"owner", ""}}), "plans[0].owner");
  refused(with(plan, {{"title", std::string(201, 'x')}}), "plans[0].title");
  json no_title = plan;
  no_title.erase("title");
  refused(no_title, "plans[0].title");
  auto config = configuration();
  config["plans"] = json::array({plan, plan});
  EXPECT_NE(client_error(config).find("plans[1].id"), std::string::npos);
}

TEST_F(TaskTest, ManyCustomersChangingAtOnce) {
  // 620 customers become vip in one classification run: more than one chunk of the listener.
  constexpr int kCount = 620;
  for (int i = 0; i < kCount; ++i)
    customer("商场 " + std::to_string(i), {{"industry", "大型商场"}, {"stage", "potential"}});
  EXPECT_EQ(tasks({{"status", "open"}}).size(), 500u);  // limit 500: nurture tasks so far
  auto run = ok("classification.run");
  EXPECT_EQ(run["changed"], kCount);
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_task WHERE status = 'open' AND plan_id = "
                             "'vip_care'"),
            std::vector<std::string>{std::to_string(kCount)});
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_task WHERE status = 'open'"),
            std::vector<std::string>{std::to_string(2 * kCount)});
  EXPECT_EQ(ok("classification.run")["changed"], 0);
  EXPECT_EQ(database_.column("SELECT COUNT(*) FROM crm_task"),
            std::vector<std::string>{std::to_string(2 * kCount)});
}

}  // namespace
}  // namespace crm::test
