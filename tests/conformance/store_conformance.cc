#include "conformance/store_conformance.h"

#include <atomic>
#include <random>
#include <thread>
#include <vector>

#include "service/versioning.h"

namespace mcpreg::conformance {
namespace {

constexpr Micros kT0 = 1760000000000000;  // 2025-10-09

std::string Doc(std::string_view name, std::string_view version) {
  return std::string(R"({"name":")") + std::string(name) + R"(","version":")" +
         std::string(version) + R"(","description":"d"})";
}

// Publishes `version` the way the service does: new row active, latest per the publish rule,
// previous latest un-marked.
Result<std::vector<VersionRecord>> Publish(Store& store, std::string_view name,
                                           std::string_view version, Micros now) {
  return store.UpdateServer(name, [&](ServerRows& rows) {
    if (rows.Find(version) != nullptr) return Status::AlreadyExists("duplicate version");
    bool latest = versioning::NewVersionBecomesLatest(rows, version, now);
    if (latest) {
      for (auto& r : rows.rows) {
        if (r.meta.is_latest) {
          r.meta.is_latest = false;
          r.dirty = true;
        }
      }
    }
    ServerRows::Row row;
    row.meta.name = std::string(name);
    row.meta.version = std::string(version);
    row.meta.status_changed_at = row.meta.published_at = row.meta.updated_at = now;
    row.meta.is_latest = latest;
    row.server_json = Doc(name, version);
    row.dirty = true;
    rows.rows.push_back(std::move(row));
    return Status::OK();
  });
}

std::vector<VersionRecord> All(Store& store) {
  auto batch = store.LoadChangesSince(0, 0);
  EXPECT_TRUE(batch.ok()) << batch.status().ToString();
  return batch.ok() ? batch->records : std::vector<VersionRecord>{};
}

}  // namespace

