#include "federation/mirror.h"

#include <algorithm>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <ctime>
#include <map>
#include <set>
#include <thread>
#include <unordered_map>

#include "catalog/catalog.h"
#include "core/json_out.h"
#include "core/log.h"
#include "core/percent.h"
#include "core/sha256.h"
#include "federation/jwks_source.h"
#include "federation/snapshot.h"
#include "service/versioning.h"

namespace mcpreg::federation {
namespace {

namespace bj = boost::json;

// ---- reading an upstream page --------------------------------------------------------------

// One upstream entry: the server object's bytes as upstream sent them and its official meta.
struct Entry {
  std::string name, version;
  std::string server_json;
  VersionStatus status = VersionStatus::kActive;
  std::optional<std::string> status_message;
  Micros status_changed_at = 0, published_at = 0, updated_at = 0;
  std::string digest;  // of everything above that a row keeps
};

// REQUIRES: `t` is valid JSON (boost::json accepted it) and `i` is at the start of a value.
// Returns the index one past that value. Iterative: nesting depth cannot exhaust the stack.
size_t ValueEnd(std::string_view t, size_t i) {
  auto string_end = [&](size_t j) {
    for (++j; j < t.size() && t[j] != '"'; ++j)
      if (t[j] == '\\') ++j;
    return j + 1;
  };
  if (t[i] == '"') return string_end(i);
  if (t[i] == '{' || t[i] == '[') {
    int depth = 0;
    for (; i < t.size(); ++i) {
      char c = t[i];
      if (c == '"') {
        i = string_end(i) - 1;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) return i + 1;
      }
    }
    return t.size();
  }
  while (i < t.size() && std::string_view(",]} \t\r\n").find(t[i]) == std::string_view::npos) ++i;
  return i;
}

size_t SkipWs(std::string_view t, size_t i) {
  while (i < t.size() && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r' || t[i] == '\n')) ++i;
  return i;
}

// Walks the members of the object starting at `i`, calling fn(raw_key, value_begin,
// value_end). Keys are compared raw: an escaped key never matches (the caller then finds fewer
// spans than the parsed tree has items and refuses the page).
template <typename Fn>
void ForEachMember(std::string_view t, size_t i, Fn&& fn) {
  i = SkipWs(t, i);
  if (i >= t.size() || t[i] != '{') return;
  i = SkipWs(t, i + 1);
  while (i < t.size() && t[i] == '"') {
    size_t key_end = ValueEnd(t, i);
    std::string_view key = t.substr(i + 1, key_end - i - 2);
    i = SkipWs(t, key_end);
    if (i >= t.size() || t[i] != ':') return;
    size_t v = SkipWs(t, i + 1);
    size_t v_end = ValueEnd(t, v);
    fn(key, v, v_end);
    i = SkipWs(t, v_end);
    if (i < t.size() && t[i] == ',') i = SkipWs(t, i + 1);
  }
}

// The raw bytes of servers[k].server for every k of a {servers: [...]} document.
std::vector<std::string_view> ServerSpans(std::string_view t) {
  std::vector<std::string_view> spans;
  ForEachMember(t, 0, [&](std::string_view key, size_t b, size_t e) {
    if (key != "servers" || t[b] != '[') return;
    spans.clear();
    size_t i = SkipWs(t, b + 1);
    while (i < e && t[i] == '{') {
      size_t end = ValueEnd(t, i);
      std::string_view span;
      ForEachMember(t, i, [&](std::string_view k, size_t vb, size_t ve) {
        if (k == "server") span = t.substr(vb, ve - vb);
      });
      spans.push_back(span);
      i = SkipWs(t, end);
      if (i < e && t[i] == ',') i = SkipWs(t, i + 1);
    }
  });
  return spans;
}

std::string_view Str(const bj::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

bool SafeText(std::string_view s, size_t max) {
  if (s.empty() || s.size() > max) return false;
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

// Parses servers[k] (parsed `item`, raw `span`) into an Entry. Errors: InvalidArgument naming
// what is wrong (the entry is skipped, not the page).
Result<Entry> ReadEntry(const bj::value& item, std::string_view span) {
  if (!item.is_object()) return Status::InvalidArgument("entry is not an object");
  const auto* server = item.get_object().if_contains("server");
  if (!server || !server->is_object() || span.empty() || span.front() != '{')
    return Status::InvalidArgument("entry has no server object");
  if (span.size() > kMaxDocumentBytes)
    return Status::InvalidArgument("server object larger than " +
                                   std::to_string(kMaxDocumentBytes) + " bytes");
  Entry e;
  e.name = std::string(Str(server->get_object(), "name"));
  e.version = std::string(Str(server->get_object(), "version"));
  if (!SafeText(e.name, 255) || e.name.find('/') == std::string::npos)
    return Status::InvalidArgument("server.name missing or invalid");
  if (!SafeText(e.version, 255)) return Status::InvalidArgument(e.name + ": server.version missing or invalid");
  e.server_json = std::string(span);
  const bj::object* meta = nullptr;
  if (const auto* m = item.get_object().if_contains("_meta"); m && m->is_object())
    if (const auto* o = m->get_object().if_contains("io.modelcontextprotocol.registry/official");
        o && o->is_object())
      meta = &o->get_object();
  if (!meta) return Status::InvalidArgument(e.name + " " + e.version + ": no official _meta");
  auto status = ParseVersionStatus(Str(*meta, "status"));
  if (!status) return Status::InvalidArgument(e.name + " " + e.version + ": unknown status");
  e.status = *status;
  if (const auto* m = meta->if_contains("statusMessage"); m && m->is_string()) {
    if (m->get_string().size() > 500)
      return Status::InvalidArgument(e.name + " " + e.version + ": statusMessage over 500 characters");
    if (e.status != VersionStatus::kActive) e.status_message = std::string(m->get_string());
  }
  auto time = [&](std::string_view key, Micros& out) -> Status {
    auto t = ParseRfc3339(Str(*meta, key));
    if (!t.ok())
      return Status::InvalidArgument(e.name + " " + e.version + ": " + std::string(key) + " invalid");
    out = *t;
    return Status::OK();
  };
  MCPREG_RETURN_IF_ERROR(time("publishedAt", e.published_at));
  MCPREG_RETURN_IF_ERROR(time("updatedAt", e.updated_at));
  if (meta->contains("statusChangedAt")) {
    MCPREG_RETURN_IF_ERROR(time("statusChangedAt", e.status_changed_at));
  } else {
    e.status_changed_at = e.published_at;
  }
  // The store's invariant (status changes after publication); upstream data violating it is
  // clamped rather than refused.
  e.status_changed_at = std::max(e.status_changed_at, e.published_at);
  std::string facts = e.server_json;
  facts += '\n';
  facts += ToString(e.status);
  facts += '\n';
  facts += e.status_message.value_or("\x01");
  facts += '\n' + std::to_string(e.status_changed_at) + '\n' + std::to_string(e.published_at);
  e.digest = Sha256Hex(facts);
  return e;
}

// Retry-After: delta seconds or an HTTP date. nullopt when absent or unreadable.
std::optional<std::chrono::seconds> RetryAfter(const http::Headers& headers, Micros now) {
  for (const auto& [k, v] : headers) {
    if (k.size() != 11 || strncasecmp(k.c_str(), "retry-after", 11) != 0) continue;
    if (!v.empty() && v.size() <= 10 && std::all_of(v.begin(), v.end(), ::isdigit))
      return std::chrono::seconds(std::stoll(v));
    std::tm tm{};
    if (const char* end = strptime(v.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm); end && !*end) {
      int64_t at = timegm(&tm);
      return std::chrono::seconds(std::max<int64_t>(0, at - now / 1000000));
    }
  }
  return std::nullopt;
}

std::string Header(const http::Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers)
    if (k.size() == name.size() && strncasecmp(k.c_str(), name.data(), name.size()) == 0) return v;
  return "";
}

// scheme://host:port of an absolute URL ("" when it is not one).
std::string Origin(std::string_view url) {
  auto u = boost::urls::parse_absolute_uri(url);
  if (!u) return "";
  std::string scheme = std::string(u->scheme());
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), ::tolower);
  std::string host = std::string(u->encoded_host());
  std::transform(host.begin(), host.end(), host.begin(), ::tolower);
  std::string port = u->has_port() ? std::string(u->port()) : (scheme == "https" ? "443" : "80");
  return scheme + "://" + host + ":" + port;
}

std::string Provenance(const std::string& upstream, const std::string& url, Micros fetched) {
  std::string out;
  json::JsonOut w(out);
  w.BeginObject();
  w.Key("upstream").String(upstream);
  w.Key("url").String(url);
  w.Key("fetchedAt").String(FormatRfc3339(fetched));
  w.EndObject();
  return out;
}

std::string AuditDetails(const std::string& upstream, const std::string& version,
                         std::string_view change, VersionStatus status) {
  std::string out;
  json::JsonOut w(out);
  w.BeginObject();
  w.Key("upstream").String(upstream);
  w.Key("version").String(version);
  w.Key("change").String(change);
  w.Key("status").String(ToString(status));
  w.EndObject();
  return out;
}

}  // namespace

