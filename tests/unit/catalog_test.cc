#include "catalog/catalog.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>

#include <algorithm>
#include <filesystem>
#include <random>

namespace mcpreg::catalog {
namespace {

constexpr Micros kT0 = 1760000000000000;

struct Spec {
  std::string name, version;
  std::string title, description;
  VersionStatus status = VersionStatus::kActive;
  bool latest = false;
  Micros updated = kT0;
  std::vector<std::string> remotes;        // urls
  std::vector<std::string> package_types;  // registryType values
};

VersionRecord Make(const Spec& s, int64_t seq) {
  VersionRecord r;
  r.meta.name = s.name;
  r.meta.version = s.version;
  r.meta.status = s.status;
  r.meta.status_changed_at = kT0;
  r.meta.published_at = kT0 + seq;
  r.meta.updated_at = s.updated;
  r.meta.is_latest = s.latest;
  std::string j = R"({"name":")" + s.name + R"(","description":")" + s.description + R"(")";
  if (!s.title.empty()) j += R"(,"title":")" + s.title + R"(")";
  j += R"(,"version":")" + s.version + R"(")";
  if (!s.package_types.empty()) {
    j += R"(,"packages":[)";
    for (size_t i = 0; i < s.package_types.size(); ++i) {
      j += (i ? "," : "") + std::string(R"({"registryType":")") + s.package_types[i] +
           R"(","identifier":"x","transport":{"type":"stdio"}})";
    }
    j += "]";
  }
  if (!s.remotes.empty()) {
    j += R"(,"remotes":[)";
    for (size_t i = 0; i < s.remotes.size(); ++i) {
      j += (i ? "," : "") + std::string(R"({"type":"streamable-http","url":")") + s.remotes[i] +
           R"("})";
    }
    j += "]";
  }
  j += "}";
  r.server_json = j;
  r.seq = seq;
  return r;
}

std::vector<std::string> Keys(const Page& p) {
  std::vector<std::string> out;
  for (const auto& e : p.items) out.push_back(e->meta.name + ":" + e->meta.version);
  return out;
}

using Keyv = std::vector<std::string>;

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<Spec> specs = {
        {"io.github.b/weather",
         "1.0.0",
         "Weather",
         "Forecasts for any city",
         VersionStatus::kActive,
         false,
         kT0 + 1,
         {},
         {"npm"}},
        {"io.github.b/weather",
         "2.0.0",
         "Weather",
         "Forecasts for any city",
         VersionStatus::kActive,
         true,
         kT0 + 5,
         {"https://w.example/mcp"},
         {"npm", "oci"}},
        {"io.github.a/files",
         "0.1.0",
         "",
         "Read local FILES safely",
         VersionStatus::kDeprecated,
         true,
         kT0 + 2,
         {},
         {"pypi"}},
        {"com.example/Zeta",
         "1.0.0",
         "Zeta Tools",
         "Remote math",
         VersionStatus::kActive,
         true,
         kT0 + 3,
         {"https://zeta.example/mcp"},
         {}},
        {"io.github.a/gone",
         "1.0.0",
         "Gone",
         "Deleted server",
         VersionStatus::kDeleted,
         true,
         kT0 + 4,
         {"https://gone.example/mcp"},
         {}},
        {"io.github.b/weather",
         "1.5.0",
         "Weather",
         "Forecasts for any city",
         VersionStatus::kDeleted,
         false,
         kT0 + 6,
         {},
         {"npm"}},
    };
    std::vector<VersionRecord> recs;
    for (size_t i = 0; i < specs.size(); ++i)
      recs.push_back(Make(specs[i], static_cast<int64_t>(i + 1)));
    cat_.Apply(recs);
  }
  Keyv ListKeys(ListQuery q) { return Keys(cat_.List(q)); }
  Catalog cat_;
};

