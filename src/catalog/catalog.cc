#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "catalog/catalog.h"

namespace mcpreg::catalog {
namespace {

// Bytewise (name, version) order, as std::string compares (char_traits compares as unsigned).
bool KeyLess(std::string_view an, std::string_view av, std::string_view bn, std::string_view bv) {
  int c = an.compare(bn);
  return c < 0 || (c == 0 && av < bv);
}
bool EntryLess(const Entry& a, const Entry& b) {
  return KeyLess(a.meta.name, a.meta.version, b.meta.name, b.meta.version);
}

std::string SearchText(const Entry& e) {
  return AsciiLower(e.meta.name + "\n" + e.title + "\n" + e.description);
}

// Every filter of `q` except the cursor and the text search.
bool MatchesFilters(const Entry& e, const ListQuery& q) {
  const VersionMeta& m = e.meta;
  // Cheap, selective checks first.
  if (!q.include_deleted && m.status == VersionStatus::kDeleted) return false;
  if (!q.include_withheld && e.withheld.load(std::memory_order_relaxed)) return false;
  if (q.latest_only && !e.serve_latest.load(std::memory_order_relaxed)) return false;
  if (q.exact_version && m.version != *q.exact_version) return false;
  if (q.updated_since && !(m.updated_at > *q.updated_since)) return false;
  if (q.status && m.status != *q.status) return false;
  if (q.transport == TransportFilter::kRemote && !e.has_remotes) return false;
  if (q.transport == TransportFilter::kLocal && !e.has_packages) return false;
  if (!q.registry_type.empty() && std::find(e.registry_types.begin(), e.registry_types.end(),
                                            q.registry_type) == e.registry_types.end()) {
    return false;
  }
  return true;
}

bool AfterCursor(const Entry& e, const ListQuery& q) {
  if (q.cursor) return KeyLess(q.cursor->first, q.cursor->second, e.meta.name, e.meta.version);
  if (q.cursor_name_only) return e.meta.name > *q.cursor_name_only;
  return true;
}

}  // namespace

void Catalog::LinkDoc(const Item& item) {
  if (doc_entries_.size() <= item.doc) doc_entries_.resize(item.doc + 1);
  doc_entries_[item.doc].push_back(item.entry);
}

void Catalog::UnlinkDoc(const Item& item) {
  auto& list = doc_entries_[item.doc];
  auto it = std::find(list.begin(), list.end(), item.entry);
  if (it != list.end()) {
    *it = std::move(list.back());
    list.pop_back();
  }
  if (list.empty()) list.shrink_to_fit();
  text_.Release(item.doc);
}

void Catalog::AddOwners(const Item& item) {
  if (item.entry->meta.status == VersionStatus::kDeleted) return;
  for (const auto& url : item.remote_urls) {
    auto& owners = owners_[url];
    auto it = std::find_if(owners.begin(), owners.end(),
                           [&](auto& o) { return o.first == item.entry->meta.name; });
    if (it == owners.end()) {
      owners.emplace_back(item.entry->meta.name, 1);
    } else {
      ++it->second;
    }
  }
}

void Catalog::RemoveOwners(const Item& item) {
  if (item.entry->meta.status == VersionStatus::kDeleted) return;
  for (const auto& url : item.remote_urls) {
    auto map_it = owners_.find(url);
    if (map_it == owners_.end()) continue;
    auto& owners = map_it->second;
    auto it = std::find_if(owners.begin(), owners.end(),
                           [&](auto& o) { return o.first == item.entry->meta.name; });
    if (it != owners.end() && --it->second == 0) owners.erase(it);
    if (owners.empty()) owners_.erase(map_it);
  }
}

void Catalog::Apply(const std::vector<VersionRecord>& records) {
  ApplyRecords(records, std::nullopt);
}

void Catalog::ApplyChanges(int64_t after_seq, const ChangeBatch& batch) {
  ApplyRecords(batch.records, std::make_optional(batch.last_seq));
  std::unique_lock lock(mu_);
  // (after_seq, batch.last_seq] is complete; it joins the watermark only if nothing lies
  // between them (after_seq > last_seq_ cannot happen when after_seq was read from last_seq()).
  if (after_seq <= last_seq_) AdvanceWatermark(batch.last_seq);
}

void Catalog::AdvanceWatermark(int64_t to) {
  last_seq_ = std::max(last_seq_, to);
  // Absorb every remembered interval that now starts at or below watermark + 1.
  while (!ahead_.empty() && ahead_.begin()->first <= last_seq_ + 1) {
    last_seq_ = std::max(last_seq_, ahead_.begin()->second);
    ahead_.erase(ahead_.begin());
  }
}

void Catalog::NoteApplied(int64_t seq) {
  if (seq <= last_seq_) return;
  if (seq == last_seq_ + 1) return AdvanceWatermark(seq);
  auto next = ahead_.upper_bound(seq);  // first interval starting after seq
  if (next != ahead_.begin()) {
    auto prev = std::prev(next);
    if (prev->second >= seq) return;  // already noted
    if (prev->second == seq - 1) {    // extends prev, maybe bridging to next
      prev->second = seq;
      if (next != ahead_.end() && next->first == seq + 1) {
        prev->second = next->second;
        ahead_.erase(next);
      }
      return;
    }
  }
  int64_t last = seq;
  if (next != ahead_.end() && next->first == seq + 1) {
    last = next->second;
    ahead_.erase(next);
  }
  ahead_.emplace(seq, last);
}

void Catalog::ApplyRecords(const std::vector<VersionRecord>& all,
                           std::optional<int64_t> complete_through) {
  if (all.empty()) return;
  // Rows this catalog already holds at the same (or a newer) seq need no work: a Refresh
  // re-reads this process's own writes when other processes interleaved with them.
  std::vector<const VersionRecord*> records;
  std::vector<int64_t> held_seqs;  // reflected already: nothing to rebuild, but they count
  records.reserve(all.size());
  {
    std::shared_lock lock(mu_);
    for (const auto& r : all) {
      auto pos = std::lower_bound(items_.begin(), items_.end(), 0, [&](const Item& it, int) {
        return KeyLess(it.entry->meta.name, it.entry->meta.version, r.meta.name, r.meta.version);
      });
      if (pos != items_.end() && pos->entry->meta.name == r.meta.name &&
          pos->entry->meta.version == r.meta.version && pos->entry->seq >= r.seq) {
        held_seqs.push_back(r.seq);
      } else {
        records.push_back(&r);
      }
    }
  }
  auto note_held = [&] {  // REQUIRES: mu_ held exclusively
    if (!complete_through)
      for (int64_t seq : held_seqs) NoteApplied(seq);
  };
  if (records.empty()) {
    std::unique_lock lock(mu_);
    note_held();
    return;
  }
  // Parse and render outside the lock so readers are not held up.
  struct Built {
    Item item;
    std::string text;
  };
  std::vector<Built> built;
  built.reserve(records.size());
  std::vector<EntryPtr> entries;  // kept to re-evaluate the rule (see below)
  // Read before evaluating: a Relist that starts after this may miss rows not yet inserted.
  const uint64_t epoch = relist_epoch_.load(std::memory_order_acquire);
  for (const VersionRecord* rp : records) {
    const VersionRecord& r = *rp;
    Built b;
    b.item.entry = BuildEntry(r, &b.item.remote_urls);
    b.item.updated_at = r.meta.updated_at;
    b.item.status = r.meta.status;
    b.item.is_latest = r.meta.is_latest;
    b.text = SearchText(*b.item.entry);
    if (rule_) {
      b.item.entry->withheld.store(!rule_(*b.item.entry), std::memory_order_relaxed);
      entries.push_back(b.item.entry);
    }
    built.push_back(std::move(b));
  }
  // Bumped on every exit path below (after the index changed), so cached pages are dropped.
  struct Bump {
    std::atomic<int64_t>& g;
    ~Bump() { g.fetch_add(1, std::memory_order_acq_rel); }
  } bump{generation_};

  std::set<std::string_view> touched;  // views into `all`
  for (const VersionRecord* r : records) touched.insert(r->meta.name);
  {
    std::unique_lock lock(mu_);
    note_held();
    // Upsert existing keys in place; collect new keys (the last record per key wins).
    std::map<std::pair<std::string_view, std::string_view>, Built*> fresh;
    for (auto& b : built) {
      const Entry& e = *b.item.entry;
      // A Refresh batch moves the watermark as a whole (ApplyChanges); own writes only as far
      // as their seqs are contiguous with it.
      if (!complete_through) NoteApplied(e.seq);
      auto pos =
          std::lower_bound(items_.begin(), items_.end(), e,
                           [](const Item& it, const Entry& x) { return EntryLess(*it.entry, x); });
      if (pos != items_.end() && pos->entry->meta.name == e.meta.name &&
          pos->entry->meta.version == e.meta.version) {
        if (pos->entry->seq > e.seq) continue;  // stale
        RemoveOwners(*pos);
        UnlinkDoc(*pos);
        b.item.doc = text_.Acquire(b.text);
        *pos = std::move(b.item);
        LinkDoc(*pos);
        AddOwners(*pos);
      } else {
        auto key = std::make_pair(std::string_view(e.meta.name), std::string_view(e.meta.version));
        // The key views point into the first record's strings; `built` keeps them alive.
        auto [it, inserted] = fresh.emplace(key, &b);
        if (!inserted && it->second->item.entry->seq <= e.seq) it->second = &b;
      }
    }
    size_t old_size = items_.size();
    if (fresh.size() <= kInsertInPlaceMax) {
      // A handful of new keys (every publish): insert each at its place. Shifting the tail
      // costs a memmove; inplace_merge would allocate (and page-fault) a buffer the size of
      // the whole catalog on every write.
      for (auto& [key, b] : fresh) {
        b->item.doc = text_.Acquire(b->text);
        auto pos = std::lower_bound(items_.begin(), items_.end(), *b->item.entry,
                                    [](const Item& it, const Entry& x) {
                                      return EntryLess(*it.entry, x);
                                    });
        pos = items_.insert(pos, std::move(b->item));
        LinkDoc(*pos);
        AddOwners(*pos);
      }
    } else {
      items_.reserve(old_size + fresh.size());
      for (auto& [key, b] : fresh) {  // std::map iterates in key order: the tail stays sorted
        b->item.doc = text_.Acquire(b->text);
        items_.push_back(std::move(b->item));
        LinkDoc(items_.back());
        AddOwners(items_.back());
      }
      std::inplace_merge(
          items_.begin(), items_.begin() + old_size, items_.end(),
          [](const Item& a, const Item& b) { return EntryLess(*a.entry, *b.entry); });
    }
    for (const auto& name : touched) UpdateServeLatest(name);
  }
  // The governance facts changed while these rows were evaluated, and the relist that followed
  // may have run before they were inserted: evaluate them again with the current facts.
  if (rule_ && relist_epoch_.load(std::memory_order_acquire) != epoch) {
    ApplyRule(entries);
    std::unique_lock lock(mu_);
    for (const auto& name : touched) UpdateServeLatest(name);
  }
}

size_t Catalog::StartIndex(const ListQuery& q) const {
  if (q.cursor) {
    // Not a structured binding: clang < 16 cannot capture one in a lambda (the fuzz build).
    const auto& n = q.cursor->first;
    const auto& v = q.cursor->second;
    return std::upper_bound(items_.begin(), items_.end(), 0,
                            [&](int, const Item& it) {
                              return KeyLess(n, v, it.entry->meta.name, it.entry->meta.version);
                            }) -
           items_.begin();
  }
  if (q.cursor_name_only) {
    const std::string& n = *q.cursor_name_only;
    return std::upper_bound(items_.begin(), items_.end(), 0,
                            [&](int, const Item& it) { return n < it.entry->meta.name; }) -
           items_.begin();
  }
  return 0;
}

Page Catalog::List(const ListQuery& q) const {
  Page page;
  if (q.limit == 0) return page;
  std::vector<std::string> words = SearchWords(q.search);
  std::shared_lock lock(mu_);

  std::vector<uint32_t> docs;
  // Use the text index when it narrows to at most 1/8 of the docs; otherwise matches are dense
  // and an in-order scan fills the page after a few times `limit` entries.
  bool indexed = !words.empty() && text_.Candidates(words, text_.doc_count() / 8 + 16, docs);
  if (indexed) {
    // Collect pointers (no shared_ptr refcount traffic) and copy only the page out.
    std::vector<const EntryPtr*> hits;
    for (uint32_t d : docs) {
      if (!text_.Contains(d, words)) continue;
      for (const auto& e : doc_entries_[d]) {
        if (MatchesFilters(*e, q) && AfterCursor(*e, q)) hits.push_back(&e);
      }
    }
    auto less = [](const EntryPtr* a, const EntryPtr* b) { return EntryLess(**a, **b); };
    size_t n = std::min(hits.size(), q.limit);
    std::partial_sort(hits.begin(), hits.begin() + n, hits.end(), less);
    page.items.reserve(n);
    for (size_t i = 0; i < n; ++i) page.items.push_back(*hits[i]);
  } else {
    for (size_t i = StartIndex(q); i < items_.size() && page.items.size() < q.limit; ++i) {
      const Item& it = items_[i];
      if (q.updated_since && !(it.updated_at > *q.updated_since)) continue;
      if (!q.include_deleted && it.status == VersionStatus::kDeleted) continue;
      if (q.latest_only && !it.is_latest) continue;
      if (!MatchesFilters(*it.entry, q)) continue;
      if (!words.empty() && !text_.Contains(it.doc, words)) continue;
      page.items.push_back(it.entry);
    }
  }
  page.full = page.items.size() == q.limit;
  return page;
}

EntryPtr Catalog::Get(std::string_view name, std::string_view version, bool include_deleted,
                      bool include_withheld) const {
  std::shared_lock lock(mu_);
  auto pos = std::lower_bound(items_.begin(), items_.end(), 0, [&](const Item& it, int) {
    return KeyLess(it.entry->meta.name, it.entry->meta.version, name, version);
  });
  if (pos == items_.end() || pos->entry->meta.name != name || pos->entry->meta.version != version) {
    return nullptr;
  }
  if (!include_deleted && pos->entry->meta.status == VersionStatus::kDeleted) return nullptr;
  if (!include_withheld && pos->entry->withheld.load(std::memory_order_relaxed)) return nullptr;
  return pos->entry;
}

namespace {
template <typename Items>
auto NameRange(const Items& items, std::string_view name) {
  auto lo =
      std::lower_bound(items.begin(), items.end(), name,
                       [](const auto& it, std::string_view n) { return it.entry->meta.name < n; });
  auto hi = std::upper_bound(lo, items.end(), name, [](std::string_view n, const auto& it) {
    return n < it.entry->meta.name;
  });
  return std::make_pair(lo, hi);
}
}  // namespace

EntryPtr Catalog::GetLatest(std::string_view name, bool include_deleted,
                            bool include_withheld) const {
  std::shared_lock lock(mu_);
  auto [lo, hi] = NameRange(items_, name);
  for (auto it = lo; it != hi; ++it) {
    const Entry& e = *it->entry;
    if (include_withheld ? !e.meta.is_latest : !it->is_latest) continue;
    if (!include_deleted && e.meta.status == VersionStatus::kDeleted) return nullptr;
    if (!include_withheld && e.withheld.load(std::memory_order_relaxed)) return nullptr;
    return it->entry;
  }
  return nullptr;
}

std::vector<EntryPtr> Catalog::Versions(std::string_view name, bool include_deleted,
                                        bool include_withheld) const {
  std::vector<EntryPtr> out;
  {
    std::shared_lock lock(mu_);
    auto [lo, hi] = NameRange(items_, name);
    for (auto it = lo; it != hi; ++it) {
      if (!include_deleted && it->entry->meta.status == VersionStatus::kDeleted) continue;
      if (!include_withheld && it->entry->withheld.load(std::memory_order_relaxed)) continue;
      out.push_back(it->entry);
    }
  }
  std::sort(out.begin(), out.end(), [](const EntryPtr& a, const EntryPtr& b) {
    if (a->meta.published_at != b->meta.published_at)
      return a->meta.published_at > b->meta.published_at;
    return a->meta.version > b->meta.version;
  });
  return out;
}

void Catalog::SetListingRule(ListingRule rule) { rule_ = std::move(rule); }

void Catalog::UpdateServeLatest(std::string_view name) {
  auto [lo, hi] = NameRange(items_, name);
  auto set = [&](auto it, bool serve) {
    items_[static_cast<size_t>(it - items_.cbegin())].is_latest = serve;
    it->entry->serve_latest.store(serve, std::memory_order_relaxed);
  };
  // Open mode, or a listed latest: serve exactly the stored isLatest flags.
  bool latest_withheld = false;
  for (auto it = lo; it != hi; ++it)
    if (it->entry->meta.is_latest && it->entry->withheld.load(std::memory_order_relaxed))
      latest_withheld = true;
  if (!rule_ || !latest_withheld) {
    for (auto it = lo; it != hi; ++it) set(it, it->entry->meta.is_latest);
    return;
  }
  // Governed mode: a withheld latest hands over to the newest listed version.
  auto pick = hi;
  for (auto it = lo; it != hi; ++it) {
    const Entry& e = *it->entry;
    if (e.withheld.load(std::memory_order_relaxed) || e.meta.status == VersionStatus::kDeleted)
      continue;
    if (pick == hi || e.meta.published_at > pick->entry->meta.published_at ||
        (e.meta.published_at == pick->entry->meta.published_at &&
         e.meta.version > pick->entry->meta.version))
      pick = it;
  }
  for (auto it = lo; it != hi; ++it) set(it, it == pick);
}

void Catalog::ApplyRule(const std::vector<EntryPtr>& entries) {
  if (!rule_) return;
  std::atomic<bool> changed{false};
  auto run = [&](size_t lo, size_t hi) {
    for (size_t i = lo; i < hi; ++i) {
      bool withheld = !rule_(*entries[i]);
      if (entries[i]->withheld.exchange(withheld, std::memory_order_relaxed) != withheld)
        changed.store(true, std::memory_order_relaxed);
    }
  };
  // A whole-catalog relist (start-up in governed mode) evaluates the gates of every approved
  // version: spread it over the cores. The rule is thread-safe by contract.
  constexpr size_t kParallelFrom = 8192;
  const size_t n = entries.size();
  const size_t threads =
      n < kParallelFrom ? 1 : std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8);
  if (threads == 1) {
    run(0, n);
  } else {
    std::vector<std::thread> pool;
    const size_t chunk = (n + threads - 1) / threads;
    for (size_t t = 0; t < threads; ++t)
      pool.emplace_back(run, t * chunk, std::min(n, (t + 1) * chunk));
    for (auto& th : pool) th.join();
  }
  if (changed.load()) generation_.fetch_add(1, std::memory_order_acq_rel);
}

