// PostgreSQL catch-up ordering: seqs are handed out in one order and could commit in another;
// the store must never let a replica's catch-up skip a row. These tests provoke the out-of-order
// case on purpose against a real PostgreSQL (tests/support/pg_test_db.h).
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "catalog/catalog.h"
#include "mcpreg/store.h"
#include "store/postgres/pg_conn.h"
#include "support/pg_test_db.h"

namespace mcpreg {
namespace {

using store::pg::PgConn;

std::string Doc(const std::string& name, const std::string& version) {
  return "{\"name\":\"" + name + "\",\"description\":\"d\",\"version\":\"" + version + "\"}";
}

// A mutator that adds `version` as the new latest of its name.
Store::Mutator AddVersion(std::string version) {
  return [version](ServerRows& rows) -> Status {
    if (rows.Find(version)) return Status::AlreadyExists("duplicate " + version);
    for (auto& r : rows.rows)
      if (r.meta.is_latest) {
        r.meta.is_latest = false;
        r.dirty = true;
      }
    ServerRows::Row row;
    row.meta.name = rows.name;
    row.meta.version = version;
    row.meta.published_at = row.meta.updated_at = row.meta.status_changed_at = 1'000'000;
    row.meta.is_latest = true;
    row.server_json = Doc(rows.name, version);
    row.dirty = true;
    rows.rows.push_back(std::move(row));
    return Status::OK();
  };
}

class PostgresOrderingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    uri_ = testing::CreateTestDatabase("ordering");
    auto a = OpenPostgresStore(uri_);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    a_ = std::move(*a);
    ASSERT_TRUE(a_->Migrate(false).ok());
    auto b = OpenPostgresStore(uri_);
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    b_ = std::move(*b);
  }
  void TearDown() override {
    a_.reset();
    b_.reset();
    testing::DropTestDatabase(uri_);
  }
  std::string uri_;
  std::unique_ptr<Store> a_, b_;
};

// A writer that took the next seq and has not committed (a raw transaction standing in for a
// replica stalled between numbering its row and COMMIT) must hold back every later writer: the
// later write commits after it, and a reader refreshing in between sees neither.
TEST_F(PostgresOrderingTest, LaterWriterCannotCommitPastAnUncommittedSeq) {
  catalog::Catalog reader;
  ASSERT_TRUE(catalog::Refresh(*b_, reader).ok());
  int64_t start = reader.last_seq();

  auto raw = PgConn::Connect(uri_, std::chrono::seconds(3), std::chrono::seconds(30));
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  PgConn& c = **raw;
  ASSERT_TRUE(c.ExecScript("BEGIN").ok());
  auto head = c.Exec("SELECT seq FROM store_head WHERE id = 1 FOR UPDATE");
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  int64_t slow_seq = head->Int(0, 0) + 1;
  ASSERT_TRUE(c.Exec("INSERT INTO server_versions (server_name, version, status, "
                     "status_changed_at, published_at, updated_at, is_latest, value, seq) "
                     "VALUES ('com.test/slow', '1.0.0', 'active', 1, 1, 1, true, $1, $2)",
                     {Doc("com.test/slow", "1.0.0"), slow_seq})
                  .ok());
  ASSERT_TRUE(c.Exec("UPDATE store_head SET seq = $1 WHERE id = 1", {slow_seq}).ok());

  // Replica A writes meanwhile: it must wait, not commit a higher seq first.
  auto fast = std::async(std::launch::async,
                         [&] { return a_->UpdateServer("com.test/fast", AddVersion("1.0.0")); });
  EXPECT_EQ(fast.wait_for(std::chrono::milliseconds(500)), std::future_status::timeout)
      << "a later write committed while a lower seq was still open";
  ASSERT_TRUE(catalog::Refresh(*b_, reader).ok());
  EXPECT_EQ(reader.last_seq(), start) << "the reader moved past an uncommitted seq";
  EXPECT_EQ(reader.Get("com.test/fast", "1.0.0", false), nullptr);

  ASSERT_TRUE(c.ExecScript("COMMIT").ok());
  auto written = fast.get();
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  ASSERT_EQ(written->size(), 1u);
  EXPECT_EQ((*written)[0].seq, slow_seq + 1);

  ASSERT_TRUE(catalog::Refresh(*b_, reader).ok());
  EXPECT_NE(reader.Get("com.test/slow", "1.0.0", false), nullptr);
  EXPECT_NE(reader.Get("com.test/fast", "1.0.0", false), nullptr);
  EXPECT_EQ(reader.last_seq(), slow_seq + 1);
}

