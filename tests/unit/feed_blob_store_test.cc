// feed::BlobStore, both implementations through one suite: the on-disk ArtifactStore and the
// StoreBlobStore that keeps bytes in the database. SQLite keeps no blobs, so the Store-backed
// one runs over a real SQLite store whose blob calls a test double answers from memory (a fake
// at the Store seam only), and the real PostgreSQL store.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "core/sha256.h"
#include "feed/artifact_store.h"
#include "feed/store_blob_store.h"
#include "integration/server_process.h"
#include "store/postgres/pg_conn.h"
#include "support/pg_test_db.h"
#include "testing/blob_holding_store.h"

namespace mcpreg::feed {
namespace {

// One implementation under test, with what it needs kept alive.
struct Fixture {
  std::unique_ptr<Store> store;  // the Store-backed one's store (declared first: outlives blobs)
  std::unique_ptr<BlobStore> blobs;
  std::function<size_t()> stored;  // how many blobs reached the backing storage
};

struct Backend {
  std::string name;
  std::function<Fixture(const std::string& dir)> make;
};
// Test names carry the backend's name, not the parameter's bytes (which hold pointers and
// would change every run, breaking `ctest --rerun-failed`).
void PrintTo(const Backend& b, std::ostream* os) { *os << b.name; }

Fixture MakeOnDisk(const std::string& dir) {
  Fixture f;
  auto disk = ArtifactStore::Open(dir + "/feed");
  if (!disk.ok()) return f;
  f.blobs = std::make_unique<ArtifactStore>(std::move(*disk));
  f.stored = [blobs = dir + "/feed/sha256"] {
    size_t n = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(blobs))
      n += e.is_regular_file();
    return n;
  };
  return f;
}

Fixture MakeInTheStore(const std::string& dir) {
  Fixture f;
  auto sqlite = OpenSqliteStore(dir + "/registry.db");
  if (!sqlite.ok() || !(*sqlite)->Migrate(false).ok()) return f;
  auto store = std::make_unique<testing::BlobHoldingStore>(std::move(*sqlite));
  f.stored = [s = store.get()] { return s->puts(); };
  f.blobs = std::make_unique<StoreBlobStore>(*store);
  f.store = std::move(store);
  return f;
}

// The real thing: PostgreSQL keeps the bytes in the database in 1 MiB chunks.
Fixture MakeInPostgres(const std::string&) {
  Fixture f;
  std::string uri = ::mcpreg::testing::CreateTestDatabase("blobs");
  auto pg = OpenPostgresStore(uri);
  if (!pg.ok() || !(*pg)->Migrate(false).ok()) return f;
  f.stored = [uri] {
    auto c = store::pg::PgConn::Connect(uri, std::chrono::seconds(3), std::chrono::seconds(10));
    if (!c.ok()) return size_t{0};
    auto r = (*c)->Exec("SELECT count(*) FROM feed_blobs");
    return r.ok() ? static_cast<size_t>(r->Int(0, 0)) : size_t{0};
  };
  f.blobs = std::make_unique<StoreBlobStore>(**pg);
  f.store = std::move(*pg);
  return f;
}

class BlobStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir();
    f_ = GetParam().make(dir_);
    ASSERT_NE(f_.blobs, nullptr);
    blobs_ = f_.blobs.get();
  }
  void TearDown() override {
    f_ = Fixture();
    std::filesystem::remove_all(dir_);
  }

  std::string dir_;
  Fixture f_;
  BlobStore* blobs_ = nullptr;
};

TEST_P(BlobStoreTest, PutVerifiesTheDigestAndReadsBackSizeAndRanges) {
  const std::string data = "hello mcpb bundle";
  const std::string sha = Sha256Hex(data);
  auto put = blobs_->Put(data, sha);
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_EQ(*put, sha);
  EXPECT_TRUE(blobs_->Put(data, sha).ok());  // idempotent
  auto size = blobs_->Size(sha);
  ASSERT_TRUE(size.ok()) << size.status().ToString();
  EXPECT_EQ(*size, data.size());
  EXPECT_EQ(*blobs_->Read(sha, 6, 4), "mcpb");
  EXPECT_EQ(*blobs_->Read(sha, 0, data.size()), data);
  EXPECT_EQ(*blobs_->Read(sha, data.size() - 1, 1), "e");
}

