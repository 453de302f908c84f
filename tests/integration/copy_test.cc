// The real `mcpreg copy` between SQLite files: a registry with a history (the demo catalog,
// grants given and revoked, an approved request, evidence, an uploaded package) arrives whole,
// its audit log verifies and reads the same; a destination with data is refused without --force
// (one line, non-zero exit) and replaced with it; a new or schema-less destination gets the
// schema; a password in a location is never printed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/sha256.h"
#include "feed/artifact_store.h"
#include "integration/server_process.h"
#include "mcpreg/store.h"
#include "support/pg_test_db.h"
#include "transport/http_client.h"

namespace mcpreg {
namespace {

using testing::RunCli;

constexpr char kName[] = "com.contoso/weather";
const std::string kBundle = "MCPB\x02 weather bundle for the copy test";

std::string Server() {
  return R"({"$schema":"https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",)"
         R"("name":"com.contoso/weather","description":"Weather forecasts for Contoso field teams",)"
         R"("version":"1.0.0","packages":[{"registryType":"mcpb",)"
         R"("identifier":"https://github.com/contoso/weather/releases/download/v1.0.0/weather.mcpb",)"
         R"("fileSha256":"fe333e598595000ae021bd27117db32ec69af6987f507ba7a63c90638ff633ce",)"
         R"("transport":{"type":"stdio"}}]})";
}

std::string Request() {
  return R"({"name":"com.contoso/weather","team":"Weather","contacts":["weather@contoso.example"],)"
         R"("consumption":"first-party","hosting":"local",)"
         R"("publisher":{"issuer":"https://idp.contoso.example","subject":"pipeline-7"},)"
         R"("pipeline":"https://dev.azure.com/contoso/weather/_build?definitionId=7",)"
         R"("server":)" +
         Server() + "}";
}

size_t Lines(const std::string& s) { return std::count(s.begin(), s.end(), '\n'); }

class CopyTest : public ::testing::Test {
 protected:
  // Builds the source registry once, through the commands an operator would use.
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::TempDir());
    src_ = new std::string(*dir_ + "/src/registry.db");
    summary_ = new std::string;
    std::string out, err;
    auto run = [&](std::vector<std::string> args) {
      args.push_back("--db");
      args.push_back(*src_);
      int rc = RunCli(args, &out, &err);
      if (rc != 0) ADD_FAILURE() << args[0] << " " << args[1] << ": " << out << err;
      return rc == 0;
    };
    auto write = [](const std::string& name, const std::string& content) {
      std::string p = *dir_ + "/" + name;
      std::ofstream(p, std::ios::binary) << content;
      return p;
    };
    if (!run({"import", "-q", std::string(MCPREG_SOURCE_DIR) + "/data/demo-catalog.json"})) return;
    // "imported N, ..." (no regex: the project keeps std::regex out of src/ and tests/)
    if (out.rfind("imported ", 0) != 0) return ADD_FAILURE() << out;
    size_t versions = std::strtoul(out.c_str() + 9, nullptr, 10);
    for (const char* subject : {"release-1", "release-2"}) {
      if (!run({"admin", "grant", "--issuer", "https://idp.contoso.example", "--subject", subject,
                "--namespace", "com.contoso/*", "--role", "publisher"}))
        return;
    }
    if (!run({"admin", "revoke", "--issuer", "https://idp.contoso.example", "--subject",
              "release-1", "--namespace", "com.contoso/*", "--role", "publisher"}) ||
        !run({"request", "file", write("request.json", Request())}) ||
        !run({"review", "approve", kName, "--note", "ok"}) ||
        !run({"import", "-q", write("weather.json", "[" + Server() + "]")}))
      return;
    ++versions;
    for (const char* kind : {"legal", "threat-model"}) {
      if (!run({"evidence", "add", kName, "1.0.0", "--kind", kind, "--verdict", "approved",
                "--reviewer", "alice@contoso.example"}))
        return;
    }
    {  // An upload to the feed as the server records it: bytes in feed/ next to the database,
       // the artifact row with its audit entry.
      auto store = OpenSqliteStore(*src_);
      auto blobs = feed::ArtifactStore::Open(*dir_ + "/src/feed");
      if (!store.ok() || !blobs.ok()) return ADD_FAILURE() << "cannot open the source";
      auto put = blobs->Put(kBundle, Sha256Hex(kBundle));
      if (!put.ok()) return ADD_FAILURE() << put.status().ToString();
      Micros now = SystemClock::Instance().Now();
      Artifact a{kName, "1.0.0", "weather.mcpb", *put, kBundle.size(), "application/zip", now,
                 "cli:tester@host"};
      Status st = (*store)->PutArtifact(a, {now, a.uploaded_by, "upload", kName, "{}"});
      if (!st.ok()) return ADD_FAILURE() << st.ToString();
    }
    if (!run({"admin", "list"})) return;
    size_t grants = Lines(out);
    if (!run({"audit", "show"})) return;
    size_t audit = Lines(out);
    *summary_ = "copied: " + std::to_string(versions) + " versions, " + std::to_string(grants) +
                " grants, 1 requests, 2 evidence, " + std::to_string(audit) +
                " audit entries, 1 artifacts\n";
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
    delete src_;
    delete summary_;
  }
  void SetUp() override { ASSERT_FALSE(summary_->empty()) << "the source registry was not built"; }

