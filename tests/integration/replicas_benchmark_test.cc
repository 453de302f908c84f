// Benchmark for issue 10 (bench/replicas.sh runs it; DISABLED_ so `make test` skips it):
// SQLite vs PostgreSQL side by side in one run on one machine.
//   1. durable publishes/s with 16 concurrent clients: SQLite (one process), PostgreSQL one
//      replica, PostgreSQL two replicas (8 clients each);
//   2. catch-up latency from a publish acknowledged by one process to its visibility on another
//      (p50, p99): two processes on one SQLite file vs two replicas on PostgreSQL;
//   3. list requests/s per replica (wrk, GET /v0.1/servers?limit=100 on the demo catalog):
//      SQLite vs a PostgreSQL replica (reads come from memory on both).
// Figures are printed as "[ figures ] ..." lines. Each client publishes its own server name,
// so the figure is the write path (HTTP, auth, validation, commit), not one name's lock.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "auth/jwks.h"
#include "auth/jwt.h"
#include "auth/keys.h"
#include "integration/server_process.h"
#include "support/pg_test_db.h"
#include "transport/http_client.h"

namespace mcpreg {
namespace {

using testing::ServerProcess;

constexpr char kIssuer[] = "https://idp.bench.example";

struct Env {
  std::string dir;
  auth::Key key = *auth::Key::Generate(auth::KeyType::kEcP256, "bench-key");
  Env() : dir(testing::TempDir()) {
    auth::JwkSet set;
    set.Add(*auth::Key::FromJwk(key.PublicJwk()));
    std::ofstream(dir + "/jwks.json") << set.ToJson();
    std::ofstream(dir + "/mcpreg.yaml")
        << "auth:\n  registry_key_file: " << dir << "/registry.key\n"
        << "  issuers:\n    - name: bench\n      issuer: " << kIssuer
        << "\n      audience: mcpreg\n      jwks_file: " << dir << "/jwks.json\n"
        << "      rules:\n        - match: {org: acme}\n"
        << "          grant: {actions: [publish], resource: \"com.acme/*\"}\n"
        << "feed:\n  dir: " << dir << "/feed\n";
  }
  std::string Config() const { return dir + "/mcpreg.yaml"; }
};

http::ClientResponse Do(const ServerProcess& s, const std::string& method,
                        const std::string& path, const std::string& body = "",
                        http::Headers headers = {}) {
  http::ClientRequest req;
  req.method = method;
  req.url = s.base_url() + path;
  req.body = body;
  req.headers = std::move(headers);
  if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
  auto r = http::Fetch(req);
  return r.ok() ? *r : http::ClientResponse{};
}

std::string Token(const Env& env, const ServerProcess& s) {
  long now = static_cast<long>(std::time(nullptr));
  boost::json::object c{{"iss", kIssuer}, {"aud", "mcpreg"}, {"sub", "repo:acme/bench"},
                        {"org", "acme"}, {"iat", now}, {"exp", now + 600}};
  auto jwt = *auth::SignJwt(env.key, auth::JwsAlg::kES256, boost::json::serialize(c));
  auto r = Do(s, "POST", "/v0.1/auth/oidc",
              boost::json::serialize(boost::json::object{{"oidc_token", jwt}}));
  if (r.status != 200) return "";
  return std::string(boost::json::parse(r.body).at("registry_token").as_string());
}

std::string Doc(const std::string& name, const std::string& version) {
  return "{\"$schema\":\"https://static.modelcontextprotocol.io/schemas/2025-12-11/"
         "server.schema.json\",\"name\":\"" +
         name + "\",\"description\":\"Bench server\",\"version\":\"" + version + "\"}";
}

// 16 clients spread over `servers` for `seconds`; returns acknowledged publishes per second.
double PublishRate(const Env& env, const std::vector<ServerProcess*>& servers,
                   const std::string& tag, double seconds = 6) {
  std::vector<std::string> tokens;
  for (auto* s : servers) tokens.push_back(Token(env, *s));
  constexpr int kClients = 16;
  std::atomic<int> ok{0}, failed{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c)
    clients.emplace_back([&, c] {
      size_t k = c % servers.size();
      for (int i = 0; !stop.load(); ++i) {
        auto r = Do(*servers[k], "POST", "/v0.1/publish",
                    Doc("com.acme/" + tag + "-" + std::to_string(c), "1.0." + std::to_string(i)),
                    {{"Authorization", "Bearer " + tokens[k]}});
        (r.status == 200 ? ok : failed)++;
      }
    });
  auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  int at_stop = ok.load();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  stop = true;
  for (auto& t : clients) t.join();
  EXPECT_EQ(failed.load(), 0) << tag;
  return at_stop / secs;
}

// Serial publishes on `a`; for each, the time until `b` serves it. Returns {p50, p99} in ms.
std::pair<double, double> CatchUp(const Env& env, ServerProcess& a, ServerProcess& b,
                                  const std::string& tag, int n = 150) {
  std::string token = Token(env, a);
  std::vector<double> ms;
  for (int i = 0; i < n; ++i) {
    std::string v = "2.0." + std::to_string(i);
    auto r = Do(a, "POST", "/v0.1/publish", Doc("com.acme/" + tag, v),
                {{"Authorization", "Bearer " + token}});
    if (r.status != 200) continue;
    auto t0 = std::chrono::steady_clock::now();
    std::string path = "/v0.1/servers/com.acme%2F" + tag + "/versions/" + v;
    while (Do(b, "GET", path).status != 200 &&
           std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5)) {
    }
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  if (ms.empty()) return {-1, -1};
  return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)]};
}

