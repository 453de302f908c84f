// CopyRegistry: moves a whole registry from one store to another, any backend to any backend
// (`mcpreg copy`: SQLite → PostgreSQL and back, SQLite → SQLite). Everything is kept as stored
// (seqs, ids, revisions, timestamps, audit hashes), so the copy serves the same documents and
// its audit chain still verifies. The copy writes no audit entry of its own.
//
// Steps, in order; nothing is written to the destination before step 5:
//   1. open the source: it must exist and have no pending migration;
//   2. open the destination and migrate it (a new database gets the schema); one with registry
//      data is refused unless `force`;
//   3. export the source in one consistent snapshot (servers may keep using the source);
//   4. check that every package file an artifact row names is present in the source;
//   5. restore the snapshot into the destination, in one transaction (its data is replaced);
//   6. copy the package files (each digest once) the destination does not hold yet.
// A failure in step 6 leaves the destination's rows restored but some bytes missing: run the
// copy again with `force`.
//
// Where package bytes live: a store that HoldsBlobs() keeps them itself (PostgreSQL); otherwise
// (SQLite) they are in a feed directory, by default <directory of the database file>/feed.
//
// REQUIRES: no server runs on the destination during the copy (its catalog would not notice the
// replaced rows); restart it afterwards.
// Thread-safety: a blocking call with no shared state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "mcpreg/status.h"

namespace mcpreg::app {

struct CopyOptions {
  std::string from, to;  // SQLite paths or postgresql:// URIs (see OpenStore)
  bool force = false;    // replace the registry data of a destination that has some
  // Feed directories of a SQLite source/destination; "" = <dir of the db file>/feed.
  // InvalidArgument when given for a store that keeps its package bytes itself.
  std::string from_feed_dir, to_feed_dir;
};

struct CopyCounts {
  size_t versions = 0, grants = 0, requests = 0, evidence = 0, audit = 0, artifacts = 0;
  size_t package_files = 0;   // distinct digests the artifacts name
  size_t files_written = 0;   // of them, written to the destination (the rest were there)
  uint64_t bytes_written = 0;
};

// "copied: 123 versions, 4 grants, 2 requests, 7 evidence, 40 audit entries, 3 artifacts".
std::string CopySummary(const CopyCounts& counts);

enum class CopyPhase { kExport, kCheckFiles, kRestore, kCopyFiles };
struct CopyProgress {
  CopyPhase phase;
  size_t done = 0;   // rows or files so far
  size_t total = 0;  // 0 while unknown (the start of kExport)
  bool finished = false;  // the phase's last report
};
// Called on the calling thread at the start and end of each phase and once per package file.
using CopyProgressFn = std::function<void(const CopyProgress&)>;

// Runs the copy. Every message names a location through RedactLocation (no password).
// Errors: NotFound (no SQLite database at `from`; a package file missing from the source),
// FailedPrecondition (source migrations pending; destination not empty without `force`;
// destination partly migrated without `force`; a source package file of the wrong size or
// content), InvalidArgument (same database at both ends; feed directory for a blob-holding
// store), Unavailable/Internal (either database or the file system), and what Restore returns.
Result<CopyCounts> CopyRegistry(const CopyOptions& options, const CopyProgressFn& progress = {});

}  // namespace mcpreg::app