void StoreConformanceTest::SetUp() {
  static std::atomic<int> counter{0};
  dir_ = std::filesystem::temp_directory_path() /
         ("mcpreg-conf-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
}

void StoreConformanceTest::TearDown() {
  if (GetParam().cleanup) {
    GetParam().cleanup(dir_);
    if (std::filesystem::exists(dir_ / "second")) GetParam().cleanup(dir_ / "second");
  }
  std::filesystem::remove_all(dir_);
}

std::unique_ptr<Store> StoreConformanceTest::OpenMigrated() { return OpenMigratedAt(dir_); }

std::unique_ptr<Store> StoreConformanceTest::OpenSecondMigrated() {
  std::filesystem::create_directories(dir_ / "second");
  return OpenMigratedAt(dir_ / "second");
}

std::unique_ptr<Store> StoreConformanceTest::OpenMigratedAt(const std::filesystem::path& dir) {
  auto store = GetParam().open(dir);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return nullptr;
  auto m = (*store)->Migrate(false);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return std::move(store.value());
}

TEST_P(StoreConformanceTest, MigrateDryRunReportsPendingThenApplyIsIdempotent) {
  auto opened = GetParam().open(dir_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Store& store = **opened;
  auto dry = store.Migrate(true);
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  ASSERT_FALSE(dry->empty());
  for (const auto& m : *dry) EXPECT_FALSE(m.applied) << m.name;
  auto dry2 = store.Migrate(true);  // a dry run changed nothing
  ASSERT_TRUE(dry2.ok());
  for (const auto& m : *dry2) EXPECT_FALSE(m.applied) << m.name;

  auto applied = store.Migrate(false);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  ASSERT_EQ(applied->size(), dry->size());
  for (size_t i = 0; i < applied->size(); ++i) {
    EXPECT_TRUE((*applied)[i].applied);
    EXPECT_EQ((*applied)[i].version, (*dry)[i].version);
    if (i > 0) EXPECT_GT((*applied)[i].version, (*applied)[i - 1].version);
  }
  auto again = store.Migrate(false);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  for (const auto& m : *again) EXPECT_TRUE(m.applied);
  auto dry3 = store.Migrate(true);
  ASSERT_TRUE(dry3.ok());
  for (const auto& m : *dry3) EXPECT_TRUE(m.applied);
  auto seq = store.MaxSeq();
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(*seq, 0);
}

TEST_P(StoreConformanceTest, InsertedRowsReadBackThroughLoadChangesSince) {
  auto store = OpenMigrated();
  ASSERT_NE(store, nullptr);
  auto written = store->UpdateServer("io.example/a", [](ServerRows& rows) {
    EXPECT_EQ(rows.name, "io.example/a");
    EXPECT_TRUE(rows.rows.empty());
    ServerRows::Row r;
    r.meta = {"io.example/a",
              "1.0.0",
              VersionStatus::kDeprecated,
              kT0 + 5,
              std::string("use 2.x \"now\" ☃"),
              kT0,
              kT0 + 7,
              true};
    r.server_json = Doc("io.example/a", "1.0.0");
    r.dirty = true;
    rows.rows.push_back(r);
    return Status::OK();
  });
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  ASSERT_EQ(written->size(), 1u);
  auto all = All(*store);
  ASSERT_EQ(all.size(), 1u);
  const VersionRecord& got = all[0];
  EXPECT_EQ(got.meta.name, "io.example/a");
  EXPECT_EQ(got.meta.version, "1.0.0");
  EXPECT_EQ(got.meta.status, VersionStatus::kDeprecated);
  EXPECT_EQ(got.meta.status_changed_at, kT0 + 5);
  EXPECT_EQ(got.meta.status_message, std::optional<std::string>("use 2.x \"now\" ☃"));
  EXPECT_EQ(got.meta.published_at, kT0);
  EXPECT_EQ(got.meta.updated_at, kT0 + 7);
  EXPECT_TRUE(got.meta.is_latest);
  EXPECT_EQ(got.server_json, Doc("io.example/a", "1.0.0"));
  EXPECT_EQ(got.seq, (*written)[0].seq);
  EXPECT_EQ((*written)[0].server_json, got.server_json);

  // The mutator sees existing rows without documents and with their metadata.
  auto seen = store->UpdateServer("io.example/a", [](ServerRows& rows) {
    EXPECT_EQ(rows.rows.size(), 1u);
    const auto* r = rows.Find("1.0.0");
    EXPECT_NE(r, nullptr);
    if (r) {
      EXPECT_FALSE(r->server_json.has_value());
      EXPECT_EQ(r->meta.status_message, std::optional<std::string>("use 2.x \"now\" ☃"));
      EXPECT_TRUE(r->meta.is_latest);
    }
    return Status::OK();
  });
  ASSERT_TRUE(seen.ok());
  EXPECT_TRUE(seen->empty());  // nothing dirty, nothing written
}

TEST_P(StoreConformanceTest, SeqStrictlyIncreasesAndCatchUpReturnsOnlyNewerRows) {
  auto store = OpenMigrated();
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        Publish(*store, "io.example/s" + std::to_string(i % 2), "1.0." + std::to_string(i), kT0 + i)
            .ok());
  }
  auto all = All(*store);
  ASSERT_EQ(all.size(), 5u);
  for (size_t i = 1; i < all.size(); ++i) EXPECT_GT(all[i].seq, all[i - 1].seq);
  auto max = store->MaxSeq();
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(*max, all.back().seq);

  // Batches of 2 cover everything exactly once.
  int64_t cursor = 0;
  size_t seen = 0;
  for (;;) {
    auto b = store->LoadChangesSince(cursor, 2);
    ASSERT_TRUE(b.ok());
    ASSERT_LE(b->records.size(), 2u);
    if (b->records.empty()) {
      EXPECT_EQ(b->last_seq, cursor);
      break;
    }
    EXPECT_GT(b->records.front().seq, cursor);
    cursor = b->last_seq;
    seen += b->records.size();
  }
  EXPECT_EQ(seen, 5u);

  // Updating an existing row gives it a new, higher seq; catch-up sees it once.
  int64_t before = *max;
  auto upd = store->UpdateServer("io.example/s0", [](ServerRows& rows) {
    auto* r = rows.Find("1.0.0");
    if (!r) return Status::NotFound("1.0.0");
    r->meta.status = VersionStatus::kDeleted;
    r->meta.status_changed_at = r->meta.updated_at = kT0 + 100;
    r->dirty = true;
    return Status::OK();
  });
  ASSERT_TRUE(upd.ok()) << upd.status().ToString();
  ASSERT_EQ(upd->size(), 1u);
  EXPECT_GT((*upd)[0].seq, before);
  EXPECT_EQ((*upd)[0].server_json, Doc("io.example/s0", "1.0.0"));  // reloaded document
  auto newer = store->LoadChangesSince(before, 0);
  ASSERT_TRUE(newer.ok());
  ASSERT_EQ(newer->records.size(), 1u);
  EXPECT_EQ(newer->records[0].meta.version, "1.0.0");
  EXPECT_EQ(newer->records[0].meta.status, VersionStatus::kDeleted);
  EXPECT_EQ(newer->records[0].server_json, Doc("io.example/s0", "1.0.0"));
  EXPECT_EQ(All(*store).size(), 5u);  // still one row per version
}

