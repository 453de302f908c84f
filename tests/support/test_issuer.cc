#include "support/test_issuer.h"

#include <boost/json.hpp>
#include <ctime>
#include <fstream>

#include "auth/jwks.h"
#include "auth/jwt.h"

namespace mcpreg::testing {

TestIssuer::TestIssuer(std::string issuer, std::string jwks_path)
    : issuer_(std::move(issuer)),
      jwks_path_(std::move(jwks_path)),
      key_(std::make_unique<auth::Key>(
          *auth::Key::Generate(auth::KeyType::kEcP256, "test-issuer-key"))) {
  auth::JwkSet set;
  set.Add(*auth::Key::FromJwk(key_->PublicJwk()));
  std::ofstream(jwks_path_) << set.ToJson();
}

std::string TestIssuer::AuthConfig() const {
  return "auth:\n"
         "  issuers:\n"
         "    - name: test-idp\n"
         "      issuer: " + issuer_ + "\n"
         "      audience: mcpreg\n"
         "      jwks_file: " + jwks_path_ + "\n"
         "      rules:\n"
         "        - match: {org: acme}\n"
         "          grant: {actions: [publish, feed], resource: \"com.acme/*\"}\n";
}

std::string TestIssuer::Token(const std::string& sub, const std::string& org,
                              long exp_offset) const {
  long now = static_cast<long>(std::time(nullptr));
  boost::json::object claims{{"iss", issuer_}, {"aud", "mcpreg"}, {"sub", sub},
                             {"org", org},     {"iat", now},      {"exp", now + exp_offset}};
  return *auth::SignJwt(*key_, auth::JwsAlg::kES256, boost::json::serialize(claims));
}

std::string TestIssuer::TokenFor(const std::string& audience, const std::string& sub,
                                 const std::string& org) const {
  long now = static_cast<long>(std::time(nullptr));
  boost::json::object claims{{"iss", issuer_}, {"aud", audience}, {"sub", sub},
                             {"org", org},     {"iat", now},      {"exp", now + 300}};
  return *auth::SignJwt(*key_, auth::JwsAlg::kES256, boost::json::serialize(claims));
}

std::string TestIssuer::ExchangeBody(const std::string& sub, const std::string& org) const {
  return boost::json::serialize(boost::json::object{{"oidc_token", Token(sub, org)}});
}

}  // namespace mcpreg::testing