void Catalog::Relist(std::string_view name) {
  relist_epoch_.fetch_add(1, std::memory_order_acq_rel);
  ApplyRule(Versions(name, /*include_deleted=*/true, /*include_withheld=*/true));
  std::unique_lock lock(mu_);
  UpdateServeLatest(name);
}

void Catalog::RelistAll() {
  relist_epoch_.fetch_add(1, std::memory_order_acq_rel);
  std::vector<EntryPtr> all;
  {
    std::shared_lock lock(mu_);
    all.reserve(items_.size());
    for (const auto& it : items_) all.push_back(it.entry);
  }
  ApplyRule(all);
  std::unique_lock lock(mu_);
  for (size_t i = 0; i < items_.size();) {
    std::string_view name = items_[i].entry->meta.name;
    UpdateServeLatest(name);
    while (i < items_.size() && items_[i].entry->meta.name == name) ++i;
  }
}

int64_t Catalog::last_seq() const {
  std::shared_lock lock(mu_);
  return last_seq_;
}

size_t Catalog::size() const {
  std::shared_lock lock(mu_);
  return items_.size();
}

std::string Catalog::RemoteUrlOwner(std::string_view url) const {
  std::shared_lock lock(mu_);
  auto it = owners_.find(std::string(url));
  if (it == owners_.end() || it->second.empty()) return "";
  return std::min_element(it->second.begin(), it->second.end())->first;
}

Status Refresh(Store& store, Catalog& catalog) {
  constexpr size_t kBatch = 2000;
  for (;;) {
    const int64_t after = catalog.last_seq();
    auto batch = store.LoadChangesSince(after, kBatch);
    if (!batch.ok()) return batch.status();
    catalog.ApplyChanges(after, *batch);
    if (batch->records.size() < kBatch) return Status::OK();
  }
}

}  // namespace mcpreg::catalog