TEST_F(CatalogTest, ListIsOrderedByNameThenVersionBytewise) {
  ListQuery q;
  q.include_deleted = true;
  EXPECT_EQ(ListKeys(q), (Keyv{"com.example/Zeta:1.0.0", "io.github.a/files:0.1.0",
                               "io.github.a/gone:1.0.0", "io.github.b/weather:1.0.0",
                               "io.github.b/weather:1.5.0", "io.github.b/weather:2.0.0"}));
  EXPECT_EQ(cat_.size(), 6u);
  EXPECT_EQ(cat_.last_seq(), 6);
}

TEST_F(CatalogTest, DeletedHiddenUnlessIncluded) {
  ListQuery q;
  EXPECT_EQ(ListKeys(q), (Keyv{"com.example/Zeta:1.0.0", "io.github.a/files:0.1.0",
                               "io.github.b/weather:1.0.0", "io.github.b/weather:2.0.0"}));
}

TEST_F(CatalogTest, CursorIsStrictlyAfterAndFullnessFollowsLimit) {
  ListQuery q;
  q.limit = 2;
  Page p1 = cat_.List(q);
  EXPECT_EQ(Keys(p1), (Keyv{"com.example/Zeta:1.0.0", "io.github.a/files:0.1.0"}));
  EXPECT_TRUE(p1.full);
  q.cursor = std::make_pair(p1.items.back()->meta.name, p1.items.back()->meta.version);
  Page p2 = cat_.List(q);
  EXPECT_EQ(Keys(p2), (Keyv{"io.github.b/weather:1.0.0", "io.github.b/weather:2.0.0"}));
  EXPECT_TRUE(p2.full);  // total is a multiple of limit: the next page is empty
  q.cursor = std::make_pair(p2.items.back()->meta.name, p2.items.back()->meta.version);
  Page p3 = cat_.List(q);
  EXPECT_TRUE(p3.items.empty());
  EXPECT_FALSE(p3.full);
  // A cursor that is not an existing key still positions correctly.
  q.cursor = std::make_pair(std::string("io.github.b/weather"), std::string("1.2"));
  EXPECT_EQ(ListKeys(q), (Keyv{"io.github.b/weather:2.0.0"}));
  q.limit = 30;
  q.cursor = std::make_pair(std::string("a"), std::string(""));
  EXPECT_EQ(ListKeys(q).size(), 4u);
  EXPECT_FALSE(cat_.List(q).full);
  q.limit = 0;
  EXPECT_TRUE(cat_.List(q).items.empty());
}

TEST_F(CatalogTest, NameOnlyCursorSkipsEveryVersionOfThatName) {
  ListQuery q;
  q.cursor_name_only = "io.github.a/files";
  EXPECT_EQ(ListKeys(q), (Keyv{"io.github.b/weather:1.0.0", "io.github.b/weather:2.0.0"}));
  q.cursor_name_only = "io.github.a";  // a prefix: names after it, including io.github.a/...
  EXPECT_EQ(ListKeys(q).front(), "io.github.a/files:0.1.0");
}

