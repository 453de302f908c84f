// A real `mcpreg serve` for the security tests: two trusted OIDC issuers (A and B, each with
// its own Ed25519 key in a JWKS file), claim rules on issuer A keyed by a "team" claim, and
// helpers to mint workload tokens, exchange them for registry tokens and call the REST API.
//   team platform -> review "*" and edit "*"      team wild   -> publish "com.contoso/*"
//   team feeder   -> feed "com.contoso/*"
// `extra_yaml` is appended to the config (policy:, quotas:). One server per test suite.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "auth/jwks.h"
#include "auth/jwt.h"
#include "auth/keys.h"
#include "core/percent.h"
#include "integration/server_process.h"
#include "transport/http_client.h"

namespace mcpreg::security {

inline constexpr char kIssuerA[] = "https://idp-a.example";
inline constexpr char kIssuerB[] = "https://idp-b.example";
inline const std::string kApi = "/v0.1/x/dev.mcpreg";

class SecurityServer {
 public:
  explicit SecurityServer(const std::string& extra_yaml) {
    dir_ = testing::TempDir();
    for (int i = 0; i < 2; ++i) {
      keys_[i] = std::make_unique<auth::Key>(*auth::Key::Generate(auth::KeyType::kEd25519, "k1"));
      auth::JwkSet set;
      set.Add(*auth::Key::FromJwk(keys_[i]->PublicJwk()));
      std::ofstream(dir_ + (i ? "/jwks-b.json" : "/jwks-a.json")) << set.ToJson();
    }
    std::ofstream(dir_ + "/mcpreg.yaml")
        << "auth:\n  issuers:\n"
           "    - name: a\n      issuer: "
        << kIssuerA
        << "\n      audience: mcpreg\n"
           "      jwks_file: jwks-a.json\n      rules:\n"
           "        - match: {team: platform}\n          grant: {action: review, resource: \"*\"}\n"
           "        - match: {team: platform}\n          grant: {action: edit, resource: \"*\"}\n"
           "        - match: {team: wild}\n          grant: {action: publish, resource: "
           "\"com.contoso/*\"}\n"
           "        - match: {team: feeder}\n          grant: {action: feed, resource: "
           "\"com.contoso/*\"}\n"
           "    - name: b\n      issuer: "
        << kIssuerB
        << "\n      audience: mcpreg\n"
           "      jwks_file: jwks-b.json\n"
        << extra_yaml;
    db_ = dir_ + "/r.db";
    server_ = std::make_unique<testing::ServerProcess>(
        db_, std::vector<std::string>{"--config", dir_ + "/mcpreg.yaml", "--no-demo"});
  }
  ~SecurityServer() {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  bool started() const { return server_->started(); }
  const std::string& log() const { return server_->log(); }
  const std::string& db() const { return db_; }
  const std::string& dir() const { return dir_; }

  http::ClientResponse Call(const std::string& method, const std::string& path,
                            const std::string& body = "", const std::string& token = "",
                            http::Headers extra = {}) const {
    http::ClientRequest req;
    req.method = method;
    req.url = server_->base_url() + path;
    req.body = body;
    req.headers = std::move(extra);
    if (!body.empty() && method != "PUT")
      req.headers.emplace_back("Content-Type", "application/json");
    if (!token.empty()) req.headers.emplace_back("Authorization", "Bearer " + token);
    auto r = http::Fetch(req);
    EXPECT_TRUE(r.ok()) << method << " " << path << ": " << (r.ok() ? "" : r.status().message());
    return r.ok() ? *r : http::ClientResponse{};
  }

  // A registry token for (issuer A or B, sub) with an optional "team" claim.
  std::string Token(char idp, const std::string& sub, const std::string& team = "") const {
    namespace bj = boost::json;
    const long now = static_cast<long>(std::time(nullptr));
    bj::object claims{{"iss", idp == 'A' ? kIssuerA : kIssuerB},
                      {"aud", "mcpreg"},
                      {"sub", sub},
                      {"iat", now},
                      {"exp", now + 300}};
    if (!team.empty()) claims["team"] = team;
    std::string oidc =
        *auth::SignJwt(*keys_[idp == 'A' ? 0 : 1], auth::JwsAlg::kEdDSA, bj::serialize(claims));
    auto t = Call("POST", "/v0.1/auth/oidc", "{\"oidc_token\":\"" + oidc + "\"}");
    EXPECT_EQ(t.status, 200) << t.body;
    if (t.status != 200) return "";
    return std::string(bj::parse(t.body).at("registry_token").as_string());
  }

  // A request for `name` naming publisher (issuer A or B, publisher_sub); no draft.
  static std::string Request(const std::string& name, char idp, const std::string& publisher_sub,
                             const std::string& team = "Weather") {
    return R"({"name":")" + name + R"(","team":")" + team +
           R"(","contacts":["team@contoso.example"],"consumption":"first-party","hosting":"local",)"
           R"("publisher":{"issuer":")" +
           std::string(idp == 'A' ? kIssuerA : kIssuerB) + R"(","subject":")" + publisher_sub +
           R"("},)"
           R"("pipeline":"https://dev.azure.com/contoso/x/_build?definitionId=7"})";
  }

  // PUT an artifact to the feed; returns the HTTP status.
  int Upload(const std::string& token, const std::string& name, const std::string& version,
             const std::string& raw_file_segment, const std::string& data,
             const std::string& sha256) const {
    return Call("PUT",
                kApi + "/feed/" + PercentEncode(name) + "/" + version + "/" + raw_file_segment,
                data, token, {{"X-Content-SHA256", sha256}})
        .status;
  }

 private:
  std::string dir_, db_;
  std::unique_ptr<auth::Key> keys_[2];
  std::unique_ptr<testing::ServerProcess> server_;
};

inline std::string HeaderOf(const http::ClientResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(a) == std::tolower(b);
        }))
      return v;
  return "";
}

}  // namespace mcpreg::security
