// Signed snapshots with the real binary (issue 13, part 3): `mcpreg serve` publishes its JWKS
// and the signed snapshot of its public catalog; `mcpreg snapshot verify` accepts it and refuses
// a tampered, expired or foreign one; `mcpreg snapshot export` writes the same from the
// database; `mcpreg import --jwks` copies it into a fresh database with every status; governed
// mode leaves withheld versions out. SQLite only: the snapshot code never touches the store.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "auth/encoding.h"
#include "auth/jwks.h"
#include "auth/keys.h"
#include "federation/dsse.h"
#include "federation/snapshot.h"
#include "integration/server_process.h"
#include "testing/governance_documents.h"
#include "testing/registry_documents.h"
#include "transport/http_client.h"

namespace mcpreg {
namespace {

namespace bj = boost::json;
using testing::RunCli;

constexpr char kOfficial[] = "io.modelcontextprotocol.registry/official";

std::string Server(const std::string& name, const std::string& version) {
  return testing::RemoteServerJson(name, version);
}

// A ServerResponse for import, carrying a status.
std::string Response(const std::string& name, const std::string& version, const std::string& status,
                     const std::string& message = "") {
  return testing::ServerResponseJson(Server(name, version), status, message);
}

std::string Write(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

http::ClientResponse Get(const std::string& url, http::Headers headers = {}) {
  http::ClientRequest req;
  req.url = url;
  req.headers = std::move(headers);
  auto r = http::Fetch(req);
  EXPECT_TRUE(r.ok()) << url;
  return r.ok() ? *r : http::ClientResponse{};
}

std::string HeaderOf(const http::ClientResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (strcasecmp(k.c_str(), std::string(name).c_str()) == 0) return v;
  return "";
}

// The servers array of a snapshot's payload (not verified: the tests verify separately).
bj::array PayloadServers(const std::string& envelope) {
  auto env = federation::ParseEnvelope(envelope);
  EXPECT_TRUE(env.ok());
  if (!env.ok()) return {};
  return bj::parse(env->payload).at("servers").as_array();
}

// (server, status, statusMessage, publishedAt) of each entry: what a copy must reproduce.
std::vector<std::string> Essentials(const bj::array& servers) {
  std::vector<std::string> out;
  for (const auto& s : servers) {
    const auto& m = s.at("_meta").at(kOfficial).as_object();
    out.push_back(bj::serialize(s.at("server")) + " " + bj::serialize(m.at("status")) + " " +
                  (m.contains("statusMessage") ? bj::serialize(m.at("statusMessage")) : "-") +
                  " " + bj::serialize(m.at("publishedAt")));
  }
  return out;
}

size_t Count(const std::string& s, const std::string& needle) {
  size_t n = 0;
  for (size_t at = s.find(needle); at != std::string::npos; at = s.find(needle, at + 1)) ++n;
  return n;
}

// One server for the suite: a catalog with active, deprecated and deleted versions.
class SnapshotE2ETest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::TempDir());
    db_ = new std::string(*dir_ + "/registry.db");
    std::string src = Write(*dir_ + "/seed.json",
                            "[" + Response("com.example/alpha", "1.0.0", "active") + "," +
                                Response("com.example/alpha", "1.1.0", "deprecated", "use 2.x") +
                                "," + Response("com.example/beta", "0.1.0", "deleted") + "," +
                                Response("com.example/beta", "0.2.0", "active") + "," +
                                Response("io.github.acme/gamma", "3.0.0", "active") + "]");
    std::string out, err;
    ASSERT_EQ(RunCli({"import", "--db", *db_, "-q", src}, &out, &err), 0) << out << err;
    server_ = new testing::ServerProcess(*db_, {"--no-demo"});
    ASSERT_TRUE(server_->started()) << server_->log();
    auto jwks = Get(server_->base_url() + "/v0.1/x/dev.mcpreg/jwks");
    ASSERT_EQ(jwks.status, 200) << jwks.body;
    Write(*dir_ + "/jwks.json", jwks.body);
    auto snap = Get(server_->base_url() + "/v0.1/x/dev.mcpreg/snapshot");
    ASSERT_EQ(snap.status, 200) << snap.body;
    Write(*dir_ + "/snapshot.json", snap.body);
  }
  static void TearDownTestSuite() {
    delete server_;
    std::filesystem::remove_all(*dir_);
    delete db_;
    delete dir_;
  }
  static std::string Path(const std::string& name) { return *dir_ + "/" + name; }
  static int Verify(const std::string& file, const std::string& jwks, std::string* out,
                    std::string* err) {
    return RunCli({"snapshot", "verify", file, "--jwks", jwks}, out, err);
  }

