// The registry token carries identity = issuer + subject (issue 9 item 2) and which of its
// permissions come from claim rules (item 12), after upstream's claims, byte for byte.
#include <gtest/gtest.h>

#include "auth/encoding.h"
#include "auth/jwt.h"
#include "auth/registry_token.h"
#include "mcpreg/clock.h"
#include "service/auth_service.h"

namespace mcpreg::auth {
namespace {

constexpr int64_t kNow = 1760000000;

class RegistryTokenIdentityTest : public ::testing::Test {
 protected:
  ManualClock clock_{kNow * 1000000};
  Key key_ = *Key::Generate(KeyType::kEd25519);
  RegistryTokens tokens_{key_, clock_};
};

std::string ClaimsOf(const std::string& tok) {
  size_t d1 = tok.find('.'), d2 = tok.rfind('.');
  return *Base64UrlDecode(tok.substr(d1 + 1, d2 - d1 - 1));
}

TEST_F(RegistryTokenIdentityTest, IssuerAndRuleCountFollowUpstreamClaimsAndRoundTrip) {
  Principal in;
  in.issuer = "https://idp-a.example";
  in.auth_method = "oidc";
  in.subject = "pub";
  in.permissions = {{"publish", "com.a/*"}, {"feed", "com.a/x"}};
  in.rule_permissions = 1;
  auto t = tokens_.Issue(in);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(ClaimsOf(t->registry_token),
            R"({"iss":"mcp-registry","exp":1760000300,"nbf":1760000000,"iat":1760000000,)"
            R"("auth_method":"oidc","auth_method_sub":"pub",)"
            R"("permissions":[{"action":"publish","resource":"com.a/*"},)"
            R"({"action":"feed","resource":"com.a/x"}],)"
            R"("auth_method_iss":"https://idp-a.example","rule_permissions":1})");
  auto out = tokens_.Verify(t->registry_token);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->issuer, "https://idp-a.example");
  EXPECT_EQ(out->subject, "pub");
  EXPECT_EQ(out->rule_permissions, 1);
  EXPECT_EQ(out->permissions, in.permissions);
}

TEST_F(RegistryTokenIdentityTest, OidcTokenWithoutIssuerIsRefused) {
  // Signed by us, but in the pre-issuer layout: whose "pub" it is cannot be told.
  std::string claims =
      R"({"iss":"mcp-registry","exp":1760000300,"nbf":1760000000,"iat":1760000000,)"
      R"("auth_method":"oidc","auth_method_sub":"pub","permissions":[]})";
  std::string tok = *SignJwt(key_, JwsAlg::kEdDSA, claims);
  auto out = tokens_.Verify(tok);
  ASSERT_FALSE(out.ok());
  EXPECT_TRUE(out.status().IsUnauthenticated());
  // A namespace proof has no issuer and is fine.
  EXPECT_TRUE(tokens_.Verify(tokens_.Issue("dns", "example.com", {})->registry_token).ok());
}

TEST(ActorOfTest, SameSubjectAtTwoIssuersAreTwoActorsAndIssuerCannotBeForged) {
  Principal a, b, forged;
  a.issuer = "https://idp-a.example";
  b.issuer = "https://idp-b.example";
  a.subject = b.subject = "pub";
  a.auth_method = b.auth_method = "oidc";
  EXPECT_EQ(service::ActorOf(a), "oidc:https://idp-a.example#pub");
  EXPECT_NE(service::ActorOf(a), service::ActorOf(b));
  // An issuer containing '#' cannot produce another identity's actor string.
  forged.issuer = "https://idp-a.example#x";
  forged.subject = "pub";
  Principal target;
  target.issuer = "https://idp-a.example";
  target.subject = "x#pub";
  EXPECT_NE(service::ActorOf(forged), service::ActorOf(target));
  Principal proof;
  proof.auth_method = "dns";
  proof.subject = "example.com";
  EXPECT_EQ(service::ActorOf(proof), "dns:example.com");
}

}  // namespace
}  // namespace mcpreg::auth