TEST_F(CatalogTest, EachFilterAlone) {
  ListQuery q;
  q.latest_only = true;
  EXPECT_EQ(ListKeys(q), (Keyv{"com.example/Zeta:1.0.0", "io.github.a/files:0.1.0",
                               "io.github.b/weather:2.0.0"}));
  q = {};
  q.exact_version = "1.0.0";
  EXPECT_EQ(ListKeys(q), (Keyv{"com.example/Zeta:1.0.0", "io.github.b/weather:1.0.0"}));
  q = {};
  q.updated_since = kT0 + 3;  // strict: the entry updated at exactly kT0+3 is excluded
  EXPECT_EQ(ListKeys(q), (Keyv{"io.github.b/weather:2.0.0"}));
  q.include_deleted = true;
  EXPECT_EQ(ListKeys(q), (Keyv{"io.github.a/gone:1.0.0", "io.github.b/weather:1.5.0",
                               "io.github.b/weather:2.0.0"}));
  q = {};
  q.transport = TransportFilter::kRemote;
  EXPECT_EQ(ListKeys(q), (Keyv{"com.example/Zeta:1.0.0", "io.github.b/weather:2.0.0"}));
  q.transport = TransportFilter::kLocal;
  EXPECT_EQ(ListKeys(q), (Keyv{"io.github.a/files:0.1.0", "io.github.b/weather:1.0.0",
                               "io.github.b/weather:2.0.0"}));
  q = {};
  q.registry_type = "oci";
  EXPECT_EQ(ListKeys(q), (Keyv{"io.github.b/weather:2.0.0"}));
  q.registry_type = "OCI";  // exact match
  EXPECT_TRUE(ListKeys(q).empty());
  q = {};
  q.status = VersionStatus::kDeprecated;
  EXPECT_EQ(ListKeys(q), (Keyv{"io.github.a/files:0.1.0"}));
  q.status = VersionStatus::kDeleted;
  EXPECT_TRUE(ListKeys(q).empty());  // deleted still needs include_deleted
  q.include_deleted = true;
  EXPECT_EQ(ListKeys(q), (Keyv{"io.github.a/gone:1.0.0", "io.github.b/weather:1.5.0"}));
}

TEST_F(CatalogTest, FiltersCombine) {
  ListQuery q;
  q.latest_only = true;
  q.transport = TransportFilter::kRemote;
  q.search = "forecast";
  EXPECT_EQ(ListKeys(q), (Keyv{"io.github.b/weather:2.0.0"}));
  q.registry_type = "pypi";
  EXPECT_TRUE(ListKeys(q).empty());
  q = {};
  q.include_deleted = true;
  q.exact_version = "1.0.0";
  q.transport = TransportFilter::kRemote;
  EXPECT_EQ(ListKeys(q), (Keyv{"com.example/Zeta:1.0.0", "io.github.a/gone:1.0.0"}));
}

TEST_F(CatalogTest, SearchMatchesEveryWordCaseInsensitivelyInNameTitleOrDescription) {
  ListQuery q;
  q.latest_only = true;
  q.search = "ZETA";  // name and title
  EXPECT_EQ(ListKeys(q), (Keyv{"com.example/Zeta:1.0.0"}));
  q.search = "math remote";  // description only, words in any order
  EXPECT_EQ(ListKeys(q), (Keyv{"com.example/Zeta:1.0.0"}));
  q.search = "tools";  // title only
  EXPECT_EQ(ListKeys(q), (Keyv{"com.example/Zeta:1.0.0"}));
  q.search = "  files   LOCAL ";
  EXPECT_EQ(ListKeys(q), (Keyv{"io.github.a/files:0.1.0"}));
  q.search = "files weather";  // words must all match the same entry
  EXPECT_TRUE(ListKeys(q).empty());
  q.search = "io.github";  // substring of the name, short and dense
  EXPECT_EQ(ListKeys(q).size(), 2u);
  q.search = "a/";  // shorter than a trigram
  EXPECT_EQ(ListKeys(q), (Keyv{"io.github.a/files:0.1.0"}));
  q.search = "zeta\nremote";  // newline is whitespace, not a field separator match
  EXPECT_EQ(ListKeys(q), (Keyv{"com.example/Zeta:1.0.0"}));
  q.search = "toolsremote";  // never matches across fields
  EXPECT_TRUE(ListKeys(q).empty());
  q.search = "xyzzy";
  EXPECT_TRUE(ListKeys(q).empty());
  q.search = "   ";  // blank search = no filter
  EXPECT_EQ(ListKeys(q).size(), 3u);
}