  static std::string* dir_;
  static std::string* db_;
  static testing::ServerProcess* server_;
};
std::string* SnapshotE2ETest::dir_ = nullptr;
std::string* SnapshotE2ETest::db_ = nullptr;
testing::ServerProcess* SnapshotE2ETest::server_ = nullptr;

TEST_F(SnapshotE2ETest, JwksRouteServesOneEd25519KeyUnderItsThumbprint) {
  for (const char* prefix : {"/v0.1", "/v0"}) {
    auto r = Get(server_->base_url() + prefix + "/x/dev.mcpreg/jwks");
    ASSERT_EQ(r.status, 200) << prefix;
    EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/json");
    bj::value v = bj::parse(r.body);
    ASSERT_EQ(v.at("keys").as_array().size(), 1u) << r.body;
    const auto& k = v.at("keys").at(0).as_object();
    EXPECT_EQ(k.at("kty").as_string(), "OKP");
    EXPECT_EQ(k.at("crv").as_string(), "Ed25519");
    EXPECT_EQ(k.at("alg").as_string(), "EdDSA");
    EXPECT_EQ(k.at("use").as_string(), "sig");
    EXPECT_FALSE(k.contains("d")) << "private key leaked";
    auto key = auth::Key::FromJwk(bj::serialize(k));
    ASSERT_TRUE(key.ok());
    EXPECT_EQ(k.at("kid").as_string(), auth::JwkThumbprint(*key));
  }
}

TEST_F(SnapshotE2ETest, SnapshotVerifiesAndHoldsExactlyThePublicVersions) {
  auto r = Get(server_->base_url() + "/v0/x/dev.mcpreg/snapshot");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/json");
  std::string etag = HeaderOf(r, "ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(r.body, Read(Path("snapshot.json"))) << "signed once, served from the cache";
  auto again = Get(server_->base_url() + "/v0.1/x/dev.mcpreg/snapshot", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);

  std::string out, err;
  ASSERT_EQ(Verify(Path("snapshot.json"), Path("jwks.json"), &out, &err), 0) << err;
  std::string kid(bj::parse(Read(Path("jwks.json"))).at("keys").at(0).at("kid").as_string());
  EXPECT_EQ(out.rfind("verified: 5 servers, generation ", 0), 0u) << out;
  EXPECT_NE(out.find(", signed by " + kid + ", expires "), std::string::npos) << out;
  EXPECT_EQ(Count(out, "\n"), 1u);
  // The JWKS and the snapshot straight from the server (http:// on loopback is allowed).
  ASSERT_EQ(Verify(server_->base_url() + "/v0.1/x/dev.mcpreg/snapshot",
                   server_->base_url() + "/v0.1/x/dev.mcpreg/jwks", &out, &err),
            0)
      << err;

  // Exactly what paging the list API with include_deleted serves, in the same order.
  bj::array listed;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    std::string url = server_->base_url() + "/v0.1/servers?include_deleted=true&limit=2";
    if (!cursor.empty()) url += "&cursor=" + cursor;
    auto p = Get(url);
    ASSERT_EQ(p.status, 200) << p.body;
    bj::value v = bj::parse(p.body);
    for (auto& s : v.at("servers").as_array()) listed.push_back(s);
    const auto& meta = v.at("metadata").as_object();
    if (!meta.contains("nextCursor")) break;
    cursor = std::string(meta.at("nextCursor").as_string());
    for (size_t i = 0; i < cursor.size(); ++i)
      if (cursor[i] == '/') cursor.replace(i, 1, "%2F");
  }
  bj::array snap = PayloadServers(Read(Path("snapshot.json")));
  ASSERT_EQ(snap.size(), 5u);
  EXPECT_EQ(bj::serialize(snap), bj::serialize(listed));
  EXPECT_EQ(Count(bj::serialize(snap), R"("status":"deleted")"), 1u);
  EXPECT_EQ(Count(bj::serialize(snap), R"("statusMessage":"use 2.x")"), 1u);
}