TEST_P(StoreConformanceTest, MutatorErrorWritesNothing) {
  auto store = OpenMigrated();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(Publish(*store, "io.example/a", "1.0.0", kT0).ok());
  auto seq = store->MaxSeq();
  auto res = store->UpdateServer("io.example/a", [](ServerRows& rows) {
    rows.rows[0].meta.status = VersionStatus::kDeleted;
    rows.rows[0].dirty = true;
    ServerRows::Row r;
    r.meta = {"io.example/a", "2.0.0", VersionStatus::kActive, kT0, {}, kT0, kT0, false};
    r.server_json = "{}";
    r.dirty = true;
    rows.rows.push_back(r);
    return Status::FailedPrecondition("rule says no");
  });
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(res.status().message(), "rule says no");
  EXPECT_EQ(*store->MaxSeq(), *seq);
  auto all = All(*store);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].meta.status, VersionStatus::kActive);

  // A throwing mutator is reported as Internal, not propagated.
  auto thrown = store->UpdateServer(
      "io.example/a", [](ServerRows&) -> Status { throw std::runtime_error("boom"); });
  ASSERT_FALSE(thrown.ok());
  EXPECT_EQ(thrown.status().code(), Code::kInternal);
  EXPECT_EQ(*store->MaxSeq(), *seq);
}

TEST_P(StoreConformanceTest, InvalidMutationsAreRejectedWithoutWriting) {
  auto store = OpenMigrated();
  ASSERT_NE(store, nullptr);
  auto add = [](std::string name, std::string version, std::optional<std::string> json,
                bool latest) {
    return [=](ServerRows& rows) {
      ServerRows::Row r;
      r.meta = {name, version, VersionStatus::kActive, kT0, {}, kT0, kT0, latest};
      r.server_json = json;
      r.dirty = true;
      rows.rows.push_back(r);
      return Status::OK();
    };
  };
  auto other = store->UpdateServer("io.example/a", add("io.example/b", "1.0.0", "{}", false));
  EXPECT_EQ(other.status().code(), Code::kInvalidArgument) << other.status().ToString();
  auto nodoc =
      store->UpdateServer("io.example/a", add("io.example/a", "1.0.0", std::nullopt, false));
  EXPECT_EQ(nodoc.status().code(), Code::kInvalidArgument) << nodoc.status().ToString();
  auto longmsg = store->UpdateServer("io.example/a", [](ServerRows& rows) {
    ServerRows::Row r;
    r.meta = {
        "io.example/a", "1.0.0", VersionStatus::kDeprecated, kT0, std::string(501, 'x'), kT0, kT0,
        false};
    r.server_json = "{}";
    r.dirty = true;
    rows.rows.push_back(r);
    return Status::OK();
  });
  EXPECT_FALSE(longmsg.ok());
  EXPECT_EQ(longmsg.status().code(), Code::kFailedPrecondition) << longmsg.status().ToString();
  auto twice = store->UpdateServer("io.example/a", [&](ServerRows& rows) {
    MCPREG_RETURN_IF_ERROR(add("io.example/a", "1.0.0", "{}", false)(rows));
    return add("io.example/a", "1.0.0", "{}", false)(rows);
  });
  EXPECT_EQ(twice.status().code(), Code::kAlreadyExists) << twice.status().ToString();
  EXPECT_TRUE(All(*store).empty());
  EXPECT_EQ(*store->MaxSeq(), 0);
}

