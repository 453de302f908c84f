// app::CopyRegistry between SQLite files: rows and package files arrive, feed directories can be
// overridden, a missing package file or a bad source/destination is refused before the
// destination changes, and no message carries a password.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "app/copy.h"
#include "core/sha256.h"
#include "feed/artifact_store.h"
#include "mcpreg/store.h"
#include "store/migrations/sqlite_migrations.h"

namespace mcpreg::app {
namespace {

constexpr Micros kT0 = 1760000000000000;
const std::string kBundle = "MCPB\x02 copy test bundle";

class AppCopyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() /
            ("mcpreg-copy-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Store> Open(const std::string& db, bool migrate = true) {
    auto s = OpenSqliteStore(db);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    if (!s.ok()) return nullptr;
    if (migrate) EXPECT_TRUE((*s)->Migrate(false).ok());
    return std::move(*s);
  }

  // A registry at `db`: two versions, a grant and an uploaded package in `feed_dir`.
  void MakeSource(const std::string& db, const std::string& feed_dir) {
    auto store = Open(db);
    ASSERT_NE(store, nullptr);
    for (const char* v : {"1.0.0", "1.1.0"}) {
      auto w = store->UpdateServer("io.example/a", [v](ServerRows& rows) {
        for (auto& r : rows.rows) {
          r.meta.is_latest = false;
          r.dirty = true;
        }
        ServerRows::Row r;
        r.meta = {"io.example/a", v, VersionStatus::kActive, kT0, {}, kT0, kT0, true};
        r.server_json = std::string(R"({"name":"io.example/a","version":")") + v + "\"}";
        r.dirty = true;
        rows.rows.push_back(r);
        rows.audit.push_back({kT0, "cli:t@h", "publish", "io.example/a", "{}"});
        return Status::OK();
      });
      ASSERT_TRUE(w.ok()) << w.status().ToString();
    }
    Grant g{0, "https://idp", "pipe", "io.example/*", "publisher", kT0, "cli:t@h"};
    ASSERT_TRUE(store->AddGrant(g, {kT0, "cli:t@h", "grant", "grant:x", "{}"}).ok());
    // An upload: the bytes by digest in the feed directory, the row with its audit entry.
    auto blobs = feed::ArtifactStore::Open(feed_dir);
    ASSERT_TRUE(blobs.ok());
    ASSERT_TRUE(blobs->Put(kBundle, Sha256Hex(kBundle)).ok());
    Artifact a{"io.example/a", "1.1.0", "a.mcpb", Sha256Hex(kBundle), kBundle.size(),
               "application/zip", kT0, "cli:t@h"};
    ASSERT_TRUE(store->PutArtifact(a, {kT0, "cli:t@h", "upload", "io.example/a", "{}"}).ok());
  }

  static std::string Text(Store& s) {
    auto snap = s.Export();
    EXPECT_TRUE(snap.ok());
    std::ostringstream out;
    for (const auto& v : snap->versions) out << v.seq << " " << v.server_json << "\n";
    for (const auto& g : snap->grants) out << g.id << " " << g.subject << "\n";
    for (const auto& a : snap->audit) out << a.seq << " " << a.hash << "\n";
    for (const auto& a : snap->artifacts) out << a.filename << " " << a.sha256 << "\n";
    return out.str();
  }

