// Tests for src/auth/{encoding,keys,jwks,jwt}: every accept and reject path of JWT
// verification, with keys generated in the test and tokens from an independent signer
// (tests/fixtures/auth, made by make_interop.py).
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <sstream>

#include "auth/encoding.h"
#include "auth/jwks.h"
#include "auth/jwt.h"
#include "auth/keys.h"

namespace mcpreg::auth {
namespace {

namespace bj = boost::json;

constexpr int64_t kNow = 1760000000;
const std::string kFixtures = std::string(MCPREG_SOURCE_DIR) + "/tests/fixtures/auth/";

std::string ReadFixture(const std::string& name) {
  std::ifstream in(kFixtures + name);
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

class MapKeys final : public KeyProvider {
 public:
  void Add(const Key& k) { keys_[k.kid()] = k; }
  Result<Key> KeyFor(std::string_view kid) override {
    auto it = keys_.find(std::string(kid));
    if (it == keys_.end())
      return Status::Unauthenticated("unknown kid \"" + std::string(kid) + "\"");
    return it->second;
  }

 private:
  std::map<std::string, Key> keys_;
};

bj::object BaseClaims() {
  return {{"iss", "https://issuer.example"},
          {"aud", "mcp-registry"},
          {"sub", "repo:acme/x"},
          {"iat", kNow},
          {"nbf", kNow},
          {"exp", kNow + 300}};
}

// A token with an arbitrary header, signed (or not) by the caller.
std::string Forge(const bj::object& header, const bj::object& claims, std::string sig) {
  return Base64UrlEncode(bj::serialize(header)) + "." + Base64UrlEncode(bj::serialize(claims)) +
         "." + Base64UrlEncode(sig);
}

TEST(EncodingTest, Base64UrlRoundTripsAllLengths) {
  std::string bytes;
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(bytes)), bytes);
    bytes += char(i * 37);
  }
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
}

TEST(EncodingTest, Base64UrlRejectsPaddingAlphabetAndNonCanonicalBits) {
  EXPECT_FALSE(Base64UrlDecode("YQ=="));
  EXPECT_FALSE(Base64UrlDecode("a+b/"));
  EXPECT_FALSE(Base64UrlDecode("Y"));
  EXPECT_FALSE(Base64UrlDecode("YR"));  // "a" is YQ; YR has stray low bits
  EXPECT_EQ(Base64UrlDecode("YQ"), "a");
}

TEST(EncodingTest, StdBase64AndHex) {
  EXPECT_EQ(Base64Encode("ab"), "YWI=");
  EXPECT_EQ(Base64Decode("YWI="), "ab");
  EXPECT_FALSE(Base64Decode("YWI"));
  EXPECT_EQ(HexEncode("\x01\xab"), "01ab");
  EXPECT_EQ(HexDecode("01AB"), "\x01\xab");
  EXPECT_FALSE(HexDecode("abc"));
  EXPECT_FALSE(HexDecode("zz"));
}

class KeyTypeTest : public ::testing::TestWithParam<KeyType> {};

TEST_P(KeyTypeTest, PublicJwkRoundTripVerifiesSignature) {
  Result<Key> priv = Key::Generate(GetParam(), "k1");
  ASSERT_TRUE(priv.ok());
  Result<Key> pub = Key::FromJwk(priv->PublicJwk());
  ASSERT_TRUE(pub.ok()) << pub.status().ToString() << " " << priv->PublicJwk();
  EXPECT_EQ(pub->kid(), "k1");
  EXPECT_FALSE(pub->has_private());
  Result<std::string> sig = priv->Sign(priv->DefaultAlg(), "hello");
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(pub->Verify(pub->DefaultAlg(), "hello", *sig).ok());
  EXPECT_TRUE(pub->Verify(pub->DefaultAlg(), "hellO", *sig).IsUnauthenticated());
  if (GetParam() == KeyType::kEcP256) {
    EXPECT_EQ(sig->size(), 64u);  // JOSE R||S, not DER
  }
}

TEST_P(KeyTypeTest, KeyRefusesOtherAlgorithms) {
  Result<Key> k = Key::Generate(GetParam());
  ASSERT_TRUE(k.ok());
  for (JwsAlg alg : {JwsAlg::kRS256, JwsAlg::kES256, JwsAlg::kEdDSA}) {
    if (alg == k->DefaultAlg()) continue;
    Status s = k->Verify(alg, "x", std::string(64, 'a'));
    EXPECT_TRUE(s.IsUnauthenticated());
    EXPECT_NE(s.message().find("does not match"), std::string::npos) << s.message();
    EXPECT_FALSE(k->Sign(alg, "x").ok());
  }
}

