// app::Refresher (issue 10): catch-up driven by Store::WaitForChange. A versions notification
// refreshes the catalog at once without reloading governance every time; a governance
// notification refreshes governance at once; a backend that cannot tell (SQLite: 0 after the
// wait) gets both about once a second; Stop() is prompt.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "app/refresher.h"
#include "catalog/catalog.h"
#include "integration/server_process.h"
#include "mcpreg/clock.h"
#include "service/governance_service.h"
#include "service/registry_service.h"
#include "testing/delegating_store.h"

namespace mcpreg::app {
namespace {

using namespace std::chrono_literals;

// Counts the reads each refresh makes and answers WaitForChange with `bits` after `delay`
// (bits 0: sleeps the whole timeout, as SQLite does).
class NotifyingStore final : public testing::DelegatingStore {
 public:
  NotifyingStore(std::unique_ptr<Store> inner, unsigned bits, std::chrono::milliseconds delay)
      : DelegatingStore(std::move(inner)), bits_(bits), delay_(delay) {}

  unsigned WaitForChange(std::chrono::milliseconds timeout) override {
    std::this_thread::sleep_for(bits_ == 0 ? timeout : delay_);
    return bits_;
  }
  Result<ChangeBatch> LoadChangesSince(int64_t after_seq, size_t max) override {
    ++catalog_reads;
    return DelegatingStore::LoadChangesSince(after_seq, max);
  }
  Result<std::vector<ServerRequest>> ListRequests(std::string_view state) override {
    ++governance_reads;
    return DelegatingStore::ListRequests(state);
  }

  std::atomic<int> catalog_reads{0};
  std::atomic<int> governance_reads{0};

 private:
  unsigned bits_;
  std::chrono::milliseconds delay_;
};

class RefresherTest : public ::testing::Test {
 protected:
  void Open(unsigned bits) {
    dir_ = testing::TempDir();
    auto sqlite = OpenSqliteStore(dir_ + "/registry.db");
    ASSERT_TRUE(sqlite.ok());
    ASSERT_TRUE((*sqlite)->Migrate(false).ok());
    store_ = std::make_unique<NotifyingStore>(std::move(*sqlite), bits, 5ms);
    registry_ = std::make_unique<service::RegistryService>(*store_, catalog_,
                                                           SystemClock::Instance());
    governance_ = std::make_unique<service::GovernanceService>(
        *store_, *registry_, SystemClock::Instance(), std::vector<std::string>{});
    ASSERT_TRUE(governance_->Start().ok());
    store_->catalog_reads = 0;
    store_->governance_reads = 0;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string dir_;
  catalog::Catalog catalog_;
  std::unique_ptr<NotifyingStore> store_;
  std::unique_ptr<service::RegistryService> registry_;
  std::unique_ptr<service::GovernanceService> governance_;
};

TEST_F(RefresherTest, VersionNotificationsRefreshTheCatalogNotGovernanceEachTime) {
  Open(Store::kVersionsChanged);
  {
    Refresher r(*store_, *registry_, governance_.get());
    std::this_thread::sleep_for(600ms);
  }
  EXPECT_GE(store_->catalog_reads, 10);
  EXPECT_LE(store_->governance_reads, 1);  // its once-a-second turn, not one per notification
}

TEST_F(RefresherTest, GovernanceNotificationsRefreshGovernanceAtOnce) {
  Open(Store::kGovernanceChanged);
  {
    Refresher r(*store_, *registry_, governance_.get());
    std::this_thread::sleep_for(600ms);
  }
  EXPECT_GE(store_->governance_reads, 10);
  EXPECT_LE(store_->catalog_reads, 1);
}

TEST_F(RefresherTest, WithoutNotificationsBothRefreshAboutOnceASecondAndStopIsPrompt) {
  Open(0);
  Refresher r(*store_, *registry_, governance_.get());
  std::this_thread::sleep_for(2500ms);
  auto t0 = std::chrono::steady_clock::now();
  r.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 500ms);
  EXPECT_GE(store_->catalog_reads, 1);  // at about 1 s and 2 s (later under load)
  EXPECT_LE(store_->catalog_reads, 3);
  EXPECT_GE(store_->governance_reads, 1);
  EXPECT_LE(store_->governance_reads, 3);
}

}  // namespace
}  // namespace mcpreg::app
