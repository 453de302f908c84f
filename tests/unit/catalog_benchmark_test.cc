// Catalog figures at production scale (10K servers, 30K versions, ~1.1 KB documents). Not a
// timed assertion; run explicitly with
//   mcpreg_tests --gtest_also_run_disabled_tests --gtest_filter='CatalogBenchmark*'
#include <gtest/gtest.h>
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>

#include "catalog/catalog.h"

namespace mcpreg::catalog {
namespace {

long RssKb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

template <typename F>
double MicrosPerCall(int n, F&& f) {
  auto t = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) f(i);
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t).count() /
         n;
}

TEST(CatalogBenchmark, DISABLED_ListAt30kVersions) {
  const std::vector<std::string> words = {"weather",    "files",    "git",      "github", "search",
                                          "browser",    "sql",      "postgres", "slack",  "notion",
                                          "maps",       "time",     "memory",   "fetch",  "docker",
                                          "kubernetes", "calendar", "email",    "jira",   "figma"};
  std::mt19937 rng(7);
  long rss0 = RssKb();
  std::vector<VersionRecord> recs;
  int64_t seq = 0;
  for (int s = 0; s < 10000; ++s) {
    std::string name = "io.github.user" + std::to_string(s % 3000) + "/" +
                       words[rng() % words.size()] + "-mcp-" + std::to_string(s);
    std::string desc = "An MCP server for " + words[rng() % words.size()] + " and " +
                       words[rng() % words.size()] + " tasks";
    for (int v = 0; v < 3; ++v) {
      VersionRecord r;
      r.meta = {
          name, "1." + std::to_string(v) + ".0", VersionStatus::kActive, 1760000000000000 + seq,
          {},   1760000000000000 + seq,          1760000000000000 + seq, v == 2};
      std::string j =
          R"({"$schema":"https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json","name":")" +
          name + R"(","description":")" + desc + R"(","title":"Server )" + std::to_string(s) +
          R"(","repository":{"url":"https://github.com/user/)" + std::to_string(s) +
          R"(","source":"github"},"version":")" + r.meta.version +
          R"(","packages":[{"registryType":"npm","identifier":"@user/server-)" + std::to_string(s) +
          R"(","version":")" + r.meta.version +
          R"(","transport":{"type":"stdio"},"environmentVariables":[{"name":"API_KEY","description":"Your API key for the service, required for all calls","isRequired":true,"isSecret":true}]}])";
      if (s % 2)
        j += R"(,"remotes":[{"type":"streamable-http","url":"https://mcp.example.com/)" +
             std::to_string(s) + R"("}])";
      j +=
          R"(,"_meta":{"io.modelcontextprotocol.registry/publisher-provided":{"tool":"bench","padding":")" +
          std::string(350, 'p') + R"("}}})";
      r.server_json = j;
      r.seq = ++seq;
      recs.push_back(std::move(r));
    }
  }
  size_t doc_bytes = 0;
  for (auto& r : recs) doc_bytes += r.server_json.size();
  Catalog cat;
  auto t = std::chrono::steady_clock::now();
  for (size_t i = 0; i < recs.size(); i += 2000) {
    cat.Apply(std::vector<VersionRecord>(recs.begin() + i,
                                         recs.begin() + std::min(recs.size(), i + 2000)));
  }
  double load_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
  recs.clear();
  recs.shrink_to_fit();
  malloc_trim(0);  // count what the catalog holds, not the freed input records
  std::printf("entries=%zu avg_doc=%zu B load=%.0f ms RSS delta=%ld MB\n", cat.size(),
              doc_bytes / cat.size(), load_ms, (RssKb() - rss0) / 1024);

  ListQuery q;
  q.limit = 100;
  std::printf("List limit=100 first page:            %.1f us\n",
              MicrosPerCall(2000, [&](int) { cat.List(q); }));
  q.cursor = std::make_pair(std::string("io.github.user2500"), std::string(""));
  std::printf("List limit=100 deep cursor:           %.1f us\n",
              MicrosPerCall(2000, [&](int) { cat.List(q); }));
  q.cursor.reset();
  q.latest_only = true;
  std::printf("List latest limit=100:                %.1f us\n",
              MicrosPerCall(2000, [&](int) { cat.List(q); }));
  for (const char* s :
       {"weather", "postgres slack", "kubernetes", "mcp", "server 123", "user42/", "zzzz"}) {
    q.search = s;
    size_t n = cat.List(q).items.size();
    std::printf("List latest search=%-16s %4zu: %.1f us\n", s, n,
                MicrosPerCall(500, [&](int) { cat.List(q); }));
  }
  q = {};
  q.exact_version = "1.1.0";
  q.limit = 100;
  std::printf("List version=1.1.0 limit=100:         %.1f us\n",
              MicrosPerCall(500, [&](int) { cat.List(q); }));
  q = {};
  q.updated_since = 1760000000000000 + 29990;
  std::printf("List updated_since (10 hits, scan):   %.1f us\n",
              MicrosPerCall(100, [&](int) { cat.List(q); }));
  std::printf("GetLatest:                            %.2f us\n", MicrosPerCall(20000, [&](int i) {
                cat.GetLatest("io.github.user" + std::to_string(i % 3000) + "/x", false);
              }));
  std::printf("RemoteUrlOwner:                       %.2f us\n", MicrosPerCall(20000, [&](int i) {
                cat.RemoteUrlOwner("https://mcp.example.com/" + std::to_string(i % 10000));
              }));
}

}  // namespace
}  // namespace mcpreg::catalog