  // stdout of `mcpreg <args> --db <db>` (which must succeed).
  static std::string Read(std::vector<std::string> args, const std::string& db) {
    args.push_back("--db");
    args.push_back(db);
    std::string out, err;
    EXPECT_EQ(RunCli(args, &out, &err), 0) << args[0] << ": " << err;
    return out;
  }
  // The same data, read through the commands that show it.
  static void ExpectSameRegistry(const std::string& db) {
    for (std::vector<std::string> cmd :
         {std::vector<std::string>{"audit", "show"}, {"audit", "verify"}, {"admin", "list"},
          {"request", "list"}, {"evidence", "list", kName}, {"export", "catalog"}})
      EXPECT_EQ(Read(cmd, db), Read(cmd, *src_)) << cmd[0] << " " << cmd[1];
  }

  static std::string* dir_;
  static std::string* src_;
  static std::string* summary_;  // the expected summary line, from the commands' own counts
};

std::string* CopyTest::dir_ = nullptr;
std::string* CopyTest::src_ = nullptr;
std::string* CopyTest::summary_ = nullptr;

TEST_F(CopyTest, CopyIntoNewPathHasEverythingAndVerifies) {
  std::string dst = *dir_ + "/new/sub/registry.db", out, err;
  ASSERT_EQ(RunCli({"copy", "--from", *src_, "--to", dst}, &out, &err), 0) << err;
  EXPECT_EQ(out, *summary_);
  EXPECT_EQ(err, "");  // no progress line when stderr is not a terminal

  EXPECT_NE(Read({"migrate", "--dry-run"}, dst).find(": 0 migration(s) pending"),
            std::string::npos);
  std::string verified = Read({"audit", "verify"}, dst);
  EXPECT_EQ(verified.rfind("audit log intact: ", 0), 0u) << verified;
  ExpectSameRegistry(dst);
  // The package file arrived in the destination's feed directory.
  auto blobs = feed::ArtifactStore::Open(*dir_ + "/new/sub/feed");
  ASSERT_TRUE(blobs.ok());
  auto bytes = blobs->Read(Sha256Hex(kBundle), 0, kBundle.size());
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_EQ(*bytes, kBundle);
}

TEST_F(CopyTest, DestinationWithDataNeedsForce) {
  std::string dst = *dir_ + "/again/registry.db", out, err;
  ASSERT_EQ(RunCli({"copy", "--from", *src_, "--to", dst}, &out, &err), 0) << err;
  // The destination moves on: a grant of its own.
  Read({"admin", "grant", "--issuer", "https://idp.other.example", "--subject", "x",
        "--namespace", "org.other/*", "--role", "admin"},
       dst);
  std::string before = Read({"admin", "list"}, dst);

  EXPECT_EQ(RunCli({"copy", "--from", *src_, "--to", dst}, &out, &err), 1);
  EXPECT_EQ(err, "mcpreg copy: destination " + dst +
                     " is not empty; pass --force to replace its registry data\n");
  EXPECT_EQ(out, "");
  EXPECT_EQ(Read({"admin", "list"}, dst), before);  // untouched

  ASSERT_EQ(RunCli({"copy", "--from", *src_, "--to", dst, "--force"}, &out, &err), 0) << err;
  EXPECT_EQ(out, *summary_);
  ExpectSameRegistry(dst);  // its own grant and audit entry are gone
}