TEST_P(StoreConformanceTest, AtMostOneLatestPerNameIsEnforced) {
  auto store = OpenMigrated();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(Publish(*store, "io.example/a", "1.0.0", kT0).ok());
  // Marking a second row latest without un-marking the first violates the invariant.
  auto bad = store->UpdateServer("io.example/a", [](ServerRows& rows) {
    ServerRows::Row r;
    r.meta = {"io.example/a", "2.0.0", VersionStatus::kActive, kT0, {}, kT0, kT0, true};
    r.server_json = "{}";
    r.dirty = true;
    rows.rows.push_back(r);
    return Status::OK();
  });
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kFailedPrecondition) << bad.status().ToString();
  EXPECT_EQ(All(*store).size(), 1u);
  // Moving the flag inside one transaction works whatever order the rows are in.
  ASSERT_TRUE(Publish(*store, "io.example/a", "2.0.0", kT0 + 1).ok());
  ASSERT_TRUE(Publish(*store, "io.example/a", "0.5.0", kT0 + 2).ok());  // not latest
  auto all = All(*store);
  int latest = 0;
  for (const auto& r : all) {
    if (r.meta.is_latest) {
      ++latest;
      EXPECT_EQ(r.meta.version, "2.0.0");
    }
  }
  EXPECT_EQ(latest, 1);
  // Another name has its own latest.
  ASSERT_TRUE(Publish(*store, "io.example/b", "0.1.0", kT0).ok());
}

TEST_P(StoreConformanceTest, ConcurrentUpdatesOnOneNameLoseNothing) {
  auto store = OpenMigrated();
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 8, kPerThread = 12;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string v = std::to_string(i) + "." + std::to_string(t) + ".0";
        auto r = Publish(*store, "io.example/hot", v, kT0 + i);
        if (!r.ok()) {
          ++failures;
          ADD_FAILURE() << r.status().ToString();
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto all = All(*store);
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kPerThread));
  int latest = 0;
  for (const auto& r : all) {
    if (r.meta.is_latest) {
      ++latest;
      EXPECT_EQ(r.meta.version,
                std::to_string(kPerThread - 1) + "." + std::to_string(kThreads - 1) + ".0");
    }
  }
  EXPECT_EQ(latest, 1);
}

TEST_P(StoreConformanceTest, ConcurrentFailingMutatorsDoNotAffectOthers) {
  auto store = OpenMigrated();
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 8, kPerThread = 10;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0}, rejected{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string name = "io.example/n" + std::to_string(t);
        bool fail = i % 3 == 1;
        auto r = store->UpdateServer(name, [&](ServerRows& rows) {
          ServerRows::Row row;
          row.meta = {
              name, "1." + std::to_string(i) + ".0", VersionStatus::kActive, kT0, {}, kT0, kT0,
              false};
          row.server_json = "{}";
          row.dirty = true;
          rows.rows.push_back(row);
          return fail ? Status::FailedPrecondition("no") : Status::OK();
        });
        if (r.ok() && !fail) ++ok;
        if (!r.ok() && fail && r.status().code() == Code::kFailedPrecondition) ++rejected;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), kThreads * 7);
  EXPECT_EQ(rejected.load(), kThreads * 3);
  auto all = All(*store);
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * 7));
  for (size_t i = 1; i < all.size(); ++i) EXPECT_EQ(all[i].seq, all[i - 1].seq + 1);  // no gaps
}