  std::string dir_;
};

TEST_F(AppCopyTest, CopiesRowsAndPackageFilesToOverriddenFeedDirectory) {
  ASSERT_NO_FATAL_FAILURE(MakeSource(dir_ + "/src/r.db", dir_ + "/src-blobs"));
  CopyOptions o{dir_ + "/src/r.db", dir_ + "/dst/r.db", false, dir_ + "/src-blobs",
                dir_ + "/dst-blobs"};
  std::vector<CopyProgress> seen;
  auto n = CopyRegistry(o, [&](const CopyProgress& p) { seen.push_back(p); });
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(CopySummary(*n),
            "copied: 2 versions, 1 grants, 0 requests, 0 evidence, 4 audit entries, 1 artifacts");
  EXPECT_EQ(n->package_files, 1u);
  EXPECT_EQ(n->files_written, 1u);
  EXPECT_EQ(n->bytes_written, kBundle.size());
  auto copied = feed::ArtifactStore::Open(dir_ + "/dst-blobs");
  ASSERT_TRUE(copied.ok());
  auto bytes = copied->Read(Sha256Hex(kBundle), 0, kBundle.size());
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_EQ(*bytes, kBundle);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/dst/feed"));  // the default was overridden
  EXPECT_EQ(Text(*Open(dir_ + "/dst/r.db")), Text(*Open(dir_ + "/src/r.db")));

  // Every phase finishes, in order; the package phase counted one file.
  std::vector<CopyPhase> finished;
  for (const auto& p : seen)
    if (p.finished) finished.push_back(p.phase);
  EXPECT_EQ(finished, (std::vector<CopyPhase>{CopyPhase::kExport, CopyPhase::kCheckFiles,
                                              CopyPhase::kRestore, CopyPhase::kCopyFiles}));
  EXPECT_EQ(seen.back().total, 1u);

  // Again with force: the rows are replaced, the file already there is not rewritten.
  o.force = true;
  n = CopyRegistry(o);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(n->files_written, 0u);
}

TEST_F(AppCopyTest, MissingPackageFileIsRefusedBeforeTheDestinationChanges) {
  ASSERT_NO_FATAL_FAILURE(MakeSource(dir_ + "/src/r.db", dir_ + "/src-blobs"));
  // Without --from-feed-dir the source's files are looked for in src/feed, where there are none.
  CopyOptions o{dir_ + "/src/r.db", dir_ + "/dst/r.db"};
  auto n = CopyRegistry(o);
  ASSERT_FALSE(n.ok());
  EXPECT_TRUE(n.status().IsNotFound()) << n.status().ToString();
  EXPECT_NE(n.status().message().find("package file " + Sha256Hex(kBundle) +
                                      " (io.example/a 1.1.0 a.mcpb) is missing from the "
                                      "source's feed directory " +
                                      dir_ + "/src/feed"),
            std::string::npos)
      << n.status().message();
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/src/feed"));  // looking did not create it
  auto dst = Open(dir_ + "/dst/r.db", false);
  EXPECT_TRUE(*dst->IsEmpty());
}

TEST_F(AppCopyTest, SameDatabaseAtBothEndsIsRefused) {
  ASSERT_NO_FATAL_FAILURE(MakeSource(dir_ + "/src/r.db", dir_ + "/src/feed"));
  auto n = CopyRegistry({dir_ + "/src/r.db", dir_ + "/src/../src/r.db", true});
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), Code::kInvalidArgument) << n.status().ToString();
}

TEST_F(AppCopyTest, SourceThatIsMissingOrNotMigratedIsRefused) {
  auto n = CopyRegistry({dir_ + "/none.db", dir_ + "/dst.db"});
  ASSERT_FALSE(n.ok());
  EXPECT_TRUE(n.status().IsNotFound()) << n.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/none.db"));

  ASSERT_NE(Open(dir_ + "/bare.db", false), nullptr);  // a database without the schema
  n = CopyRegistry({dir_ + "/bare.db", dir_ + "/dst.db"});
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), Code::kFailedPrecondition) << n.status().ToString();
  EXPECT_NE(n.status().message().find("pending migration"), std::string::npos);
}

TEST_F(AppCopyTest, PartlyMigratedDestinationIsMigratedOnlyWithForce) {
  ASSERT_NO_FATAL_FAILURE(MakeSource(dir_ + "/src/r.db", dir_ + "/src/feed"));
  // An older registry: only the first migration applied.
  std::string dst = dir_ + "/old.db";
  ASSERT_NE(Open(dst, false), nullptr);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dst.c_str(), &db), SQLITE_OK);
  const auto& first = store::SqliteMigrations().front();
  std::string sql = std::string(first.sql) +
                    "; CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT "
                    "NULL, applied_at BIGINT NOT NULL); INSERT INTO schema_migrations VALUES (" +
                    std::to_string(first.version) + ", 'init', 0);";
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);

  auto n = CopyRegistry({dir_ + "/src/r.db", dst});
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), Code::kFailedPrecondition) << n.status().ToString();
  EXPECT_NE(n.status().message().find("pending migration(s); run `mcpreg migrate` on it first, "
                                      "or pass --force"),
            std::string::npos)
      << n.status().message();
  n = CopyRegistry({dir_ + "/src/r.db", dst, true});
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(Text(*Open(dst, false)), Text(*Open(dir_ + "/src/r.db")));
}

TEST_F(AppCopyTest, PasswordsNeverAppearInMessages) {
  ASSERT_NO_FATAL_FAILURE(MakeSource(dir_ + "/src/r.db", dir_ + "/src/feed"));
  for (std::string uri : {"postgresql://u:secret@127.0.0.1:1/x",
                          "postgres://127.0.0.1:1/x?user=u&password=secret"}) {
    for (bool as_source : {true, false}) {
      CopyOptions o{as_source ? uri : dir_ + "/src/r.db", as_source ? dir_ + "/d.db" : uri};
      o.to_feed_dir = as_source ? "" : dir_ + "/blobs";  // a mistake for a database that keeps them
      auto n = CopyRegistry(o);
      ASSERT_FALSE(n.ok()) << uri;
      EXPECT_EQ(n.status().message().find("secret"), std::string::npos) << n.status().message();
      EXPECT_NE(n.status().message().find("***"), std::string::npos) << n.status().message();
    }
  }
}

}  // namespace
}  // namespace mcpreg::app
