// A delegation's window to the microsecond, on each database: the Actor resolution (the one
// place that judges whether a delegation is active) is asked at instants one microsecond apart
// around starts_at, ends_at and an early end, with the rows stored as delegation.create stores
// them (microsecond timestamps).
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "core/config.hpp"
#include "core/logging.hpp"
#include "core/store.hpp"
#include "core/time.hpp"
#include "organisation/directory.hpp"
#include "test_database.hpp"

namespace crm {
namespace {

class DelegationWindow : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = parse_config(database_.client_config_json(), {"organisation"});
    store_.emplace(config_, logging::make_logger(config_.log));
    settings_ = organisation::load_settings(nullptr);
    store_->with_connection([&](db::Connection &connection) {
      for (const char *key : {"a", "c"}) {
        organisation::User user;
        user.user_key = key;
        user.name = std::string("销售 ") + key;
        user.roles = {"sales"};
        user.created_at = user.updated_at = time::to_db_text(kStart);
        user.created_by = user.updated_by = "test";
        organisation::insert_user(connection, user);
      }
    });
  }

  // A delegation from a to c over [starts, ends), ended early at ended when given.
  void delegate(time::Micros starts, time::Micros ends,
                std::optional<time::Micros> ended = std::nullopt) {
    store_->with_connection([&](db::Connection &connection) {
      const auto ts = connection.dialect().timestamp_param();
      connection
          .prepare(
              "INSERT INTO crm_delegation (id, delegator, delegate, starts_at, ends_at, "
              "ended_at, scope, reason, created_at, created_by, ended_by) VALUES (?, 'a', 'c', " +
              ts + ", " + ts + ", " + ts + ", 'everything', '年假', " + ts + ", 'a', ?)")
          .execute({++id_, time::to_db_text(starts), time::to_db_text(ends),
                    ended ? db::Value(time::to_db_text(*ended)) : db::Value(),
                    time::to_db_text(kStart), ended ? db::Value(std::string("a")) : db::Value()});
    });
  }

  // Whether c works a's customers at instant at.
  bool covers(time::Micros at) {
    const Actor actor = organisation::resolve(*store_, settings_, "c", at);
    const bool sees = actor.may_own("a");
    EXPECT_EQ(sees, actor.acts_for("a")) << "seeing and acting for go together";
    return sees;
  }

  // 2026-03-01 08:00:00.123456 UTC: a fraction that a millisecond column would lose.
  static constexpr time::Micros kStart = 1'772'352'000'123'456;
  static constexpr time::Micros kHour = 3'600'000'000;

  test::TestDatabase database_;
  Config config_;
  std::optional<Store> store_;
  organisation::Settings settings_;
  std::int64_t id_ = 0;
};

TEST_F(DelegationWindow, StartsAtStartsAtAndEndsAtEndsAtToTheMicrosecond) {
  const time::Micros starts = kStart, ends = kStart + 8 * kHour;
  delegate(starts, ends);
  EXPECT_FALSE(covers(starts - 1)) << "one microsecond before the window";
  EXPECT_TRUE(covers(starts)) << "the window includes its start";
  EXPECT_TRUE(covers(ends - 1)) << "the last microsecond of the window";
  EXPECT_FALSE(covers(ends)) << "the window excludes its end";
}

TEST_F(DelegationWindow, AnEarlyEndEndsItAtThatMicrosecond) {
  const time::Micros starts = kStart, ends = kStart + 8 * kHour, ended = kStart + kHour + 7;
  delegate(starts, ends, ended);
  EXPECT_TRUE(covers(ended - 1));
  EXPECT_FALSE(covers(ended));
  EXPECT_FALSE(covers(ends - 1)) << "still inside the planned window, but ended";
}

TEST_F(DelegationWindow, BackToBackWindowsLeaveNoGapAndNoOverlap) {
  const time::Micros first_end = kStart + kHour;
  delegate(kStart, first_end);
  delegate(first_end, first_end + kHour);
  EXPECT_TRUE(covers(first_end - 1));
  EXPECT_TRUE(covers(first_end)) << "the second window starts where the first ends";
  EXPECT_FALSE(covers(first_end + kHour));
  const Actor actor = organisation::resolve(*store_, settings_, "c", first_end);
  EXPECT_EQ(actor.acting_for, std::vector<std::string>{"a"}) << "once, not once per window";
}

}  // namespace
}  // namespace crm
