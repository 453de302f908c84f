#include "service/versioning.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mcpreg::versioning {
namespace {

TEST(VersioningTest, IsSemverAcceptsFullVersions) {
  for (const char* v : {"0.0.0", "1.2.3", "v1.2.3", "10.20.30", "1.0.0-alpha", "1.0.0-alpha.1",
                        "1.0.0-0.3.7", "1.0.0-x.7.z.92", "1.0.0-x-y-z.--", "1.0.0+20130313144700",
                        "1.0.0-beta+exp.sha.5114f85", "1.0.0+21AF26D3----117B344092BD", "1.0.0+001",
                        "1.0.0-alpha0.valid", "99999999999999999999.0.0"}) {
    EXPECT_TRUE(IsSemver(v)) << v;
  }
}

TEST(VersioningTest, IsSemverRejectsInvalidForms) {
  for (const char* v : {"",
                        "v",
                        "1",
                        "1.0",
                        "v1",
                        "v1.2",
                        "1.2.3.4",
                        "01.2.3",
                        "1.02.3",
                        "1.2.03",
                        "2025.06.18",
                        "2025-06-18",
                        "1.2.3-",
                        "1.2.3+",
                        "1.2.3-01",
                        "1.2.3-alpha..1",
                        "1.2.3-alpha.",
                        "1.2.3+build..1",
                        "1.2.3+a+b",
                        "V1.2.3",
                        "vv1.2.3",
                        "1.2.3 ",
                        " 1.2.3",
                        "1.2.3-é",
                        "latest",
                        "1.x.0",
                        "^1.2.3",
                        "1.2.-3",
                        "-1.2.3",
                        "1.2.3_4"}) {
    EXPECT_FALSE(IsSemver(v)) << v;
  }
}

TEST(VersioningTest, PrereleaseOrderingFollowsSemverSpec) {
  // The ordering example from semver.org §11, strictly ascending.
  std::vector<std::string> asc = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
                                  "1.0.0-beta",  "1.0.0-beta.2",  "1.0.0-beta.11",
                                  "1.0.0-rc.1",  "1.0.0",         "1.0.1-0",
                                  "1.0.1",       "1.1.0",         "2.0.0",
                                  "10.0.0"};
  for (size_t i = 0; i < asc.size(); ++i) {
    for (size_t j = 0; j < asc.size(); ++j) {
      int want = i < j ? -1 : (i > j ? 1 : 0);
      EXPECT_EQ(CompareSemver(asc[i], asc[j]), want) << asc[i] << " vs " << asc[j];
    }
  }
}

TEST(VersioningTest, CompareSemverTableCases) {
  struct Case {
    const char* a;
    const char* b;
    int want;
  };
  const Case cases[] = {
      {"1.0.0", "v1.0.0", 0},         // v prefix is optional
      {"1.0.0+a", "1.0.0+b", 0},      // build metadata ignored
      {"1.0.0-2", "1.0.0-10", -1},    // numeric identifiers compare numerically
      {"1.0.0-a10", "1.0.0-a2", -1},  // alphanumeric identifiers compare bytewise
      {"1.0.0-1", "1.0.0-a", -1},     // numeric < alphanumeric
      {"1.0.0-B", "1.0.0-a", -1},     // ASCII order: uppercase first
      {"1.0.0-a.b", "1.0.0-a", 1},    // more identifiers rank higher
      {"1.2.3-1", "1.2.3", -1},       // prerelease below release
      {"1.10.0", "1.9.0", 1},         // numeric, not string, comparison
      {"100000000000000000000.0.0", "99999999999999999999.0.0", 1},  // arbitrary size
  };
  for (const auto& c : cases) {
    EXPECT_EQ(CompareSemver(c.a, c.b), c.want) << c.a << " vs " << c.b;
    EXPECT_EQ(CompareSemver(c.b, c.a), -c.want) << c.b << " vs " << c.a;
  }
}

TEST(VersioningTest, CompareMixesSemverAndTime) {
  // Both semver: time does not matter.
  EXPECT_GT(Compare("2.0.0", 1, "1.0.0", 100), 0);
  // Neither semver: publication time decides.
  EXPECT_LT(Compare("2025.06.18", 1, "2024.01.01", 2), 0);
  EXPECT_GT(Compare("b", 5, "a", 4), 0);
  EXPECT_EQ(Compare("b", 5, "a", 5), 0);
  // Mixed: semver wins regardless of time.
  EXPECT_GT(Compare("0.0.1", 1, "2025.06.18", 100), 0);
  EXPECT_LT(Compare("1.0", 100, "0.0.1", 1), 0);
}