INSTANTIATE_TEST_SUITE_P(All, KeyTypeTest,
                         ::testing::Values(KeyType::kRsa, KeyType::kEcP256, KeyType::kEd25519));

TEST(JwkTest, RejectsShortRsaModulus) {
  EVP_PKEY* small = EVP_RSA_gen(1024);
  ASSERT_NE(small, nullptr);
  BIGNUM *n = nullptr, *e = nullptr;
  EVP_PKEY_get_bn_param(small, "n", &n);
  EVP_PKEY_get_bn_param(small, "e", &e);
  std::string nb(BN_num_bytes(n), '\0'), eb(BN_num_bytes(e), '\0');
  BN_bn2bin(n, reinterpret_cast<unsigned char*>(nb.data()));
  BN_bn2bin(e, reinterpret_cast<unsigned char*>(eb.data()));
  BN_free(n);
  BN_free(e);
  EVP_PKEY_free(small);
  bj::object jwk{{"kty", "RSA"}, {"n", Base64UrlEncode(nb)}, {"e", Base64UrlEncode(eb)}};
  Result<Key> k = Key::FromJwk(bj::serialize(jwk));
  ASSERT_FALSE(k.ok());
  EXPECT_NE(k.status().message().find("2048"), std::string::npos);
}

TEST(JwkTest, RejectsEcPointOffCurveWrongUseAndMismatchedAlg) {
  Result<Key> ec = Key::Generate(KeyType::kEcP256, "e");
  ASSERT_TRUE(ec.ok());
  bj::object jwk = bj::parse(ec->PublicJwk()).as_object();
  bj::object off = jwk;
  std::string y = *Base64UrlDecode(off["y"].as_string());
  y[31] ^= 1;
  off["y"] = Base64UrlEncode(y);
  EXPECT_FALSE(Key::FromJwk(bj::serialize(off)).ok());
  bj::object enc = jwk;
  enc["use"] = "enc";
  EXPECT_FALSE(Key::FromJwk(bj::serialize(enc)).ok());
  bj::object rs = jwk;
  rs["alg"] = "RS256";
  EXPECT_FALSE(Key::FromJwk(bj::serialize(rs)).ok());
  EXPECT_FALSE(Key::FromJwk(R"({"kty":"oct","k":"c2VjcmV0"})").ok());
  EXPECT_FALSE(Key::FromJwk(R"({"kty":"OKP","crv":"Ed25519","x":"AAAA"})").ok());
}

TEST(JwkSetTest, SkipsUnusableMembersAndFindsByKid) {
  Result<JwkSet> set = JwkSet::Parse(ReadFixture("jwks.json"));
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->keys().size(), 3u);
  EXPECT_EQ(set->skipped(), 1);  // the "oct" key
  ASSERT_NE(set->Find("ec-1"), nullptr);
  EXPECT_EQ(set->Find("ec-1")->type(), KeyType::kEcP256);
  EXPECT_EQ(set->Find("nope"), nullptr);
  EXPECT_FALSE(JwkSet::Parse("[]").ok());
  EXPECT_FALSE(JwkSet::Parse(R"({"keys":{}})").ok());
}

class JwtTest : public ::testing::Test {
 protected:
  // RSA key generation is slow; one key set serves the whole suite.
  static void SetUpTestSuite() {
    priv_ = new std::map<std::string, Key>;
    for (auto [type, kid] : {std::pair{KeyType::kRsa, "rsa"}, std::pair{KeyType::kEcP256, "ec"},
                             std::pair{KeyType::kEd25519, "ed"}}) {
      (*priv_)[kid] = *Key::Generate(type, kid);
    }
  }
  static void TearDownTestSuite() { delete priv_; }
  void SetUp() override {
    for (const auto& [kid, k] : *priv_) keys_.Add(*Key::FromJwk(k.PublicJwk()));
    checks_.issuer = "https://issuer.example";
    checks_.audiences = {"mcp-registry"};
  }
  std::string Sign(const std::string& kid, const bj::object& claims) {
    const Key& k = priv_->at(kid);
    return *SignJwt(k, k.DefaultAlg(), bj::serialize(claims));
  }
  Status Verify(const std::string& token, int64_t now = kNow + 10) {
    return VerifyJwt(token, checks_, keys_, now * 1000000).status();
  }
  // Asserts the failure names `what` and does not leak the token.
  void ExpectFails(const std::string& token, const std::string& what, int64_t now = kNow + 10) {
    Status s = Verify(token, now);
    EXPECT_TRUE(s.IsUnauthenticated()) << s.ToString();
    EXPECT_NE(s.message().find(what), std::string::npos) << s.message();
    if (!token.empty()) {
      EXPECT_EQ(s.message().find(token), std::string::npos);
    }
    size_t dot = token.rfind('.');
    if (dot != std::string::npos && token.size() - dot > 8) {
      EXPECT_EQ(s.message().find(token.substr(dot + 1)), std::string::npos);
    }
  }
  static inline std::map<std::string, Key>* priv_ = nullptr;
  MapKeys keys_;
  JwtChecks checks_;
};

