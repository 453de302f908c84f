// app::OpenRegistry and its helpers (issue 10): brand-new = no migration applied; kMustExist
// never creates a database; demo seeding only into a brand-new one; the registry key from a
// file next to a SQLite database or shared through the database; feed bytes where the store
// says.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <mutex>

#include "app/registry.h"
#include "auth/registry_token.h"
#include "core/sha256.h"
#include "integration/server_process.h"
#include "testing/blob_holding_store.h"

namespace mcpreg::app {
namespace {

namespace fs = std::filesystem;

class AppRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::TempDir(); }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

TEST_F(AppRegistryTest, MustExistRefusesAMissingSqliteFileWithoutCreatingIt) {
  const std::string db = dir_ + "/missing.db";
  auto reg = OpenRegistryAt(db, MigratePolicy::kMustExist);
  ASSERT_FALSE(reg.ok());
  EXPECT_TRUE(reg.status().IsNotFound());
  EXPECT_EQ(reg.status().message(), "no database at " + db);
  EXPECT_FALSE(fs::exists(db));
}

TEST_F(AppRegistryTest, BrandNewDatabaseIsMigratedAndSeededOnceThenOpensAsExisting) {
  RegistryOptions o;
  o.location = dir_ + "/r.db";
  o.seed_demo = true;
  auto first = OpenRegistry(o);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->created);
  const size_t seeded = first->catalog->size();
  EXPECT_GT(seeded, 0u);
  first = Status::Internal("closed");  // close before reopening

  auto again = OpenRegistry(o);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->catalog->size(), seeded);  // not seeded twice
  auto existing = OpenRegistryAt(o.location, MigratePolicy::kMustExist);
  ASSERT_TRUE(existing.ok()) << existing.status().ToString();
  EXPECT_EQ(existing->catalog->size(), seeded);
}

TEST_F(AppRegistryTest, EmptyExistingFileCountsAsBrandNew) {
  const std::string db = dir_ + "/empty.db";
  { auto s = OpenSqliteStore(db); ASSERT_TRUE(s.ok()); }  // a file, no migration applied
  ASSERT_TRUE(fs::exists(db));
  auto must = OpenRegistryAt(db, MigratePolicy::kMustExist);
  EXPECT_TRUE(must.status().IsNotFound()) << must.status().ToString();
  auto current = OpenRegistryAt(db, MigratePolicy::kRequireCurrent);
  EXPECT_EQ(current.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(current.status().message().find("pending on " + db + ": run `mcpreg migrate --db " +
                                            db + "`"),
            std::string::npos)
      << current.status().message();
  auto created = OpenRegistryAt(db, MigratePolicy::kApplyIfNew);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_TRUE(created->created);
  EXPECT_EQ(created->catalog->size(), 0u);  // seeding only when asked
}

TEST_F(AppRegistryTest, SqliteRegistryKeyLivesNextToTheDatabaseUnlessConfigured) {
  auto reg = OpenRegistryAt(dir_ + "/r.db", MigratePolicy::kApplyIfNew);
  ASSERT_TRUE(reg.ok());
  auto key = LoadRegistryKey(*reg);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  ASSERT_TRUE(fs::exists(dir_ + "/registry.key"));
  struct stat st;
  ASSERT_EQ(stat((dir_ + "/registry.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u);
  EXPECT_EQ(LoadRegistryKey(*reg)->PublicJwk(), key->PublicJwk());  // loaded, not replaced

  reg->options.registry_key_file = dir_ + "/elsewhere.key";
  auto configured = LoadRegistryKey(*reg);
  ASSERT_TRUE(configured.ok());
  EXPECT_TRUE(fs::exists(dir_ + "/elsewhere.key"));
  EXPECT_NE(configured->PublicJwk(), key->PublicJwk());
}

// Settings kept in memory, first writer wins (the Store contract of GetOrPutSetting).
class SettingsStore final : public testing::DelegatingStore {
 public:
  using DelegatingStore::DelegatingStore;
  Result<std::string> GetOrPutSetting(std::string_view key, std::string_view value) override {
    std::lock_guard lock(mu_);
    return settings_.emplace(std::string(key), std::string(value)).first->second;
  }
  void Set(const std::string& key, const std::string& value) {
    std::lock_guard lock(mu_);
    settings_[key] = value;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::string> settings_;
};

TEST_F(AppRegistryTest, SharedRegistryKeyIsCreatedOnceAndEveryProcessGetsTheSame) {
  auto sqlite = OpenSqliteStore(dir_ + "/r.db");
  ASSERT_TRUE(sqlite.ok());
  SettingsStore store(std::move(*sqlite));
  auto first = LoadSharedRegistryKey(store);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = LoadSharedRegistryKey(store);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first->PublicJwk(), second->PublicJwk());
  auto stored = store.GetOrPutSetting("registry_key", "ignored");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->size(), 64u);  // the key file's format: 64 hex characters
  EXPECT_EQ(auth::RegistryKeyFromHex(*stored, "x")->PublicJwk(), first->PublicJwk());

  store.Set("registry_key", "not a key");
  auto bad = LoadSharedRegistryKey(store);
  EXPECT_EQ(bad.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(bad.status().message().find("must hold 64 hex characters"), std::string::npos);
}

TEST_F(AppRegistryTest, SqliteKeepsFeedBytesInTheFeedDirectory) {
  auto reg = OpenRegistryAt(dir_ + "/r.db", MigratePolicy::kApplyIfNew);
  ASSERT_TRUE(reg.ok());
  auto blobs = OpenFeedBlobs(*reg);
  ASSERT_TRUE(blobs.ok()) << blobs.status().ToString();
  EXPECT_TRUE(fs::is_directory(dir_ + "/feed/sha256"));
  ASSERT_TRUE((*blobs)->Put("x", Sha256Hex("x")).ok());
  EXPECT_TRUE(fs::exists(dir_ + "/feed/sha256/" + Sha256Hex("x").substr(0, 2) + "/" +
                         Sha256Hex("x")));
}

TEST_F(AppRegistryTest, AStoreThatHoldsBlobsGetsTheFeedBytes) {
  auto reg = OpenRegistryAt(dir_ + "/r.db", MigratePolicy::kApplyIfNew);
  ASSERT_TRUE(reg.ok());
  reg->service.reset();  // only the store is exercised below
  auto* holding = new testing::BlobHoldingStore(std::move(reg->store));
  reg->store.reset(holding);
  auto blobs = OpenFeedBlobs(*reg);
  ASSERT_TRUE(blobs.ok()) << blobs.status().ToString();
  ASSERT_TRUE((*blobs)->Put("x", Sha256Hex("x")).ok());
  EXPECT_EQ(holding->puts(), 1u);
  EXPECT_FALSE(fs::exists(dir_ + "/feed"));
}

}  // namespace
}  // namespace mcpreg::app
