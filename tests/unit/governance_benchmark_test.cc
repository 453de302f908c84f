// What the compliance gates cost a publish: the same documents published through
// RegistryService in open mode (the reference) and in governed mode (gates checked at publish,
// listing rule evaluated when the catalog applies the row), side by side on one machine.
// Not a timed assertion; run with bench/gates.sh, or
//   mcpreg_tests --gtest_also_run_disabled_tests --gtest_filter='GovernanceBenchmark*'
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <vector>

#include "policy/policy.h"
#include "service/auth_service.h"
#include "service/governance_service.h"

namespace mcpreg::service {
namespace {

using Clock = std::chrono::steady_clock;

double Micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

std::string Doc(int server, int version) {
  char digest[65];
  std::snprintf(digest, sizeof digest, "%064x", server * 1000 + version);
  std::string n = "com.bench/server-" + std::to_string(server);
  std::string v = "1." + std::to_string(version) + ".0";
  return R"({"$schema":"https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",)"
         R"("name":")" + n + R"(","title":"Bench server )" + std::to_string(server) +
         R"(","description":"Inventory lookups and incident response for field teams",)"
         R"("version":")" + v + R"(","repository":{"url":"https://github.com/contoso/server-)" +
         std::to_string(server) + R"(","source":"github"},"packages":[{"registryType":"mcpb",)"
         R"("identifier":"https://github.com/contoso/server/releases/download/v)" + v +
         R"(/server.mcpb","fileSha256":")" + digest + R"(","transport":{"type":"stdio"},)"
         R"("environmentVariables":[{"name":"INVENTORY_REGION","description":"Region to query","default":"eu"}]}],)"
         R"("_meta":{"io.modelcontextprotocol.registry/publisher-provided":{"license":"MIT","oauth":{"scopes":["inventory.read"]}}}})";
}

struct PublishRun {
  double serial_us_p50 = 0, serial_us_p90 = 0, concurrent_per_s = 0;
  double start_us_per_version = 0;  // loading the catalog + governance state on restart
};

// Publishes servers × versions documents: the first half serially (latency), the rest from 8
// threads (throughput with group commit).
PublishRun Publish(bool governed, int servers, int versions) {
  auto dir = std::filesystem::temp_directory_path() /
             ("mcpreg-gates-" + std::to_string(::getpid()) + (governed ? "-gov" : "-open"));
  std::filesystem::remove_all(dir);
  auto store = OpenSqliteStore((dir / "b.db").string());
  EXPECT_TRUE(store.ok());
  EXPECT_TRUE((*store)->Migrate(false).ok());
  catalog::Catalog cat;
  RegistryService reg(**store, cat, SystemClock::Instance());
  // Governed: the default strict policy, no evidence required, so every approved version pays
  // the full policy evaluation in the listing rule as well as at publish (the worst case).
  auto pol = policy::Policy::FromYaml("evidence: []\n");
  EXPECT_TRUE(pol.ok());
  if (governed) reg.SetPolicy(&*pol);
  GovernanceService gov(**store, reg, SystemClock::Instance(), {});
  EXPECT_TRUE(gov.Start().ok());
  const auth::Principal op = LocalOperator();
  if (governed)
    for (int s = 0; s < servers; ++s) {
      std::string name = "com.bench/server-" + std::to_string(s);
      std::string req = R"({"name":")" + name + R"(","team":"Bench","contacts":["b@contoso.example"],)"
                        R"("consumption":"first-party","hosting":"local","publisher":{"issuer":)"
                        R"("https://idp.example","subject":"sp-bench"},"pipeline":"https://ci.example/1"})";
      EXPECT_TRUE(gov.File(op, req).ok());
      EXPECT_TRUE(gov.Approve(op, name, "").ok());
    }
  PublishRun out;
  std::vector<double> lat;
  const int half = versions / 2;
  for (int v = 0; v < half; ++v)
    for (int s = 0; s < servers; ++s) {
      auto t0 = Clock::now();
      auto r = reg.Publish(op, Doc(s, v));
      lat.push_back(Micros(Clock::now() - t0));
      EXPECT_TRUE(r.ok()) << r.status().message();
    }
  std::sort(lat.begin(), lat.end());
  out.serial_us_p50 = lat[lat.size() / 2];
  out.serial_us_p90 = lat[lat.size() * 9 / 10];
  std::atomic<int> next{0};
  const int total = servers * (versions - half);
  auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i; (i = next++) < total;) {
        auto r = reg.Publish(op, Doc(i % servers, half + i / servers));
        EXPECT_TRUE(r.ok()) << r.status().message();
      }
    });
  for (auto& t : threads) t.join();
  out.concurrent_per_s = total / (Micros(Clock::now() - t0) / 1e6);
  if (governed) {
    catalog::ListQuery q;
    q.limit = 100;
    EXPECT_FALSE(reg.List(q).items.empty()) << "approved versions with passing gates are listed";
  }
  {  // A restart: a fresh catalog loads every version and the listing rule evaluates each.
    auto t1 = Clock::now();
    catalog::Catalog cat2;
    RegistryService reg2(**store, cat2, SystemClock::Instance());
    if (governed) reg2.SetPolicy(&*pol);
    EXPECT_TRUE(reg2.Refresh().ok());
    auto t2 = Clock::now();
    GovernanceService gov2(**store, reg2, SystemClock::Instance(), {});
    EXPECT_TRUE(gov2.Start().ok());
    std::fprintf(stderr, "  (%s restart: catalog %.0f ms, governance start %.0f ms)\n",
                 governed ? "governed" : "open", Micros(t2 - t1) / 1000,
                 Micros(Clock::now() - t2) / 1000);
    out.start_us_per_version = Micros(Clock::now() - t1) / static_cast<double>(cat2.size());
  }
  std::filesystem::remove_all(dir);
  return out;
}

TEST(GovernanceBenchmark, DISABLED_GateCostPerPublish) {
  const int servers = 1400, versions = 6;  // 8,400 versions: restart takes the parallel relist
  // Pure CPU: one policy evaluation of a typical document.
  policy::Policy pol = policy::Policy::Default();
  std::string doc = Doc(1, 1);
  auto t0 = Clock::now();
  const int n = 2000;
  size_t issues = 0;
  for (int i = 0; i < n; ++i) issues += policy::EvaluateText(pol, doc).size();
  double eval_us = Micros(Clock::now() - t0) / n;
  PublishRun open = Publish(false, servers, versions);
  PublishRun gov = Publish(true, servers, versions);
  std::printf("policy evaluation: %.1f us per version (%zu issues per run)\n", eval_us, issues / n);
  std::printf("%-28s %12s %12s %8s\n", "publish", "open", "governed", "ratio");
  std::printf("%-28s %10.0fus %10.0fus %8.2f\n", "serial latency p50", open.serial_us_p50,
              gov.serial_us_p50, gov.serial_us_p50 / open.serial_us_p50);
  std::printf("%-28s %10.0fus %10.0fus %8.2f\n", "serial latency p90", open.serial_us_p90,
              gov.serial_us_p90, gov.serial_us_p90 / open.serial_us_p90);
  std::printf("%-28s %10.0f/s %10.0f/s %8.2f\n", "8 concurrent publishers", open.concurrent_per_s,
              gov.concurrent_per_s, gov.concurrent_per_s / open.concurrent_per_s);
  std::printf("%-28s %10.1fus %10.1fus %8.2f\n", "restart, per version", open.start_us_per_version,
              gov.start_us_per_version, gov.start_us_per_version / open.start_us_per_version);
}

}  // namespace
}  // namespace mcpreg::service