TEST_F(SnapshotE2ETest, TamperedPayloadByteIsRefusedNamingTheSignature) {
  auto env = *federation::ParseEnvelope(Read(Path("snapshot.json")));
  size_t at = env.payload.find("Test server com.example/beta");
  ASSERT_NE(at, std::string::npos);
  env.payload[at] = 'B';  // one byte
  Write(Path("tampered.json"), federation::EncodeEnvelope(env));
  std::string out, err;
  EXPECT_EQ(Verify(Path("tampered.json"), Path("jwks.json"), &out, &err), 1);
  EXPECT_EQ(err.rfind("mcpreg snapshot verify: snapshot refused: signature by key ", 0), 0u) << err;
  EXPECT_NE(err.find("is invalid"), std::string::npos) << err;
  EXPECT_EQ(Count(err, "\n"), 1u) << err;
  EXPECT_TRUE(out.empty());
  // Import refuses it too and writes nothing.
  std::string fresh = Path("tampered.db");
  EXPECT_EQ(RunCli({"import", "--db", fresh, Path("tampered.json"), "--jwks", Path("jwks.json")},
                   &out, &err),
            1);
  EXPECT_NE(err.find("signature by key"), std::string::npos) << err;
  EXPECT_FALSE(std::filesystem::exists(fresh));
}

TEST_F(SnapshotE2ETest, AnotherKeysJwksIsRefused) {
  auto other = auth::Key::Generate(auth::KeyType::kEd25519, "other");
  auth::JwkSet set;
  set.Add(*auth::Key::FromJwk(other->PublicJwk()));
  Write(Path("other.json"), set.ToJson());
  std::string out, err;
  EXPECT_EQ(Verify(Path("snapshot.json"), Path("other.json"), &out, &err), 1);
  EXPECT_NE(err.find("signed by another key"), std::string::npos) << err;
  EXPECT_EQ(Count(err, "\n"), 1u) << err;
}

TEST_F(SnapshotE2ETest, ExpiredSnapshotIsRefused) {
  // The same servers, created 10 days ago and expired 3 days ago, signed by a test key.
  auto key = auth::Key::Generate(auth::KeyType::kEd25519, "");
  auto signer = federation::SnapshotSigner::FromRegistryKey(*key);
  Micros now = SystemClock::Instance().Now();
  Micros day = 86400LL * 1000000;
  std::string payload = R"({"generation":1,"createdAt":")" + FormatRfc3339(now - 10 * day) +
                        R"(","expiresAt":")" + FormatRfc3339(now - 3 * day) +
                        R"(","servers":)" + bj::serialize(PayloadServers(Read(Path("snapshot.json")))) + "}";
  auto env = federation::SignEnvelope(federation::kSnapshotPayloadType, payload, signer->key(),
                                      signer->kid());
  Write(Path("expired.json"), federation::EncodeEnvelope(*env));
  Write(Path("expired-jwks.json"), signer->JwksJson());
  std::string out, err;
  EXPECT_EQ(Verify(Path("expired.json"), Path("expired-jwks.json"), &out, &err), 1);
  EXPECT_EQ(err, "mcpreg snapshot verify: snapshot refused: snapshot expired at " +
                     FormatRfc3339(now - 3 * day) + "\n");
}

TEST_F(SnapshotE2ETest, UsageErrorsExitTwo) {
  std::string out, err;
  EXPECT_EQ(RunCli({"snapshot", "verify", Path("snapshot.json")}, &out, &err), 2);  // no --jwks
  EXPECT_EQ(Verify(Path("missing.json"), Path("jwks.json"), &out, &err), 2);
  EXPECT_EQ(Verify(Path("snapshot.json"), Path("missing.json"), &out, &err), 2);
  // Garbage where the snapshot should be is refused, not a crash.
  Write(Path("garbage.json"), std::string("\x00\xff{{[", 5));
  EXPECT_EQ(Verify(Path("garbage.json"), Path("jwks.json"), &out, &err), 1);
  EXPECT_NE(err.find("not a DSSE envelope"), std::string::npos) << err;
}