TEST_F(CatalogTest, GetGetLatestAndVersions) {
  EXPECT_EQ(cat_.Get("io.github.b/weather", "2.0.0", false)->meta.updated_at, kT0 + 5);
  EXPECT_EQ(cat_.Get("io.github.b/weather", "1.5.0", false), nullptr);
  EXPECT_NE(cat_.Get("io.github.b/weather", "1.5.0", true), nullptr);
  EXPECT_EQ(cat_.Get("io.github.b/weather", "9", true), nullptr);
  EXPECT_EQ(cat_.Get("io.github.b/weathe", "2.0.0", true), nullptr);
  EXPECT_EQ(cat_.GetLatest("io.github.b/weather", false)->meta.version, "2.0.0");
  EXPECT_EQ(cat_.GetLatest("io.github.a/gone", false), nullptr);
  EXPECT_EQ(cat_.GetLatest("io.github.a/gone", true)->meta.version, "1.0.0");
  EXPECT_EQ(cat_.GetLatest("nope/nope", true), nullptr);
  auto versions = cat_.Versions("io.github.b/weather", false);
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0]->meta.version, "2.0.0");  // published later (seq 2 > seq 1)
  EXPECT_EQ(versions[1]->meta.version, "1.0.0");
  versions = cat_.Versions("io.github.b/weather", true);
  ASSERT_EQ(versions.size(), 3u);
  EXPECT_EQ(versions[0]->meta.version, "1.5.0");  // seq 6: newest
  EXPECT_TRUE(cat_.Versions("io.github.b", true).empty());
}

TEST(CatalogListingRuleTest, WithheldEntriesAreInvisibleAndRelistFlipsThem) {
  Catalog cat;
  std::set<std::string> allowed;
  cat.SetListingRule([&](const Entry& e) { return allowed.count(e.meta.version) > 0; });
  cat.Apply({Make({"io.a/x", "1.0.0", "", "d", VersionStatus::kActive, false}, 1),
             Make({"io.a/x", "2.0.0", "", "d", VersionStatus::kActive, true}, 2)});
  ListQuery q;
  q.limit = 10;
  EXPECT_TRUE(cat.List(q).items.empty());
  EXPECT_EQ(cat.Get("io.a/x", "2.0.0", true), nullptr);
  EXPECT_NE(cat.Get("io.a/x", "2.0.0", true, /*include_withheld=*/true), nullptr);
  const int64_t g = cat.generation();
  allowed.insert("1.0.0");
  cat.Relist("io.a/x");
  EXPECT_GT(cat.generation(), g);
  ASSERT_EQ(cat.List(q).items.size(), 1u);
  // The newest listed version serves `latest` while the real latest is withheld.
  ASSERT_NE(cat.GetLatest("io.a/x", false), nullptr);
  EXPECT_EQ(cat.GetLatest("io.a/x", false)->meta.version, "1.0.0");
  allowed.insert("2.0.0");
  cat.Relist("io.a/x");
  EXPECT_EQ(cat.GetLatest("io.a/x", false)->meta.version, "2.0.0");
  q.latest_only = true;
  ASSERT_EQ(cat.List(q).items.size(), 1u);
  EXPECT_EQ(cat.List(q).items[0]->meta.version, "2.0.0");
}

TEST(CatalogListingRuleTest, WholeCatalogRelistIsParallelAndExact) {
  Catalog cat;
  std::vector<VersionRecord> recs;
  for (int i = 0; i < 20000; ++i)
    recs.push_back(Make({"io.p/s" + std::to_string(i), "1.0.0", "", "d", VersionStatus::kActive, true}, i + 1));
  cat.Apply(recs);
  std::atomic<int> calls{0};
  cat.SetListingRule([&](const Entry& e) {
    ++calls;
    return e.meta.name.back() % 2 == 0;  // names ending in an even digit
  });
  cat.RelistAll();
  EXPECT_EQ(calls.load(), 20000);
  ListQuery q;
  q.limit = 100;
  size_t listed = 0;
  for (auto page = cat.List(q);; page = cat.List(q)) {
    for (const auto& e : page.items) EXPECT_EQ(e->meta.name.back() % 2, 0) << e->meta.name;
    listed += page.items.size();
    if (!page.full) break;
    q.cursor = std::make_pair(page.items.back()->meta.name, page.items.back()->meta.version);
  }
  EXPECT_EQ(listed, 10000u);
}