TEST_P(BlobStoreTest, EmptyBlobHasSizeZero) {
  const std::string sha = Sha256Hex("");
  ASSERT_TRUE(blobs_->Put("", sha).ok());
  EXPECT_EQ(*blobs_->Size(sha), 0u);
}

TEST_P(BlobStoreTest, MismatchedOrMalformedDigestIsRefusedAndNothingIsStored) {
  const std::string other = Sha256Hex("other");
  auto r = blobs_->Put("payload", other);
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("digest mismatch: declared " + other +
                                      ", content hashes to " + Sha256Hex("payload")),
            std::string::npos)
      << r.status().message();
  for (std::string bad : {std::string("../../etc/passwd"), std::string(64, 'A'),
                          Sha256Hex("payload").substr(1), std::string()}) {
    EXPECT_TRUE(blobs_->Put("payload", bad).status().IsInvalidArgument()) << bad;
    EXPECT_TRUE(blobs_->Size(bad).status().IsInvalidArgument()) << bad;
    EXPECT_TRUE(blobs_->Read(bad, 0, 1).status().IsInvalidArgument()) << bad;
  }
  EXPECT_EQ(f_.stored(), 0u);
  EXPECT_TRUE(blobs_->Size(other).status().IsNotFound());
  EXPECT_TRUE(blobs_->Size(Sha256Hex("payload")).status().IsNotFound());
}

TEST_P(BlobStoreTest, UnknownDigestIsNotFoundNamingTheArtifact) {
  const std::string sha = Sha256Hex("never stored");
  auto size = blobs_->Size(sha);
  EXPECT_TRUE(size.status().IsNotFound());
  EXPECT_EQ(size.status().message(), "artifact " + sha + " not found");
  EXPECT_TRUE(blobs_->Read(sha, 0, 1).status().IsNotFound());
}

// A package larger than PostgreSQL's 1 MiB chunks: ranges inside one chunk, across a chunk
// boundary and at the very end read back exactly.
TEST_P(BlobStoreTest, RangesAcrossChunkBoundariesReadBackExactly) {
  std::string data(2 * 1024 * 1024 + 12345, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 131 + i / 7) % 256);
  auto put = blobs_->Put(data, Sha256Hex(data));
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  auto size = blobs_->Size(*put);
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, data.size());
  for (auto [off, len] : std::vector<std::pair<size_t, size_t>>{
           {0, 10}, {1024 * 1024 - 5, 10}, {1024 * 1024 - 1, 1024 * 1024 + 2},
           {data.size() - 7, 7}, {0, data.size()}}) {
    auto r = blobs_->Read(*put, off, len);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(*r == data.substr(off, len)) << off << "+" << len;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, BlobStoreTest,
                         ::testing::Values(Backend{"OnDisk", MakeOnDisk},
                                           Backend{"InTheStore", MakeInTheStore},
                                           Backend{"InPostgres", MakeInPostgres}),
                         [](const auto& info) { return info.param.name; });

// The Store-backed implementation is chosen by the store, not by a flag: a store that keeps no
// blobs refuses them (SQLite's default).
TEST(StoreBlobStoreTest, SqliteStoreKeepsNoBlobs) {
  std::string dir = testing::TempDir();
  auto sqlite = OpenSqliteStore(dir + "/registry.db");
  ASSERT_TRUE(sqlite.ok());
  EXPECT_FALSE((*sqlite)->HoldsBlobs());
  StoreBlobStore blobs(**sqlite);
  const std::string data = "x";
  EXPECT_EQ(blobs.Put(data, Sha256Hex(data)).status().code(), Code::kFailedPrecondition);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mcpreg::feed
