#include "app/copy.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "core/sha256.h"
#include "feed/artifact_store.h"
#include "mcpreg/store.h"

namespace mcpreg::app {
namespace {

namespace fs = std::filesystem;

// Package files are read in pieces of this size (a blob-holding store serves ranges).
constexpr uint64_t kChunk = 4 << 20;

// Where one store's package bytes live: in the store itself, or in a feed directory. A small
// private adapter until the feed has a storage seam of its own.
class BlobPlace {
 public:
  BlobPlace(Store& store, std::string feed_dir) : store_(store), feed_dir_(std::move(feed_dir)) {}

  std::string Describe() const {
    return store_.HoldsBlobs() ? std::string("the database") : "feed directory " + feed_dir_;
  }
  // NotFound when absent.
  Result<uint64_t> Size(std::string_view sha256) {
    if (store_.HoldsBlobs()) return store_.BlobSize(sha256);
    // A directory that does not exist holds nothing (and is not created by looking).
    if (!dir_ && !fs::exists(feed_dir_)) return Status::NotFound("no feed directory");
    MCPREG_RETURN_IF_ERROR(OpenDir());
    auto info = dir_->Stat(sha256);
    if (!info.ok()) return info.status();
    return info->size;
  }
  // Reads the whole blob of `size` bytes.
  Result<std::string> ReadAll(std::string_view sha256, uint64_t size) {
    if (!store_.HoldsBlobs()) MCPREG_RETURN_IF_ERROR(OpenDir());
    std::string data;
    data.reserve(size);
    for (uint64_t at = 0; at < size; at += kChunk) {
      uint64_t n = std::min(kChunk, size - at);
      auto part = store_.HoldsBlobs() ? store_.ReadBlob(sha256, at, n) : dir_->Read(sha256, at, n);
      if (!part.ok()) return part.status();
      data += *part;
    }
    return data;
  }
  // REQUIRES: Sha256Hex(data) == sha256.
  Status Put(std::string_view sha256, std::string_view data) {
    if (store_.HoldsBlobs()) return store_.PutBlob(sha256, data);
    MCPREG_RETURN_IF_ERROR(OpenDir());  // creates the directory on the first file
    return dir_->Put(data, sha256).status();
  }

 private:
  Status OpenDir() {
    if (dir_) return Status::OK();
    auto opened = feed::ArtifactStore::Open(feed_dir_);
    if (!opened.ok()) return opened.status();
    dir_.emplace(std::move(*opened));
    return Status::OK();
  }

