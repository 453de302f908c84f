#include "mcp/http_endpoint.h"

#include <arpa/inet.h>
#include <openssl/rand.h>

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>

#include "mcp/http_modern.h"
#include "mcp/modern.h"
#include "mcp/session.h"

namespace mcpreg::mcp {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool Contains(std::string_view haystack, std::string_view needle) {
  return Lower(haystack).find(needle) != std::string::npos;
}

http::HttpResponse ErrorResponse(int status, int code, std::string message) {
  http::HttpResponse r;
  r.status = status;
  r.Set("Content-Type", "application/json");
  r.body = EncodeError(nullptr, {code, std::move(message), nullptr});
  return r;
}

std::string NewSessionId() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    // RAND_bytes only fails when the CSPRNG is unseeded; refusing to mint ids is not an
    // option for a running server, so fall back to the OS generator via random_device.
    std::random_device rd;
    for (auto& b : bytes) b = static_cast<unsigned char>(rd());
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (unsigned char b : bytes) {
    id += kHex[b >> 4];
    id += kHex[b & 15];
  }
  return id;
}

// Host part of "host:port", "[v6]:port" or an origin's authority.
std::string_view HostPart(std::string_view authority) {
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    return close == std::string_view::npos ? authority : authority.substr(0, close + 1);
  }
  return authority.substr(0, authority.find(':'));
}

// The key sessions are counted under for max_sessions_per_client: the address, or for IPv6 its
// /64 (one client usually holds a whole /64).
std::string ClientKey(const std::string& address) {
  in6_addr a6;
  if (address.find(':') == std::string::npos || inet_pton(AF_INET6, address.c_str(), &a6) != 1)
    return address;
  std::memset(a6.s6_addr + 8, 0, 8);
  char buf[INET6_ADDRSTRLEN];
  if (!inet_ntop(AF_INET6, &a6, buf, sizeof buf)) return address;
  return std::string(buf) + "/64";
}

http::HttpResponse RetryLater(int status, std::string message, std::chrono::seconds after) {
  auto r = ErrorResponse(status, kTransportError, std::move(message));
  r.Set("Retry-After", std::to_string(std::max<int64_t>(1, after.count())));
  return r;
}

bool IsLoopbackName(std::string_view host) {
  std::string h = Lower(host);
  return h == "localhost" || h == "127.0.0.1" || h == "[::1]";
}

// One logical SSE stream: the events of a POST's response stream or of the standalone GET
// stream, kept (bounded) so that a client can resume it with Last-Event-ID.
class SseStream {
 public:
  SseStream(uint64_t id, size_t max_events) : id_(id), max_events_(max_events) {}
  uint64_t id() const { return id_; }

  // Attaches a (new) connection and replays the events after `after` (-1: all).
  void Attach(std::shared_ptr<http::ResponseStream> conn, int64_t after) {
    std::lock_guard lock(mu_);
    if (conn_ && conn_ != conn) conn_->Close();
    conn_ = std::move(conn);
    for (const auto& [seq, data] : events_) {
      if (seq > after) conn_->Write(Frame(seq, data));
    }
    if (finished_) conn_->Close();
  }
  // Priming event: an id with empty data, so the client has something to resume from.
  void Prime() { Append(std::string()); }
  void Append(std::string data) {
    std::lock_guard lock(mu_);
    int64_t seq = next_seq_++;
    if (conn_ && !conn_->closed()) conn_->Write(Frame(seq, data));
    events_.emplace_back(seq, std::move(data));
    if (events_.size() > max_events_) events_.pop_front();
  }
  // The exchange is complete. Returns true when the live connection got everything (the
  // stream then needs no replay buffer).
  bool Finish() {
    std::lock_guard lock(mu_);
    finished_ = true;
    bool delivered = conn_ && !conn_->closed();
    if (conn_) conn_->Close();
    return delivered;
  }
  // Closes the connection after a retry hint; the client resumes with GET + Last-Event-ID.
  void Disconnect(std::chrono::milliseconds retry) {
    std::lock_guard lock(mu_);
    if (!conn_) return;
    conn_->Write("retry: " + std::to_string(retry.count()) + "\n\n");
    conn_->Close();
  }
  bool connected() const {
    std::lock_guard lock(mu_);
    return conn_ && !conn_->closed();
  }
  void Close() {
    std::lock_guard lock(mu_);
    if (conn_) conn_->Close();
  }