TEST_P(StoreConformanceTest, UpdateServersIsAllOrNothing) {
  auto store = OpenMigrated();
  ASSERT_NE(store, nullptr);
  auto publish = [](std::string name, std::string version) {
    return Store::Update{name, [=](ServerRows& rows) {
                           if (rows.Find(version)) return Status::AlreadyExists(version);
                           bool latest = versioning::NewVersionBecomesLatest(rows, version, kT0);
                           for (auto& r : rows.rows) {
                             if (latest && r.meta.is_latest) {
                               r.meta.is_latest = false;
                               r.dirty = true;
                             }
                           }
                           ServerRows::Row row;
                           row.meta = {name, version, VersionStatus::kActive, kT0, {}, kT0,
                                       kT0,  latest};
                           row.server_json = Doc(name, version);
                           row.dirty = true;
                           rows.rows.push_back(row);
                           return Status::OK();
                         }};
  };
  auto good =
      store->UpdateServers({publish("io.example/a", "1.0.0"), publish("io.example/b", "1.0.0"),
                            publish("io.example/a", "2.0.0")});
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  // a@1.0.0 inserted, b@1.0.0 inserted, a@1.0.0 un-marked, a@2.0.0 inserted.
  ASSERT_EQ(good->size(), 4u);
  for (size_t i = 1; i < good->size(); ++i) EXPECT_GT((*good)[i].seq, (*good)[i - 1].seq);
  auto all = All(*store);
  ASSERT_EQ(all.size(), 3u);
  for (const auto& r : all)
    EXPECT_EQ(r.meta.is_latest, r.meta.version != "1.0.0" || r.meta.name == "io.example/b");
  int64_t seq = *store->MaxSeq();

  auto bad =
      store->UpdateServers({publish("io.example/c", "1.0.0"), publish("io.example/a", "2.0.0")});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kAlreadyExists);
  EXPECT_EQ(*store->MaxSeq(), seq);
  EXPECT_EQ(All(*store).size(), 3u);  // c was not written either
}

TEST_P(StoreConformanceTest, DataSurvivesReopen) {
  int64_t seq = 0;
  {
    auto store = OpenMigrated();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(Publish(*store, "io.example/a", "1.0.0", kT0).ok());
    ASSERT_TRUE(Publish(*store, "io.example/a", "1.1.0", kT0 + 1).ok());
    seq = *store->MaxSeq();
  }
  auto reopened = GetParam().open(dir_);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  Store& store = **reopened;
  auto m = store.Migrate(true);
  ASSERT_TRUE(m.ok());
  for (const auto& info : *m) EXPECT_TRUE(info.applied);
  EXPECT_EQ(*store.MaxSeq(), seq);
  auto all = All(store);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].server_json, Doc("io.example/a", "1.1.0"));
  auto next = Publish(store, "io.example/a", "1.2.0", kT0 + 2);
  ASSERT_TRUE(next.ok());
  for (const auto& r : *next) EXPECT_GT(r.seq, seq);  // seq continues, never reused
}

TEST_P(StoreConformanceTest, BadLocationIsUnavailable) {
  auto bad = GetParam().open_bad(dir_);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kUnavailable) << bad.status().ToString();
}

// --- Export / IsEmpty / Restore (mcpreg copy) ----------------------------------------------

