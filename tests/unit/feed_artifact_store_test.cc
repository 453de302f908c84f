#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "feed/artifact_store.h"
#include "integration/server_process.h"

namespace mcpreg::feed {
namespace {

TEST(ArtifactStoreTest, PutVerifiesDigestAndReadsBackRanges) {
  std::string dir = testing::TempDir();
  auto store = ArtifactStore::Open(dir + "/feed");
  ASSERT_TRUE(store.ok());
  std::string data = "hello mcpb bundle";
  std::string sha = Sha256Hex(data);
  auto put = store->Put(data, sha);
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_EQ(*put, sha);
  EXPECT_TRUE(store->Put(data, sha).ok());  // idempotent
  auto info = store->Stat(sha);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->size, data.size());
  EXPECT_EQ(*store->Read(sha, 6, 4), "mcpb");
  std::filesystem::remove_all(dir);
}

TEST(ArtifactStoreTest, MismatchAndMalformedDigestsAreRejectedAndStoreNothing) {
  std::string dir = testing::TempDir();
  auto store = ArtifactStore::Open(dir);
  ASSERT_TRUE(store.ok());
  std::string other = Sha256Hex("other");
  auto r = store->Put("payload", other);
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_NE(r.status().message().find("digest mismatch"), std::string::npos);
  EXPECT_TRUE(store->Stat(other).status().IsNotFound());
  EXPECT_TRUE(store->Put("x", "../../etc/passwd").status().IsInvalidArgument());
  EXPECT_TRUE(store->Stat("../../etc/passwd").status().IsInvalidArgument());
  EXPECT_TRUE(store->Stat(std::string(64, 'A')).status().IsInvalidArgument());  // uppercase
  std::filesystem::remove_all(dir);
}

// Issue 9 item 14: a crash between creating a temp file and renaming it leaves an orphan; the
// next Open() removes it, but never a file a live writer (holding its lock) is still writing,
// nor anything that does not have the temp name shape.
TEST(ArtifactStoreTest, OpenRemovesOrphanTempFilesButNotLiveOnesOrForeignFiles) {
  namespace fs = std::filesystem;
  std::string dir = testing::TempDir() + "/feed";
  std::string blob = "the finished blob";
  std::string sha = Sha256Hex(blob);
  {
    auto first = ArtifactStore::Open(dir);
    ASSERT_TRUE(first.ok());
    ASSERT_TRUE(first->Put(blob, sha).ok());
  }
  std::string sub = dir + "/sha256/" + sha.substr(0, 2);
  std::string orphan = sub + "/" + sha + ".tmp.4242.0";
  std::string live = sub + "/" + sha + ".tmp.4242.1";
  std::string foreign1 = sub + "/notes.tmp.1.2";
  std::string foreign2 = sub + "/" + sha + ".tmp.x.1";
  std::string elsewhere = dir + "/" + sha + ".tmp.1.1";  // not in a fan-out directory
  for (const auto& p : {orphan, live, foreign1, foreign2, elsewhere})
    std::ofstream(p) << "partial";
  // A writer in another process holds its temp file locked until it renames it.
  int live_fd = ::open(live.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(live_fd, 0);
  ASSERT_EQ(::flock(live_fd, LOCK_EX), 0);

  auto store = ArtifactStore::Open(dir);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(store->orphans_removed(), 1u);
  EXPECT_FALSE(fs::exists(orphan));
  EXPECT_TRUE(fs::exists(live));
  EXPECT_TRUE(fs::exists(foreign1));
  EXPECT_TRUE(fs::exists(foreign2));
  EXPECT_TRUE(fs::exists(elsewhere));
  EXPECT_EQ(*store->Read(sha, 0, blob.size()), blob);
  ::close(live_fd);  // the writer died: its file is an orphan now
  EXPECT_EQ(ArtifactStore::Open(dir)->orphans_removed(), 1u);
  EXPECT_FALSE(fs::exists(live));

  // A Put leaves nothing behind but the blob.
  std::string other = "another blob";
  ASSERT_TRUE(store->Put(other, Sha256Hex(other)).ok());
  for (const auto& e : fs::recursive_directory_iterator(dir + "/sha256"))
    EXPECT_FALSE(IsTempFileName(e.path().filename().string())) << e.path();
  fs::remove_all(fs::path(dir).parent_path());
}

TEST(ArtifactStoreTest, TempFileNameShapeIsExact) {
  std::string sha = Sha256Hex("x");
  EXPECT_TRUE(IsTempFileName(sha + ".tmp.1.0"));
  EXPECT_TRUE(IsTempFileName(sha + ".tmp.123456.789"));
  EXPECT_FALSE(IsTempFileName(sha));
  EXPECT_FALSE(IsTempFileName(sha + ".tmp.1"));
  EXPECT_FALSE(IsTempFileName(sha + ".tmp.1."));
  EXPECT_FALSE(IsTempFileName(sha + ".tmp..1"));
  EXPECT_FALSE(IsTempFileName(sha + ".tmp.1.2.3"));
  EXPECT_FALSE(IsTempFileName(sha + ".tmp.-1.2"));
  EXPECT_FALSE(IsTempFileName(sha.substr(1) + ".tmp.1.2"));
  EXPECT_FALSE(IsTempFileName("../" + sha + ".tmp.1.2"));
}

TEST(ParseRangeTest, SingleRangesSuffixesAndUnsatisfiable) {
  bool has = false;
  ByteRange r;
  ASSERT_TRUE(ParseRange("bytes=0-9", 100, &has, &r).ok());
  EXPECT_TRUE(has);
  EXPECT_EQ(r.first, 0u);
  EXPECT_EQ(r.last, 9u);
  ASSERT_TRUE(ParseRange("bytes=90-", 100, &has, &r).ok());
  EXPECT_EQ(r.last, 99u);
  ASSERT_TRUE(ParseRange("bytes=-10", 100, &has, &r).ok());
  EXPECT_EQ(r.first, 90u);
  ASSERT_TRUE(ParseRange("bytes=50-500", 100, &has, &r).ok());
  EXPECT_EQ(r.last, 99u);
  EXPECT_FALSE(ParseRange("bytes=100-", 100, &has, &r).ok());
  ASSERT_TRUE(ParseRange("bytes=0-1,5-6", 100, &has, &r).ok());
  EXPECT_FALSE(has);
  ASSERT_TRUE(ParseRange("items=0-1", 100, &has, &r).ok());
  EXPECT_FALSE(has);
}

}  // namespace
}  // namespace mcpreg::feed
