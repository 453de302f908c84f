// Catch-up of the in-memory catalog with writes from several processes on one
// SQLite file (issue 9 item 15): a process's own write must never move the
// catch-up watermark past rows other processes committed and it has not loaded
// yet. Two SqliteStore instances on one file stand in for two processes
// (separate connections, the same locking as across processes).
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <set>
#include <thread>

#include "catalog/catalog.h"
#include "mcpreg/store.h"

namespace mcpreg::catalog {
namespace {

constexpr Micros kT0 = 1760000000000000;

class CatalogCatchUpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("mcpreg-catchup-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::string db = (dir_ / "r.db").string();
    auto a = OpenSqliteStore(db);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    ASSERT_TRUE((*a)->Migrate(false).ok());
    auto b = OpenSqliteStore(db);
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    a_ = std::move(*a);
    b_ = std::move(*b);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Publishes name@1.0.0 through `store`; returns the written rows.
  static std::vector<VersionRecord> Publish(Store &store, const std::string &name) {
    auto w = store.UpdateServer(name, [&](ServerRows &rows) {
      ServerRows::Row r;
      r.meta = {name, "1.0.0", VersionStatus::kActive, kT0, {}, kT0, kT0, true};
      r.server_json = R"({"name":")" + name + R"(","description":"d","version":"1.0.0"})";
      r.dirty = true;
      rows.rows.push_back(r);
      return Status::OK();
    });
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return w.ok() ? *w : std::vector<VersionRecord>{};
  }
  // Every name the store holds, and the names `cat` lists.
  std::set<std::string> StoreNames() {
    auto all = a_->LoadChangesSince(0, 0);
    EXPECT_TRUE(all.ok());
    std::set<std::string> out;
    for (const auto &r : all->records) out.insert(r.meta.name);
    return out;
  }
  static std::set<std::string> CatalogNames(const Catalog &cat) {
    ListQuery q;
    q.limit = 1000000;
    q.include_deleted = true;
    std::set<std::string> out;
    for (const auto &e : cat.List(q).items) out.insert(e->meta.name);
    return out;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> a_,
      b_;  // "process A" (owns the catalog) and "process B"
};

TEST_F(CatalogCatchUpTest, OwnWriteAfterAnotherProcessCommitDoesNotSkipThatRow) {
  Catalog cat;  // process A's catalog
  ASSERT_TRUE(Refresh(*a_, cat).ok());
  Publish(*b_, "io.b/first");           // seq 1, committed by B, not loaded by A
  cat.Apply(Publish(*a_, "io.a/own"));  // seq 2, A's own write
  EXPECT_NE(cat.Get("io.a/own", "1.0.0", false), nullptr) << "own write visible at once";
  EXPECT_EQ(cat.last_seq(), 0) << "watermark must stay below B's unloaded row";
  ASSERT_TRUE(Refresh(*a_, cat).ok());
  EXPECT_NE(cat.Get("io.b/first", "1.0.0", false), nullptr) << "B's row was skipped";
  EXPECT_EQ(cat.last_seq(), 2);
}

TEST_F(CatalogCatchUpTest, RandomInterleavingsNeverLoseACommittedRow) {
  std::mt19937 rng(1234);
  for (int round = 0; round < 20; ++round) {
    Catalog cat;
    ASSERT_TRUE(Refresh(*a_, cat).ok());
    for (int step = 0; step < 40; ++step) {
      std::string name = "io.r" + std::to_string(round) + "/s" + std::to_string(step);
      switch (rng() % 3) {
        case 0:
          cat.Apply(Publish(*a_, name));
          break;  // own write
        case 1:
          Publish(*b_, name);
          break;  // other process
        case 2:
          ASSERT_TRUE(Refresh(*a_, cat).ok());
          break;
      }
    }
    ASSERT_TRUE(Refresh(*a_, cat).ok());
    EXPECT_EQ(CatalogNames(cat), StoreNames()) << "round " << round;
  }
}

TEST_F(CatalogCatchUpTest, ConcurrentWritersAndRefreshesConverge) {
  Catalog cat;
  ASSERT_TRUE(Refresh(*a_, cat).ok());
  std::atomic<bool> stop{false};
  std::thread refresher([&] {
    while (!stop.load()) EXPECT_TRUE(Refresh(*a_, cat).ok());
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 40; ++i) {
        std::string name = "io.c/t" + std::to_string(t) + "-" + std::to_string(i);
        if (t % 2 == 0) {
          cat.Apply(Publish(*a_, name));
        } else {
          Publish(*b_, name);
        }
      }
    });
  }
  for (auto &w : writers) w.join();
  stop = true;
  refresher.join();
  ASSERT_TRUE(Refresh(*a_, cat).ok());
  EXPECT_EQ(CatalogNames(cat).size(), 160u);
  EXPECT_EQ(CatalogNames(cat), StoreNames());
  EXPECT_EQ(cat.last_seq(), *a_->MaxSeq());
}

// The watermark bookkeeping alone: own seqs out of order, a refresh batch
// closing the gap.
TEST(CatalogWatermarkTest, OwnSeqsJoinTheWatermarkOnlyWhenContiguous) {
  auto rec = [](const std::string &name, int64_t seq) {
    VersionRecord r;
    r.meta = {name, "1.0.0", VersionStatus::kActive, kT0, {}, kT0, kT0, true};
    r.server_json = R"({"name":")" + name + R"("})";
    r.seq = seq;
    return r;
  };
  Catalog cat;
  cat.Apply({rec("io.x/c", 3)});
  cat.Apply({rec("io.x/e", 5)});
  EXPECT_EQ(cat.last_seq(), 0);
  cat.Apply({rec("io.x/b", 2)});
  EXPECT_EQ(cat.last_seq(), 0);  // seq 1 still unknown
  ChangeBatch batch;
  batch.records = {rec("io.x/a", 1), rec("io.x/b", 2), rec("io.x/c", 3)};
  batch.last_seq = 3;
  cat.ApplyChanges(0, batch);
  EXPECT_EQ(cat.last_seq(), 3);  // 4 unknown, 5 ahead
  cat.Apply({rec("io.x/d", 4)});
  EXPECT_EQ(cat.last_seq(), 5);
  EXPECT_EQ(cat.size(), 5u);
  // A batch that does not start at the watermark leaves a hole: it must not
  // advance.
  ChangeBatch later;
  later.records = {rec("io.x/g", 7)};
  later.last_seq = 7;
  cat.ApplyChanges(6, later);
  EXPECT_EQ(cat.last_seq(), 5);
}

}  // namespace
}  // namespace mcpreg::catalog