TEST(CatalogListingRuleTest, ARelistRacingAnApplyIsNotLost) {
  // The facts change (and the relist runs) while Apply is evaluating a new row, before the row
  // is in the index: the relist cannot see it, so Apply must evaluate it again.
  Catalog cat;
  bool approved = false, raced = false;
  cat.SetListingRule([&](const Entry& e) {
    bool verdict = approved;
    if (!raced) {
      raced = true;
      approved = true;
      cat.Relist(e.meta.name);
    }
    return verdict;
  });
  cat.Apply({Make({"io.a/x", "1.0.0", "", "d", VersionStatus::kActive, true}, 1)});
  EXPECT_NE(cat.Get("io.a/x", "1.0.0", false), nullptr) << "stale withheld flag";
}

TEST_F(CatalogTest, EntryCarriesParsedFieldsAndRenderedResponse) {
  auto e = cat_.Get("io.github.b/weather", "2.0.0", false);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->title, "Weather");
  EXPECT_EQ(e->description, "Forecasts for any city");
  EXPECT_TRUE(e->has_remotes);
  EXPECT_TRUE(e->has_packages);
  EXPECT_EQ(e->registry_types, (std::vector<std::string>{"npm", "oci"}));
  EXPECT_EQ(e->response_json,
            "{\"server\":" + std::string(e->server_json) +
                ",\"_meta\":{\"io.modelcontextprotocol.registry/official\":{\"status\":\"active\","
                "\"statusChangedAt\":\"2025-10-09T08:53:20Z\",\"publishedAt\":\"2025-10-09T08:53:"
                "20.000002Z\","
                "\"updatedAt\":\"2025-10-09T08:53:20.000005Z\",\"isLatest\":true}}}");
  VersionRecord r = Make({"io.x/y", "1", "", "d"}, 100);
  r.meta.status = VersionStatus::kDeprecated;
  r.meta.status_message = "use \"z\"";
  auto built = BuildEntry(r);
  EXPECT_NE(
      built->response_json.find(
          R"("status":"deprecated","statusChangedAt":"2025-10-09T08:53:20Z","statusMessage":"use \"z\"","publishedAt")"),
      std::string::npos)
      << built->response_json;
  r.server_json = "not json";
  built = BuildEntry(r);
  EXPECT_TRUE(built->title.empty());
  EXPECT_FALSE(built->has_packages);
}

TEST_F(CatalogTest, ApplyUpdatesExistingEntryAndMovesItInAndOutOfResults) {
  ListQuery q;
  q.search = "zeta";
  ASSERT_EQ(ListKeys(q).size(), 1u);
  EXPECT_EQ(cat_.RemoteUrlOwner("https://zeta.example/mcp"), "com.example/Zeta");
  Spec zeta{"com.example/Zeta",
            "1.0.0",
            "Zeta Tools",
            "Remote math",
            VersionStatus::kDeleted,
            true,
            kT0 + 9,
            {"https://zeta.example/mcp"},
            {}};
  cat_.Apply({Make(zeta, 7)});
  EXPECT_TRUE(ListKeys(q).empty());
  EXPECT_EQ(cat_.RemoteUrlOwner("https://zeta.example/mcp"), "");  // deleted owners release URLs
  EXPECT_EQ(cat_.size(), 6u);
  EXPECT_EQ(cat_.last_seq(), 7);
  // A stale record (lower seq) does not overwrite the newer entry.
  zeta.status = VersionStatus::kActive;
  cat_.Apply({Make(zeta, 3)});
  EXPECT_TRUE(ListKeys(q).empty());
  // Restored with a new description: the text index follows the change.
  zeta.description = "Algebra over HTTP";
  cat_.Apply({Make(zeta, 8)});
  EXPECT_TRUE(ListKeys(q).size() == 1u);
  q.search = "algebra";
  EXPECT_EQ(ListKeys(q), (Keyv{"com.example/Zeta:1.0.0"}));
  q.search = "math";
  EXPECT_TRUE(ListKeys(q).empty());
  EXPECT_EQ(cat_.RemoteUrlOwner("https://zeta.example/mcp"), "com.example/Zeta");
  EXPECT_EQ(cat_.RemoteUrlOwner("https://gone.example/mcp"), "");
  EXPECT_EQ(cat_.RemoteUrlOwner("https://w.example/mcp"), "io.github.b/weather");
}

