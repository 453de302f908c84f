// The change feed (issue 13, part 4): what changed in the registry, in commit order, for other
// registries, mirrors and webhooks (federation/webhooks.h) to follow.
//
//   GET {prefix}/x/dev.mcpreg/changes?since=TOKEN&limit=N&wait=SECONDS
//   {"changes": [{"type", "name", "version", "status"?, "time"}, ...], "metadata": {"next": TOKEN}}
//
// Source: the hash-chained audit log (Store::ListAudit). Its entries are written in the same
// transaction as the version rows they describe, numbered by one store-wide seq that becomes
// visible in commit order on both backends (SQLite has one writer; PostgreSQL numbers entries
// from the locked store_head row, see postgres_store.cc), so "every entry with seq > N" is a
// complete catch-up query and a reader never skips an entry that commits later. A dedicated
// changes table would duplicate that guarantee and the rows; the audit log already survives
// `mcpreg copy` with its seqs. Each change is one audit entry and carries its seq:
//   action publish, import            → type "publish"  (details.version)
//   action status                     → type "status"   (details.version, details.status)
//   action edit                       → type "edit"     (details.version, details.status)
//   action approve (governance)       → type "listing"  (version "": the name's versions)
//   action evidence (governance)      → type "listing"  (details.version)
//   action mirror (federation/mirror) → type details.change ("publish"|"status"|"edit")
//   anything else (grants, requests, uploads, ...) is not a change.
// `version` "" (JSON null) means "every version of the name": a status set on the whole server,
// or an approval that may list several versions at once. Clients re-read the name.
//
// Visibility (public reads): open mode shows every change. Governed mode shows a change only
// while the version it names is public now (listed by the catalog; for version "": while the
// name has a listed version). The catalog lags a commit by up to a second (another process's
// write reaches it on the refresher's next round), so a hidden change younger than
// ChangeFeedOptions::settle stops a page instead of being skipped for good. So a withheld version's publish is not shown; when approval or
// evidence lists it, the `listing` change of that approval/evidence entry appears (and readers
// starting from the beginning see its earlier changes too). A version withdrawn later (deleted
// in governed mode, or retired) leaves public reads like it leaves /v0.1/servers.
//
// Tokens: opaque to clients. EncodeChangeToken(seq) = base64url("c" + decimal seq), no padding;
// DecodeChangeToken accepts exactly that form (at most kMaxTokenBytes, canonical base64url, no
// leading zeros) and nothing else. `next` is the seq of the last audit entry examined, so a
// page that filtered everything out still moves the reader forward.
//
// Limits: limit 1..kMaxChangesLimit (default kDefaultChangesLimit); one read examines at most
// kMaxScanEntries audit entries; wait 0..kMaxWaitSeconds; at most ChangeFeedOptions::max_waiters
// long-polls at once (beyond: ResourceExhausted → 503 + Retry-After).
//
// Long polls (Wait) cost no thread while they wait: a waiter is a callback; the feed's own
// thread polls the store every ChangeFeedOptions::poll while any waiter exists and completes a
// waiter as soon as a read after its position finds a visible change, or at its deadline with
// an empty page. No I/O thread or write worker ever blocks on a wait.
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "catalog/catalog.h"
#include "mcpreg/clock.h"
#include "mcpreg/status.h"
#include "mcpreg/store.h"