 private:
  std::string Frame(int64_t seq, const std::string& data) const {
    std::string f = "id: " + std::to_string(id_) + "-" + std::to_string(seq) + "\ndata: ";
    f += data;  // single-line JSON (our encoders never emit newlines)
    f += "\n\n";
    return f;
  }
  const uint64_t id_;
  const size_t max_events_;
  mutable std::mutex mu_;
  std::deque<std::pair<int64_t, std::string>> events_;
  int64_t next_seq_ = 0;
  std::shared_ptr<http::ResponseStream> conn_;
  bool finished_ = false;
};

http::Headers SseHeaders(const std::string& session_id) {
  http::Headers h{{"Content-Type", "text/event-stream"},
                  {"Cache-Control", "no-cache"},
                  {"X-Accel-Buffering", "no"}};
  if (!session_id.empty()) h.emplace_back("Mcp-Session-Id", session_id);
  return h;
}

}  // namespace

// One Mcp-Session-Id.
struct HttpSession {
  static constexpr size_t kMaxKeptStreams = 64;

  std::string id;
  std::string client;  // ClientKey of the address that created it
  std::shared_ptr<Session> session;
  size_t max_events = 1024;
  std::mutex mu;
  std::map<uint64_t, std::shared_ptr<SseStream>> streams;
  uint64_t next_stream = 1;
  std::shared_ptr<SseStream> standalone;
  SteadyClock::time_point last_used = SteadyClock::now();

  std::shared_ptr<SseStream> NewStream() {
    std::lock_guard lock(mu);
    auto s = std::make_shared<SseStream>(next_stream++, max_events);
    streams[s->id()] = s;
    // Keep a bounded number of resumable streams: drop the oldest.
    while (streams.size() > kMaxKeptStreams) streams.erase(streams.begin());
    return s;
  }
  void Forget(uint64_t stream) {
    std::lock_guard lock(mu);
    streams.erase(stream);
  }
  std::shared_ptr<SseStream> Find(uint64_t stream) {
    std::lock_guard lock(mu);
    auto it = streams.find(stream);
    return it == streams.end() ? nullptr : it->second;
  }
  bool HasOpenStream() {
    std::lock_guard lock(mu);
    for (auto& [k, s] : streams) {
      if (s->connected()) return true;
    }
    return false;
  }
  bool PrimeStreams() const {
    // Empty-data priming events are understood by clients of 2025-11-25 (SEP-1699) onward.
    return session->protocol_version() >= "2025-11-25";
  }
  void CloseStreams() {
    std::lock_guard lock(mu);
    for (auto& [k, s] : streams) s->Close();
  }
};

namespace {

// The Outbox of one POSTed request: answers with JSON when possible, upgrades to SSE as soon
// as anything must be sent before the response (or when the client accepts only SSE).
class HttpOutbox : public Outbox {
 public:
  HttpOutbox(std::shared_ptr<HttpSession> hs, std::shared_ptr<http::Responder> responder,
             bool accept_json, bool is_initialize)
      : hs_(std::move(hs)),
        responder_(std::move(responder)),
        accept_json_(accept_json),
        is_initialize_(is_initialize) {}

  void Send(std::string message) override {
    std::lock_guard lock(mu_);
    if (done_) return;
    OpenSse();
    sse_->Append(std::move(message));
  }

  void Finish(std::string response) override {
    std::lock_guard lock(mu_);
    if (done_) return;
    done_ = true;
    if (!sse_ && response.empty()) {  // cancelled before anything was sent
      http::HttpResponse r;
      r.status = 202;
      responder_->Send(std::move(r));
      return;
    }
    if (!sse_ && accept_json_) {
      http::HttpResponse r;
      r.Set("Content-Type", "application/json");
      if (!SessionHeader().empty()) r.Set("Mcp-Session-Id", SessionHeader());
      r.body = std::move(response);
      responder_->Send(std::move(r));
      return;
    }
    OpenSse();
    if (!response.empty()) sse_->Append(std::move(response));
    if (sse_->Finish()) hs_->Forget(sse_->id());
  }

  void CloseConnection(std::chrono::milliseconds retry) override {
    std::lock_guard lock(mu_);
    if (done_) return;
    OpenSse();
    sse_->Disconnect(retry);
  }

