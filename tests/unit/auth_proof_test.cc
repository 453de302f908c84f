// Tests for src/auth/namespace_proof: DNS TXT and HTTP well-known proofs with fake seams, a
// proof signed by an independent implementation (fixture), Ed25519 and ECDSA P-384 keys.
#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "auth/encoding.h"
#include "auth/keys.h"
#include "auth/namespace_proof.h"

namespace mcpreg::auth {
namespace {

constexpr int64_t kNow = 1760000000;  // 2025-10-09T08:53:20Z
constexpr char kTs[] = "2025-10-09T08:53:20Z";
constexpr char kWellKnown[] = "https://example.com/.well-known/mcp-registry-auth";

boost::json::object Fixture() {
  std::ifstream in(std::string(MCPREG_SOURCE_DIR) + "/tests/fixtures/auth/proof.json");
  std::ostringstream ss;
  ss << in.rdbuf();
  return boost::json::parse(ss.str()).as_object();
}

std::string Str(const boost::json::object& o, const char* k) {
  return std::string(o.at(k).as_string());
}

class ProofTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = *Key::Generate(KeyType::kEd25519);
    record_ = MakeProofRecord(key_.RawPublicKey());
  }
  ProofRequest Signed(const Key& key, const std::string& ts = kTs) {
    return {"example.com", ts, HexEncode(*key.Sign(JwsAlg::kEdDSA, ts))};
  }
  Key key_;
  std::string record_;
  FakeTxtResolver dns_;
  FakeHttpFetcher web_;
  ManualClock clock_{kNow * 1000000};
};

TEST_F(ProofTest, DnsProofGrantsDomainAndSubdomains) {
  dns_.Set("example.com", {"google-site-verification=abc", record_});
  Result<Principal> p = VerifyDnsProof(Signed(key_), dns_, clock_);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->auth_method, "dns");
  EXPECT_EQ(p->subject, "example.com");
  EXPECT_EQ(p->permissions,
            (std::vector<Permission>{{"publish", "com.example/*"}, {"publish", "com.example.*"}}));
}

TEST_F(ProofTest, HttpProofGrantsDomainOnly) {
  web_.Set(kWellKnown, 200, "\n  " + record_ + "\n");
  Result<Principal> p = VerifyHttpProof(Signed(key_), web_, clock_);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->auth_method, "http");
  EXPECT_EQ(p->permissions, (std::vector<Permission>{{"publish", "com.example/*"}}));
}

TEST_F(ProofTest, ProofFromIndependentSignerVerifies) {
  boost::json::object f = Fixture();
  dns_.Set(Str(f, "domain"), {Str(f, "record")});
  ProofRequest req{Str(f, "domain"), Str(f, "timestamp"), Str(f, "signed_timestamp")};
  EXPECT_TRUE(VerifyDnsProof(req, dns_, clock_).ok());
  req.signed_timestamp[10] = req.signed_timestamp[10] == '0' ? '1' : '0';
  EXPECT_FALSE(VerifyDnsProof(req, dns_, clock_).ok());
}

TEST_F(ProofTest, TimestampWindowIsFifteenSeconds) {
  dns_.Set("example.com", {record_});
  clock_.Set((kNow + 15) * 1000000);
  EXPECT_TRUE(VerifyDnsProof(Signed(key_), dns_, clock_).ok());
  clock_.Set((kNow + 16) * 1000000);
  Status s = VerifyDnsProof(Signed(key_), dns_, clock_).status();
  EXPECT_TRUE(s.IsUnauthenticated());
  EXPECT_NE(s.message().find("outside valid window"), std::string::npos);
  clock_.Set((kNow - 16) * 1000000);
  EXPECT_FALSE(VerifyDnsProof(Signed(key_), dns_, clock_).ok());
  clock_.Set(kNow * 1000000);
  EXPECT_NE(VerifyDnsProof(Signed(key_, "yesterday"), dns_, clock_)
                .status()
                .message()
                .find("invalid timestamp format"),
            std::string::npos);
}

TEST_F(ProofTest, MalformedRequestsAreRefused) {
  dns_.Set("example.com", {record_});
  ProofRequest r = Signed(key_);
  r.signed_timestamp = "xyz";
  EXPECT_NE(VerifyDnsProof(r, dns_, clock_).status().message().find("must be hex"),
            std::string::npos);
  for (const char* bad : {"", "-a.com", "a..com", "exa_mple.com", "example.com."}) {
    r = Signed(key_);
    r.domain = bad;
    EXPECT_NE(VerifyDnsProof(r, dns_, clock_).status().message().find("invalid domain"),
              std::string::npos)
        << bad;
  }
  EXPECT_TRUE(IsValidProofDomain("a-b.example.co"));
}