namespace {

// One line per row with every field, so two snapshots compare as text with a readable diff.
std::string Dump(const Store::Snapshot& s) {
  std::string out;
  auto add = [&out](std::initializer_list<std::string> fields) {
    for (const auto& f : fields) out += f + "|";
    out += "\n";
  };
  using std::to_string;
  for (const auto& v : s.versions) {
    const auto& m = v.meta;
    add({"version", m.name, m.version, std::string(ToString(m.status)),
         to_string(m.status_changed_at), m.status_message.value_or("<null>"),
         to_string(m.published_at), to_string(m.updated_at), to_string(m.is_latest),
         v.server_json, to_string(v.seq)});
  }
  for (const auto& g : s.grants)
    add({"grant", to_string(g.id), g.issuer, g.subject, g.namespace_pattern, g.role,
         to_string(g.created_at), g.created_by});
  for (const auto& r : s.requests)
    add({"request", r.name, r.state, r.document, r.issuer, r.subject, to_string(r.revision),
         to_string(r.created_at), to_string(r.updated_at), r.created_by, r.decided_by,
         to_string(r.decided_at), r.reason});
  for (const auto& e : s.evidence)
    add({"evidence", to_string(e.id), e.server_name, e.version, e.digest, e.kind, e.verdict,
         e.summary, e.document, to_string(e.at), e.actor});
  for (const auto& a : s.audit)
    add({"audit", to_string(a.seq), to_string(a.event.at), a.event.actor, a.event.action,
         a.event.resource, a.event.details, a.prev_hash, a.hash});
  for (const auto& a : s.artifacts)
    add({"artifact", a.server_name, a.version, a.filename, a.sha256, to_string(a.size),
         a.content_type, to_string(a.uploaded_at), a.uploaded_by});
  return out;
}

AuditEvent Event(std::string action, std::string resource, Micros at) {
  return {at, "cli:tester@host", std::move(action), std::move(resource), R"({"n":1})"};
}

Grant MakeGrant(std::string subject, std::string role, Micros at) {
  return {0, "https://idp.example", std::move(subject), "io.example/*", std::move(role), at,
          "cli:tester@host"};
}

// Writes a little of everything: versions (one deprecated, so seqs are not per-row contiguous),
// grants with a gap in the ids (one revoked), a request at revision 2, evidence, audit entries
// (most written along with the rows) and an artifact row.
void Fill(Store& store, Micros t) {
  ASSERT_TRUE(Publish(store, "io.example/a", "1.0.0", t).ok());
  ASSERT_TRUE(Publish(store, "io.example/a", "2.0.0", t + 1).ok());
  ASSERT_TRUE(Publish(store, "io.example/b", "0.1.0", t + 2).ok());
  auto dep = store.UpdateServer("io.example/a", [t](ServerRows& rows) {
    auto* r = rows.Find("1.0.0");
    if (!r) return Status::NotFound("1.0.0");
    r->meta.status = VersionStatus::kDeprecated;
    r->meta.status_message = "use 2.x";
    r->meta.status_changed_at = r->meta.updated_at = t + 3;
    r->dirty = true;
    rows.audit.push_back(Event("status", "io.example/a", t + 3));
    return Status::OK();
  });
  ASSERT_TRUE(dep.ok()) << dep.status().ToString();
  for (auto [subject, role] : {std::pair{"pipe-1", "publisher"}, {"pipe-2", "reviewer"},
                               {"pipe-3", "feed-contributor"}}) {
    auto g = store.AddGrant(MakeGrant(subject, role, t + 4), Event("grant", "grant:x", t + 4));
    ASSERT_TRUE(g.ok()) << g.status().ToString();
  }
  ASSERT_TRUE(
      store.RevokeGrant(MakeGrant("pipe-2", "reviewer", 0), Event("revoke", "grant:x", t + 5)).ok());
  Store::RequestWrite w;
  w.request.name = "io.example/a";
  w.request.document = R"({"team":"A"})";
  w.request.issuer = "https://idp.example";
  w.request.subject = "pipe-1";
  w.request.created_at = w.request.updated_at = t + 6;
  w.request.created_by = "cli:tester@host";
  w.audit.push_back(Event("request", "io.example/a", t + 6));
  auto filed = store.PutRequest(w);
  ASSERT_TRUE(filed.ok()) << filed.status().ToString();
  w.expected_revision = filed->revision;
  w.request.state = "approved";
  w.request.decided_by = "cli:reviewer@host";
  w.request.decided_at = w.request.updated_at = t + 7;
  w.request.reason = "fine";
  w.audit = {Event("approve", "io.example/a", t + 7)};
  ASSERT_TRUE(store.PutRequest(w).ok());
  for (auto kind : {"legal", "sarif"}) {
    Evidence e{0,     "io.example/a", "2.0.0", std::string(64, 'a'), kind, "pass",
               "ok",  R"({"k":"v"})", t + 8,   "cli:tester@host"};
    ASSERT_TRUE(store.AddEvidence(e, Event("evidence", "io.example/a", t + 8)).ok());
  }
  ASSERT_TRUE(store.AppendAudit(Event("note", "io.example/b", t + 9)).ok());
  Artifact art{"io.example/a", "2.0.0", "a.mcpb", std::string(64, 'b'), 42,
               "application/zip", t + 10, "cli:tester@host"};
  ASSERT_TRUE(store.PutArtifact(art, Event("upload", "io.example/a", t + 10)).ok());
}

// Recomputes the hash chain of `audit`: consecutive seqs from 1, each entry linked to the last.
void ExpectChainVerifies(const std::vector<AuditRecord>& audit) {
  std::string prev(64, '0');
  int64_t seq = 0;
  for (const auto& r : audit) {
    EXPECT_EQ(r.seq, ++seq);
    EXPECT_EQ(r.prev_hash, prev) << "entry " << r.seq;
    EXPECT_EQ(r.hash, AuditHash(prev, r.seq, r.event)) << "entry " << r.seq;
    prev = r.hash;
  }
}

}  // namespace