 private:
  std::string SessionHeader() const {
    return !is_initialize_ || hs_->session->initialized() ? hs_->id : std::string();
  }
  void OpenSse() {
    if (sse_) return;
    sse_ = hs_->NewStream();
    sse_->Attach(responder_->Stream(200, SseHeaders(SessionHeader())), -1);
    if (hs_->PrimeStreams()) sse_->Prime();
  }

  std::shared_ptr<HttpSession> hs_;
  std::shared_ptr<http::Responder> responder_;
  const bool accept_json_;
  const bool is_initialize_;
  std::mutex mu_;
  bool done_ = false;
  std::shared_ptr<SseStream> sse_;
};

}  // namespace

bool IsAllowedOrigin(std::string_view origin, const McpHttpOptions& options) {
  for (const auto& o : options.allowed_origins) {
    if (o == "*" || Lower(o) == Lower(origin)) return true;
  }
  std::string_view rest = origin;
  if (rest.rfind("http://", 0) == 0) {
    rest.remove_prefix(7);
  } else if (rest.rfind("https://", 0) == 0) {
    rest.remove_prefix(8);
  } else {
    return false;  // "null", file://, other schemes
  }
  return IsLoopbackName(HostPart(rest));
}

bool IsAllowedHost(std::string_view host, const McpHttpOptions& options) {
  std::string_view name = HostPart(host);
  if (IsLoopbackName(name)) return true;
  for (const auto& h : options.allowed_hosts) {
    if (h == "*" || Lower(h) == Lower(name) || Lower(h) == Lower(host)) return true;
  }
  return false;
}

struct McpHttpEndpoint::Impl {
  const McpServer& server;
  McpHttpOptions options;
  mutable std::mutex mu;
  std::unordered_map<std::string, std::shared_ptr<HttpSession>> sessions;
  std::unordered_map<std::string, size_t> per_client;  // sessions by ClientKey
  // The sweeper thread ends idle sessions every sweep_interval.
  std::condition_variable sweep_cv;
  bool stopping = false;
  std::thread sweeper;

  Impl(const McpServer& s, McpHttpOptions o) : server(s), options(std::move(o)) {
    sweeper = std::thread([this] { SweepLoop(); });
  }
  ~Impl() { StopSweeper(); }

  void StopSweeper() {
    {
      std::lock_guard lock(mu);
      stopping = true;
    }
    sweep_cv.notify_all();
    if (sweeper.joinable()) sweeper.join();
  }
  std::chrono::milliseconds SweepInterval() const {
    auto quarter =
        std::chrono::duration_cast<std::chrono::milliseconds>(options.session_idle_ttl) / 4;
    return std::clamp(quarter, std::chrono::milliseconds(100), std::chrono::milliseconds(30000));
  }
  void SweepLoop() {
    std::unique_lock lock(mu);
    while (!stopping) {
      sweep_cv.wait_for(lock, SweepInterval(), [this] { return stopping; });
      if (stopping) break;
      std::vector<std::shared_ptr<HttpSession>> dropped;
      SweepLocked(&dropped);
      lock.unlock();
      EndAll(dropped);
      lock.lock();
    }
  }
  // Removes a session from the table (REQUIRES: mu held); the caller ends it with EndAll after
  // releasing mu.
  void EraseLocked(const std::shared_ptr<HttpSession>& hs,
                   std::vector<std::shared_ptr<HttpSession>>* dropped) {
    if (sessions.erase(hs->id) == 0) return;
    if (auto it = per_client.find(hs->client); it != per_client.end() && --it->second == 0)
      per_client.erase(it);
    dropped->push_back(hs);
  }
  static void EndAll(const std::vector<std::shared_ptr<HttpSession>>& dropped) {
    for (const auto& hs : dropped) {
      hs->session->Close();
      hs->CloseStreams();
    }
  }
  static SteadyClock::time_point LastUsed(HttpSession& hs) {
    std::lock_guard lock(hs.mu);
    return hs.last_used;
  }
  // Reserves a table entry for a new session of `hs->client`, or returns the refusal (429 when
  // the client is at its cap, 503 when the table is full of sessions with open streams).
  std::optional<http::HttpResponse> ReserveLocked(
      const std::shared_ptr<HttpSession>& hs, std::vector<std::shared_ptr<HttpSession>>* dropped);

