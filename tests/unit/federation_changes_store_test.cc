// The change feed over a real store, on both backends (…/sqlite, …/postgres): paging with
// tokens in commit order, entries that are not changes skipped but still advancing `next`,
// the visibility rule, long-poll completion and bounds, and the webhook delivery state rows
// (migration 0007 on SQLite, 0004 on PostgreSQL).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>

#include "federation/changes.h"
#include "federation/webhooks.h"
#include "integration/server_process.h"
#include "mcpreg/store.h"
#include "support/backend.h"

namespace mcpreg::federation {
namespace {

using testing::Backend;

class ChangeFeedStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    std::string dir = testing::TempDir();
    auto s = OpenStore(testing::NewDbLocation(GetParam(), dir, "changes"));
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(*s);
    auto m = store_->Migrate(false);
    ASSERT_TRUE(m.ok()) << m.status().message();
  }

  int64_t Append(std::string action, std::string resource, std::string details) {
    auto r = store_->AppendAudit({1700000000LL * 1000000, "cli:test", std::move(action),
                                  std::move(resource), std::move(details)});
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? r->seq : -1;
  }

  // Publishes through UpdateServer, so the audit entry is written with the row (as the service
  // does).
  int64_t Publish(const std::string& name, const std::string& version) {
    auto w = store_->UpdateServer(name, [&](ServerRows& rows) {
      ServerRows::Row row;
      row.meta.name = name;
      row.meta.version = version;
      row.meta.published_at = row.meta.updated_at = row.meta.status_changed_at = 1;
      row.server_json = R"({"name":")" + name + R"(","version":")" + version + R"("})";
      row.dirty = true;
      rows.rows.push_back(std::move(row));
      rows.audit.push_back({2, "cli:test", "publish", name, R"({"version":")" + version + R"("})"});
      return Status::OK();
    });
    EXPECT_TRUE(w.ok()) << w.status().message();
    auto all = store_->ListAudit(name, 0, 0);
    return all.ok() && !all->empty() ? all->back().seq : -1;
  }

  std::unique_ptr<Store> store_;
};

TEST_P(ChangeFeedStoreTest, PagesInCommitOrderSkippingNonChanges) {
  int64_t a = Publish("com.acme/a", "1.0.0");
  Append("grant", "grant:x#y", "{}");  // not a change
  int64_t b = Publish("com.acme/b", "1.0.0");
  int64_t s = Append("status", "com.acme/a", R"({"version":"1.0.0","status":"deprecated"})");
  int64_t tail = Append("upload", "com.acme/a", "{}");  // not a change, last entry

  auto first = ReadChanges(*store_, 0, 2, nullptr);
  ASSERT_TRUE(first.ok()) << first.status().message();
  ASSERT_EQ(first->changes.size(), 2u);
  EXPECT_EQ(first->changes[0].seq, a);
  EXPECT_EQ(first->changes[0].name, "com.acme/a");
  EXPECT_EQ(first->changes[1].seq, b);
  EXPECT_EQ(first->next, b) << "a full page resumes after its last change";

  auto second = ReadChanges(*store_, first->next, 2, nullptr);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->changes.size(), 1u);
  EXPECT_EQ(second->changes[0].seq, s);
  EXPECT_EQ(second->changes[0].type, ChangeType::kStatus);
  EXPECT_EQ(second->next, tail) << "entries that are not changes still move the reader on";

  auto empty = ReadChanges(*store_, second->next, 2, nullptr);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->changes.empty());
  EXPECT_EQ(empty->next, tail) << "nothing new: the same position again";

  auto head = LatestChangeSeq(*store_);
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(*head, tail);
}

TEST_P(ChangeFeedStoreTest, VisibilityRuleFiltersPublicReads) {
  Publish("com.acme/hidden", "1.0.0");
  int64_t shown = Publish("com.acme/shown", "1.0.0");
  ChangeFeed feed(*store_, [](const Change& c) { return c.name != "com.acme/hidden"; });
  auto pub = feed.Read(0, 10);
  ASSERT_TRUE(pub.ok());
  ASSERT_EQ(pub->changes.size(), 1u);
  EXPECT_EQ(pub->changes[0].seq, shown);
  auto all = feed.Read(0, 10, /*all=*/true);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->changes.size(), 2u);
  // A hidden change committed after the hold time may only be hidden because the catalog has
  // not caught up: the page stops before it instead of skipping it for good.
  auto held = ReadChanges(*store_, 0, 10, [](const Change& c) { return c.name != "com.acme/hidden"; },
                          /*hold_hidden_from=*/1);
  ASSERT_TRUE(held.ok());
  EXPECT_TRUE(held->changes.empty());
  EXPECT_EQ(held->next, 0);
}

