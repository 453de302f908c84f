// Catalog: the in-memory serving index of every server version. Read requests (list, get,
// versions, search) are answered from here without a database round trip; the store stays
// the source of truth and Refresh() keeps the catalog caught up through LoadChangesSince.
//
// Layout: entries sorted by (name, version) bytewise in one vector (binary search for cursors
// and name ranges, O(log n + page) plain paging), a trigram TextIndex over the lowercased
// "name \n title \n description" of each entry for search, and a remote-URL -> owner map.
// Entries are immutable and shared (EntryPtr), so a page stays valid after the lock is
// released even if Apply() replaces the entries meanwhile. Each entry carries its response
// bytes pre-rendered.
//
// Thread-safety: all methods are safe to call concurrently; readers share a std::shared_mutex,
// Apply() takes it exclusively only for the index update (documents are parsed and responses
// rendered before the lock is taken).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "catalog/text_index.h"
#include "mcpreg/records.h"
#include "mcpreg/store.h"

namespace mcpreg::catalog {

enum class TransportFilter {
  kAny,
  kRemote,
  kLocal
};  // remote = has remotes[]; local = has packages[]

struct ListQuery {
  std::optional<std::pair<std::string, std::string>> cursor;  // (name, version): strictly after it
  std::optional<std::string> cursor_name_only;  // upstream: cursor without ':' -> name > cursor
  size_t limit = 30;
  std::string search;                        // free text: every word must match (case-insensitive
                                             // substring of name, title or description)
  std::optional<Micros> updated_since;       // updated_at > t (strict)
  bool latest_only = false;                  // version=latest
  std::optional<std::string> exact_version;  // version=<x> (string equality)
  bool include_deleted = false;
  TransportFilter transport = TransportFilter::kAny;
  std::string registry_type;            // "" = any; else a package with this registryType
  std::optional<VersionStatus> status;  // extra filter (MCP tool)
  bool include_withheld = false;        // governed mode: also entries the listing rule rejects
};

struct Entry {  // immutable once published into the catalog; not copyable (see server_json)
  Entry() = default;
  Entry(const Entry&) = delete;
  Entry& operator=(const Entry&) = delete;

  VersionMeta meta;
  // The canonical document bytes: a view into response_json (stored once, not twice).
  std::string_view server_json;
  std::string
      response_json;  // the ServerResponse envelope bytes, pre-rendered:
                      // {"server":<server_json>,"_meta":{"io.modelcontextprotocol.registry/official":
                      //  {"status":..,"statusChangedAt":..,"statusMessage"?:..,"publishedAt":..,
                      //   "updatedAt":..,"isLatest":..}}}   (Go field order, FormatRfc3339)
  std::string title, description;  // parsed from server_json for search/tools
  bool has_remotes = false, has_packages = false;
  std::vector<std::string> registry_types;
  int64_t seq = 0;
  // Governed mode: the listing rule rejected this version (request not approved, a gate or
  // evidence failing). Withheld entries are invisible to public reads. The only mutable part of
  // an entry; set by Catalog::Apply / Relist.
  mutable std::atomic<bool> withheld{false};
  // The version `version=latest` serves: meta.is_latest, except in governed mode when that
  // version is withheld — then the newest listed version of the name (whose response still
  // says isLatest:false, as stored). Set by the catalog under its lock.
  mutable std::atomic<bool> serve_latest{false};
};
using EntryPtr = std::shared_ptr<const Entry>;

struct Page {
  std::vector<EntryPtr> items;
  bool full = false;  // items.size() == limit: the caller emits nextCursor = last item
};

// Builds the immutable entry for `record` (parses title, description, remotes, packages from
// the document; renders response_json). A document that is not a JSON object still yields an
// entry (empty title/description, no remotes/packages). `remote_urls` (optional) receives the
// document's remotes[].url values.
EntryPtr BuildEntry(const VersionRecord& record, std::vector<std::string>* remote_urls = nullptr);

class Catalog {
 public:
  Catalog() = default;
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;

  // Upserts by (name, version); a record older than the entry already held (lower seq) is
  // ignored, and one the catalog already holds at the same seq is not rebuilt.
  //
  // Apply is for the rows of a write this process just committed (Store::UpdateServer's
  // result), in any order. Other processes may have committed lower seqs this catalog has not
  // loaded, so these rows move last_seq() only across seqs contiguous with it; the rest are
  // remembered (as seq intervals, until a later ApplyChanges covers them) and the next Refresh
  // still reads everything above last_seq().
  void Apply(const std::vector<VersionRecord>& records);
  // Applies a LoadChangesSince(after_seq, ...) result. The batch holds every committed row
  // with seq in (after_seq, batch.last_seq] (Store's in-order visibility contract), so when
  // after_seq <= last_seq() the watermark moves to batch.last_seq. REQUIRES: after_seq is the
  // value passed to LoadChangesSince.
  void ApplyChanges(int64_t after_seq, const ChangeBatch& batch);

