// Mirroring upstream registries (issue 13, parts 1-2): keeps, per configured upstream
// (config `upstreams:`), the versions its filters select as rows of the local store, tagged
// with the upstream's name.
//
// A sync of one upstream:
//   - full (first sync, or the url/filters changed since the last finished sync): pages through
//     GET <url>/v0.1/servers?limit=100&include_deleted=true following metadata.nextCursor;
//     afterwards incremental:
//     the same with &updated_since=<watermark>, the highest upstream updatedAt applied so far
//     (upstream then includes deleted versions), so an unchanged upstream costs one request and
//     N changes cost ceil((N+1)/100) requests;
//   - each page is applied in one store transaction (Store::UpdateServers); an entry whose
//     upstream bytes and status are unchanged (same digest) is not rewritten, so a repeated sync
//     writes nothing and a sync cut short (crash, kill -9) is simply repeated: the watermark
//     and filter key (Store::MirrorState) are written only once the sync finished;
//   - a row keeps upstream's bytes for the `server` object verbatim and its status,
//     statusMessage, statusChangedAt and publishedAt; isLatest is recomputed locally
//     (versioning::RecomputeLatest) and updatedAt is the local write time; the response carries
//     _meta["dev.mcpreg/mirror"] = {"upstream", "url", "fetchedAt"};
//   - a full sync skips versions that are already deleted upstream and have no row here; a
//     version deleted later is kept as deleted; a mirrored version the filters no longer select
//     (or that a full sync no longer finds upstream) is removed: status deleted with a message
//     saying why, mirror_digest kMirrorRemoved (it leaves every listing; consumers syncing with
//     updated_since see it deleted);
//   - local wins: a name that has a version published here (or mirrored from another upstream)
//     is never written; each such upstream entry is reported as skipped (name, version,
//     upstream), which is not a failure. Publishing into a mirrored name is refused by the
//     registry service (409) instead;
//   - with require_signature the upstream's signed snapshot (<url>/v0.1/x/dev.mcpreg/snapshot,
//     federation/snapshot.h) is fetched and verified with the upstream's public_key JWKS and
//     replaces the mirrored set like a full sync; nothing is applied unless it verifies.
//
// Every mirror write appends an audit entry (action "mirror", actor "mirror:<upstream>",
// details {"upstream","version","change":"publish"|"status"|"edit","status"}) in the same
// transaction.
//
// Outbound rules: requests run on the caller's thread (the CLI, or serve's mirror thread; never
// an I/O thread) with the `outbound:` deadlines; an upstream URL and every redirect target may
// be loopback, but a host that is or resolves to a private, link-local or unspecified address
// is refused before any connection unless the upstream says allow_private (SSRF); a redirect
// to another scheme, host or port is refused; at most kMaxRedirects redirects. Network errors,
// 5xx and 429 are retried (kAttempts in all) with backoff doubling from
// MirrorOptions::backoff_initial; a Retry-After (seconds or HTTP date) is honoured up to
// max_retry_after, beyond which the sync fails naming it. Hostile upstreams are bounded:
// kMaxPageBytes per page, kMaxPages per sync, kMaxDocumentBytes per server object, a repeated
// cursor ends the sync with an error.
//
// Thread-safety: a Mirror may be used from one thread at a time per upstream; Sync of
// different upstreams may run concurrently (they touch disjoint rows).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "config/config.h"
#include "mcpreg/clock.h"
#include "mcpreg/status.h"
#include "mcpreg/store.h"
#include "transport/http_client.h"

namespace mcpreg::catalog {
class Catalog;
}