// ---- globs and filters ----------------------------------------------------------------------

bool GlobMatch(std::string_view p, std::string_view s) {
  size_t pi = 0, si = 0, star = std::string_view::npos, mark = 0;
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = si;
    } else if (pi < p.size() && p[pi] == s[si]) {
      ++pi;
      ++si;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

UpstreamFilter::UpstreamFilter(const config::UpstreamConfig& upstream) : u_(upstream) {
  auto list = [](const char* label, std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    std::string out = std::string(label) + "=";
    for (const auto& s : v) out += s + "\x1f";
    return out + "\n";
  };
  key_ = "url=" + u_.url + "\n" + list("include", u_.include) + list("exclude", u_.exclude) +
         list("transports", u_.transports) + list("registry_types", u_.registry_types) +
         (u_.require_signature ? "signed\n" : "");
}

bool UpstreamFilter::SelectsName(std::string_view name) const {
  bool in = u_.include.empty();
  for (const auto& g : u_.include) in = in || GlobMatch(g, name);
  if (!in) return false;
  for (const auto& g : u_.exclude)
    if (GlobMatch(g, name)) return false;
  return true;
}

bool UpstreamFilter::Selects(std::string_view name, std::string_view server_json) const {
  if (!SelectsName(name)) return false;
  if (u_.transports.empty() && u_.registry_types.empty()) return true;
  VersionRecord rec;
  rec.meta.name = std::string(name);
  rec.server_json = std::string(server_json);
  catalog::EntryPtr e = catalog::BuildEntry(rec);
  if (!u_.transports.empty()) {
    bool any = false;
    for (const auto& t : u_.transports)
      any = any || (t == "remote" ? e->has_remotes : e->has_packages);
    if (!any) return false;
  }
  if (!u_.registry_types.empty()) {
    bool any = false;
    for (const auto& t : u_.registry_types)
      any = any || std::find(e->registry_types.begin(), e->registry_types.end(), t) !=
                       e->registry_types.end();
    if (!any) return false;
  }
  return true;
}

MirrorOptions MirrorOptionsFrom(const config::OutboundConfig& outbound) {
  MirrorOptions o;
  o.connect_timeout = std::chrono::seconds(outbound.connect_timeout_seconds);
  o.total_timeout = std::chrono::seconds(outbound.total_timeout_seconds);
  return o;
}

std::string SyncReport::Summary() const {
  std::string s = upstream + ": " + std::to_string(applied) + " applied, " +
                  std::to_string(removed) + " removed, " + std::to_string(skipped) +
                  " skipped, " + std::to_string(mirrored) + " mirrored";
  if (!status.ok()) s += " FAILED: " + status.message();
  return s;
}

// ---- one sync -------------------------------------------------------------------------------

class Mirror::Run {
 public:
  Run(Mirror& m, const config::UpstreamConfig& u, const std::function<void(size_t)>& progress)
      : m_(m), u_(u), filter_(u), progress_(progress) {
    report.upstream = u.name;
  }

  SyncReport report;

  Status Go() {
    auto state = m_.store_.GetMirrorState(u_.name);
    if (!state.ok() && !state.status().IsNotFound()) return state.status();
    const bool full = !state.ok() || state->filter_key != filter_.key();
    report.full = full || u_.require_signature;
    if (report.full) {
      // The held set decides what a full sync removes; an incremental one only counts.
      auto mirrored = m_.store_.ListMirrored(u_.name);
      if (!mirrored.ok()) return mirrored.status();
      for (const auto& meta : *mirrored)
        if (meta.mirror_digest != kMirrorRemoved) held_.insert({meta.name, meta.version});
      held_count_ = int64_t(held_.size());
    } else {
      held_count_ = state->mirrored;
    }
    Micros watermark = full ? 0 : state->watermark;
    Micros high = watermark;
    if (u_.require_signature) {
      MCPREG_RETURN_IF_ERROR(FromSnapshot(high));
    } else {
      MCPREG_RETURN_IF_ERROR(FromPages(full, watermark, high));
    }
    if (report.full) MCPREG_RETURN_IF_ERROR(RemoveUnseen());
    report.mirrored = size_t(std::max<int64_t>(0, held_count_));
    Store::MirrorState done;
    done.upstream = u_.name;
    done.filter_key = filter_.key();
    done.watermark = high;
    done.synced_at = m_.clock_.Now();
    done.requests = int64_t(report.requests);
    done.mirrored = held_count_;
    return m_.store_.PutMirrorState(done);
  }

 private:
  using Key = std::pair<std::string, std::string>;

  Status FromPages(bool full, Micros watermark, Micros& high) {
    std::string cursor;
    std::set<std::string> cursors;
    for (size_t page = 0;; ++page) {
      if (page >= kMaxPages)
        return Status::ResourceExhausted("more than " + std::to_string(kMaxPages) + " pages");
      std::string url = u_.url + "/v0.1/servers?limit=" + std::to_string(kMirrorPageLimit);
      // A full sync reads deleted versions too (to keep the ones it holds as deleted);
      // updated_since includes them by itself.
      url += full ? "&include_deleted=true"
                  : "&updated_since=" + PercentEncode(FormatRfc3339(watermark));
      if (!cursor.empty()) url += "&cursor=" + PercentEncode(cursor);
      auto body = GetOk(url, kMaxPageBytes);
      if (!body.ok()) return body.status();
      boost::system::error_code ec;
      bj::value doc = bj::parse(*body, ec);
      if (ec || !doc.is_object())
        return Status::InvalidArgument("page " + url + " is not a JSON object");
      const auto* servers = doc.get_object().if_contains("servers");
      if (!servers || !servers->is_array())
        return Status::InvalidArgument("page " + url + " has no servers array");
      auto spans = ServerSpans(*body);
      if (spans.size() != servers->get_array().size())
        return Status::InvalidArgument("page " + url + ": servers array not understood");
      std::vector<Entry> entries;
      for (size_t k = 0; k < spans.size(); ++k) {
        auto e = ReadEntry(servers->get_array()[k], spans[k]);
        if (!e.ok()) {
          Skip(e.status().message());
          continue;
        }
        high = std::max(high, e->updated_at);
        entries.push_back(std::move(*e));
      }
      MCPREG_RETURN_IF_ERROR(Apply(entries, /*first_sight_skips_deleted=*/full));
      if (progress_) progress_(seen_count_);
      cursor.clear();
      if (const auto* md = doc.get_object().if_contains("metadata"); md && md->is_object())
        cursor = std::string(Str(md->get_object(), "nextCursor"));
      if (cursor.empty()) return Status::OK();
      if (cursor.size() > 1024 || !cursors.insert(cursor).second)
        return Status::FailedPrecondition("upstream repeated cursor \"" + cursor.substr(0, 64) +
                                          "\" (or sent one over 1024 bytes)");
    }
  }

  Status FromSnapshot(Micros& high) {
    auto keys = LoadJwks(u_.public_key, nullptr);
    if (!keys.ok()) return keys.status();
    std::string url = u_.url + "/v0.1/x/dev.mcpreg/snapshot";
    auto body = GetOk(url, kMaxSnapshotBytes);
    if (!body.ok()) return body.status();
    auto verified = VerifySnapshot(*body, *keys, m_.clock_.Now());
    if (!verified.ok())
      return Status(verified.status().code(), "snapshot refused: " + verified.status().message());
    boost::system::error_code ec;
    bj::value doc = bj::parse(verified->payload, ec);
    const auto& servers = doc.get_object().at("servers").get_array();  // shape verified
    auto spans = ServerSpans(verified->payload);
    if (spans.size() != servers.size())
      return Status::InvalidArgument("snapshot servers array not understood");
    std::vector<Entry> entries;
    for (size_t k = 0; k < spans.size(); ++k) {
      auto e = ReadEntry(servers[k], spans[k]);
      if (!e.ok()) {
        Skip(e.status().message());
        continue;
      }
      high = std::max(high, e->updated_at);
      entries.push_back(std::move(*e));
      if (entries.size() == kMirrorPageLimit) {
        MCPREG_RETURN_IF_ERROR(Apply(entries, true));
        entries.clear();
      }
    }
    MCPREG_RETURN_IF_ERROR(Apply(entries, true));
    if (progress_) progress_(seen_count_);
    return Status::OK();
  }

  // Applies one page in one transaction.
  Status Apply(std::vector<Entry>& entries, bool first_sight_skips_deleted) {
    const Micros now = m_.clock_.Now();
    const std::string meta = Provenance(u_.name, u_.url, now);
    const std::string actor = "mirror:" + u_.name;
    std::map<std::string, std::vector<const Entry*>> by_name;
    for (const auto& e : entries) {
      ++seen_count_;
      const bool selected = filter_.Selects(e.name, e.server_json);
      if (selected) seen_.insert({e.name, e.version});
      by_name[e.name].push_back(&e);
    }
    if (by_name.empty()) return Status::OK();
    // Per name: what happened to each entry, reported after the commit.
    struct Outcome {
      std::vector<std::string> skipped;
      std::vector<Key> added, removed;
      size_t applied = 0;
    };
    std::vector<Outcome> outcomes(by_name.size());
    std::vector<Store::Update> updates;
    size_t k = 0;
    for (auto& [name, list] : by_name) {
      Outcome* out = &outcomes[k++];
      const auto* items = &list;
      updates.push_back({name, [this, items, out, now, &meta, &actor,
                                first_sight_skips_deleted](ServerRows& rows) -> Status {
        *out = Outcome{};
        for (const auto& r : rows.rows) {
          if (r.meta.mirror_upstream != u_.name) {
            std::string holder = r.meta.mirror_upstream.empty()
                                     ? "published locally"
                                     : "mirrored from upstream " + r.meta.mirror_upstream;
            for (const Entry* e : *items)
              if (filter_.Selects(e->name, e->server_json))
                out->skipped.push_back(e->name + " " + e->version + ": " + holder + " (local wins)");
            return Status::OK();
          }
        }
        bool changed = false;
        for (const Entry* e : *items) {
          ServerRows::Row* row = rows.Find(e->version);
          const bool selected = filter_.Selects(e->name, e->server_json);
          const bool live = row && row->meta.mirror_digest != kMirrorRemoved;
          if (!selected) {
            if (live) {
              MarkRemoved(*row, now, "no longer selected by the filters of upstream " + u_.name);
              rows.audit.push_back({now, actor, "mirror", rows.name,
                                    AuditDetails(u_.name, e->version, "status", VersionStatus::kDeleted)});
              out->removed.push_back({e->name, e->version});
              changed = true;
            }
            continue;
          }
          if (row && row->meta.mirror_digest == e->digest) continue;  // unchanged
          if (!live && e->status == VersionStatus::kDeleted && first_sight_skips_deleted &&
              !row)
            continue;  // deleted before we ever saw it
          if (rows.rows.size() >= 10000 && !row) {
            out->skipped.push_back(e->name + " " + e->version + ": too many versions");
            continue;
          }
          std::string_view change = !live ? "publish"
                                    : row->meta.status != e->status ? "status"
                                                                    : "edit";
          if (!row) {
            rows.rows.push_back({});
            row = &rows.rows.back();
            row->meta.name = e->name;
            row->meta.version = e->version;
          }
          row->meta.status = e->status;
          row->meta.status_message = e->status_message;
          row->meta.status_changed_at = e->status_changed_at;
          row->meta.published_at = e->published_at;
          row->meta.updated_at = std::max(now, e->status_changed_at);
          row->meta.mirror_upstream = u_.name;
          row->meta.mirror_meta = meta;
          row->meta.mirror_digest = e->digest;
          row->server_json = e->server_json;
          row->dirty = true;
          rows.audit.push_back(
              {now, actor, "mirror", rows.name, AuditDetails(u_.name, e->version, change, e->status)});
          ++out->applied;
          if (!live) out->added.push_back({e->name, e->version});
          changed = true;
        }
        if (changed) versioning::RecomputeLatest(rows);
        return Status::OK();
      }});
    }
    auto written = m_.store_.UpdateServers(updates);
    if (!written.ok()) return written.status();
    if (m_.catalog_) m_.catalog_->Apply(*written);
    for (const auto& o : outcomes) {
      for (const auto& s : o.skipped) Skip(s);
      for (const auto& key : o.added) held_count_ += held_.insert(key).second || !report.full;
      for (const auto& key : o.removed) {
        held_count_ -= held_.erase(key) > 0 || !report.full;
        ++report.removed;
      }
      report.applied += o.applied;
    }
    return Status::OK();
  }

  // After a full sync: every held version the upstream no longer lists (under the filters).
  Status RemoveUnseen() {
    std::map<std::string, std::vector<std::string>> gone;
    for (const auto& key : held_)
      if (!seen_.count(key)) gone[key.first].push_back(key.second);
    const Micros now = m_.clock_.Now();
    const std::string actor = "mirror:" + u_.name;
    auto it = gone.begin();
    while (it != gone.end()) {
      std::vector<Store::Update> updates;
      for (size_t n = 0; n < kMirrorPageLimit && it != gone.end(); ++n, ++it) {
        const auto* versions = &it->second;
        updates.push_back({it->first, [this, versions, now, &actor](ServerRows& rows) -> Status {
          for (const auto& v : *versions) {
            ServerRows::Row* row = rows.Find(v);
            if (!row || row->meta.mirror_upstream != u_.name ||
                row->meta.mirror_digest == kMirrorRemoved)
              continue;
            MarkRemoved(*row, now, "no longer listed by upstream " + u_.name + " under its filters");
            rows.audit.push_back(
                {now, actor, "mirror", rows.name, AuditDetails(u_.name, v, "status", VersionStatus::kDeleted)});
          }
          versioning::RecomputeLatest(rows);
          return Status::OK();
        }});
        for (const auto& v : it->second) {
          held_count_ -= held_.erase({it->first, v});
          ++report.removed;
        }
      }
      auto written = m_.store_.UpdateServers(updates);
      if (!written.ok()) return written.status();
      if (m_.catalog_) m_.catalog_->Apply(*written);
    }
    return Status::OK();
  }

  static void MarkRemoved(ServerRows::Row& row, Micros now, std::string why) {
    row.meta.status = VersionStatus::kDeleted;
    row.meta.status_message = std::move(why);
    row.meta.status_changed_at = std::max(now, row.meta.published_at);
    row.meta.updated_at = std::max(now, row.meta.status_changed_at);
    row.meta.mirror_digest = std::string(kMirrorRemoved);
    row.dirty = true;
  }

  void Skip(std::string what) {
    ++report.skipped;
    if (report.skipped_entries.size() < 100) report.skipped_entries.push_back(std::move(what));
  }

  // GET with retries; the body of a 200 answer. Errors name the URL.
  Result<std::string> GetOk(const std::string& url, size_t max_bytes) {
    std::chrono::milliseconds backoff = m_.options_.backoff_initial;
    Status last;
    for (int attempt = 1; attempt <= kAttempts; ++attempt) {
      auto r = GetFollowing(url, max_bytes);
      std::chrono::milliseconds wait = backoff;
      if (r.ok()) {
        if (r->status == 200) return std::move(r->body);
        if (r->status != 429 && r->status < 500)
          return Status::Unavailable("GET " + url + " answered HTTP " + std::to_string(r->status));
        last = Status::Unavailable("GET " + url + " answered HTTP " + std::to_string(r->status));
        if (auto after = RetryAfter(r->headers, m_.clock_.Now())) {
          if (*after > m_.options_.max_retry_after)
            return Status::Unavailable("GET " + url + " answered HTTP " + std::to_string(r->status) +
                                       " with Retry-After " + std::to_string(after->count()) +
                                       " s (more than the " +
                                       std::to_string(m_.options_.max_retry_after.count()) +
                                       " s a sync waits)");
          wait = std::max<std::chrono::milliseconds>(*after, std::chrono::milliseconds(0));
        }
      } else if (r.status().code() != Code::kUnavailable) {
        return r.status();  // refused by the address policy, a bad redirect, ...
      } else {
        last = r.status();
      }
      if (attempt < kAttempts) {
        if (m_.options_.wait) {
          if (!m_.options_.wait(wait)) return Status::Unavailable("sync stopped (shutting down)");
        } else {
          std::this_thread::sleep_for(wait);
        }
      }
      backoff *= 2;
    }
    return Status::Unavailable(last.message() + " (gave up after " + std::to_string(kAttempts) +
                               " attempts)");
  }

  // One GET, following same-origin redirects only. Every hop passes the address policy.
  Result<http::ClientResponse> GetFollowing(std::string url, size_t max_bytes) {
    const std::string origin = Origin(url);
    for (int hop = 0;; ++hop) {
      http::ClientRequest req;
      req.url = url;
      req.headers = {{"Accept", "application/json"}, {"User-Agent", "mcpreg-mirror/1.0"}};
      req.timeout = m_.options_.total_timeout;
      req.connect_timeout = m_.options_.connect_timeout;
      req.max_body_bytes = max_bytes;
      req.guard = http::SsrfGuard(u_.allow_private, /*allow_loopback=*/true);
      ++report.requests;
      auto r = m_.options_.get(req);
      if (!r.ok()) return r.status();
      if (r->status < 300 || r->status > 399 || r->status == 304) return r;
      std::string location = Header(r->headers, "location");
      if (location.empty() || location.size() > 2048)
        return Status::Unavailable("GET " + url + " redirected (HTTP " + std::to_string(r->status) +
                                   ") without a usable Location");
      auto base = boost::urls::parse_absolute_uri(url);
      auto ref = boost::urls::parse_uri_reference(location);
      if (!base || !ref)
        return Status::PermissionDenied("redirect from " + url + " to an invalid URL refused");
      boost::urls::url target;
      auto resolved = boost::urls::resolve(*base, *ref, target);
      if (!resolved)
        return Status::PermissionDenied("redirect from " + url + " to an invalid URL refused");
      std::string next = std::string(target.buffer());
      if (Origin(next) != origin)
        return Status::PermissionDenied("redirect from " + url + " to " + next.substr(0, 200) +
                                        " refused: another scheme, host or port");
      if (hop + 1 > kMaxRedirects)
        return Status::Unavailable("GET " + url + ": more than " + std::to_string(kMaxRedirects) +
                                   " redirects");
      url = next;
    }
  }

  Mirror& m_;
  const config::UpstreamConfig& u_;
  UpstreamFilter filter_;
  const std::function<void(size_t)>& progress_;
  std::set<Key> held_;  // full syncs: mirrored from this upstream and not removed
  int64_t held_count_ = 0;  // how many versions are mirrored (not removed) now
  std::set<Key> seen_;  // selected entries the upstream listed in this sync
  size_t seen_count_ = 0;
};

Mirror::Mirror(Store& store, catalog::Catalog* catalog, const Clock& clock, MirrorOptions options)
    : store_(store), catalog_(catalog), clock_(clock), options_(std::move(options)) {}

SyncReport Mirror::Sync(const config::UpstreamConfig& upstream,
                        const std::function<void(size_t)>& progress) {
  Run run(*this, upstream, progress);
  Status s;
  try {
    s = run.Go();
  } catch (const std::exception& e) {
    s = Status::Internal(std::string("mirror sync: ") + e.what());
  }
  if (!s.ok()) run.report.status = Status(s.code(), "upstream " + upstream.name + " (" +
                                                        upstream.url + "): " + s.message());
  return std::move(run.report);
}

MirrorScheduler::MirrorScheduler(Store& store, catalog::Catalog* catalog, const Clock& clock,
                                 MirrorOptions options,
                                 std::vector<config::UpstreamConfig> upstreams)
    : upstreams_(std::move(upstreams)) {
  options.wait = [this](std::chrono::milliseconds d) { return Wait(d); };
  mirror_ = std::make_unique<Mirror>(store, catalog, clock, std::move(options));
  if (!upstreams_.empty()) thread_ = std::thread([this] { Loop(); });
}

void MirrorScheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool MirrorScheduler::Wait(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, d, [this] { return stop_; });
}

void MirrorScheduler::Loop() {
  using SteadyClock = std::chrono::steady_clock;
  std::vector<SteadyClock::time_point> due(upstreams_.size(), SteadyClock::now());
  for (;;) {
    for (size_t i = 0; i < upstreams_.size(); ++i) {
      {
        std::lock_guard lock(mu_);
        if (stop_) return;
      }
      if (SteadyClock::now() < due[i]) continue;
      SyncReport r = mirror_->Sync(upstreams_[i]);
      std::string line = "mirror " + r.Summary() + " (" + std::to_string(r.requests) + " requests" +
                         (r.full ? ", full" : "") + ")";
      if (r.status.ok()) {
        log::Info(line);
      } else {
        log::Warn(line);
      }
      for (const auto& s : r.skipped_entries) log::Info("mirror skipped " + s);
      due[i] = SteadyClock::now() + std::chrono::seconds(upstreams_[i].interval_seconds);
    }
    auto next = *std::min_element(due.begin(), due.end());
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(next - SteadyClock::now());
    if (left.count() > 0 && !Wait(left)) return;
  }
}

}  // namespace mcpreg::federation
