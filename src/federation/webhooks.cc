#include "federation/webhooks.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <fstream>
#include <sstream>

#include "auth/encoding.h"
#include "core/json_out.h"
#include "core/log.h"
#include "transport/http_client.h"
#include "transport/ssrf_guard.h"

namespace mcpreg::federation {
namespace {

constexpr size_t kMaxErrorChars = 300;

std::string Clip(std::string s) {
  if (s.size() > kMaxErrorChars) s = s.substr(0, kMaxErrorChars) + "...";
  return s;
}

// The host of an absolute http(s) URL ("" when there is none): no userinfo, port or brackets.
std::string HostOf(std::string_view url) {
  auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return "";
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    return close == std::string_view::npos ? "" : std::string(rest.substr(1, close - 1));
  }
  return std::string(rest.substr(0, rest.find(':')));
}

// Operator-configured loopback destinations need no SSRF guard (see the header).
bool IsLoopbackUrl(std::string_view url) {
  std::string host = HostOf(url);
  if (host == "localhost") return true;
  boost::system::error_code ec;
  auto addr = boost::asio::ip::make_address(host, ec);
  return !ec && http::ClassifyAddress(addr) == http::AddressClass::kLoopback;
}

}  // namespace

Result<std::string> DecodeWebhookSecret(std::string_view contents) {
  if (contents.size() > kMaxSecretBytes)
    return Status::InvalidArgument("secret longer than " + std::to_string(kMaxSecretBytes) + " bytes");
  if (contents.ends_with("\r\n")) contents.remove_suffix(2);
  else if (contents.ends_with("\n")) contents.remove_suffix(1);
  if (contents.empty()) return Status::InvalidArgument("secret is empty");
  if (contents.starts_with("whsec_")) {
    auto key = auth::Base64Decode(contents.substr(6));
    if (!key || key->empty())
      return Status::InvalidArgument("secret starts with whsec_ but the rest is not base64");
    return *key;
  }
  return std::string(contents);
}

std::string WebhookSignature(std::string_view key, std::string_view msg_id, int64_t timestamp,
                             std::string_view body) {
  std::string signed_content;
  signed_content.reserve(msg_id.size() + body.size() + 24);
  signed_content.append(msg_id).append(".").append(std::to_string(timestamp)).append(".").append(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(signed_content.data()), signed_content.size(), mac,
       &mac_len);
  return "v1," + auth::Base64Encode(std::string_view(reinterpret_cast<const char*>(mac), mac_len));
}

std::string CloudEventJson(const Change& c, std::string_view source) {
  std::string out;
  json::JsonOut w(out);
  w.BeginObject()
      .Key("specversion").String("1.0")
      .Key("id").String(std::to_string(c.seq))
      .Key("source").String(source)
      .Key("type").String("dev.mcpreg." + std::string(ToString(c.type)))
      .Key("subject").String(c.version.empty() ? c.name : c.name + "@" + c.version)
      .Key("time").String(FormatRfc3339(c.time))
      .Key("datacontenttype").String("application/json")
      .Key("data").Raw(ChangeJson(c))
      .EndObject();
  return out;
}

Result<std::vector<WebhookTarget>> WebhookTargetsFrom(
    const std::vector<config::WebhookConfig>& config) {
  std::vector<WebhookTarget> out;
  for (const auto& c : config) {
    WebhookTarget t;
    t.url = c.url;
    for (const auto& e : c.events)
      if (auto type = ParseChangeType(e)) t.events.insert(*type);
    t.retry_max = std::chrono::seconds(c.retry_max_seconds);
    t.give_up = std::chrono::seconds(c.give_up_seconds);
    if (!c.secret_file.empty()) {
      std::ifstream in(c.secret_file, std::ios::binary);
      if (!in) return Status::InvalidArgument("webhook " + c.url + ": cannot read secret_file " + c.secret_file);
      std::string bytes(kMaxSecretBytes + 1, '\0');
      in.read(bytes.data(), std::streamsize(bytes.size()));
      bytes.resize(size_t(in.gcount()));
      auto key = DecodeWebhookSecret(bytes);
      if (!key.ok())
        return Status::InvalidArgument("webhook " + c.url + ": secret_file " + c.secret_file + ": " +
                                       key.status().message());
      t.key = std::move(*key);
    }
    out.push_back(std::move(t));
  }
  return out;
}