namespace mcpreg::federation {

inline constexpr size_t kMirrorPageLimit = 100;
inline constexpr size_t kMaxPageBytes = 16u * 1024 * 1024;
inline constexpr size_t kMaxPages = 10000;
inline constexpr size_t kMaxDocumentBytes = 1024 * 1024;
inline constexpr int kAttempts = 4;
inline constexpr int kMaxRedirects = 3;

// Whole-name glob match: `*` matches any run of characters (including "/" and none), every
// other character itself, case-sensitive. Linear-time two-pointer algorithm (no backtracking
// blow-up on hostile names).
bool GlobMatch(std::string_view pattern, std::string_view name);

// What an upstream's filters select (config::UpstreamConfig): include globs (none = every
// name) minus exclude globs, and the same transport / registry-type selection as
// GET /v0.1/servers?transport= / ?registry_type=: a union within one key, an intersection
// across keys.
class UpstreamFilter {
 public:
  explicit UpstreamFilter(const config::UpstreamConfig& upstream);
  bool SelectsName(std::string_view name) const;
  // `server_json`: the server object (JSON text).
  bool Selects(std::string_view name, std::string_view server_json) const;
  // The url and filters as one string; a change means the next sync is a full one.
  const std::string& key() const { return key_; }

 private:
  config::UpstreamConfig u_;
  std::string key_;
};

// Fetches one URL for the mirror (seam: tests count requests by serving them over real HTTP).
using UpstreamGet = std::function<Result<http::ClientResponse>(const http::ClientRequest&)>;

struct MirrorOptions {
  std::chrono::milliseconds connect_timeout{5000};  // outbound.connect_timeout_seconds
  std::chrono::milliseconds total_timeout{10000};   // per request, outbound.total_timeout_seconds
  std::chrono::milliseconds backoff_initial{1000};
  std::chrono::seconds max_retry_after{60};
  UpstreamGet get = http::Fetch;
  // Waits between retries; returns false when the sync must stop (server shutting down), which
  // ends it with Unavailable. Default: sleeps and returns true.
  std::function<bool(std::chrono::milliseconds)> wait;
};
MirrorOptions MirrorOptionsFrom(const config::OutboundConfig& outbound);

struct SyncReport {
  std::string upstream;
  Status status;         // OK, or why this upstream's sync failed (names the upstream)
  bool full = false;     // a full sync (first, or filters changed) or a signed snapshot
  size_t applied = 0;    // versions written (new, changed or status changed)
  size_t removed = 0;    // versions removed (no longer selected / gone upstream)
  size_t skipped = 0;    // upstream entries not applied because a local name holds them
  size_t mirrored = 0;   // versions mirrored from this upstream after the sync (not removed)
  size_t requests = 0;   // HTTP requests made to the upstream
  std::vector<std::string> skipped_entries;  // "name version: reason" (at most 100 kept)
  // "official: 12 applied, 0 removed, 1 skipped, 340 mirrored" (+ " FAILED: ..." on error).
  std::string Summary() const;
};

class Mirror {
 public:
  // `catalog` may be null (CLI): then a running server catches up from the store. `store`,
  // `clock` and `catalog` must outlive the mirror.
  Mirror(Store& store, catalog::Catalog* catalog, const Clock& clock, MirrorOptions options);

  // Syncs `upstream` (see the header comment). `progress(versions_seen)` is called after each
  // page. Never throws; failures are in the report's status.
  SyncReport Sync(const config::UpstreamConfig& upstream,
                  const std::function<void(size_t)>& progress = {});

 private:
  struct Item;
  class Run;
  Store& store_;
  catalog::Catalog* catalog_;
  const Clock& clock_;
  MirrorOptions options_;
};

// `mcpreg serve`'s background syncs: one thread syncing each upstream when due (first right
// after start, then every interval_seconds after the previous sync ended), logging each
// report's summary (warnings for failures). Several replicas on one database each sync; the
// writes are idempotent, so that costs requests, not correctness.
class MirrorScheduler {
 public:
  // REQUIRES: store, catalog and clock outlive the scheduler (or Stop()).
  MirrorScheduler(Store& store, catalog::Catalog* catalog, const Clock& clock,
                  MirrorOptions options, std::vector<config::UpstreamConfig> upstreams);
  ~MirrorScheduler() { Stop(); }
  MirrorScheduler(const MirrorScheduler&) = delete;
  MirrorScheduler& operator=(const MirrorScheduler&) = delete;
  // Ends a retry wait at once and joins the thread after the current page. Idempotent.
  void Stop();

 private:
  void Loop();
  bool Wait(std::chrono::milliseconds d);  // false once stopping
  std::vector<config::UpstreamConfig> upstreams_;
  std::unique_ptr<Mirror> mirror_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace mcpreg::federation