  void Handle(http::HttpRequest&& req, std::shared_ptr<http::Responder> responder);
  void Post(http::HttpRequest& req, const std::shared_ptr<http::Responder>& responder);
  void Get(http::HttpRequest& req, const std::shared_ptr<http::Responder>& responder);
  void Delete(http::HttpRequest& req, const std::shared_ptr<http::Responder>& responder);
  // The session named by Mcp-Session-Id; answers 400/404 itself and returns null on failure.
  std::shared_ptr<HttpSession> Lookup(const http::HttpRequest& req,
                                      const std::shared_ptr<http::Responder>& responder);
  void SweepLocked(std::vector<std::shared_ptr<HttpSession>>* dropped);
};

McpHttpEndpoint::McpHttpEndpoint(const McpServer& server, McpHttpOptions options)
    : impl_(std::make_shared<Impl>(server, std::move(options))) {}

McpHttpEndpoint::~McpHttpEndpoint() {
  impl_->StopSweeper();
  CloseAll();
}

void McpHttpEndpoint::Handle(http::HttpRequest&& request,
                             std::shared_ptr<http::Responder> responder) {
  impl_->Handle(std::move(request), std::move(responder));
}

size_t McpHttpEndpoint::session_count() const {
  std::lock_guard lock(impl_->mu);
  return impl_->sessions.size();
}

void McpHttpEndpoint::CloseAll() {
  std::unordered_map<std::string, std::shared_ptr<HttpSession>> all;
  {
    std::lock_guard lock(impl_->mu);
    all.swap(impl_->sessions);
    impl_->per_client.clear();
  }
  for (auto& [id, hs] : all) {
    hs->session->Close();
    hs->CloseStreams();
  }
}

void McpHttpEndpoint::Impl::Handle(http::HttpRequest&& req,
                                   std::shared_ptr<http::Responder> responder) {
  // DNS-rebinding protection: a page on a foreign site must not reach a local server.
  if (auto origin = req.Header("Origin"); origin && !IsAllowedOrigin(*origin, options)) {
    return responder->Send(ErrorResponse(403, kTransportError, "Forbidden: Origin not allowed"));
  }
  if (auto host = req.Header("Host"); host && !IsAllowedHost(*host, options)) {
    return responder->Send(ErrorResponse(403, kTransportError, "Forbidden: Host not allowed"));
  }
  if (req.method == "POST") return Post(req, responder);
  if ((req.method == "GET" || req.method == "DELETE") && HasModernVersionHeader(req) &&
      !req.Header("Mcp-Session-Id")) {
    // The modern era has no standalone stream and no session to end (§4.3): POST only.
    auto r = ErrorResponse(405, kTransportError, "Method not allowed: protocol 2026-07-28 uses POST only");
    r.Set("Allow", "POST");
    return responder->Send(std::move(r));
  }
  if (req.method == "GET") return Get(req, responder);
  if (req.method == "DELETE") return Delete(req, responder);
  auto r = ErrorResponse(405, kTransportError, "Method not allowed");
  r.Set("Allow", "GET, POST, DELETE");
  responder->Send(std::move(r));
}

std::shared_ptr<HttpSession> McpHttpEndpoint::Impl::Lookup(
    const http::HttpRequest& req, const std::shared_ptr<http::Responder>& responder) {
  auto id = req.Header("Mcp-Session-Id");
  if (!id || id->empty()) {
    responder->Send(
        ErrorResponse(400, kTransportError, "Bad Request: Mcp-Session-Id header is required"));
    return nullptr;
  }
  std::shared_ptr<HttpSession> hs;
  {
    std::lock_guard lock(mu);
    auto it = sessions.find(std::string(*id));
    if (it != sessions.end()) hs = it->second;
  }
  if (!hs) {
    responder->Send(ErrorResponse(404, kSessionNotFound, "Session not found"));
    return nullptr;
  }
  if (auto v = req.Header("MCP-Protocol-Version"); v && !IsSupportedVersion(*v)) {
    responder->Send(ErrorResponse(
        400, kTransportError, "Bad Request: unsupported MCP-Protocol-Version " + std::string(*v)));
    return nullptr;
  }
  std::lock_guard lock(hs->mu);
  hs->last_used = SteadyClock::now();
  return hs;
}

