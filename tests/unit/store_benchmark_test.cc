// Throughput figures for the SQLite store. Not a timed assertion: run explicitly with
//   mcpreg_tests --gtest_also_run_disabled_tests --gtest_filter='StoreBenchmark*'
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <vector>

#include "mcpreg/store.h"

namespace mcpreg {
namespace {

constexpr Micros kT0 = 1760000000000000;

Store::Mutator Insert(std::string name, std::string version, const std::string& doc) {
  return [=](ServerRows& rows) {
    ServerRows::Row r;
    r.meta = {name, version, VersionStatus::kActive, kT0, {}, kT0, kT0, rows.rows.empty()};
    r.server_json = doc;
    r.dirty = true;
    rows.rows.push_back(r);
    return Status::OK();
  };
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

TEST(StoreBenchmark, DISABLED_PublishThroughput) {
  auto dir =
      std::filesystem::temp_directory_path() / ("mcpreg-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto opened = OpenSqliteStore((dir / "b.db").string());
  ASSERT_TRUE(opened.ok());
  Store& store = **opened;
  ASSERT_TRUE(store.Migrate(false).ok());
  const std::string doc(1200, 'x');

  constexpr int kSeq = 200;
  auto t = std::chrono::steady_clock::now();
  for (int i = 0; i < kSeq; ++i) {
    ASSERT_TRUE(store
                    .UpdateServer("io.bench/seq" + std::to_string(i),
                                  Insert("io.bench/seq" + std::to_string(i), "1.0.0", doc))
                    .ok());
  }
  std::printf("sequential UpdateServer: %.0f publishes/s\n", kSeq / Seconds(t));

  for (int threads : {8, 32}) {
    constexpr int kPer = 100;
    t = std::chrono::steady_clock::now();
    std::vector<std::thread> ts;
    for (int k = 0; k < threads; ++k) {
      ts.emplace_back([&, k] {
        for (int i = 0; i < kPer; ++i) {
          std::string name = "io.bench/t" + std::to_string(threads) + "-" + std::to_string(k) +
                             "-" + std::to_string(i);
          EXPECT_TRUE(store.UpdateServer(name, Insert(name, "1.0.0", doc)).ok());
        }
      });
    }
    for (auto& th : ts) th.join();
    std::printf("%d threads UpdateServer (group commit): %.0f publishes/s\n", threads,
                threads * kPer / Seconds(t));
  }

  constexpr int kBulk = 10000;
  std::vector<Store::Update> updates;
  for (int i = 0; i < kBulk; ++i) {
    std::string name = "io.bench/bulk" + std::to_string(i / 3);
    updates.push_back({name, Insert(name, "1.0." + std::to_string(i % 3), doc)});
  }
  t = std::chrono::steady_clock::now();
  auto r = store.UpdateServers(updates);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::printf("UpdateServers bulk: %.0f versions/s\n", kBulk / Seconds(t));

  t = std::chrono::steady_clock::now();
  auto all = store.LoadChangesSince(0, 0);
  ASSERT_TRUE(all.ok());
  std::printf("LoadChangesSince(all %zu rows): %.1f ms\n", all->records.size(), Seconds(t) * 1e3);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mcpreg