TEST_F(CopyTest, DatabaseWithoutSchemaGetsIt) {
  std::string dst = *dir_ + "/empty.db", out, err;
  std::ofstream(dst).close();  // an empty file is an empty SQLite database
  ASSERT_EQ(RunCli({"copy", "--from", *src_, "--to", dst}, &out, &err), 0) << err;
  EXPECT_EQ(out, *summary_);
  ExpectSameRegistry(dst);
}

TEST_F(CopyTest, MissingSourceIsRefusedWithoutCreatingIt) {
  std::string out, err;
  std::string missing = *dir_ + "/nothing/here.db";
  EXPECT_EQ(RunCli({"copy", "--from", missing, "--to", *dir_ + "/x.db"}, &out, &err), 1);
  EXPECT_EQ(err, "mcpreg copy: no database at " + missing + "\n");
  EXPECT_FALSE(std::filesystem::exists(missing));
  EXPECT_FALSE(std::filesystem::exists(*dir_ + "/x.db"));
}

TEST_F(CopyTest, PasswordInLocationIsNeverPrinted) {
  const std::string uri = "postgresql://u:secret@127.0.0.1:1/x";
  for (const auto& args : {std::vector<std::string>{"copy", "--from", uri, "--to", *dir_ + "/p.db"},
                           {"copy", "--from", *src_, "--to", uri},
                           {"copy", "--from", *src_, "--to", uri, "--to-feed-dir", *dir_}}) {
    std::string out, err;
    EXPECT_NE(RunCli(args, &out, &err), 0);
    EXPECT_EQ(out, "");
    EXPECT_EQ(err.rfind("mcpreg copy: ", 0), 0u) << err;
    EXPECT_EQ(Lines(err), 1u) << err;
    EXPECT_NE(err.find("postgresql://u:***@127.0.0.1:1/x"), std::string::npos) << err;
    EXPECT_EQ((out + err).find("secret"), std::string::npos) << err;
  }
}

}  // namespace
}  // namespace mcpreg

namespace mcpreg {
namespace {

// The issue's acceptance path: SQLite (demo catalog + governance history + a feed package) to
// PostgreSQL and back. Each step serves the same /v0.1/servers bytes, shows the same audit log
// and verifies; the package bytes travel into the database and out again.
TEST_F(CopyTest, SqliteToPostgresAndBackServesTheSameBytes) {
  std::string pg = testing::CreateTestDatabase("copy_roundtrip");
  std::string back = *dir_ + "/back/registry.db", out, err;
  ASSERT_EQ(RunCli({"copy", "--from", *src_, "--to", pg}, &out, &err), 0) << err;
  EXPECT_EQ(out, *summary_);
  ASSERT_EQ(RunCli({"copy", "--from", pg, "--to", back}, &out, &err), 0) << err;
  EXPECT_EQ(out, *summary_);
  ExpectSameRegistry(pg);
  ExpectSameRegistry(back);

  auto listing = [](const std::string& db) {
    testing::ServerProcess server(db, {"--no-demo"});
    EXPECT_TRUE(server.started()) << server.log();
    std::string pages;
    for (const char* path : {"/v0.1/servers?limit=100", "/v0.1/servers?limit=100&version=latest",
                             "/v0.1/servers/com.contoso%2Fweather/versions"}) {
      http::ClientRequest req;
      req.method = "GET";
      req.url = server.base_url() + path;
      auto r = http::Fetch(req);
      EXPECT_TRUE(r.ok() && r->status == 200) << path;
      if (r.ok()) pages += r->body + "\n";
    }
    return pages;
  };
  std::string original = listing(*src_);
  EXPECT_EQ(listing(pg), original);
  EXPECT_EQ(listing(back), original);

  auto blobs = feed::ArtifactStore::Open(*dir_ + "/back/feed");
  ASSERT_TRUE(blobs.ok());
  auto bytes = blobs->Read(Sha256Hex(kBundle), 0, kBundle.size());
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_EQ(*bytes, kBundle);
  testing::DropTestDatabase(pg);
}

}  // namespace
}  // namespace mcpreg