TEST_F(CatalogTest, ApplyBatchWithRepeatedKeyKeepsTheNewest) {
  Spec s{"io.new/x", "1.0.0", "", "first"};
  auto a = Make(s, 10);
  s.description = "second";
  auto b = Make(s, 11);
  cat_.Apply({a, b});
  EXPECT_EQ(cat_.Get("io.new/x", "1.0.0", false)->description, "second");
  EXPECT_EQ(cat_.size(), 7u);
  ListQuery q;
  q.search = "first";
  EXPECT_TRUE(ListKeys(q).empty());
}

// Brute force reference for List.
std::vector<std::string> BruteForce(const std::vector<Spec>& live, const ListQuery& q) {
  std::vector<const Spec*> out;
  auto words = SearchWords(q.search);
  for (const auto& s : live) {
    if (!q.include_deleted && s.status == VersionStatus::kDeleted) continue;
    if (q.latest_only && !s.latest) continue;
    if (q.exact_version && s.version != *q.exact_version) continue;
    if (q.updated_since && s.updated <= *q.updated_since) continue;
    if (q.transport == TransportFilter::kRemote && s.remotes.empty()) continue;
    if (q.transport == TransportFilter::kLocal && s.package_types.empty()) continue;
    bool words_ok = true;
    for (const auto& w : words) {
      if (AsciiLower(s.name).find(w) == std::string::npos &&
          AsciiLower(s.title).find(w) == std::string::npos &&
          AsciiLower(s.description).find(w) == std::string::npos) {
        words_ok = false;
      }
    }
    if (!words_ok) continue;
    if (q.cursor && !(std::tie(q.cursor->first, q.cursor->second) < std::tie(s.name, s.version)))
      continue;
    out.push_back(&s);
  }
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) {
    return std::tie(a->name, a->version) < std::tie(b->name, b->version);
  });
  std::vector<std::string> keys;
  for (size_t i = 0; i < out.size() && i < q.limit; ++i)
    keys.push_back(out[i]->name + ":" + out[i]->version);
  return keys;
}

