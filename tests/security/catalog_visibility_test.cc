// Issue 9 item 15: several `mcpreg serve` processes on one SQLite file must
// each end up showing every committed write. Before the fix a process's own
// publish moved its catch-up watermark past rows the other processes had
// committed and it had not loaded yet, and those rows never appeared on it
// (about 190 of 300 missing per process).
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <thread>

#include "auth/jwks.h"
#include "auth/jwt.h"
#include "auth/keys.h"
#include "core/percent.h"
#include "integration/server_process.h"
#include "transport/http_client.h"

namespace mcpreg {
namespace {

using testing::ServerProcess;

constexpr char kIssuer[] = "https://idp.visibility.test";
constexpr char kSchema[] =
    "https://static.modelcontextprotocol.io/schemas/"
    "2025-12-11/server.schema.json";

http::ClientResponse Do(const std::string &base, const std::string &method, const std::string &path,
                        const std::string &body = "", http::Headers headers = {}) {
  http::ClientRequest req;
  req.method = method;
  req.url = base + path;
  req.body = body;
  req.headers = std::move(headers);
  if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
  auto r = http::Fetch(req);
  return r.ok() ? *r : http::ClientResponse{};
}

// Every (name, version) `base` lists, following nextCursor.
std::set<std::string> Listed(const std::string &base) {
  std::set<std::string> out;
  std::string cursor;
  for (int page = 0; page < 100; ++page) {
    std::string path = "/v0.1/servers?limit=100";
    if (!cursor.empty()) path += "&cursor=" + PercentEncode(cursor);
    auto r = Do(base, "GET", path);
    if (r.status != 200) break;
    auto v = boost::json::parse(r.body).as_object();
    for (const auto &s : v.at("servers").as_array()) {
      const auto &srv = s.at("server").as_object();
      out.insert(std::string(srv.at("name").as_string()) + "@" +
                 std::string(srv.at("version").as_string()));
    }
    const auto &meta = v.at("metadata").as_object();
    auto *next = meta.if_contains("nextCursor");
    if (!next || !next->is_string()) break;
    cursor = std::string(next->as_string());
  }
  return out;
}

TEST(CatalogVisibilityTest, ThreeServeProcessesOnOneFileEachListEveryConcurrentPublish) {
  namespace fs = std::filesystem;
  const std::string dir = testing::TempDir();
  auto key = auth::Key::Generate(auth::KeyType::kEcP256, "vis-key");
  ASSERT_TRUE(key.ok());
  auth::JwkSet set;
  set.Add(*auth::Key::FromJwk(key->PublicJwk()));
  std::ofstream(dir + "/jwks.json") << set.ToJson();
  std::ofstream(dir + "/mcpreg.yaml") << "db: registry.db\n"
                                         "auth:\n"
                                         "  issuers:\n"
                                         "    - name: vis-idp\n"
                                         "      issuer: "
                                      << kIssuer
                                      << "\n"
                                         "      audience: mcpreg\n"
                                         "      jwks_file: jwks.json\n"
                                         "      rules:\n"
                                         "        - match: {org: acme}\n"
                                         "          grant: {actions: [publish], resource: "
                                         "\"com.acme/*\"}\n";
  // Started one after the other: the first migrates the file and creates the
  // signing key.
  std::vector<std::unique_ptr<ServerProcess>> servers;
  for (int i = 0; i < 3; ++i) {
    servers.push_back(std::make_unique<ServerProcess>(
        dir + "/registry.db",
        std::vector<std::string>{"--config", dir + "/mcpreg.yaml", "--no-demo"}));
    ASSERT_TRUE(servers.back()->started()) << servers.back()->log();
  }
  long now = static_cast<long>(std::time(nullptr));
  boost::json::object claims{{"iss", kIssuer}, {"aud", "mcpreg"}, {"sub", "repo:acme/vis"},
                             {"org", "acme"},  {"iat", now},      {"exp", now + 600}};
  std::string oidc = *auth::SignJwt(*key, auth::JwsAlg::kES256, boost::json::serialize(claims));
  std::vector<std::string> tokens;
  for (auto &s : servers) {
    auto r = Do(s->base_url(), "POST", "/v0.1/auth/oidc",
                boost::json::serialize(boost::json::object{{"oidc_token", oidc}}));
    ASSERT_EQ(r.status, 200) << r.body;
    tokens.push_back(std::string(boost::json::parse(r.body).at("registry_token").as_string()));
  }

  // 300 versions of 30 names, publish i on process i % 3, from 6 client threads
  // at once.
  constexpr int kVersions = 300, kNames = 30, kThreads = 6;
  std::set<std::string> expected;
  for (int i = 0; i < kVersions; ++i)
    expected.insert("com.acme/vis-" + std::to_string(i % kNames) + "@1.0." +
                    std::to_string(i / kNames));
  std::atomic<int> next{0}, ok{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < kThreads; ++t) {
    clients.emplace_back([&] {
      for (int i; (i = next.fetch_add(1)) < kVersions;) {
        const auto &s = servers[i % 3];
        std::string name = "com.acme/vis-" + std::to_string(i % kNames);
        std::string body = std::string("{\"$schema\":\"") + kSchema + "\",\"name\":\"" + name +
                           "\",\"description\":\"visibility\",\"version\":\"1.0." +
                           std::to_string(i / kNames) + "\"}";
        auto r = Do(s->base_url(), "POST", "/v0.1/publish", body,
                    {{"Authorization", "Bearer " + tokens[i % 3]}});
        if (r.status == 200)
          ++ok;
        else
          ADD_FAILURE() << "publish " << name << ": " << r.status << " " << r.body;
      }
    });
  }
  for (auto &c : clients) c.join();
  ASSERT_EQ(ok.load(), kVersions);

  // Every process catches up with the others once a second; give them a few
  // rounds.
  std::vector<size_t> missing(3, kVersions);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(8);
  for (;;) {
    bool all = true;
    for (size_t p = 0; p < servers.size(); ++p) {
      auto listed = Listed(servers[p]->base_url());
      missing[p] = 0;
      for (const auto &e : expected) missing[p] += listed.count(e) ? 0 : 1;
      all = all && missing[p] == 0;
    }
    if (all || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  for (size_t p = 0; p < servers.size(); ++p)
    EXPECT_EQ(missing[p], 0u) << "process " << p << " never shows " << missing[p] << " of "
                              << kVersions << " committed publishes";
  servers.clear();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mcpreg