TEST_P(StoreConformanceTest, FreshStoreIsEmptyAndExportsNothing) {
  auto store = OpenMigrated();
  ASSERT_NE(store, nullptr);
  auto empty = store->IsEmpty();
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_TRUE(*empty);
  auto snap = store->Export();
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  EXPECT_EQ(Dump(*snap), "");
}

TEST_P(StoreConformanceTest, ExportReturnsEveryRowAsStored) {
  auto store = OpenMigrated();
  ASSERT_NE(store, nullptr);
  ASSERT_NO_FATAL_FAILURE(Fill(*store, kT0));
  EXPECT_FALSE(*store->IsEmpty());
  auto snap = store->Export();
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();

  // The same rows, in the same order, as the per-table reads return them.
  Store::Snapshot listed;
  listed.versions = All(*store);
  listed.grants = *store->ListGrants("", "");
  listed.requests = *store->ListRequests("");
  listed.evidence = *store->ListEvidence("", "");
  listed.audit = *store->ListAudit("", 0, 0);
  listed.artifacts = *store->FindArtifacts("", "", "");
  EXPECT_EQ(Dump(*snap), Dump(listed));
  EXPECT_EQ(snap->versions.size(), 3u);
  ASSERT_EQ(snap->grants.size(), 2u);
  EXPECT_EQ(snap->grants[1].subject, "pipe-3");
  ASSERT_EQ(snap->requests.size(), 1u);
  EXPECT_EQ(snap->requests[0].revision, 2);
  EXPECT_EQ(snap->evidence.size(), 2u);
  EXPECT_EQ(snap->audit.size(), 11u);
  EXPECT_EQ(snap->artifacts.size(), 1u);
  for (size_t i = 1; i < snap->versions.size(); ++i)
    EXPECT_GT(snap->versions[i].seq, snap->versions[i - 1].seq);
}

TEST_P(StoreConformanceTest, RestoreIntoFreshStoreGivesIdenticalExport) {
  auto source = OpenMigrated();
  ASSERT_NE(source, nullptr);
  ASSERT_NO_FATAL_FAILURE(Fill(*source, kT0));
  auto snap = source->Export();
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();

  auto target = OpenSecondMigrated();
  ASSERT_NE(target, nullptr);
  ASSERT_TRUE(*target->IsEmpty());
  Status st = target->Restore(*snap);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_FALSE(*target->IsEmpty());
  auto copy = target->Export();
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  EXPECT_EQ(Dump(*copy), Dump(*snap));
  EXPECT_EQ(*target->MaxSeq(), snap->versions.back().seq);
  ExpectChainVerifies(*target->ListAudit("", 0, 0));
  // The source is untouched.
  EXPECT_EQ(Dump(*source->Export()), Dump(*snap));
}