TEST_F(SnapshotE2ETest, ImportWithJwksReproducesServersAndStatusesInAFreshDatabase) {
  std::string out, err;
  std::string fresh = Path("copy.db");
  // A signed snapshot without --jwks is a usage error, and nothing is created.
  EXPECT_EQ(RunCli({"import", "--db", fresh, Path("snapshot.json")}, &out, &err), 2);
  EXPECT_EQ(err, "mcpreg import: " + Path("snapshot.json") +
                     " is a signed snapshot: pass --jwks FILE|URL to verify it before importing\n");
  EXPECT_FALSE(std::filesystem::exists(fresh));

  ASSERT_EQ(RunCli({"import", "--db", fresh, "-q", Path("snapshot.json"), "--jwks",
                    Path("jwks.json")},
                   &out, &err),
            0)
      << out << err;
  EXPECT_NE(out.find("imported 5,"), std::string::npos) << out;
  EXPECT_EQ(err.rfind("verified: 5 servers", 0), 0u) << err;

  // The copy's own snapshot (exported from its database) has the same servers and statuses.
  ASSERT_EQ(RunCli({"snapshot", "export", "--db", fresh, "--out", Path("copy-snapshot.json")},
                   &out, &err),
            0)
      << err;
  EXPECT_EQ(Essentials(PayloadServers(Read(Path("copy-snapshot.json")))),
            Essentials(PayloadServers(Read(Path("snapshot.json")))));
}

TEST_F(SnapshotE2ETest, ExportFromTheDatabaseMatchesTheServedSnapshot) {
  std::string out, err;
  ASSERT_EQ(RunCli({"snapshot", "export", "--db", *db_}, &out, &err), 0) << err;
  Write(Path("exported.json"), out);
  // Signed with the key the server uses: the served JWKS verifies it.
  ASSERT_EQ(Verify(Path("exported.json"), Path("jwks.json"), &out, &err), 0) << err;
  EXPECT_EQ(bj::serialize(PayloadServers(Read(Path("exported.json")))),
            bj::serialize(PayloadServers(Read(Path("snapshot.json")))));
  // A database that does not exist is not created.
  EXPECT_EQ(RunCli({"snapshot", "export", "--db", Path("nothing.db")}, &out, &err), 1);
  EXPECT_FALSE(std::filesystem::exists(Path("nothing.db")));
}

// Governed mode: only versions public reads show (an approved request) are in the snapshot.
TEST(SnapshotGovernedTest, WithheldVersionsAreLeftOut) {
  std::string dir = testing::TempDir();
  std::string config = Write(dir + "/mcpreg.yaml",
                             "db: registry.db\npolicy:\n  strict: true\n  evidence: []\n"
                             "federation:\n  snapshot_ttl_seconds: 3600\n");
  const std::string good = testing::CompliantWeatherServer();
  std::string other = good;
  other.replace(other.find("com.contoso/weather"), 19, "com.contoso/tides1");
  std::string out, err;
  ASSERT_EQ(RunCli({"import", "--db", dir + "/registry.db", "-q",
                    Write(dir + "/seed.json", "[" + good + "," + other + "]")},
                   &out, &err),
            0)
      << out << err;
  std::string request = testing::WeatherRequest(good);
  ASSERT_EQ(RunCli({"request", "file", Write(dir + "/req.json", request), "--config", config},
                   &out, &err),
            0)
      << err;
  ASSERT_EQ(RunCli({"review", "approve", "com.contoso/weather", "--config", config}, &out, &err), 0)
      << err;

  ASSERT_EQ(RunCli({"snapshot", "export", "--config", config, "--out", dir + "/snap.json"}, &out,
                   &err),
            0)
      << err;
  bj::array servers = PayloadServers(Read(dir + "/snap.json"));
  ASSERT_EQ(servers.size(), 1u) << bj::serialize(servers);
  EXPECT_EQ(servers[0].at("server").at("name").as_string(), "com.contoso/weather");
  auto info = bj::parse(federation::ParseEnvelope(Read(dir + "/snap.json"))->payload);
  Micros created = *ParseRfc3339(info.at("createdAt").as_string());
  Micros expires = *ParseRfc3339(info.at("expiresAt").as_string());
  EXPECT_EQ(expires - created, 3600LL * 1000000) << "federation.snapshot_ttl_seconds";

  // The server in the same mode serves the same set.
  testing::ServerProcess server(dir + "/registry.db", {"--config", config});
  ASSERT_TRUE(server.started()) << server.log();
  auto r = Get(server.base_url() + "/v0.1/x/dev.mcpreg/snapshot");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(bj::serialize(PayloadServers(r.body)), bj::serialize(servers));
  server.Stop();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mcpreg