TEST(CatalogRandomTest, IndexAgreesWithBruteForceScan) {
  std::mt19937 rng(12345);
  const std::vector<std::string> vocab = {
      "weather",        "files",  "git",     "github", "search", "browser", "sql",    "postgres",
      "Slack",          "notion", "MAPS",    "time",   "memory", "fetch",   "docker", "kube",
      "rare-token-xyz", "a",      "é-accent"};
  auto pick = [&](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += (i ? " " : "") + vocab[rng() % vocab.size()];
    return s;
  };
  std::map<std::pair<std::string, std::string>, Spec> live;
  Catalog cat;
  int64_t seq = 0;
  for (int round = 0; round < 6; ++round) {
    std::vector<VersionRecord> batch;
    for (int i = 0; i < 500; ++i) {
      Spec s;
      s.name = "io.r" + std::to_string(rng() % 40) + "/" + vocab[rng() % vocab.size()] +
               std::to_string(rng() % 30);
      s.version = std::to_string(rng() % 3) + "." + std::to_string(rng() % 4) + ".0";
      s.title = rng() % 3 ? pick(1 + rng() % 2) : "";
      s.description = pick(1 + rng() % 5);
      s.status = static_cast<VersionStatus>(rng() % 3);
      s.latest = rng() % 2;
      s.updated = kT0 + rng() % 100;
      if (rng() % 2) s.remotes.push_back("https://" + s.name + "/mcp");
      if (rng() % 2) s.package_types.push_back(rng() % 2 ? "npm" : "pypi");
      batch.push_back(Make(s, ++seq));
      live[{s.name, s.version}] = s;
    }
    cat.Apply(batch);
  }
  std::vector<Spec> specs;
  for (auto& [k, s] : live) specs.push_back(s);
  ASSERT_EQ(cat.size(), specs.size());

  for (int i = 0; i < 400; ++i) {
    ListQuery q;
    q.limit = 1 + rng() % 60;
    q.search = rng() % 4 ? pick(1 + rng() % 2) : "";
    if (rng() % 3 == 0) q.search = vocab[rng() % vocab.size()].substr(0, 1 + rng() % 4);
    q.include_deleted = rng() % 2;
    q.latest_only = rng() % 3 == 0;
    if (rng() % 5 == 0) q.exact_version = "1.1.0";
    if (rng() % 4 == 0) q.updated_since = kT0 + rng() % 100;
    q.transport = static_cast<TransportFilter>(rng() % 3);
    if (rng() % 2) {
      const Spec& s = specs[rng() % specs.size()];
      q.cursor = std::make_pair(s.name, s.version);
    }
    ASSERT_EQ(Keys(cat.List(q)), BruteForce(specs, q))
        << "query " << i << " search='" << q.search << "'";
  }
  // Paging through everything with search yields the brute-force full list.
  ListQuery q;
  q.search = "git";
  q.limit = 7;
  q.include_deleted = true;
  std::vector<std::string> paged;
  for (;;) {
    Page p = cat.List(q);
    for (auto& k : Keys(p)) paged.push_back(k);
    if (!p.full) break;
    q.cursor = std::make_pair(p.items.back()->meta.name, p.items.back()->meta.version);
  }
  ListQuery all = q;
  all.cursor.reset();
  all.limit = 1000000;
  EXPECT_EQ(paged, BruteForce(specs, all));
}

TEST(CatalogRefreshTest, RefreshCatchesUpWithTheStore) {
  auto dir = std::filesystem::temp_directory_path() / ("mcpreg-cat-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto store = OpenSqliteStore((dir / "r.db").string());
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Migrate(false).ok());
  Catalog cat;
  ASSERT_TRUE(Refresh(**store, cat).ok());
  EXPECT_EQ(cat.size(), 0u);
  std::vector<Store::Update> ups;
  for (int i = 0; i < 2500; ++i) {  // more than one refresh batch
    std::string name = "io.f/s" + std::to_string(i);
    ups.push_back({name, [name](ServerRows& rows) {
                     ServerRows::Row r;
                     r.meta = {name, "1.0.0", VersionStatus::kActive, kT0, {}, kT0, kT0, true};
                     r.server_json = R"({"name":")" + name + R"(","description":"refresh me"})";
                     r.dirty = true;
                     rows.rows.push_back(r);
                     return Status::OK();
                   }});
  }
  ASSERT_TRUE((*store)->UpdateServers(ups).ok());
  ASSERT_TRUE(Refresh(**store, cat).ok());
  EXPECT_EQ(cat.size(), 2500u);
  EXPECT_EQ(cat.last_seq(), *(*store)->MaxSeq());
  auto del = (*store)->UpdateServer("io.f/s7", [](ServerRows& rows) {
    rows.rows[0].meta.status = VersionStatus::kDeleted;
    rows.rows[0].dirty = true;
    return Status::OK();
  });
  ASSERT_TRUE(del.ok());
  ASSERT_TRUE(Refresh(**store, cat).ok());
  EXPECT_EQ(cat.Get("io.f/s7", "1.0.0", false), nullptr);
  EXPECT_EQ(cat.Get("io.f/s7", "1.0.0", true)->description, "refresh me");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mcpreg::catalog