// wrk -t1 -c16 -d5s; requests/s or -1 when wrk is missing.
double ListRate(const ServerProcess& s) {
  std::string cmd = "wrk -t1 -c16 -d5s '" + s.base_url() + "/v0.1/servers?limit=100' 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return -1;
  char line[512];
  double rps = -1;
  while (fgets(line, sizeof line, p)) {
    if (std::sscanf(line, "Requests/sec: %lf", &rps) == 1) break;
  }
  pclose(p);
  return rps;
}

TEST(ReplicaBenchmark, DISABLED_SqliteVsPostgres) {
  Env env;
  std::string sqlite_db = env.dir + "/registry.db";
  std::string pg = testing::CreateTestDatabase("bench");
  std::vector<std::string> args = {"--config", env.Config()};

  // Publish throughput.
  double sqlite_rate, pg1_rate, pg2_rate;
  {
    ServerProcess s(sqlite_db, args);
    ASSERT_TRUE(s.started()) << s.log();
    sqlite_rate = PublishRate(env, {&s}, "sqlite");
  }
  {
    ServerProcess r1(pg, args), r2(pg, args);
    ASSERT_TRUE(r1.started() && r2.started()) << r1.log() << r2.log();
    pg1_rate = PublishRate(env, {&r1}, "pg1");
    pg2_rate = PublishRate(env, {&r1, &r2}, "pg2");
  }
  std::printf("[ figures ] durable publishes/s, 16 clients: sqlite %.0f | postgres 1 replica %.0f"
              " (%.2fx) | postgres 2 replicas %.0f (%.2fx)\n",
              sqlite_rate, pg1_rate, pg1_rate / sqlite_rate, pg2_rate, pg2_rate / sqlite_rate);

  // Catch-up latency between two processes.
  {
    ServerProcess a(sqlite_db, args), b(sqlite_db, args);
    ASSERT_TRUE(a.started() && b.started());
    auto [p50, p99] = CatchUp(env, a, b, "catchup-sqlite", 40);
    std::printf("[ figures ] catch-up, two processes on one SQLite file: p50 %.1f ms, p99 %.1f ms\n",
                p50, p99);
  }
  {
    ServerProcess a(pg, args), b(pg, args);
    ASSERT_TRUE(a.started() && b.started());
    auto [p50, p99] = CatchUp(env, a, b, "catchup-pg");
    std::printf("[ figures ] catch-up, two PostgreSQL replicas: p50 %.1f ms, p99 %.1f ms\n", p50,
                p99);
    EXPECT_LT(p99, 250);
  }

  // List throughput per replica on the same demo catalog.
  {
    std::string demo_sqlite = env.dir + "/demo.db";
    std::string demo_pg = testing::CreateTestDatabase("bench_demo");
    std::vector<std::string> demo_args = {"--config", env.Config()};
    double sqlite_list, pg_list;
    {
      ServerProcess s(demo_sqlite, demo_args);
      ASSERT_TRUE(s.started());
      sqlite_list = ListRate(s);
    }
    {
      ServerProcess r(demo_pg, demo_args);
      ASSERT_TRUE(r.started());
      pg_list = ListRate(r);
    }
    std::printf("[ figures ] list req/s (limit=100, wrk -t1 -c16 -d5s): sqlite %.0f | postgres "
                "replica %.0f (%.2fx)\n",
                sqlite_list, pg_list, pg_list / sqlite_list);
    testing::DropTestDatabase(demo_pg);
  }
  testing::DropTestDatabase(pg);
}

}  // namespace
}  // namespace mcpreg
