// Tests for src/federation/{dsse,snapshot,jwks_source} and auth::JwkThumbprint: the DSSE
// pre-authentication encoding and RFC 7638 thumbprint against published vectors, envelope
// signing and every refusal of verification (tampered, other key, non-Ed25519 key, wrong
// payloadType, expired, not yet valid, malformed, oversized), the public set of a catalog, and
// the publisher's one-signature-per-catalog-state cache.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "auth/encoding.h"
#include "auth/jwks.h"
#include "auth/keys.h"
#include "catalog/catalog.h"
#include "federation/dsse.h"
#include "federation/jwks_source.h"
#include "federation/snapshot.h"

namespace mcpreg::federation {
namespace {

namespace bj = boost::json;

constexpr Micros kNow = 1760000000000000;
constexpr Micros kDay = 86400LL * 1000000;

// RFC 8032 §7.1 TEST 1: the key RFC 8037 Appendix A uses too.
auth::Key Rfc8032Key() {
  auto seed = auth::HexDecode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  return *auth::Key::Ed25519FromSeed(*seed);
}

auth::JwkSet JwksOf(const auth::Key& key) {
  auth::JwkSet set;
  set.Add(*auth::Key::FromJwk(key.PublicJwk()));
  return set;
}

VersionRecord Record(std::string name, std::string version, VersionStatus status, int64_t seq) {
  VersionRecord r;
  r.meta.name = name;
  r.meta.version = version;
  r.meta.status = status;
  r.meta.status_changed_at = kNow;
  r.meta.published_at = kNow + seq;
  r.meta.updated_at = kNow + seq;
  r.meta.is_latest = true;
  r.server_json = R"({"name":")" + name + R"(","description":"d","version":")" + version + R"("})";
  r.seq = seq;
  return r;
}

TEST(DssePaeTest, MatchesTheSpecificationExample) {
  EXPECT_EQ(Pae("http://example.com/HelloWorld", "hello world"),
            "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  EXPECT_EQ(Pae("", ""), "DSSEv1 0  0 ");
  // Lengths count bytes, not characters.
  EXPECT_EQ(Pae("t", "\xc3\xa9"), "DSSEv1 1 t 2 \xc3\xa9");
}

TEST(JwkThumbprintTest, Rfc8037Ed25519KeyGivesThePublishedThumbprint) {
  auth::Key key = Rfc8032Key();
  EXPECT_NE(key.PublicJwk().find("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"), std::string::npos);
  EXPECT_EQ(auth::JwkThumbprint(key), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
  EXPECT_EQ(auth::JwkThumbprint(auth::Key()), "");
}

TEST(DsseEnvelopeTest, SignedEnvelopeRoundTripsAndVerifies) {
  auth::Key key = Rfc8032Key();
  auto env = SignEnvelope("text/plain", "hello world", key, "k1");
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  std::string json = EncodeEnvelope(*env);
  bj::value v = bj::parse(json);
  EXPECT_EQ(v.at("payloadType").as_string(), "text/plain");
  EXPECT_EQ(v.at("payload").as_string(), "aGVsbG8gd29ybGQ=");  // standard base64, padded
  EXPECT_EQ(v.at("signatures").at(0).at("keyid").as_string(), "k1");
  auto parsed = ParseEnvelope(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->payload, "hello world");
  // Ed25519 is deterministic: the signature is over PAE, checkable with the raw key.
  EXPECT_TRUE(key.Verify(auth::JwsAlg::kEdDSA, Pae("text/plain", "hello world"),
                         parsed->signatures[0].sig).ok());
  auth::JwkSet keys;
  keys.Add(*auth::Key::Ed25519FromSeed(key.Ed25519Seed(), "k1"));
  auto kid = VerifyEnvelope(*parsed, keys);
  ASSERT_TRUE(kid.ok()) << kid.status().ToString();
  EXPECT_EQ(*kid, "k1");
}

TEST(DsseEnvelopeTest, RefusesTamperingOtherKeysAndOtherKeyTypes) {
  auth::Key key = *auth::Key::Generate(auth::KeyType::kEd25519, "k1");
  auto env = *SignEnvelope("text/plain", "hello world", key, "k1");
  auth::JwkSet keys = JwksOf(key);

  DsseEnvelope tampered = env;
  tampered.payload[0] ^= 1;
  auto r = VerifyEnvelope(tampered, keys);
  EXPECT_TRUE(r.status().IsUnauthenticated());
  EXPECT_NE(r.status().message().find("signature by key \"k1\" is invalid"), std::string::npos)
      << r.status().message();
  tampered = env;
  tampered.payload_type = "text/html";  // the type is signed too
  EXPECT_TRUE(VerifyEnvelope(tampered, keys).status().IsUnauthenticated());

  // Another key under the same kid: invalid signature; under another kid: not in the JWKS.
  auth::Key other = *auth::Key::Generate(auth::KeyType::kEd25519, "k1");
  EXPECT_NE(VerifyEnvelope(env, JwksOf(other)).status().message().find("is invalid"),
            std::string::npos);
  auth::Key other2 = *auth::Key::Generate(auth::KeyType::kEd25519, "k2");
  r = VerifyEnvelope(env, JwksOf(other2));
  EXPECT_NE(r.status().message().find("signed by another key: keyid \"k1\" is not in the JWKS"),
            std::string::npos)
      << r.status().message();
  // An EC key carrying our kid is never used for Ed25519 signatures.
  auth::Key ec = *auth::Key::Generate(auth::KeyType::kEcP256, "k1");
  r = VerifyEnvelope(env, JwksOf(ec));
  EXPECT_NE(r.status().message().find("is not an Ed25519 key"), std::string::npos)
      << r.status().message();
}

TEST(DsseEnvelopeTest, GarbageIsRefusedWithoutCrashing) {
  auth::Key key = Rfc8032Key();
  std::string good = EncodeEnvelope(*SignEnvelope("t", "payload", key, "k1"));
  for (size_t n = 0; n < good.size(); ++n) {
    auto r = ParseEnvelope(good.substr(0, n));
    EXPECT_FALSE(r.ok()) << n;
  }
  for (std::string bad : {"", "null", "[]", "{}", R"({"payloadType":1,"payload":"","signatures":[]})",
                          R"({"payloadType":"t","payload":"!!","signatures":[{"sig":""}]})",
                          R"({"payloadType":"t","payload":"","signatures":[]})",
                          R"({"payloadType":"t","payload":"","signatures":[{"keyid":5,"sig":""}]})",
                          R"({"payloadType":"t","payload":"","signatures":[1]})"}) {
    auto r = ParseEnvelope(bad);
    EXPECT_TRUE(r.status().IsInvalidArgument()) << bad;
    EXPECT_EQ(r.status().message().rfind("not a DSSE envelope: ", 0), 0u) << r.status().message();
  }
  std::string many = R"({"payloadType":"t","payload":"","signatures":[)";
  for (int i = 0; i < 17; ++i) many += std::string(i ? "," : "") + R"({"sig":""})";
  EXPECT_FALSE(ParseEnvelope(many + "]}").ok());
}

class SnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    catalog_.Apply({Record("com.example/a", "1.0.0", VersionStatus::kActive, 3),
                    Record("com.example/a", "0.9.0", VersionStatus::kDeleted, 7),
                    Record("com.example/b", "2.0.0", VersionStatus::kDeprecated, 5)});
    signer_ = *SnapshotSigner::FromRegistryKey(Rfc8032Key());
    keys_ = *auth::JwkSet::Parse(signer_.JwksJson());
  }
  std::string Signed(Micros now, Micros ttl) {
    return *SignSnapshot(CollectPublic(catalog_), signer_, now, ttl);
  }

  catalog::Catalog catalog_;
  SnapshotSigner signer_;
  auth::JwkSet keys_;
};

TEST_F(SnapshotTest, JwksServesTheKeyUnderItsThumbprint) {
  bj::value v = bj::parse(signer_.JwksJson());
  const auto& k = v.at("keys").at(0).as_object();
  EXPECT_EQ(k.at("kty").as_string(), "OKP");
  EXPECT_EQ(k.at("crv").as_string(), "Ed25519");
  EXPECT_EQ(k.at("x").as_string(), "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
  EXPECT_EQ(k.at("kid").as_string(), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
  EXPECT_EQ(k.at("alg").as_string(), "EdDSA");
  EXPECT_EQ(k.at("use").as_string(), "sig");
  EXPECT_FALSE(k.contains("d"));
  EXPECT_FALSE(SnapshotSigner::FromRegistryKey(*auth::Key::FromJwk(Rfc8032Key().PublicJwk())).ok());
}

TEST_F(SnapshotTest, PayloadHoldsEveryVersionDeletedIncludedInOrderWithItsResponseBytes) {
  PublicSet set = CollectPublic(catalog_);
  EXPECT_EQ(set.generation, 7);
  auto v = VerifySnapshot(Signed(kNow, 7 * kDay), keys_, kNow);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->info.servers, 3u);
  EXPECT_EQ(v->info.generation, 7);
  EXPECT_EQ(v->info.created_at, kNow);
  EXPECT_EQ(v->info.expires_at, kNow + 7 * kDay);
  EXPECT_EQ(v->kid, signer_.kid());
  std::string expected = R"({"generation":7,"createdAt":")" + FormatRfc3339(kNow) +
                         R"(","expiresAt":")" + FormatRfc3339(kNow + 7 * kDay) + R"(","servers":[)";
  for (const char* n : {"0.9.0", "1.0.0"})
    expected += catalog_.Get("com.example/a", n, true)->response_json + ",";
  expected += catalog_.Get("com.example/b", "2.0.0", true)->response_json + "]}";
  EXPECT_EQ(v->payload, expected);
  EXPECT_NE(v->payload.find(R"("status":"deleted")"), std::string::npos);
}

TEST_F(SnapshotTest, WithheldVersionsAreLeftOut) {
  catalog_.SetListingRule([](const catalog::Entry& e) { return e.meta.name != "com.example/b"; });
  catalog_.RelistAll();
  PublicSet set = CollectPublic(catalog_);
  ASSERT_EQ(set.entries.size(), 2u);
  for (const auto& e : set.entries) EXPECT_EQ(e->meta.name, "com.example/a");
}

TEST_F(SnapshotTest, ExpiredNotYetValidAndWrongTypeAreRefused) {
  std::string env = Signed(kNow, kDay);
  EXPECT_TRUE(VerifySnapshot(env, keys_, kNow + kDay + kSnapshotLeeway).ok());
  auto r = VerifySnapshot(env, keys_, kNow + kDay + kSnapshotLeeway + 1);
  EXPECT_TRUE(r.status().code() == Code::kFailedPrecondition);
  EXPECT_EQ(r.status().message(), "snapshot expired at " + FormatRfc3339(kNow + kDay));
  r = VerifySnapshot(env, keys_, kNow - kSnapshotLeeway - 1);
  EXPECT_NE(r.status().message().find("not valid before"), std::string::npos);

  auto other = *SignEnvelope("application/vnd.in-toto+json", "{}", signer_.key(), signer_.kid());
  r = VerifySnapshot(EncodeEnvelope(other), keys_, kNow);
  EXPECT_NE(r.status().message().find("payloadType \"application/vnd.in-toto+json\" is not"),
            std::string::npos)
      << r.status().message();
}

TEST_F(SnapshotTest, SignedButMalformedPayloadsAreRefused) {
  for (std::string payload :
       {std::string("not json"), std::string("[]"), std::string(R"({"generation":-1})"),
        std::string(R"({"generation":1,"createdAt":"x","expiresAt":"y","servers":[]})"),
        R"({"generation":1,"createdAt":")" + FormatRfc3339(kNow) + R"(","expiresAt":")" +
            FormatRfc3339(kNow - 1) + R"(","servers":[]})",
        R"({"generation":1,"createdAt":")" + FormatRfc3339(kNow) + R"(","expiresAt":")" +
            FormatRfc3339(kNow + 1) + R"(","servers":[1]})"}) {
    auto env = *SignEnvelope(kSnapshotPayloadType, payload, signer_.key(), signer_.kid());
    auto r = VerifySnapshot(EncodeEnvelope(env), keys_, kNow);
    EXPECT_TRUE(r.status().IsInvalidArgument()) << payload;
    EXPECT_EQ(r.status().message().rfind("snapshot payload ", 0), 0u) << r.status().message();
  }
  EXPECT_FALSE(LooksLikeEnvelope("[]"));
  EXPECT_FALSE(LooksLikeEnvelope("{\"servers\":[]}"));
  EXPECT_TRUE(LooksLikeEnvelope(Signed(kNow, kDay)));
}

