// A workload-identity (OIDC) issuer for tests that start the real binary: a signing key, the
// JWKS file a config points at, the config's `auth:` section that trusts it, and the tokens
// it signs.
//
//   testing::TestIssuer idp("https://idp.test.example", dir + "/jwks.json");
//   std::ofstream(dir + "/mcpreg.yaml") << idp.AuthConfig();
//   ... POST /v0.1/auth/oidc with idp.ExchangeBody("repo:acme/tools", "acme") ...
//
// Thread-safety: const methods may be called concurrently.
#pragma once

#include <memory>
#include <string>

#include "auth/keys.h"

namespace mcpreg::testing {

class TestIssuer {
 public:
  // Generates an EC P-256 key and writes its public JWKS to `jwks_path`.
  TestIssuer(std::string issuer, std::string jwks_path);

  const std::string& issuer() const { return issuer_; }

  // The config's `auth:` section (YAML, newline-terminated) trusting this issuer for the
  // audience "mcpreg" (jwks_file: the absolute path given), with one rule: identities whose
  // `org` claim is "acme" may publish and upload to the feed under "com.acme/*".
  std::string AuthConfig() const;

  // A token signed by this issuer (ES256) with iss, aud "mcpreg", sub, org, iat now and exp
  // now + `exp_offset` seconds (negative: already expired).
  std::string Token(const std::string& sub, const std::string& org, long exp_offset = 300) const;
  // The same with another "aud" (e.g. a registry's base URL for github-oidc issuers).
  std::string TokenFor(const std::string& audience, const std::string& sub,
                       const std::string& org) const;

  // {"oidc_token": Token(sub, org)}: a body for POST /v0.1/auth/oidc.
  std::string ExchangeBody(const std::string& sub, const std::string& org) const;

 private:
  std::string issuer_;
  std::string jwks_path_;
  std::unique_ptr<auth::Key> key_;
};

}  // namespace mcpreg::testing