ServerRows MakeRows(std::vector<std::tuple<std::string, Micros, VersionStatus, bool>> specs) {
  ServerRows rows;
  rows.name = "io.example/s";
  for (auto& [v, t, st, latest] : specs) {
    ServerRows::Row r;
    r.meta.name = rows.name;
    r.meta.version = v;
    r.meta.published_at = t;
    r.meta.status = st;
    r.meta.is_latest = latest;
    rows.rows.push_back(r);
  }
  return rows;
}

std::string LatestOf(const ServerRows& rows) {
  std::string out;
  for (const auto& r : rows.rows)
    if (r.meta.is_latest) out += (out.empty() ? "" : ",") + r.meta.version;
  return out;
}

constexpr auto kA = VersionStatus::kActive;
constexpr auto kDel = VersionStatus::kDeleted;
constexpr auto kDep = VersionStatus::kDeprecated;

TEST(VersioningTest, RecomputeLatestPicksHighestNonDeletedAndMarksDirty) {
  auto rows = MakeRows({{"1.0.0", 1, kA, false},
                        {"2.0.0", 2, kDel, true},
                        {"1.5.0", 3, kDep, false},
                        {"0.9.0", 4, kA, false}});
  RecomputeLatest(rows);
  EXPECT_EQ(LatestOf(rows), "1.5.0");  // deprecated still counts; deleted does not
  EXPECT_FALSE(rows.rows[0].dirty);
  EXPECT_TRUE(rows.rows[1].dirty);
  EXPECT_TRUE(rows.rows[2].dirty);
  EXPECT_FALSE(rows.rows[3].dirty);
}

TEST(VersioningTest, RecomputeLatestAllDeletedKeepsHighestDeleted) {
  auto rows =
      MakeRows({{"1.0.0", 1, kDel, false}, {"3.0.0", 2, kDel, false}, {"2.0.0", 3, kDel, true}});
  RecomputeLatest(rows);
  EXPECT_EQ(LatestOf(rows), "3.0.0");
}

TEST(VersioningTest, RecomputeLatestNonSemverByTimeAndSemverWins) {
  auto rows = MakeRows({{"2025.01.01", 5, kA, false}, {"2024.12.31", 9, kA, false}});
  RecomputeLatest(rows);
  EXPECT_EQ(LatestOf(rows), "2024.12.31");  // published later
  rows = MakeRows({{"snapshot", 9, kA, true}, {"0.0.1", 1, kA, false}});
  RecomputeLatest(rows);
  EXPECT_EQ(LatestOf(rows), "0.0.1");
}

TEST(VersioningTest, RecomputeLatestTieIsIndependentOfRowOrder) {
  auto a = MakeRows({{"1.0.0+a", 1, kA, false}, {"1.0.0+b", 1, kA, false}});
  auto b = MakeRows({{"1.0.0+b", 1, kA, false}, {"1.0.0+a", 1, kA, false}});
  RecomputeLatest(a);
  RecomputeLatest(b);
  EXPECT_EQ(LatestOf(a), "1.0.0+b");
  EXPECT_EQ(LatestOf(b), "1.0.0+b");
  ServerRows empty;
  RecomputeLatest(empty);  // no rows: nothing to do, no crash
  EXPECT_TRUE(empty.rows.empty());
}

TEST(VersioningTest, NewVersionBecomesLatestFollowsPublishRule) {
  auto rows = MakeRows({{"1.2.3", 10, kA, true}, {"0.1.0", 5, kA, false}});
  EXPECT_TRUE(NewVersionBecomesLatest(rows, "1.2.4", 20));
  EXPECT_FALSE(NewVersionBecomesLatest(rows, "1.2.3-1", 20));  // prerelease of the latest
  EXPECT_FALSE(NewVersionBecomesLatest(rows, "1.0.0", 20));
  EXPECT_FALSE(NewVersionBecomesLatest(rows, "2025.06.18", 20));   // non-semver never beats semver
  EXPECT_FALSE(NewVersionBecomesLatest(rows, "1.2.3+build", 20));  // equal rank is not higher
  auto nonsemver = MakeRows({{"build-7", 10, kA, true}});
  EXPECT_TRUE(NewVersionBecomesLatest(nonsemver, "build-8", 11));
  EXPECT_FALSE(NewVersionBecomesLatest(nonsemver, "build-8", 10));
  EXPECT_TRUE(NewVersionBecomesLatest(nonsemver, "0.0.1", 1));
  ServerRows none;
  EXPECT_TRUE(NewVersionBecomesLatest(none, "anything", 0));
  auto no_latest = MakeRows({{"9.0.0", 1, kDel, false}});
  EXPECT_TRUE(NewVersionBecomesLatest(no_latest, "1.0.0", 2));
}

}  // namespace
}  // namespace mcpreg::versioning