TEST_F(JwtTest, AcceptsEachAlgorithm) {
  for (const char* kid : {"rsa", "ec", "ed"}) {
    Result<Jwt> jwt = VerifyJwt(Sign(kid, BaseClaims()), checks_, keys_, (kNow + 10) * 1000000);
    ASSERT_TRUE(jwt.ok()) << kid << ": " << jwt.status().ToString();
    EXPECT_EQ(jwt->StringClaim("sub"), "repo:acme/x");
    EXPECT_EQ(jwt->kid, kid);
  }
}

TEST_F(JwtTest, AlgNoneIsRefused) {
  bj::object h{{"alg", "none"}, {"kid", "ed"}};
  ExpectFails(Forge(h, BaseClaims(), ""), "alg none");
}

TEST_F(JwtTest, HmacWithRsaPublicKeyAsSecretIsRefused) {
  // The classic confusion attack: HS256 "signed" with the RSA public key bytes as the secret.
  std::string secret = priv_->at("rsa").PublicJwk();
  bj::object h{{"alg", "HS256"}, {"kid", "rsa"}};
  std::string token = Forge(h, BaseClaims(), std::string(32, 'x'));
  unsigned char mac[32];
  size_t len = sizeof mac;
  std::string input = token.substr(0, token.rfind('.'));
  ASSERT_TRUE(EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
                        reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
                        sizeof mac, &len));
  token = input + "." + Base64UrlEncode(std::string(reinterpret_cast<char*>(mac), len));
  checks_.algorithms.clear();  // even a careless allowlist cannot enable HMAC
  ExpectFails(token, "symmetric algorithm HS256");
}

TEST_F(JwtTest, AlgorithmOutsideAllowlistIsRefused) {
  checks_.algorithms = {JwsAlg::kRS256};
  ExpectFails(Sign("ed", BaseClaims()), "EdDSA is not allowed");
  bj::object h{{"alg", "PS256"}, {"kid", "rsa"}};
  ExpectFails(Forge(h, BaseClaims(), "sig"), "PS256 is not allowed");
}

TEST_F(JwtTest, AlgorithmNotFittingKeyIsRefused) {
  // Header says ES256 but the kid names the RSA key.
  std::string token = Sign("ec", BaseClaims());
  bj::object h{{"alg", "ES256"}, {"kid", "rsa"}, {"typ", "JWT"}};
  std::string forged = Base64UrlEncode(bj::serialize(h)) + token.substr(token.find('.'));
  ExpectFails(forged, "does not match the RSA key");
}

TEST_F(JwtTest, UnknownOrMissingKidIsRefused) {
  bj::object h{{"alg", "EdDSA"}, {"kid", "other"}};
  ExpectFails(Forge(h, BaseClaims(), std::string(64, 'a')), "unknown kid");
  bj::object nokid{{"alg", "EdDSA"}};
  ExpectFails(Forge(nokid, BaseClaims(), std::string(64, 'a')), "no kid");
}

TEST_F(JwtTest, TamperedClaimsFailSignature) {
  for (const char* kid : {"rsa", "ec", "ed"}) {
    std::string token = Sign(kid, BaseClaims());
    bj::object evil = BaseClaims();
    evil["sub"] = "repo:evil/x";
    size_t d1 = token.find('.'), d2 = token.rfind('.');
    std::string forged =
        token.substr(0, d1 + 1) + Base64UrlEncode(bj::serialize(evil)) + token.substr(d2);
    ExpectFails(forged, "signature is invalid");
  }
}

