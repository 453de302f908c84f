#include "federation/changes.h"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <map>

#include "auth/encoding.h"
#include "core/json_out.h"

namespace mcpreg::federation {

std::string_view ToString(ChangeType t) {
  switch (t) {
    case ChangeType::kPublish: return "publish";
    case ChangeType::kStatus: return "status";
    case ChangeType::kEdit: return "edit";
    case ChangeType::kListing: return "listing";
  }
  return "publish";
}

std::optional<ChangeType> ParseChangeType(std::string_view s) {
  if (s == "publish") return ChangeType::kPublish;
  if (s == "status") return ChangeType::kStatus;
  if (s == "edit") return ChangeType::kEdit;
  if (s == "listing") return ChangeType::kListing;
  return std::nullopt;
}

namespace {

std::string StringMember(const boost::json::object* o, std::string_view key) {
  if (!o) return "";
  auto* v = o->if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

std::optional<Change> ChangeFromAudit(const AuditRecord& record) {
  const AuditEvent& e = record.event;
  std::optional<ChangeType> type;
  if (e.action == "publish" || e.action == "import") type = ChangeType::kPublish;
  else if (e.action == "status") type = ChangeType::kStatus;
  else if (e.action == "edit") type = ChangeType::kEdit;
  else if (e.action == "approve" || e.action == "evidence") type = ChangeType::kListing;
  else if (e.action != "mirror") return std::nullopt;

  boost::system::error_code ec;
  boost::json::value details = boost::json::parse(e.details, ec);
  const boost::json::object* d = !ec && details.is_object() ? &details.as_object() : nullptr;
  if (e.action == "mirror") {
    type = ParseChangeType(StringMember(d, "change"));
    if (!type || *type == ChangeType::kListing) return std::nullopt;
  }
  Change c;
  c.seq = record.seq;
  c.type = *type;
  c.name = e.resource;
  c.time = e.at;
  // An approval concerns the whole name; everything else names its version when it has one.
  if (e.action != "approve") c.version = StringMember(d, "version");
  std::string status = StringMember(d, "status");
  if (ParseVersionStatus(status)) c.status = status;
  return c;
}

std::string ChangeJson(const Change& c) {
  std::string out;
  json::JsonOut w(out);
  w.BeginObject().Key("type").String(ToString(c.type)).Key("name").String(c.name).Key("version");
  if (c.version.empty()) w.Null();
  else w.String(c.version);
  w.StringIf("status", c.status).Key("time").String(FormatRfc3339(c.time)).EndObject();
  return out;
}

std::string EncodeChangeToken(int64_t seq) {
  return auth::Base64UrlEncode("c" + std::to_string(seq < 0 ? 0 : seq));
}

std::optional<int64_t> DecodeChangeToken(std::string_view token) {
  if (token.empty() || token.size() > kMaxTokenBytes) return std::nullopt;
  auto raw = auth::Base64UrlDecode(token);
  if (!raw || raw->size() < 2 || (*raw)[0] != 'c') return std::nullopt;
  std::string_view digits = std::string_view(*raw).substr(1);
  if (digits.size() > 1 && digits[0] == '0') return std::nullopt;  // one spelling per seq
  int64_t seq = 0;
  auto [p, err] = std::from_chars(digits.data(), digits.data() + digits.size(), seq);
  if (err != std::errc() || p != digits.data() + digits.size() || seq < 0) return std::nullopt;
  // Only the canonical encoding (base64url has spare bits in its last character).
  if (EncodeChangeToken(seq) != token) return std::nullopt;
  return seq;
}

std::string ChangePageJson(const ChangePage& page) {
  std::string out = "{\"changes\":[";
  for (size_t i = 0; i < page.changes.size(); ++i) {
    if (i) out += ',';
    out += ChangeJson(page.changes[i]);
  }
  out += "],\"metadata\":{\"next\":";
  json::AppendString(out, EncodeChangeToken(page.next));
  out += "}}";
  return out;
}

ChangeFeed::ChangeFeed(Store& store, Visibility visible, ChangeFeedOptions options)
    : store_(store), visible_(std::move(visible)), options_(options) {
  thread_ = std::thread([this] { Run(); });
}

ChangeFeed::~ChangeFeed() { Stop(); }

Result<ChangePage> ChangeFeed::Read(int64_t after, size_t limit, bool all) const {
  static const std::function<bool(const Change&)> kAll;
  if (all || !visible_) return ReadChanges(store_, after, limit, kAll);
  const Micros settle = std::chrono::duration_cast<std::chrono::microseconds>(options_.settle).count();
  return ReadChanges(store_, after, limit, visible_, SystemClock::Instance().Now() - settle);
}

Result<int64_t> LatestChangeSeq(Store& store) {
  int64_t head = 0;
  for (;;) {
    auto entries = store.ListAudit("", head, kMaxScanEntries);
    if (!entries.ok()) return entries.status();
    if (entries->empty()) return head;
    head = entries->back().seq;
    if (entries->size() < kMaxScanEntries) return head;
  }
}

Result<ChangePage> ReadChanges(Store& store, int64_t after, size_t limit,
                               const std::function<bool(const Change&)>& visible,
                               Micros hold_hidden_from) {
  limit = std::clamp<size_t>(limit, 1, kMaxChangesLimit);
  ChangePage page;
  page.next = after;
  size_t scanned = 0;
  // Audit entries come in batches; most of a busy registry's entries are changes, so a batch
  // of twice the limit usually fills a page in one query.
  const size_t batch = std::min(kMaxScanEntries, limit * 2 + 16);
  while (page.changes.size() < limit && scanned < kMaxScanEntries) {
    const size_t want = std::min(batch, kMaxScanEntries - scanned);
    auto entries = store.ListAudit("", page.next, want);
    if (!entries.ok()) return entries.status();
    bool held = false;
    for (const auto& e : *entries) {
      ++scanned;
      auto c = ChangeFromAudit(e);
      if (c && visible && !visible(*c)) {
        if (hold_hidden_from > 0 && c->time >= hold_hidden_from) {
          held = true;  // too young to be sure it is hidden: stop before it
          break;
        }
        c.reset();
      }
      if (c) page.changes.push_back(std::move(*c));
      page.next = e.seq;
      if (page.changes.size() == limit) break;
    }
    if (held || entries->size() < want) break;  // held, or the end of the log
  }
  return page;
}

Status ChangeFeed::Wait(int64_t after, size_t limit, std::chrono::milliseconds wait, Done done) {
  wait = std::clamp(wait, std::chrono::milliseconds(0),
                    std::chrono::milliseconds(kMaxWaitSeconds * 1000));
  std::lock_guard lock(mu_);
  if (stopping_) return Status::FailedPrecondition("the change feed is stopping");
  if (waiters_.size() >= options_.max_waiters)
    return Status::ResourceExhausted("too many change-feed long-polls waiting (" +
                                     std::to_string(options_.max_waiters) + "); retry shortly");
  waiters_.push_back({after, limit, std::chrono::steady_clock::now() + wait, std::move(done)});
  wake_.notify_one();
  return Status::OK();
}

size_t ChangeFeed::waiters() const {
  std::lock_guard lock(mu_);
  return waiters_.size();
}

void ChangeFeed::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

// One round per poll period while anyone waits: waiters at the same position share one read;
// a waiter whose read found changes, or whose deadline passed, is completed outside the lock.
void ChangeFeed::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (waiters_.empty() && !stopping_) wake_.wait(lock, [&] { return stopping_ || !waiters_.empty(); });
    if (stopping_) {
      auto left = std::move(waiters_);
      waiters_.clear();
      lock.unlock();
      for (auto& w : left) w.done(ChangePage{{}, w.after});
      return;
    }
    wake_.wait_for(lock, options_.poll, [&] { return stopping_; });
    if (stopping_) continue;
    // Take the waiters out, read without the lock, put back those still waiting.
    std::list<Waiter> round = std::move(waiters_);
    waiters_.clear();
    lock.unlock();
    std::map<std::pair<int64_t, size_t>, Result<ChangePage>> reads;
    std::list<Waiter> keep;
    const auto now = std::chrono::steady_clock::now();
    for (auto& w : round) {
      auto key = std::make_pair(w.after, w.limit);
      auto it = reads.find(key);
      if (it == reads.end()) it = reads.emplace(key, Read(w.after, w.limit)).first;
      const Result<ChangePage>& r = it->second;
      if (r.ok() && !r->changes.empty()) {
        w.done(*r);
        continue;
      }
      if (r.ok()) w.after = r->next;  // filtered entries: keep the reader's progress
      if (now >= w.deadline) {
        w.done(ChangePage{{}, w.after});  // a failed read at the deadline is still "nothing new"
        continue;
      }
      keep.push_back(std::move(w));
    }
    lock.lock();
    waiters_.splice(waiters_.begin(), keep);
  }
}

ChangeFeed::Visibility ListedInCatalog(const catalog::Catalog& catalog) {
  return [&catalog](const Change& c) {
    if (c.version.empty())
      return !catalog.Versions(c.name, /*include_deleted=*/true, /*include_withheld=*/false).empty();
    return catalog.Get(c.name, c.version, /*include_deleted=*/true, /*include_withheld=*/false) !=
           nullptr;
  };
}

}  // namespace mcpreg::federation