TEST_P(StoreConformanceTest, WritesAfterRestoreContinuePastRestoredCounters) {
  auto source = OpenMigrated();
  ASSERT_NE(source, nullptr);
  ASSERT_NO_FATAL_FAILURE(Fill(*source, kT0));
  auto snap = source->Export();
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  auto target = OpenSecondMigrated();
  ASSERT_NE(target, nullptr);
  ASSERT_TRUE(target->Restore(*snap).ok());

  auto published = Publish(*target, "io.example/c", "1.0.0", kT0 + 20);
  ASSERT_TRUE(published.ok()) << published.status().ToString();
  for (const auto& r : *published) EXPECT_GT(r.seq, snap->versions.back().seq);
  auto g = target->AddGrant(MakeGrant("pipe-9", "admin", kT0 + 21),
                            Event("grant", "grant:y", kT0 + 21));
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_GT(g->id, snap->grants.back().id);
  Evidence e{0, "io.example/c", "1.0.0", "", "license", "fail", "no", "{}", kT0 + 22, "cli:t@h"};
  auto added = target->AddEvidence(e, Event("evidence", "io.example/c", kT0 + 22));
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_GT(added->id, snap->evidence.back().id);
  // The next audit entry chains onto the restored head (also: the log still takes appends).
  auto next = target->AppendAudit(Event("note", "io.example/c", kT0 + 23));
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  auto audit = target->ListAudit("", 0, 0);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), snap->audit.size() + 3);  // grant, evidence, note
  EXPECT_EQ(next->seq, static_cast<int64_t>(snap->audit.size() + 3));
  EXPECT_EQ((*audit)[snap->audit.size()].prev_hash, snap->audit.back().hash);
  ExpectChainVerifies(*audit);
  // Restored rows behave like written ones: a grant can be revoked, the request moves on.
  EXPECT_TRUE(target->RevokeGrant(snap->grants[0], Event("revoke", "grant:x", kT0 + 24)).ok());
  Store::RequestWrite w{snap->requests[0], snap->requests[0].revision, {}, {}, {}};
  w.request.state = "retired";
  auto retired = target->PutRequest(w);
  ASSERT_TRUE(retired.ok()) << retired.status().ToString();
  EXPECT_EQ(retired->revision, snap->requests[0].revision + 1);
}

TEST_P(StoreConformanceTest, RestoreReplacesExistingData) {
  auto source = OpenMigrated();
  ASSERT_NE(source, nullptr);
  ASSERT_NO_FATAL_FAILURE(Fill(*source, kT0));
  auto snap = source->Export();
  ASSERT_TRUE(snap.ok());

  // The target has a longer history of its own (more versions, audit entries and grants).
  auto target = OpenSecondMigrated();
  ASSERT_NE(target, nullptr);
  ASSERT_NO_FATAL_FAILURE(Fill(*target, kT0 + 1000));
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(Publish(*target, "io.example/z", "1.0." + std::to_string(i), kT0 + 2000).ok());
  ASSERT_TRUE(
      target->AddGrant(MakeGrant("pipe-7", "admin", kT0), Event("grant", "grant:z", kT0)).ok());
  ASSERT_TRUE(target->Restore(*snap).ok());
  EXPECT_EQ(Dump(*target->Export()), Dump(*snap));
  EXPECT_EQ(*target->MaxSeq(), snap->versions.back().seq);
  auto next = Publish(*target, "io.example/c", "1.0.0", kT0 + 20);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_GT((*next)[0].seq, snap->versions.back().seq);

  // Restoring an empty snapshot empties the registry.
  ASSERT_TRUE(target->Restore(Store::Snapshot{}).ok());
  EXPECT_TRUE(*target->IsEmpty());
  EXPECT_EQ(*target->MaxSeq(), 0);
  EXPECT_EQ(Dump(*target->Export()), "");
}

TEST_P(StoreConformanceTest, FailedRestoreChangesNothing) {
  auto store = OpenMigrated();
  ASSERT_NE(store, nullptr);
  ASSERT_NO_FATAL_FAILURE(Fill(*store, kT0));
  auto before = store->Export();
  ASSERT_TRUE(before.ok());

  Store::Snapshot bad = *before;
  bad.audit.clear();  // most of the work is done before the duplicate row fails
  bad.versions.push_back(bad.versions.front());  // (name, version) twice
  bad.versions.back().seq = bad.versions.size() + 100;
  EXPECT_FALSE(store->Restore(bad).ok());
  EXPECT_EQ(Dump(*store->Export()), Dump(*before));
  // The audit log is whole and still chains.
  auto next = store->AppendAudit(Event("note", "io.example/a", kT0 + 30));
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->prev_hash, before->audit.back().hash);
  ExpectChainVerifies(*store->ListAudit("", 0, 0));
}

}  // namespace mcpreg::conformance