  Store& store_;
  std::string feed_dir_;
  std::optional<feed::ArtifactStore> dir_;
};

// The feed directory of the SQLite database at `location` unless `flag` overrides it; "" for a
// store that keeps its package bytes (where a flag is a mistake).
Result<std::string> FeedDirFor(const Store& store, const std::string& location,
                               const std::string& flag, const char* which) {
  if (store.HoldsBlobs()) {
    if (!flag.empty())
      return Status::InvalidArgument(std::string("a feed directory was given for the ") + which +
                                     ", but " + RedactLocation(location) +
                                     " keeps its package files in the database");
    return std::string();
  }
  if (!flag.empty()) return flag;
  std::string dir = fs::path(location).parent_path().string();
  return (dir.empty() ? std::string(".") : dir) + "/feed";
}

bool SameDatabase(const std::string& a, const std::string& b) {
  if (a == b) return true;
  if (IsPostgresLocation(a) || IsPostgresLocation(b)) return false;
  std::error_code ec1, ec2;
  auto ca = fs::weakly_canonical(a, ec1), cb = fs::weakly_canonical(b, ec2);
  return !ec1 && !ec2 && ca == cb;
}

// `st` with `prefix` in front of its message, same code.
Status Prefixed(const std::string& prefix, const Status& st) {
  return Status(st.code(), prefix + st.message());
}
// An error of the `role` ("source"/"destination") database shown as `where`; the location is
// named once (a backend's message often names it already).
Status About(const std::string& role, const std::string& where, const Status& st) {
  if (st.message().find(where) != std::string::npos) return Prefixed(role + ": ", st);
  return Prefixed(role + " " + where + ": ", st);
}

// Pending migrations of `store` after a dry run, and how many are applied.
struct MigrationState {
  size_t applied = 0, pending = 0;
};
Result<MigrationState> Inspect(Store& store) {
  auto plan = store.Migrate(/*dry_run=*/true);
  if (!plan.ok()) return plan.status();
  MigrationState s;
  for (const auto& m : *plan) ++(m.applied ? s.applied : s.pending);
  return s;
}

Result<CopyCounts> Run(const CopyOptions& o, const CopyProgressFn& report) {
  const std::string from = RedactLocation(o.from), to = RedactLocation(o.to);
  if (SameDatabase(o.from, o.to))
    return Status::InvalidArgument("source and destination are the same database (" + from + ")");

  // 1. The source: an existing, current registry (opening a SQLite path would create it).
  if (!IsPostgresLocation(o.from) && !fs::exists(o.from))
    return Status::NotFound("no database at " + from);
  // A whole-registry export or restore is one long statement sequence in one transaction:
  // PostgreSQL's per-statement cap is raised from the serving default.
  PostgresOptions pg;
  pg.pool_size = 2;
  pg.statement_timeout = std::chrono::seconds(3600);
  auto src = OpenStore(o.from, pg);
  if (!src.ok()) return About("source", from, src.status());
  auto src_dir = FeedDirFor(**src, o.from, o.from_feed_dir, "source");
  if (!src_dir.ok()) return src_dir.status();
  auto src_state = Inspect(**src);
  if (!src_state.ok()) return About("source", from, src_state.status());
  if (src_state->pending > 0)
    return Status::FailedPrecondition("source " + from + " has " +
                                      std::to_string(src_state->pending) +
                                      " pending migration(s); run `mcpreg migrate` on it first");

  // 2. The destination: migrated (schema created when new), and empty unless forced.
  auto dst = OpenStore(o.to, pg);
  if (!dst.ok()) return About("destination", to, dst.status());
  auto dst_dir = FeedDirFor(**dst, o.to, o.to_feed_dir, "destination");
  if (!dst_dir.ok()) return dst_dir.status();
  auto dst_state = Inspect(**dst);
  if (!dst_state.ok()) return About("destination", to, dst_state.status());
  if (dst_state->pending > 0) {
    // A partly migrated database is an older registry: upgrading it is `mcpreg migrate`'s job
    // unless its data is being replaced anyway.
    if (dst_state->applied > 0 && !o.force)
      return Status::FailedPrecondition(
          "destination " + to + " has " + std::to_string(dst_state->pending) +
          " pending migration(s); run `mcpreg migrate` on it first, or pass --force to replace "
          "its registry data");
    auto migrated = (*dst)->Migrate(false);
    if (!migrated.ok()) return About("destination", to, migrated.status());
  }
  auto empty = (*dst)->IsEmpty();
  if (!empty.ok()) return About("destination", to, empty.status());
  if (!*empty && !o.force)
    return Status::FailedPrecondition("destination " + to +
                                      " is not empty; pass --force to replace its registry data");
  BlobPlace src_blobs(**src, *src_dir), dst_blobs(**dst, *dst_dir);

  // 3. One consistent snapshot of the source.
  if (report) report({CopyPhase::kExport});
  auto snap = (*src)->Export();
  if (!snap.ok()) return Prefixed("reading " + from + ": ", snap.status());
  CopyCounts n;
  n.versions = snap->versions.size();
  n.grants = snap->grants.size();
  n.requests = snap->requests.size();
  n.evidence = snap->evidence.size();
  n.audit = snap->audit.size();
  n.artifacts = snap->artifacts.size();
  size_t rows = n.versions + n.grants + n.requests + n.evidence + n.audit + n.artifacts;
  if (report) report({CopyPhase::kExport, rows, rows, true});

  // 4. Every package file the rows name is in the source, before the destination changes.
  std::map<std::string, const Artifact*> files;  // digest → one artifact naming it
  for (const auto& a : snap->artifacts) files.emplace(a.sha256, &a);
  n.package_files = files.size();
  std::map<std::string, uint64_t> sizes;
  for (const auto& [sha, a] : files) {
    if (report) report({CopyPhase::kCheckFiles, sizes.size(), files.size()});
    std::string what = "package file " + sha + " (" + a->server_name + " " + a->version + " " +
                       a->filename + ")";
    auto size = src_blobs.Size(sha);
    if (size.status().IsNotFound())
      return Status::NotFound(what + " is missing from the source's " + src_blobs.Describe() +
                              ((*src)->HoldsBlobs() ? "" : " (--from-feed-dir names another)"));
    if (!size.ok()) return Prefixed("reading " + what + ": ", size.status());
    if (*size != a->size)
      return Status::FailedPrecondition(what + " has " + std::to_string(*size) +
                                        " bytes in the source's " + src_blobs.Describe() +
                                        ", its artifact row says " + std::to_string(a->size));
    sizes[sha] = *size;
  }
  if (report) report({CopyPhase::kCheckFiles, files.size(), files.size(), true});

  // 5. The rows, in one transaction.
  if (report) report({CopyPhase::kRestore, 0, rows});
  Status restored = (*dst)->Restore(*snap);
  if (!restored.ok()) return Prefixed("writing " + to + ": ", restored);
  if (report) report({CopyPhase::kRestore, rows, rows, true});

  // 6. The bytes, each digest once, checked against its name before it is written.
  size_t done = 0;
  for (const auto& [sha, size] : sizes) {
    if (report) report({CopyPhase::kCopyFiles, done, sizes.size()});
    ++done;
    auto there = dst_blobs.Size(sha);
    if (there.ok() && *there == size) continue;
    auto data = src_blobs.ReadAll(sha, size);
    if (!data.ok()) return Prefixed("reading package file " + sha + ": ", data.status());
    std::string actual = Sha256Hex(*data);
    if (actual != sha)
      return Status::FailedPrecondition("package file " + sha + " in the source's " +
                                        src_blobs.Describe() + " is corrupt (its content hashes to " +
                                        actual + ")");
    Status put = dst_blobs.Put(sha, *data);
    if (!put.ok()) return Prefixed("writing package file " + sha + ": ", put);
    ++n.files_written;
    n.bytes_written += size;
  }
  if (report) report({CopyPhase::kCopyFiles, sizes.size(), sizes.size(), true});
  return n;
}

// `message` with every raw location replaced by its redacted form: a backend's error text
// could quote the location it was given, password and all.
std::string Scrub(std::string message, const CopyOptions& o) {
  for (const std::string* loc : {&o.from, &o.to}) {
    if (loc->empty()) continue;
    std::string safe = RedactLocation(*loc);
    if (safe == *loc) continue;
    for (size_t at = message.find(*loc); at != std::string::npos;
         at = message.find(*loc, at + safe.size()))
      message.replace(at, loc->size(), safe);
  }
  return message;
}

}  // namespace

std::string CopySummary(const CopyCounts& c) {
  return "copied: " + std::to_string(c.versions) + " versions, " + std::to_string(c.grants) +
         " grants, " + std::to_string(c.requests) + " requests, " + std::to_string(c.evidence) +
         " evidence, " + std::to_string(c.audit) + " audit entries, " +
         std::to_string(c.artifacts) + " artifacts";
}

Result<CopyCounts> CopyRegistry(const CopyOptions& options, const CopyProgressFn& progress) {
  auto r = Run(options, progress);
  if (!r.ok()) return Status(r.status().code(), Scrub(r.status().message(), options));
  return r;
}

}  // namespace mcpreg::app