  // Entries matching every filter of `q`, ordered by (name, version) bytewise, starting
  // strictly after the cursor, at most q.limit of them (limit 0 gives an empty page).
  Page List(const ListQuery& q) const;

  // The entry for (name, version), or nullptr when absent or deleted (unless include_deleted).
  // Withheld entries (see SetListingRule) count as absent unless include_withheld.
  EntryPtr Get(std::string_view name, std::string_view version, bool include_deleted,
               bool include_withheld = false) const;
  // The name's serving-latest entry (see Entry::serve_latest; with include_withheld, the
  // is_latest one), or nullptr when none (or it is deleted and !include_deleted).
  EntryPtr GetLatest(std::string_view name, bool include_deleted,
                     bool include_withheld = false) const;
  // All versions of `name`, newest published first (ties: version descending); empty when none.
  std::vector<EntryPtr> Versions(std::string_view name, bool include_deleted,
                                 bool include_withheld = false) const;

  // Governed mode: `rule(entry)` says whether a version may be listed; entries it rejects are
  // withheld. Apply evaluates it for every new entry (outside the lock); Relist re-evaluates a
  // name after the facts behind the rule changed (approval, evidence, retirement). The rule
  // must be thread-safe and must not call back into the catalog. REQUIRES: set before serving
  // (entries applied earlier are evaluated by the first RelistAll()).
  using ListingRule = std::function<bool(const Entry&)>;
  void SetListingRule(ListingRule rule);
  void Relist(std::string_view name);
  void RelistAll();

  // Changes on every Apply and on every Relist that changed a listing: the tag for cached
  // responses (unlike last_seq, which only tracks the store).
  int64_t generation() const { return generation_.load(std::memory_order_acquire); }
  // The catch-up watermark: every store row with seq <= last_seq() is reflected here (or was
  // superseded by a newer row that is). 0 when nothing was loaded. Refresh reads above it.
  int64_t last_seq() const;
  size_t size() const;       // number of entries, deleted included

  // Remote URL -> owning non-deleted server name (for publish conflict checks), or "". If
  // several names hold the URL (legacy data), the bytewise smallest one is returned.
  std::string RemoteUrlOwner(std::string_view url) const;

 private:
  struct Item {
    EntryPtr entry;
    uint32_t doc;                          // TextIndex doc of this entry
    std::vector<std::string> remote_urls;  // counted in owners_ while not deleted
    // Copies of the most used filter fields, so scans do not touch every Entry.
    Micros updated_at = 0;
    VersionStatus status = VersionStatus::kActive;
    bool is_latest = false;  // mirrors entry->serve_latest
  };

  // REQUIRES: mu_ held. First position whose key is strictly after the query's cursor.
  size_t StartIndex(const ListQuery& q) const;
  void AddOwners(const Item& item);
  void RemoveOwners(const Item& item);
  void LinkDoc(const Item& item);
  void UnlinkDoc(const Item& item);

  mutable std::shared_mutex mu_;
  std::vector<Item> items_;  // sorted by (name, version)
  // New keys per apply up to which each is inserted in place rather than merged.
  static constexpr size_t kInsertInPlaceMax = 64;
  TextIndex text_;
  std::vector<std::vector<EntryPtr>> doc_entries_;  // doc id -> entries using that text
  std::unordered_map<std::string, std::vector<std::pair<std::string, int>>> owners_;
  int64_t last_seq_ = 0;  // the watermark (see last_seq())
  // Seqs applied above the watermark by Apply (own writes), as disjoint, non-adjacent
  // intervals first -> last. Bounded by the own writes since the last successful Refresh.
  std::map<int64_t, int64_t> ahead_;
  // REQUIRES: mu_ held exclusively. Records `seq` as applied and advances the watermark across
  // every interval that now touches it.
  void NoteApplied(int64_t seq);
  void AdvanceWatermark(int64_t to);
  // Shared by Apply and ApplyChanges; `complete_through` (or nullopt) is the seq up to which
  // the records are known to be complete.
  void ApplyRecords(const std::vector<VersionRecord>& records,
                    std::optional<int64_t> complete_through);
  std::atomic<int64_t> generation_{0};
  // Incremented when a Relist starts; lets Apply notice a relist that raced its evaluation.
  std::atomic<uint64_t> relist_epoch_{0};
  ListingRule rule_;  // set once before serving
  // Evaluates rule_ for `entries` and flips their flags; bumps generation_ when any changed.
  void ApplyRule(const std::vector<EntryPtr>& entries);
  // REQUIRES: mu_ held exclusively. Recomputes serve_latest for the versions of `name`.
  void UpdateServeLatest(std::string_view name);
};

// Brings `catalog` up to date with `store`: loads every change after catalog.last_seq() in
// batches and applies them with ApplyChanges. Never skips a committed row, whatever this
// process wrote meanwhile. Safe to call repeatedly (and concurrently with readers and Apply).
// Errors: whatever the store returns; batches applied before the error stay applied.
Status Refresh(Store& store, Catalog& catalog);

}  // namespace mcpreg::catalog
