#include "core/work_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

namespace mcpreg {
namespace {

TEST(WorkPoolTest, RunsSubmittedWorkOnPoolThreads) {
  WorkPool pool(2, 16);
  std::promise<std::thread::id> ran;
  ASSERT_TRUE(pool.Submit([&] { ran.set_value(std::this_thread::get_id()); }));
  auto f = ran.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_NE(f.get(), std::this_thread::get_id());
}

TEST(WorkPoolTest, RefusesWorkBeyondTheQueueBound) {
  WorkPool pool(1, 2);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::atomic<int> started{0};
  ASSERT_TRUE(pool.Submit([&, gate] { started++; gate.wait(); }));
  while (started == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_TRUE(pool.Submit([] {}));
  EXPECT_TRUE(pool.Submit([] {}));
  EXPECT_FALSE(pool.Submit([] {})) << "a third waiting item exceeds max_queue = 2";
  release.set_value();
}

TEST(WorkPoolTest, StopRunsQueuedWorkThenRefusesMore) {
  std::atomic<int> done{0};
  WorkPool pool(1, 100);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(pool.Submit([&] { done++; }));
  pool.Stop();
  EXPECT_EQ(done.load(), 50);
  EXPECT_FALSE(pool.Submit([] {}));
  pool.Stop();  // idempotent
}

}  // namespace
}  // namespace mcpreg