namespace mcpreg::federation {

enum class ChangeType { kPublish, kStatus, kEdit, kListing };
// "publish", "status", "edit", "listing".
std::string_view ToString(ChangeType t);
// nullopt for anything else.
std::optional<ChangeType> ParseChangeType(std::string_view s);

struct Change {
  int64_t seq = 0;  // the audit entry's seq
  ChangeType type = ChangeType::kPublish;
  std::string name;
  std::string version;  // "" = every version of the name
  std::string status;   // "active" | "deprecated" | "deleted", "" when not known
  Micros time = 0;      // when it was committed (the audit entry's time)
};

inline constexpr size_t kDefaultChangesLimit = 100;
inline constexpr size_t kMaxChangesLimit = 1000;
inline constexpr size_t kMaxScanEntries = 5000;
inline constexpr int kMaxWaitSeconds = 30;
inline constexpr size_t kMaxTokenBytes = 32;

// The change an audit entry records, or nullopt when it records none (see the table above).
// Never fails: malformed details give a change without version/status, or nullopt.
std::optional<Change> ChangeFromAudit(const AuditRecord& record);

// {"type":..,"name":..,"version":..|null,"status"?:..,"time": RFC 3339}
std::string ChangeJson(const Change& c);

std::string EncodeChangeToken(int64_t seq);
// The seq of a token EncodeChangeToken made; nullopt for anything else.
std::optional<int64_t> DecodeChangeToken(std::string_view token);

struct ChangePage {
  std::vector<Change> changes;  // ascending seq
  int64_t next = 0;             // resume after this seq
};
// The response body: {"changes":[...],"metadata":{"next":TOKEN}}
std::string ChangePageJson(const ChangePage& page);

// Changes with seq > after, at most `limit` (clamped to 1..kMaxChangesLimit), examining at most
// kMaxScanEntries audit entries of `store`; those `visible` rejects are skipped (nullptr or an
// empty function = keep all) — except that a rejected change committed at or after
// `hold_hidden_from` (0 = never) ends the page before it: the catalog behind `visible` may not
// have caught up with it yet, so the reader must look at it again. Errors: the store's
// (Unavailable, Internal).
Result<ChangePage> ReadChanges(Store& store, int64_t after, size_t limit,
                               const std::function<bool(const Change&)>& visible,
                               Micros hold_hidden_from = 0);
// The highest audit seq (0 when the log is empty), found by paging through the log: for a
// webhook's first start. Errors: the store's.
Result<int64_t> LatestChangeSeq(Store& store);

struct ChangeFeedOptions {
  size_t max_waiters = 1024;                // concurrent long-polls
  std::chrono::milliseconds poll{200};      // store poll period while anyone waits
  // A change hidden by the visibility rule is judged again until it is this old: the catalog
  // (this process's, or another replica's write) catches up within about a second.
  std::chrono::milliseconds settle{3000};
};

class ChangeFeed {
 public:
  // Whether public reads see `c` now (nullptr = every change is public: open mode).
  using Visibility = std::function<bool(const Change&)>;
  // Starts the waiter thread. `store` must outlive the feed.
  ChangeFeed(Store& store, Visibility visible, ChangeFeedOptions options = {});
  ~ChangeFeed();
  ChangeFeed(const ChangeFeed&) = delete;
  ChangeFeed& operator=(const ChangeFeed&) = delete;

  // Changes with seq > after, at most `limit` (clamped to 1..kMaxChangesLimit), examining at
  // most kMaxScanEntries audit entries. `all` = skip the visibility rule (webhooks, the
  // operator's CLI). Errors: the store's (Unavailable, Internal).
  Result<ChangePage> Read(int64_t after, size_t limit, bool all = false) const;

  // Long poll for public changes after `after`: calls `done` exactly once, on the feed's
  // thread, with the first non-empty Read result or, once `wait` has passed (or Stop() ran),
  // an empty page whose `next` is as far as the reads got. Returns ResourceExhausted (and never
  // calls `done`) when max_waiters long-polls are already waiting; FailedPrecondition once
  // stopped. `wait` is clamped to kMaxWaitSeconds.
  using Done = std::function<void(Result<ChangePage>)>;
  Status Wait(int64_t after, size_t limit, std::chrono::milliseconds wait, Done done);

  // Completes every waiter (empty pages), refuses new ones and joins the thread. Idempotent;
  // call it (and the destructor) from one controlling thread.
  void Stop();
  size_t waiters() const;

 private:
  struct Waiter {
    int64_t after;
    size_t limit;
    std::chrono::steady_clock::time_point deadline;
    Done done;
  };
  void Run();

  Store& store_;
  const Visibility visible_;
  const ChangeFeedOptions options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::list<Waiter> waiters_;
  bool stopping_ = false;
  std::thread thread_;
};

// Governed mode's visibility rule over a live catalog: a change on a version is public while
// the catalog lists that version (deleted ones count when listed); a change naming no version
// while the name has a listed version. `catalog` must outlive the function.
ChangeFeed::Visibility ListedInCatalog(const catalog::Catalog& catalog);

}  // namespace mcpreg::federation