std::chrono::seconds RetryDelay(const WebhookTarget& t, int64_t attempts) {
  auto d = t.retry_initial;
  for (int64_t i = 1; i < attempts && d < t.retry_max; ++i) d *= 2;
  return std::min(d, t.retry_max);
}

WebhookDispatcher::WebhookDispatcher(Store& store, std::vector<WebhookTarget> targets,
                                     WebhookOptions options, const Clock& clock)
    : store_(store), targets_(std::move(targets)), options_(std::move(options)), clock_(clock) {}

WebhookDispatcher::~WebhookDispatcher() { Stop(); }

Result<Store::WebhookDelivery> WebhookDispatcher::LoadOrCreate(const WebhookTarget& target) {
  auto all = store_.ListWebhookDeliveries();
  if (!all.ok()) return all.status();
  for (const auto& d : *all)
    if (d.url == target.url) return d;
  auto head = LatestChangeSeq(store_);
  if (!head.ok()) return head.status();
  Store::WebhookDelivery d;
  d.url = target.url;
  d.cursor = *head;
  d.updated_at = clock_.Now();
  MCPREG_RETURN_IF_ERROR(store_.PutWebhookDelivery(d));
  return d;
}

Status WebhookDispatcher::Prepare() {
  for (const auto& t : targets_) {
    auto d = LoadOrCreate(t);
    if (!d.ok()) return d.status();
  }
  return Status::OK();
}

void WebhookDispatcher::Start(std::string source) {
  options_.source = std::move(source);
  for (const auto& t : targets_) threads_.emplace_back([this, &t] { Run(t); });
}

void WebhookDispatcher::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

bool WebhookDispatcher::Sleep(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  return !wake_.wait_for(lock, d, [this] { return stopping_; });
}