void McpHttpEndpoint::Impl::SweepLocked(std::vector<std::shared_ptr<HttpSession>>* dropped) {
  auto now = SteadyClock::now();
  std::vector<std::shared_ptr<HttpSession>> expired;
  for (auto& [id, hs] : sessions) {
    if (now - LastUsed(*hs) > options.session_idle_ttl && !hs->HasOpenStream())
      expired.push_back(hs);
  }
  for (auto& hs : expired) EraseLocked(hs, dropped);
}

std::optional<http::HttpResponse> McpHttpEndpoint::Impl::ReserveLocked(
    const std::shared_ptr<HttpSession>& hs, std::vector<std::shared_ptr<HttpSession>>* dropped) {
  auto mine = per_client.find(hs->client);
  if (mine != per_client.end() && mine->second >= options.max_sessions_per_client) {
    return RetryLater(
        429,
        "Too Many Requests: this client holds " + std::to_string(options.max_sessions_per_client) +
            " sessions (the limit); end one with DELETE or let one expire",
        std::min<std::chrono::seconds>(options.session_idle_ttl, std::chrono::seconds(60)));
  }
  if (sessions.size() >= options.max_sessions) SweepLocked(dropped);
  while (sessions.size() >= options.max_sessions) {
    // Make room: end the session idle the longest, unless it is in use (an open stream).
    std::shared_ptr<HttpSession> victim;
    SteadyClock::time_point oldest = SteadyClock::time_point::max();
    for (auto& [id, s] : sessions) {
      auto used = LastUsed(*s);
      if (used < oldest && !s->HasOpenStream()) {
        oldest = used;
        victim = s;
      }
    }
    if (!victim) {
      return RetryLater(503, "Service Unavailable: too many sessions", std::chrono::seconds(5));
    }
    EraseLocked(victim, dropped);
  }
  sessions[hs->id] = hs;
  ++per_client[hs->client];
  return std::nullopt;
}

void McpHttpEndpoint::Impl::Post(http::HttpRequest& req,
                                 const std::shared_ptr<http::Responder>& responder) {
  auto content_type = req.Header("Content-Type");
  if (!content_type || !Contains(*content_type, "application/json")) {
    return responder->Send(ErrorResponse(
        415, kTransportError, "Unsupported Media Type: Content-Type must be application/json"));
  }
  // Lenient Accept: several real clients send only one of the two types.
  auto accept = req.Header("Accept");
  bool any = !accept || Contains(*accept, "*/*");
  bool accept_json = any || Contains(*accept, "application/json") ||
                     Contains(*accept, "application/*");
  bool accept_sse = any || Contains(*accept, "text/event-stream");
  if (!accept_json && !accept_sse) {
    return responder->Send(ErrorResponse(
        406, kTransportError,
        "Not Acceptable: Accept must include application/json or text/event-stream"));
  }

  auto parsed = ParseMessage(req.body, server.options().limits);
  if (auto* failure = std::get_if<ParseFailure>(&parsed)) {
    http::HttpResponse r;
    r.status = 400;
    r.Set("Content-Type", "application/json");
    r.body = EncodeError(failure->id, failure->error);
    return responder->Send(std::move(r));
  }
  Message msg = std::get<Message>(std::move(parsed));
  // Era: a request carrying modern _meta, or sent under a modern MCP-Protocol-Version, is
  // served statelessly whatever Mcp-Session-Id it carries; everything else is legacy.
  bool modern_header = HasModernVersionHeader(req);
  if (msg.kind == MessageKind::kRequest && (modern_header || IsModernRequest(msg))) {
    return ServeModernHttp(server, req, std::move(msg), accept_json, responder);
  }
  if (msg.kind != MessageKind::kRequest && modern_header) {
    // Modern notifications (e.g. notifications/cancelled) need no state; responses are never
    // POSTed in the modern era. Both are acknowledged and dropped.
    http::HttpResponse r;
    r.status = 202;
    return responder->Send(std::move(r));
  }
  bool is_initialize = msg.kind == MessageKind::kRequest && msg.method == "initialize";

  std::shared_ptr<HttpSession> hs;
  if (is_initialize && !req.Header("Mcp-Session-Id")) {
    hs = std::make_shared<HttpSession>();
    hs->id = NewSessionId();
    hs->client = ClientKey(req.remote_address);
    hs->session = Session::Create(server, options.session_limits);
    hs->max_events = options.max_events_per_stream;
    std::weak_ptr<HttpSession> weak = hs;
    hs->session->SetNotifier([weak](std::string m) {
      auto s = weak.lock();
      if (!s) return;
      std::shared_ptr<SseStream> standalone;
      {
        std::lock_guard lock(s->mu);
        standalone = s->standalone;
      }
      if (standalone) standalone->Append(std::move(m));
    });
    auto out = std::make_shared<HttpOutbox>(hs, responder, accept_json, true);
    // The entry is reserved before initialize runs, so concurrent initializes cannot overshoot
    // the caps; its id is unknown to anyone until the response carries it.
    std::optional<http::HttpResponse> refusal;
    std::vector<std::shared_ptr<HttpSession>> dropped;
    {
      std::lock_guard lock(mu);
      refusal = ReserveLocked(hs, &dropped);
    }
    EndAll(dropped);
    if (refusal) return responder->Send(std::move(*refusal));
    hs->session->Dispatch(std::move(msg), out);
    if (!hs->session->initialized()) {
      dropped.clear();
      {
        std::lock_guard lock(mu);
        EraseLocked(hs, &dropped);
      }
      EndAll(dropped);
    }
    return;
  }

  hs = Lookup(req, responder);
  if (!hs) return;
  if (msg.kind != MessageKind::kRequest) {
    hs->session->Dispatch(std::move(msg), nullptr);
    http::HttpResponse r;
    r.status = 202;
    return responder->Send(std::move(r));
  }
  auto out = std::make_shared<HttpOutbox>(hs, responder, accept_json, is_initialize);
  if (is_initialize) {
    // A second initialize on a live session: the session answers -32600; HTTP says 400.
    http::HttpResponse r;
    r.status = 400;
    r.Set("Content-Type", "application/json");
    r.body = EncodeError(msg.id, {kInvalidRequest, "Invalid Request: already initialized", nullptr});
    return responder->Send(std::move(r));
  }
  hs->session->Dispatch(std::move(msg), out);
}