TEST_F(JwtTest, TimeChecksWithLeeway) {
  bj::object c = BaseClaims();
  ExpectFails(Sign("ed", c), "expired", kNow + 300 + 60);
  EXPECT_TRUE(Verify(Sign("ed", c), kNow + 300 + 59).ok());  // within leeway
  c.erase("exp");
  ExpectFails(Sign("ed", c), "no exp");
  c = BaseClaims();
  c["nbf"] = kNow + 200;
  ExpectFails(Sign("ed", c), "not valid yet");
  c["nbf"] = kNow + 60;  // 50 s ahead of the clock, inside the leeway
  EXPECT_TRUE(Verify(Sign("ed", c)).ok());
  c = BaseClaims();
  c["iat"] = kNow + 500;
  c["exp"] = kNow + 900;
  ExpectFails(Sign("ed", c), "issued in the future");
  c = BaseClaims();
  c["exp"] = "tomorrow";
  ExpectFails(Sign("ed", c), "NumericDate");
  checks_.leeway_seconds = 0;
  ExpectFails(Sign("ed", BaseClaims()), "expired", kNow + 300);
}

TEST_F(JwtTest, IssuerAndAudienceChecks) {
  bj::object c = BaseClaims();
  c["iss"] = "https://evil.example";
  ExpectFails(Sign("rsa", c), "issuer \"https://evil.example\" is not");
  c = BaseClaims();
  c["aud"] = "https://github.com/acme";
  ExpectFails(Sign("rsa", c), "invalid audience: expected mcp-registry, got [");
  c["aud"] = bj::array{"a", "mcp-registry"};
  EXPECT_TRUE(Verify(Sign("rsa", c)).ok());
  c["aud"] = bj::array{"a", "b"};
  ExpectFails(Sign("rsa", c), "audience");
  c.erase("aud");
  ExpectFails(Sign("rsa", c), "no aud");
}

TEST_F(JwtTest, MalformedTokensAndCritAreRefused) {
  ExpectFails("", "malformed");
  ExpectFails("abc.def", "three");
  ExpectFails("a.b.c.d", "three");
  ExpectFails("!!.e30.", "header is not base64url");
  ExpectFails(Base64UrlEncode("[1]") + ".e30.", "header is not a JSON object");
  bj::object h{{"alg", "EdDSA"}, {"kid", "ed"}, {"crit", bj::array{"exp"}}};
  ExpectFails(Forge(h, BaseClaims(), std::string(64, 'a')), "crit");
}

TEST(JwtInteropTest, VerifiesTokensFromAnIndependentSigner) {
  ManualClock clock((kNow + 100) * 1000000);
  JwksCache cache({KeySource::Kind::kFile, kFixtures + "jwks.json"}, nullptr, clock);
  JwtChecks checks;
  checks.issuer = "https://issuer.example";
  checks.audiences = {"mcp-registry"};
  for (const char* f : {"rs256.jwt", "es256.jwt", "eddsa.jwt"}) {
    Result<Jwt> jwt = VerifyJwt(ReadFixture(f), checks, cache, clock.Now());
    ASSERT_TRUE(jwt.ok()) << f << ": " << jwt.status().ToString();
    EXPECT_EQ(jwt->StringClaim("repository_owner"), "acme");
  }
  EXPECT_EQ(cache.loads(), 1);
}

class JwksCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    a_ = *Key::Generate(KeyType::kEd25519, "a");
    b_ = *Key::Generate(KeyType::kEd25519, "b");
    fetcher_ = std::make_shared<FakeHttpFetcher>();
  }
  static std::string SetOf(std::initializer_list<Key> keys) {
    JwkSet s;
    for (const Key& k : keys) s.Add(k);
    return s.ToJson();
  }
  Key a_, b_;
  std::shared_ptr<FakeHttpFetcher> fetcher_;
  ManualClock clock_{kNow * 1000000};
};