TEST_P(ChangeFeedStoreTest, LongPollCompletesSoonAfterAChange) {
  ChangeFeed feed(*store_, nullptr, {.max_waiters = 4, .poll = std::chrono::milliseconds(50)});
  auto start = feed.Read(0, 10);
  ASSERT_TRUE(start.ok());
  std::promise<ChangePage> got;
  ASSERT_TRUE(feed.Wait(start->next, 10, std::chrono::seconds(10),
                        [&got](Result<ChangePage> r) { got.set_value(r.ok() ? *r : ChangePage{}); })
                  .ok());
  EXPECT_EQ(feed.waiters(), 1u);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto t0 = std::chrono::steady_clock::now();
  int64_t seq = Publish("com.acme/late", "2.0.0");
  auto fut = got.get_future();
  ASSERT_EQ(fut.wait_for(std::chrono::seconds(2)), std::future_status::ready);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  ChangePage page = fut.get();
  ASSERT_EQ(page.changes.size(), 1u);
  EXPECT_EQ(page.changes[0].seq, seq);
  EXPECT_LT(ms, 1000);
  EXPECT_EQ(feed.waiters(), 0u);
}

TEST_P(ChangeFeedStoreTest, LongPollsAreBoundedAndEndAtTheirDeadlineOrStop) {
  ChangeFeed feed(*store_, nullptr, {.max_waiters = 2, .poll = std::chrono::milliseconds(50)});
  std::atomic<int> done{0};
  auto count = [&done](Result<ChangePage> r) {
    EXPECT_TRUE(r.ok() && r->changes.empty());
    ++done;
  };
  ASSERT_TRUE(feed.Wait(0, 10, std::chrono::milliseconds(100), count).ok());
  ASSERT_TRUE(feed.Wait(0, 10, std::chrono::seconds(30), count).ok());
  Status third = feed.Wait(0, 10, std::chrono::seconds(30), count);
  EXPECT_EQ(third.code(), Code::kResourceExhausted) << third.message();
  for (int i = 0; i < 40 && done < 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  EXPECT_EQ(done.load(), 1) << "the short wait ended at its deadline, empty";
  feed.Stop();
  EXPECT_EQ(done.load(), 2) << "Stop answers the remaining waiter";
  EXPECT_EQ(feed.Wait(0, 10, std::chrono::seconds(1), count).code(), Code::kFailedPrecondition);
}

TEST_P(ChangeFeedStoreTest, WebhookDeliveryStateRoundTrips) {
  auto none = store_->ListWebhookDeliveries();
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_TRUE(none->empty());
  Store::WebhookDelivery d;
  d.url = "http://127.0.0.1:1/b";
  d.cursor = 7;
  d.attempts = 3;
  d.last_status = 503;
  d.last_error = "change 8: HTTP 503";
  d.next_attempt_at = 123456;
  d.first_failure_at = 100000;
  d.abandoned = 1;
  d.updated_at = 99;
  ASSERT_TRUE(store_->PutWebhookDelivery(d).ok());
  Store::WebhookDelivery a = d;
  a.url = "http://127.0.0.1:1/a";
  ASSERT_TRUE(store_->PutWebhookDelivery(a).ok());
  d.cursor = 8;
  d.attempts = 0;
  d.last_error = "";
  ASSERT_TRUE(store_->PutWebhookDelivery(d).ok()) << "a second put replaces";
  auto got = store_->ListWebhookDeliveries();
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].url, a.url) << "ordered by url";
  EXPECT_EQ((*got)[1].cursor, 8);
  EXPECT_EQ((*got)[1].attempts, 0);
  EXPECT_EQ((*got)[1].last_status, 503);
  EXPECT_EQ((*got)[1].last_error, "");
  EXPECT_EQ((*got)[1].next_attempt_at, 123456);
  EXPECT_EQ((*got)[1].first_failure_at, 100000);
  EXPECT_EQ((*got)[1].abandoned, 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, ChangeFeedStoreTest, testing::AllBackends(),
                         testing::BackendParamName());

}  // namespace
}  // namespace mcpreg::federation