// One webhook's loop: load (or create) its state, then deliver the matching changes after the
// cursor one at a time, recording every attempt. Store errors are logged and retried after a
// pause: the registry keeps serving while its database is away, and so do webhooks.
void WebhookDispatcher::Run(const WebhookTarget& target) {
  const std::chrono::milliseconds kStorePause(1000);
  Store::WebhookDelivery state;
  for (;;) {
    auto loaded = LoadOrCreate(target);
    if (loaded.ok()) {
      state = std::move(*loaded);
      break;
    }
    log::Warn("webhook " + target.url + ": " + loaded.status().message());
    if (!Sleep(kStorePause)) return;
  }

  std::optional<http::SsrfGuard> guard;
  if (!IsLoopbackUrl(target.url)) guard = http::SsrfGuard(options_.allow_private_addresses);
  std::vector<Change> pending;  // matching changes after the cursor, ascending
  int64_t scanned_through = state.cursor;
  auto save = [&] {
    state.updated_at = clock_.Now();
    Status st = store_.PutWebhookDelivery(state);
    if (!st.ok()) log::Warn("webhook " + target.url + ": recording delivery state: " + st.message());
  };

  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    if (pending.empty()) {
      auto page = ReadChanges(store_, scanned_through, kMaxChangesLimit, nullptr);
      if (!page.ok()) {
        log::Warn("webhook " + target.url + ": reading changes: " + page.status().message());
        if (!Sleep(kStorePause)) return;
        continue;
      }
      for (auto& c : page->changes)
        if (target.Wants(c.type)) pending.push_back(std::move(c));
      scanned_through = page->next;
      if (pending.empty()) {
        if (scanned_through > state.cursor) {  // only unwanted changes: move past them
          state.cursor = scanned_through;
          save();
        }
        if (!Sleep(options_.idle_poll)) return;
        continue;
      }
    }
    const Change& c = pending.front();
    if (Micros wait = state.next_attempt_at - clock_.Now(); wait > 0) {
      if (!Sleep(std::chrono::milliseconds(std::min<Micros>(wait / 1000 + 1, 1000)))) return;
      continue;
    }

    const std::string body = CloudEventJson(c, options_.source);
    const std::string id = std::to_string(c.seq);
    const Micros now = clock_.Now();
    const int64_t timestamp = now / 1000000;
    http::ClientRequest req;
    req.method = "POST";
    req.url = target.url;
    req.body = body;
    req.timeout = options_.total_timeout;
    req.connect_timeout = options_.connect_timeout;
    req.max_body_bytes = 64 * 1024;
    req.guard = guard;
    req.headers = {{"Content-Type", "application/cloudevents+json"},
                   {"User-Agent", "mcpreg/" MCPREG_VERSION " (webhooks)"},
                   {"webhook-id", id},
                   {"webhook-timestamp", std::to_string(timestamp)}};
    if (!target.key.empty())
      req.headers.emplace_back("webhook-signature", WebhookSignature(target.key, id, timestamp, body));
    auto res = http::Fetch(req);
    const Micros done_at = clock_.Now();
    if (res.ok() && res->status >= 200 && res->status < 300) {
      state.cursor = c.seq;
      state.attempts = 0;
      state.last_status = res->status;
      state.last_error.clear();
      state.first_failure_at = 0;
      state.next_attempt_at = 0;
      pending.erase(pending.begin());
      if (pending.empty()) state.cursor = std::max(state.cursor, scanned_through);
      save();
      continue;
    }
    ++state.attempts;
    if (state.first_failure_at == 0) state.first_failure_at = now;
    state.last_status = res.ok() ? res->status : 0;
    state.last_error = Clip("change " + id + ": " +
                            (res.ok() ? "HTTP " + std::to_string(res->status) : res.status().message()));
    if (done_at - state.first_failure_at >= Micros(target.give_up.count()) * 1000000) {
      log::Warn("webhook " + target.url + ": gave up on change " + id + " after " +
                std::to_string(state.attempts) + " attempts: " + state.last_error);
      state.last_error = Clip("gave up on " + state.last_error + " after " +
                              std::to_string(state.attempts) + " attempts");
      ++state.abandoned;
      state.cursor = c.seq;
      state.attempts = 0;
      state.first_failure_at = 0;
      state.next_attempt_at = 0;
      pending.erase(pending.begin());
      if (pending.empty()) state.cursor = std::max(state.cursor, scanned_through);
    } else {
      state.next_attempt_at =
          done_at + Micros(RetryDelay(target, state.attempts).count()) * 1000000;
    }
    save();
  }
}

Result<std::vector<std::string>> WebhookStatusLines(Store& store,
                                                    const std::vector<WebhookTarget>& targets) {
  auto states = store.ListWebhookDeliveries();
  if (!states.ok()) return states.status();
  std::vector<std::string> out;
  for (const auto& t : targets) {
    Store::WebhookDelivery d;
    bool known = false;
    for (const auto& s : *states)
      if (s.url == t.url) d = s, known = true;
    std::string line = t.url;
    if (!known) {
      out.push_back(line + " delivered-through=- pending=- attempts=0 abandoned=0 last-error=- "
                           "(not started yet)");
      continue;
    }
    // Counted over at most kMaxScanEntries changes: a status line stays cheap on a backlog.
    size_t pending = 0, counted = 0;
    bool more = false;
    int64_t after = d.cursor;
    for (;;) {
      auto page = ReadChanges(store, after, kMaxChangesLimit, nullptr);
      if (!page.ok()) return page.status();
      for (const auto& c : page->changes) pending += t.Wants(c.type) ? 1 : 0;
      counted += page->changes.size();
      if (page->next == after) break;
      after = page->next;
      if (counted >= kMaxScanEntries) {
        more = page->changes.size() == kMaxChangesLimit;
        break;
      }
    }
    line += " delivered-through=" + std::to_string(d.cursor) + " pending=" +
            std::to_string(pending) + (more ? "+" : "") + " attempts=" +
            std::to_string(d.attempts) + " abandoned=" + std::to_string(d.abandoned) +
            " last-error=" + (d.last_error.empty() ? "-" : d.last_error);
    out.push_back(std::move(line));
  }
  return out;
}

}  // namespace mcpreg::federation
