// Store conformance for federation mirrors (issue 13): the mirror columns of a version row and
// the per-upstream mirror state, on every backend (registered on StoreConformanceTest, so the
// sqlite and postgres instantiations run these too).
#include <gtest/gtest.h>

#include "conformance/store_conformance.h"

namespace mcpreg::conformance {
namespace {

constexpr Micros kT = 1'700'000'000'000'000;

std::string Doc(const std::string& name, const std::string& version) {
  return R"({"name":")" + name + R"(","version":")" + version + R"(","description":"x"})";
}

ServerRows::Row Row(const std::string& name, const std::string& version, const std::string& upstream) {
  ServerRows::Row r;
  r.meta.name = name;
  r.meta.version = version;
  r.meta.status_changed_at = kT;
  r.meta.published_at = kT;
  r.meta.updated_at = kT + 1;
  r.meta.is_latest = true;
  if (!upstream.empty()) {
    r.meta.mirror_upstream = upstream;
    r.meta.mirror_meta = R"({"upstream":")" + upstream + R"(","url":"https://up.example","fetchedAt":"2026-01-01T00:00:00Z"})";
    r.meta.mirror_digest = std::string(64, 'a');
  }
  r.server_json = Doc(name, version);
  r.dirty = true;
  return r;
}

std::vector<VersionRecord> AllRows(Store& store) {
  auto b = store.LoadChangesSince(0, 0);
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  return b.ok() ? b->records : std::vector<VersionRecord>{};
}

TEST_P(StoreConformanceTest, MirrorColumnsRoundTripThroughEveryWritePath) {
  auto store = OpenMigrated();
  ASSERT_NE(store, nullptr);
  // Batch path (UpdateServers): one mirrored row, one local row.
  std::vector<Store::Update> updates = {
      {"com.up/a", [](ServerRows& rows) { rows.rows.push_back(Row("com.up/a", "1.0.0", "up")); return Status::OK(); }},
      {"com.local/b", [](ServerRows& rows) { rows.rows.push_back(Row("com.local/b", "1.0.0", "")); return Status::OK(); }},
  };
  auto written = store->UpdateServers(updates);
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  ASSERT_EQ(written->size(), 2u);
  for (const auto& rec : AllRows(*store)) {
    if (rec.meta.name == "com.up/a") {
      EXPECT_EQ(rec.meta.mirror_upstream, "up");
      EXPECT_EQ(rec.meta.mirror_digest, std::string(64, 'a'));
      EXPECT_NE(rec.meta.mirror_meta.find("\"url\":\"https://up.example\""), std::string::npos);
    } else {
      EXPECT_EQ(rec.meta.mirror_upstream, "");
      EXPECT_EQ(rec.meta.mirror_meta, "");
      EXPECT_EQ(rec.meta.mirror_digest, "");
    }
  }
  // The mutator sees the mirror fields; a status-only change keeps them (single path).
  auto status = store->UpdateServer("com.up/a", [](ServerRows& rows) {
    auto* r = rows.Find("1.0.0");
    EXPECT_NE(r, nullptr);
    if (!r) return Status::Internal("missing");
    EXPECT_EQ(r->meta.mirror_upstream, "up");
    EXPECT_EQ(r->meta.mirror_digest, std::string(64, 'a'));
    r->meta.status = VersionStatus::kDeprecated;
    r->meta.status_changed_at = kT + 5;
    r->dirty = true;
    return Status::OK();
  });
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  ASSERT_EQ(status->size(), 1u);
  EXPECT_EQ((*status)[0].meta.mirror_upstream, "up");
  // Batch path update: a new digest (a removed marker) on the existing row.
  std::vector<Store::Update> removal = {{"com.up/a", [](ServerRows& rows) {
    auto* r = rows.Find("1.0.0");
    if (!r) return Status::Internal("missing");
    r->meta.mirror_digest = std::string(kMirrorRemoved);
    r->meta.status = VersionStatus::kDeleted;
    r->dirty = true;
    return Status::OK();
  }}};
  ASSERT_TRUE(store->UpdateServers(removal).ok());
  auto mirrored = store->ListMirrored("up");
  ASSERT_TRUE(mirrored.ok()) << mirrored.status().ToString();
  ASSERT_EQ(mirrored->size(), 1u);
  EXPECT_EQ((*mirrored)[0].name, "com.up/a");
  EXPECT_EQ((*mirrored)[0].status, VersionStatus::kDeleted);
  EXPECT_EQ((*mirrored)[0].mirror_digest, kMirrorRemoved);
  EXPECT_NE((*mirrored)[0].mirror_meta.find("fetchedAt"), std::string::npos);
  auto none = store->ListMirrored("other");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  // A copy keeps the columns (Export / Restore).
  auto snap = store->Export();
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  auto second = OpenSecondMigrated();
  ASSERT_NE(second, nullptr);
  ASSERT_TRUE(second->Restore(*snap).ok());
  auto copied = second->ListMirrored("up");
  ASSERT_TRUE(copied.ok());
  ASSERT_EQ(copied->size(), 1u);
  EXPECT_EQ((*copied)[0].mirror_digest, kMirrorRemoved);
}

TEST_P(StoreConformanceTest, MirrorStateIsUpsertedPerUpstream) {
  auto store = OpenMigrated();
  ASSERT_NE(store, nullptr);
  auto missing = store->GetMirrorState("up");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().IsNotFound()) << missing.status().ToString();
  Store::MirrorState s{"up", "url=https://up.example\n", kT, kT + 9, 3};
  ASSERT_TRUE(store->PutMirrorState(s).ok());
  ASSERT_TRUE(store->PutMirrorState({"other", "k", 1, 2, 1}).ok());
  s.watermark = kT + 100;
  s.filter_key = "changed";
  s.requests = 1;
  s.mirrored = 30000;
  ASSERT_TRUE(store->PutMirrorState(s).ok());
  auto got = store->GetMirrorState("up");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->filter_key, "changed");
  EXPECT_EQ(got->watermark, kT + 100);
  EXPECT_EQ(got->synced_at, kT + 9);
  EXPECT_EQ(got->requests, 1);
  EXPECT_EQ(got->mirrored, 30000);
  auto other = store->GetMirrorState("other");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->filter_key, "k");
}

}  // namespace
}  // namespace mcpreg::conformance