void McpHttpEndpoint::Impl::Get(http::HttpRequest& req,
                                const std::shared_ptr<http::Responder>& responder) {
  auto accept = req.Header("Accept");
  if (!accept || !(Contains(*accept, "text/event-stream") || Contains(*accept, "*/*"))) {
    return responder->Send(ErrorResponse(406, kTransportError,
                                         "Not Acceptable: Accept must include text/event-stream"));
  }
  auto hs = Lookup(req, responder);
  if (!hs) return;

  if (auto last = req.Header("Last-Event-ID"); last && !last->empty()) {
    // "<stream>-<seq>": resume that stream after seq.
    uint64_t stream = 0;
    int64_t seq = -1;
    size_t dash = last->find('-');
    std::string_view a = last->substr(0, dash);
    bool ok = dash != std::string_view::npos &&
              std::from_chars(a.data(), a.data() + a.size(), stream).ec == std::errc();
    if (ok) {
      std::string_view b = last->substr(dash + 1);
      ok = std::from_chars(b.data(), b.data() + b.size(), seq).ec == std::errc();
    }
    if (auto s = ok ? hs->Find(stream) : nullptr) {
      s->Attach(responder->Stream(200, SseHeaders(hs->id)), seq);
      return;
    }
    // Unknown or expired stream: fall through to a fresh standalone stream.
  }

  std::shared_ptr<SseStream> standalone;
  {
    std::lock_guard lock(hs->mu);
    standalone = hs->standalone;
  }
  if (standalone && standalone->connected()) {
    return responder->Send(ErrorResponse(
        409, kTransportError, "Conflict: only one standalone SSE stream is allowed per session"));
  }
  if (!standalone) {
    standalone = hs->NewStream();
    std::lock_guard lock(hs->mu);
    hs->standalone = standalone;
  }
  standalone->Attach(responder->Stream(200, SseHeaders(hs->id)), INT64_MAX);
  if (hs->PrimeStreams()) standalone->Prime();
}

void McpHttpEndpoint::Impl::Delete(http::HttpRequest& req,
                                   const std::shared_ptr<http::Responder>& responder) {
  auto hs = Lookup(req, responder);
  if (!hs) return;
  std::vector<std::shared_ptr<HttpSession>> dropped;
  {
    std::lock_guard lock(mu);
    EraseLocked(hs, &dropped);
  }
  EndAll(dropped);
  http::HttpResponse r;
  r.status = 200;
  responder->Send(std::move(r));
}

}  // namespace mcpreg::mcp
