#include <gtest/gtest.h>

#include <filesystem>

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