// Many writers on two replicas while a third catalog refreshes continuously: after the last
// refresh it holds exactly what a full load holds. A catch-up that skipped a row committed
// out of order would leave it missing for good (the watermark never goes back).
TEST_F(PostgresOrderingTest, ContinuousCatchUpUnderConcurrentWritersMissesNothing) {
  auto c_store = OpenPostgresStore(uri_);
  ASSERT_TRUE(c_store.ok());
  catalog::Catalog live;
  std::atomic<bool> done{false};
  std::thread refresher([&] {
    while (!done.load()) {
      Status st = catalog::Refresh(**c_store, live);
      if (!st.ok()) {
        ADD_FAILURE() << st.ToString();
        return;
      }
    }
  });
  constexpr int kThreadsPerReplica = 4, kPerThread = 40;
  std::vector<std::thread> writers;
  std::atomic<int> ok{0};
  for (Store* s : {a_.get(), b_.get()})
    for (int t = 0; t < kThreadsPerReplica; ++t)
      writers.emplace_back([&, s, t] {
        for (int i = 0; i < kPerThread; ++i) {
          // A few names shared by every writer (contention on one name) and some of their own.
          std::string name = "com.test/n" + std::to_string((t + i) % 3);
          std::string version = std::to_string(reinterpret_cast<uintptr_t>(s) % 9973) + "." +
                                std::to_string(t) + "." + std::to_string(i);
          if (s->UpdateServer(name, AddVersion(version)).ok()) ++ok;
        }
      });
  for (auto& w : writers) w.join();
  done = true;
  refresher.join();
  ASSERT_TRUE(catalog::Refresh(**c_store, live).ok());
  EXPECT_EQ(ok.load(), 2 * kThreadsPerReplica * kPerThread);

  catalog::Catalog full;
  ASSERT_TRUE(catalog::Refresh(*a_, full).ok());
  EXPECT_EQ(live.size(), full.size());
  EXPECT_EQ(live.last_seq(), full.last_seq());
  for (int n = 0; n < 3; ++n) {
    std::string name = "com.test/n" + std::to_string(n);
    auto lv = live.Versions(name, true, true);
    auto fv = full.Versions(name, true, true);
    ASSERT_EQ(lv.size(), fv.size()) << name;
    int latest = 0;
    for (size_t i = 0; i < lv.size(); ++i) {
      EXPECT_EQ(lv[i]->meta.version, fv[i]->meta.version);
      EXPECT_EQ(lv[i]->seq, fv[i]->seq);
      EXPECT_EQ(lv[i]->meta.is_latest, fv[i]->meta.is_latest);
      latest += lv[i]->meta.is_latest ? 1 : 0;
    }
    EXPECT_EQ(latest, 1) << name;
  }
}

// LISTEN/NOTIFY: a write on one replica wakes WaitForChange on another promptly.
TEST_F(PostgresOrderingTest, WriteOnOneReplicaWakesTheOther) {
  // Drain the wake-up every store signals when its watcher connects.
  (void)b_->WaitForChange(std::chrono::milliseconds(300));
  (void)b_->WaitForChange(std::chrono::milliseconds(50));
  auto waiter = std::async(std::launch::async,
                           [&] { return b_->WaitForChange(std::chrono::seconds(5)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(a_->UpdateServer("com.test/wake", AddVersion("1.0.0")).ok());
  unsigned bits = waiter.get();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - t0).count();
  EXPECT_TRUE(bits & Store::kVersionsChanged) << bits;
  EXPECT_LT(ms, 1000);
  EXPECT_TRUE(b_->Health().ok());
}

}  // namespace
}  // namespace mcpreg