TEST_F(JwksCacheTest, DiscoveryFindsJwksUriAndChecksIssuer) {
  fetcher_->Set("https://idp.example/.well-known/openid-configuration", 200,
                R"({"issuer":"https://idp.example","jwks_uri":"https://idp.example/keys"})");
  fetcher_->Set("https://idp.example/keys", 200, SetOf({a_}));
  JwksCache cache({KeySource::Kind::kDiscovery, "https://idp.example"}, fetcher_, clock_);
  EXPECT_TRUE(cache.KeyFor("a").ok());

  fetcher_->Set("https://other.example/.well-known/openid-configuration", 200,
                R"({"issuer":"https://idp.example","jwks_uri":"https://idp.example/keys"})");
  JwksCache wrong({KeySource::Kind::kDiscovery, "https://other.example"}, fetcher_, clock_);
  Result<Key> k = wrong.KeyFor("a");
  EXPECT_EQ(k.status().code(), Code::kUnavailable);
  EXPECT_NE(k.status().message().find("names issuer"), std::string::npos);
}

TEST_F(JwksCacheTest, UnknownKidRefetchesAtMostOncePerInterval) {
  const std::string url = "https://idp.example/keys";
  fetcher_->Set(url, 200, SetOf({a_}));
  JwksCache cache({KeySource::Kind::kUrl, url}, fetcher_, clock_);
  ASSERT_TRUE(cache.KeyFor("a").ok());
  EXPECT_EQ(fetcher_->requests(url), 1);
  // The issuer rotates to b; a fresh cache is authoritative for a minute.
  fetcher_->Set(url, 200, SetOf({a_, b_}));
  clock_.Advance(10 * 1000000);
  EXPECT_TRUE(cache.KeyFor("b").status().IsUnauthenticated());
  for (int i = 0; i < 50; ++i) EXPECT_FALSE(cache.KeyFor("random" + std::to_string(i)).ok());
  EXPECT_EQ(fetcher_->requests(url), 1);
  clock_.Advance(60 * 1000000);
  EXPECT_TRUE(cache.KeyFor("b").ok());
  EXPECT_EQ(fetcher_->requests(url), 2);
}

TEST_F(JwksCacheTest, TtlExpiryReloadsAndFailedRefreshKeepsOldKeys) {
  const std::string url = "https://idp.example/keys";
  fetcher_->Set(url, 200, SetOf({a_}));
  JwksCacheOptions opts;
  opts.ttl = 300LL * 1000000;
  JwksCache cache({KeySource::Kind::kUrl, url}, fetcher_, clock_, opts);
  ASSERT_TRUE(cache.KeyFor("a").ok());
  fetcher_->Set(url, 500, "oops");
  clock_.Advance(301LL * 1000000);
  EXPECT_TRUE(cache.KeyFor("a").ok());  // stale but still served
  EXPECT_EQ(fetcher_->requests(url), 2);
  fetcher_->Set(url, 200, SetOf({b_}));
  clock_.Advance(61LL * 1000000);
  EXPECT_TRUE(cache.KeyFor("b").ok());
  EXPECT_TRUE(cache.KeyFor("a").status().IsUnauthenticated());
}

TEST_F(JwksCacheTest, CacheControlMaxAgeIsHonouredWithinBounds) {
  const std::string url = "https://idp.example/keys";
  fetcher_->Set(url, 200, SetOf({a_}), "public, max-age=900");
  JwksCache cache({KeySource::Kind::kUrl, url}, fetcher_, clock_);  // default TTL 1 h
  ASSERT_TRUE(cache.KeyFor("a").ok());
  clock_.Advance(899LL * 1000000);
  ASSERT_TRUE(cache.KeyFor("a").ok());
  EXPECT_EQ(fetcher_->requests(url), 1);
  clock_.Advance(1LL * 1000000);
  ASSERT_TRUE(cache.KeyFor("a").ok());
  EXPECT_EQ(fetcher_->requests(url), 2);
  // max-age=0 is raised to the 5-minute floor.
  fetcher_->Set(url, 200, SetOf({a_}), "max-age=0");
  clock_.Advance(3600LL * 1000000);
  ASSERT_TRUE(cache.KeyFor("a").ok());
  EXPECT_EQ(fetcher_->requests(url), 3);
  clock_.Advance(299LL * 1000000);
  ASSERT_TRUE(cache.KeyFor("a").ok());
  EXPECT_EQ(fetcher_->requests(url), 3);
}

TEST_F(JwksCacheTest, UnreachableSourceIsUnavailable) {
  JwksCache cache({KeySource::Kind::kUrl, "https://down.example/keys"}, fetcher_, clock_);
  EXPECT_EQ(cache.KeyFor("a").status().code(), Code::kUnavailable);
  JwksCache file({KeySource::Kind::kFile, "/nonexistent/jwks.json"}, nullptr, clock_);
  EXPECT_EQ(file.KeyFor("a").status().code(), Code::kUnavailable);
}

}  // namespace
}  // namespace mcpreg::auth