TEST_F(ProofTest, WrongKeyNamesFingerprintsOfPublishedKeys) {
  Key other = *Key::Generate(KeyType::kEd25519);
  dns_.Set("example.com", {record_});
  Status s = VerifyDnsProof(Signed(other), dns_, clock_).status();
  EXPECT_NE(s.message().find("tried published key ed25519:" +
                             Base64Encode(key_.RawPublicKey()).substr(0, 8)),
            std::string::npos)
      << s.message();
  // Rotation: the old and the new key are both published; either verifies.
  dns_.Set("example.com", {record_, MakeProofRecord(other.RawPublicKey())});
  EXPECT_TRUE(VerifyDnsProof(Signed(other), dns_, clock_).ok());
  Key third = *Key::Generate(KeyType::kEd25519);
  EXPECT_NE(VerifyDnsProof(Signed(third), dns_, clock_).status().message().find("all 2 published"),
            std::string::npos);
}

TEST_F(ProofTest, MissingBrokenOrMisplacedRecords) {
  Status s = VerifyDnsProof(Signed(key_), dns_, clock_).status();
  EXPECT_NE(s.message().find("failed to lookup DNS TXT records"), std::string::npos);
  dns_.Set("example.com", {"v=spf1 -all"});
  s = VerifyDnsProof(Signed(key_), dns_, clock_).status();
  EXPECT_NE(s.message().find("no MCP public key found in DNS TXT records"), std::string::npos);
  dns_.Set("_mcp-auth.example.com", {record_});
  s = VerifyDnsProof(Signed(key_), dns_, clock_).status();
  EXPECT_NE(s.message().find("found at \"_mcp-auth.example.com\""), std::string::npos)
      << s.message();
  dns_.Set("example.com", {"v=MCPv1; k=ed25519; p=AAAA"});
  s = VerifyDnsProof(Signed(key_), dns_, clock_).status();
  EXPECT_NE(s.message().find("invalid Ed25519 public key size"), std::string::npos);
  dns_.Set("example.com", {"v=MCPv1; k=rsa; p=AAAA"});
  s = VerifyDnsProof(Signed(key_), dns_, clock_).status();
  EXPECT_NE(s.message().find("unsupported public key algorithm: rsa"), std::string::npos);
  // A broken record next to a good one does not hide the good one.
  dns_.Set("example.com", {"v=MCPv1; k=ed25519; p=AAAA",
                           "v=MCPv1;k=ed25519;p=" + Base64Encode(key_.RawPublicKey())});
  EXPECT_TRUE(VerifyDnsProof(Signed(key_), dns_, clock_).ok());
}

TEST_F(ProofTest, HttpFailuresAreUnauthenticated) {
  Status s = VerifyHttpProof(Signed(key_), web_, clock_).status();
  EXPECT_TRUE(s.IsUnauthenticated());
  EXPECT_NE(s.message().find("failed to fetch keys"), std::string::npos);
  web_.Set(kWellKnown, 404, record_);
  EXPECT_NE(VerifyHttpProof(Signed(key_), web_, clock_).status().message().find("HTTP 404"),
            std::string::npos);
  web_.Set(kWellKnown, 200, record_ + std::string(5000, ' ') + "x");
  EXPECT_FALSE(VerifyHttpProof(Signed(key_), web_, clock_).ok());  // > 4096 bytes
  web_.Set(kWellKnown, 200, "hello");
  EXPECT_NE(VerifyHttpProof(Signed(key_), web_, clock_)
                .status()
                .message()
                .find("no MCP public key found in HTTP response"),
            std::string::npos);
}

TEST_F(ProofTest, EcdsaP384RecordsVerify) {
  EVP_PKEY* p384 = EVP_EC_gen("P-384");
  ASSERT_NE(p384, nullptr);
  ASSERT_EQ(EVP_PKEY_set_utf8_string_param(p384, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                           "compressed"),
            1);
  unsigned char pub[100];
  size_t pub_len = 0;
  ASSERT_EQ(
      EVP_PKEY_get_octet_string_param(p384, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub, &pub_len), 1);
  ASSERT_EQ(pub_len, 49u);
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  unsigned char der[128];
  size_t der_len = sizeof der;
  ASSERT_EQ(EVP_DigestSignInit(md, nullptr, EVP_sha384(), nullptr, p384), 1);
  ASSERT_EQ(EVP_DigestSign(md, der, &der_len, reinterpret_cast<const unsigned char*>(kTs),
                           sizeof kTs - 1),
            1);
  EVP_MD_CTX_free(md);
  const unsigned char* p = der;
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, long(der_len));
  std::string raw(96, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 48);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + 48, 48);
  ECDSA_SIG_free(sig);
  EVP_PKEY_free(p384);

  std::string record =
      "v=MCPv1; k=ecdsap384; p=" + Base64Encode(std::string(reinterpret_cast<char*>(pub), pub_len));
  web_.Set(kWellKnown, 200, record);
  ProofRequest req{"example.com", kTs, HexEncode(raw)};
  Result<Principal> ok = VerifyHttpProof(req, web_, clock_);
  EXPECT_TRUE(ok.ok()) << ok.status().ToString();
  raw[95] ^= 1;
  req.signed_timestamp = HexEncode(raw);
  EXPECT_NE(VerifyHttpProof(req, web_, clock_).status().message().find("ecdsap384:"),
            std::string::npos);
  req.signed_timestamp = HexEncode(raw.substr(0, 64));
  EXPECT_NE(VerifyHttpProof(req, web_, clock_).status().message().find("signature size"),
            std::string::npos);
}

}  // namespace
}  // namespace mcpreg::auth