TEST_F(SnapshotTest, PublisherSignsOncePerCatalogState) {
  ManualClock clock(kNow);
  SnapshotPublisher pub(catalog_, signer_, clock, kDay);
  auto a = pub.Current();
  auto b = pub.Current();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(pub.signs(), 1);
  EXPECT_EQ((*a)->envelope, (*b)->envelope);
  EXPECT_EQ((*a)->etag.rfind("\"g7-", 0), 0u) << (*a)->etag;
  catalog_.Apply({Record("com.example/c", "1.0.0", VersionStatus::kActive, 9)});
  auto c = pub.Current();
  EXPECT_EQ(pub.signs(), 2);
  EXPECT_EQ((*c)->info.generation, 9);
  EXPECT_EQ((*c)->info.servers, 4u);
  EXPECT_NE((*c)->etag, (*a)->etag);
  // Re-signed once half the validity has passed, so a served snapshot never nears expiry.
  clock.Advance(kDay / 2 + 1);
  pub.Current();
  EXPECT_EQ(pub.signs(), 3);
}

TEST(JwksSourceTest, FilesAreCappedAndMustHoldAnEd25519Key) {
  std::string dir = ::testing::TempDir();
  auto write = [&](const std::string& name, const std::string& body) {
    std::string p = dir + "/" + name;
    FILE* f = std::fopen(p.c_str(), "wb");
    std::fwrite(body.data(), 1, body.size(), f);
    std::fclose(f);
    return p;
  };
  auth::Key ed = *auth::Key::Generate(auth::KeyType::kEd25519, "k1");
  EXPECT_TRUE(LoadJwks(write("ok.json", JwksOf(ed).ToJson()), nullptr).ok());
  auto r = LoadJwks(write("ec.json", JwksOf(*auth::Key::Generate(auth::KeyType::kEcP256, "e")).ToJson()),
                    nullptr);
  EXPECT_NE(r.status().message().find("has no Ed25519 key with a kid"), std::string::npos);
  r = LoadJwks(write("garbage.json", "\x01\x02garbage"), nullptr);
  EXPECT_NE(r.status().message().find("is not a JWKS"), std::string::npos);
  r = LoadJwks(write("big.json", std::string(kMaxJwksBytes + 1, ' ')), nullptr);
  EXPECT_TRUE(r.status().code() == Code::kResourceExhausted) << r.status().ToString();
  r = LoadJwks(dir + "/missing.json", nullptr);
  EXPECT_TRUE(r.status().IsInvalidArgument());
  // URLs: https, or http on loopback only.
  auth::FakeHttpFetcher fetcher;
  fetcher.Set("http://127.0.0.1:9/jwks", 200, JwksOf(ed).ToJson());
  EXPECT_TRUE(LoadJwks("http://127.0.0.1:9/jwks", &fetcher).ok());
  r = LoadJwks("http://keys.example.com/jwks", &fetcher);
  EXPECT_NE(r.status().message().find("must be https://"), std::string::npos);
  fetcher.Set("https://keys.example.com/jwks", 404, "");
  EXPECT_TRUE(LoadJwks("https://keys.example.com/jwks", &fetcher).status().code() == Code::kUnavailable);
}

}  // namespace
}  // namespace mcpreg::federation
