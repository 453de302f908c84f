// Boost.Beast implementation of HttpServer. One Session per connection runs on its own strand:
// read one request (under header/body/time limits) → hand it to the Handler → write the
// response → read the next (keep-alive). Requests a client pipelines wait in the read buffer, so
// at most one request per connection is in flight and memory stays bounded.
#include "transport/http_server.h"

#include <strings.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "core/json_out.h"
#include "core/log.h"

namespace mcpreg::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

std::optional<std::string_view> HttpRequest::Header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
  return std::nullopt;
}

namespace {

std::string ProblemBody(int status, std::string_view detail) {
  std::string out;
  json::JsonOut w(out);
  w.BeginObject()
      .Key("title").String(HttpReason(status))
      .Key("status").Int(status)
      .Key("detail").String(detail)
      .EndObject();
  return out;
}

// The key a connection is counted under for max_connections_per_client: the IPv4 address
// (IPv4-mapped IPv6 included), or the /64 prefix of an IPv6 address, since one IPv6 client
// typically holds a whole /64 and could otherwise pick a fresh address per connection.
std::string ClientKey(const asio::ip::address& a) {
  if (a.is_v4()) return a.to_string();
  auto v6 = a.to_v6();
  if (v6.is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_string();
  auto bytes = v6.to_bytes();
  for (size_t i = 8; i < bytes.size(); ++i) bytes[i] = 0;
  return asio::ip::address_v6(bytes).to_string() + "/64";
}

// Open connections, in all and per client key. Every Acquire that succeeded is matched by
// exactly one Release (ConnectionSlot guarantees it).
class ConnectionTable {
 public:
  enum class Admit { kOk, kTotalFull, kClientFull };
  Admit Acquire(const std::string& key, size_t max_total, size_t max_per_client) {
    std::lock_guard<std::mutex> l(mu_);
    if (total_ >= max_total) return Admit::kTotalFull;
    size_t& n = per_client_[key];
    if (n >= max_per_client) {
      if (n == 0) per_client_.erase(key);
      return Admit::kClientFull;
    }
    ++n;
    ++total_;
    return Admit::kOk;
  }
  void Release(const std::string& key) {
    std::lock_guard<std::mutex> l(mu_);
    auto it = per_client_.find(key);
    if (it != per_client_.end() && --it->second == 0) per_client_.erase(it);
    --total_;
  }

 private:
  std::mutex mu_;
  size_t total_ = 0;
  std::unordered_map<std::string, size_t> per_client_;
};

class Session;

class SessionRegistry {
 public:
  void Add(const std::shared_ptr<Session>& s) {
    std::lock_guard<std::mutex> l(mu_);
    sessions_.insert(s);
  }
  void Remove(const std::shared_ptr<Session>& s) {
    std::lock_guard<std::mutex> l(mu_);
    sessions_.erase(s);
    cv_.notify_all();
  }
  std::vector<std::shared_ptr<Session>> Snapshot() {
    std::lock_guard<std::mutex> l(mu_);
    return {sessions_.begin(), sessions_.end()};
  }
  bool WaitEmpty(std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, d, [&] { return sessions_.empty(); });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::set<std::shared_ptr<Session>> sessions_;
};

struct Shared {
  ServerOptions options;
  Handler handler;
  SessionRegistry registry;
  ConnectionTable connections;
  std::atomic<bool> stopping{false};
};

// One admitted connection's place in the ConnectionTable; released exactly once (on close, or
// at the latest when the session is destroyed).
class ConnectionSlot {
 public:
  ConnectionSlot(std::shared_ptr<Shared> shared, std::string key)
      : shared_(std::move(shared)), key_(std::move(key)) {}
  ~ConnectionSlot() { Release(); }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;
  void Release() {
    if (held_) shared_->connections.Release(key_);
    held_ = false;
  }

 private:
  std::shared_ptr<Shared> shared_;
  std::string key_;
  bool held_ = true;
};

// The per-response state of one streamed response. A connection may carry several streamed
// responses one after another (keep-alive); each gets its own state so a writer holding an old
// stream can never write into a newer one.
struct StreamState {
  std::atomic<bool> closed{false};
  std::mutex mu;
  std::function<void()> on_close;
  void Fire() {
    if (closed.exchange(true)) return;
    std::function<void()> cb;
    {
      std::lock_guard<std::mutex> l(mu);
      cb = std::move(on_close);
    }
    if (cb) cb();
  }
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Shared> shared, std::string client_key)
      : stream_(std::move(socket)),
        deadline_(stream_.get_executor()),
        shared_(std::move(shared)),
        slot_(shared_, std::move(client_key)) {}

  void Start() {
    shared_->registry.Add(shared_from_this());
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadRequest(); });
  }

  // Called by Stop(): finish what is in flight, then close.
  void Shutdown() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      self->closing_ = true;
      if (self->stream_open_) {
        self->CloseStreamLocked();
      } else if (!self->busy_) {
        self->Close();
      }
    });
  }

  // Called by Stop() once no I/O thread runs (so not on the strand, and nothing races it): a
  // session the grace period did not see close is closed now. Without this it would outlive
  // the server, held by the registry that its own `shared_` keeps alive (a reference cycle),
  // with its socket open.
  void CloseAfterStop() { Close(); }

  // --- used by the Responder / stream (always posted onto the strand) ---
  void SendResponse(HttpResponse r);
  void SendShared(HttpResponse r);
  void StartStream(std::shared_ptr<StreamState> state, int status, Headers headers);
  void StreamWrite(const std::shared_ptr<StreamState>& state, std::string data);
  void StreamClose(const std::shared_ptr<StreamState>& state) {
    if (state == current_) CloseStreamLocked();
  }

  auto executor() { return stream_.get_executor(); }

 private:
  void ReadRequest() {
    if (closing_ || shared_->stopping) return Close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(shared_->options.max_header_bytes));
    // Beast compares Content-Length with the body limit while parsing the header, before
    // OnHeader could raise it for a route (body_limit_for): no limit until the header is in,
    // then OnHeader applies the effective one.
    parser_->body_limit(boost::none);
    body_limit_ = shared_->options.max_body_bytes;
    timed_out_ = false;
    // Reads are timed by deadline_, not by the tcp_stream (whose expiry closes the socket, so a
    // 408 could never be written); a write may have left an expiry armed.
    stream_.expires_never();
    if (buffer_.size() > 0) return ReadHeader();  // a pipelined request is already here
    // The first byte of a request may wait for idle_timeout. Waiting for readability holds no
    // buffer, so an idle keep-alive connection costs only its socket.
    ArmDeadline(std::chrono::steady_clock::now() + shared_->options.idle_timeout);
    stream_.socket().async_wait(tcp::socket::wait_read,
                                [self = shared_from_this()](beast::error_code ec) {
                                  if (ec) return self->OnReadError(ec);
                                  self->ReadHeader();
                                });
  }

  // Once the first byte is in, the request line + header must complete within header_timeout
  // and the whole request (body included) within read_timeout.
  void ReadHeader() {
    phase_ = Phase::kRequest;
    request_start_ = std::chrono::steady_clock::now();
    ArmDeadline(request_start_ +
                std::min<std::chrono::steady_clock::duration>(shared_->options.header_timeout,
                                                              shared_->options.read_timeout));
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  // Cancels the pending read when `d` has passed: it then completes with operation_aborted and
  // timed_out_ set. The generation makes a timer that fired after its read completed harmless.
  void ArmDeadline(std::chrono::steady_clock::time_point at) {
    ++deadline_gen_;
    timed_out_ = false;
    deadline_.expires_at(at);
    deadline_.async_wait([self = shared_from_this(), gen = deadline_gen_](beast::error_code ec) {
      if (ec || gen != self->deadline_gen_ || self->closed_) return;
      self->timed_out_ = true;
      beast::error_code ignored;
      self->stream_.socket().cancel(ignored);
    });
  }
  void DisarmDeadline() {
    ++deadline_gen_;
    deadline_.cancel();
  }

  void OnHeader(beast::error_code ec, std::size_t) {
    if (ec) return OnReadError(ec);
    DisarmDeadline();
    if (shared_->options.on_header) {
      HttpRequest head = MakeRequest(parser_->get());
      HeaderVerdict v = shared_->options.on_header(head);
      if (v.reply) {
        // Answered on the header. A request without a body is complete, so the connection
        // may serve the next one; otherwise the unread body makes it unusable.
        keep_alive_ = parser_->is_done() && parser_->get().keep_alive() && !shared_->stopping;
        version_ = parser_->get().version();
        head_ = parser_->get().method() == bhttp::verb::head;
        busy_ = true;
        phase_ = Phase::kIdle;
        return SendResponse(std::move(*v.reply));
      }
      if (v.body_limit) body_limit_ = v.body_limit;
    }
    if (auto length = parser_->content_length(); length && *length > body_limit_)
      return OnReadError(bhttp::error::body_limit);
    parser_->body_limit(body_limit_);
    ArmDeadline(request_start_ + shared_->options.read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  // The request as the handler sees it (the body is moved in separately).
  HttpRequest MakeRequest(const bhttp::request<bhttp::string_body>& req) {
    HttpRequest r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    auto q = r.target.find('?');
    r.path = r.target.substr(0, q);
    if (q != std::string::npos) r.query = r.target.substr(q + 1);
    r.headers.reserve(8);
    for (const auto& f : req)
      r.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    r.version = req.version();
    if (!addresses_known_) {
      // Fixed for the connection's life: two syscalls once, not on every keep-alive request.
      addresses_known_ = true;
      beast::error_code ec;
      auto ep = stream_.socket().remote_endpoint(ec);
      if (!ec) remote_address_ = ep.address().to_string();
      auto local = stream_.socket().local_endpoint(ec);
      if (!ec) {
        std::string host = local.address().to_string();
        if (local.address().is_v6()) host = "[" + host + "]";
        local_address_ = host + ":" + std::to_string(local.port());
      }
    }
    r.remote_address = remote_address_;
    r.local_address = local_address_;
    return r;
  }

  void OnReadError(beast::error_code ec) {
    DisarmDeadline();
    if (timed_out_) {
      timed_out_ = false;
      // Nothing of a request arrived: an idle keep-alive connection ends silently.
      if (phase_ == Phase::kIdle) return Close();
      phase_ = Phase::kIdle;
      return SendError(408, "request not received in time");
    }
    phase_ = Phase::kIdle;
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == asio::error::operation_aborted)
      return Close();
    if (ec == bhttp::error::header_limit)
      return SendError(431, "request header fields exceed " +
                                std::to_string(shared_->options.max_header_bytes) + " bytes");
    if (ec == bhttp::error::body_limit)
      return SendError(413, "request body exceeds " + std::to_string(body_limit_) + " bytes");
    return SendError(400, "malformed HTTP request: " + ec.message());
  }

  void SendError(int status, std::string detail) {
    HttpResponse r;
    r.status = status;
    r.Set("Content-Type", "application/problem+json");
    r.body = ProblemBody(status, detail);
    keep_alive_ = false;
    busy_ = true;
    SendResponse(std::move(r));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec) return OnReadError(ec);
    DisarmDeadline();
    phase_ = Phase::kIdle;
    auto& req = parser_->get();
    keep_alive_ = req.keep_alive() && !shared_->stopping;
    HttpRequest r = MakeRequest(req);
    r.body = std::move(req.body());
    version_ = req.version();
    head_ = req.method() == bhttp::verb::head;
    busy_ = true;
    auto responder = MakeResponder();
    shared_->handler(std::move(r), std::move(responder));
  }

  std::shared_ptr<Responder> MakeResponder();

  void OnWrite(bool close, beast::error_code ec, std::size_t) {
    res_.reset();
    busy_ = false;
    if (ec || close || closing_) return Close();
    ReadRequest();
  }

  void CloseStreamLocked();
  void DoStreamWrites();
  void WatchStreamPeer();
  void FireClose() {
    if (current_) current_->Fire();
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    if (stream_open_) FireClose();
    DisarmDeadline();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
    slot_.Release();
    shared_->registry.Remove(shared_from_this());
  }

  // kIdle: waiting for a request's first byte (a timeout closes silently); kRequest: a request
  // has started (a timeout answers 408).
  enum class Phase { kIdle, kRequest };

  beast::tcp_stream stream_;
  asio::steady_timer deadline_;
  uint64_t deadline_gen_ = 0;
  bool timed_out_ = false;
  Phase phase_ = Phase::kIdle;
  std::chrono::steady_clock::time_point request_start_;
  beast::flat_buffer buffer_;
  std::shared_ptr<Shared> shared_;
  ConnectionSlot slot_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bool addresses_known_ = false;  // remote_address_/local_address_ read (see MakeRequest)
  std::string remote_address_, local_address_;
  uint64_t body_limit_ = 0;  // the effective body limit of the request being read
  std::shared_ptr<bhttp::response<bhttp::string_body>> res_;
  bool keep_alive_ = false;
  unsigned version_ = 11;
  bool head_ = false;
  bool busy_ = false;
  bool closing_ = false;
  bool closed_ = false;

  // Streaming state.
  bool stream_open_ = false;
  uint64_t stream_gen_ = 0;  // which stream a pending peer watch belongs to
  std::shared_ptr<StreamState> current_;
  bool stream_finishing_ = false;
  bool writing_ = false;
  std::deque<std::string> queue_;
  std::shared_ptr<bhttp::response<bhttp::empty_body>> stream_res_;
  std::shared_ptr<bhttp::response_serializer<bhttp::empty_body>> stream_sr_;
  std::array<char, 512> peer_buf_;
};

class StreamImpl final : public ResponseStream {
 public:
  StreamImpl(std::shared_ptr<Session> s, std::shared_ptr<StreamState> st)
      : s_(std::move(s)), st_(std::move(st)) {}
  bool Write(std::string data) override {
    if (st_->closed) return false;
    asio::post(s_->executor(), [s = s_, st = st_, d = std::move(data)]() mutable {
      s->StreamWrite(st, std::move(d));
    });
    return true;
  }
  void Close() override {
    asio::post(s_->executor(), [s = s_, st = st_] { s->StreamClose(st); });
  }
  bool closed() const override { return st_->closed; }
  void OnClose(std::function<void()> fn) override {
    bool already;
    {
      std::lock_guard<std::mutex> l(st_->mu);
      already = st_->closed;
      if (!already) st_->on_close = std::move(fn);
    }
    if (already && fn) fn();
  }

 private:
  std::shared_ptr<Session> s_;
  std::shared_ptr<StreamState> st_;
};

class ResponderImpl final : public Responder {
 public:
  explicit ResponderImpl(std::shared_ptr<Session> s) : s_(std::move(s)) {}
  ~ResponderImpl() override {
    if (!done_.exchange(true)) {
      // A handler dropped the request without answering: never leave the client hanging.
      HttpResponse r;
      r.status = 500;
      r.Set("Content-Type", "application/problem+json");
      r.body = ProblemBody(500, "the request was not answered");
      asio::post(s_->executor(), [s = s_, r = std::move(r)]() mutable { s->SendResponse(std::move(r)); });
    }
  }
  void Send(HttpResponse response) override {
    if (done_.exchange(true)) return;
    asio::post(s_->executor(), [s = s_, r = std::move(response)]() mutable { s->SendResponse(std::move(r)); });
  }
  std::shared_ptr<ResponseStream> Stream(int status, Headers headers) override {
    auto state = std::make_shared<StreamState>();
    auto stream = std::make_shared<StreamImpl>(s_, state);
    if (done_.exchange(true)) {
      state->closed = true;  // a second answer to one request is dropped
      return stream;
    }
    asio::post(s_->executor(), [s = s_, state, status, h = std::move(headers)]() mutable {
      s->StartStream(std::move(state), status, std::move(h));
    });
    return stream;
  }

 private:
  std::shared_ptr<Session> s_;
  std::atomic<bool> done_{false};
};

std::shared_ptr<Responder> Session::MakeResponder() {
  return std::make_shared<ResponderImpl>(shared_from_this());
}

void Session::SendResponse(HttpResponse r) {
  if (closed_) return;
  if (r.shared_body && !head_) return SendShared(std::move(r));
  if (r.shared_body) r.body = *r.shared_body;
  auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
  res->version(version_);
  res->result(static_cast<unsigned>(r.status));
  res->set(bhttp::field::server, shared_->options.server_header);
  for (auto& [k, v] : r.headers) res->set(k, v);
  bool close = !keep_alive_ || shared_->stopping || closing_;
  res->keep_alive(!close);
  res->body() = std::move(r.body);
  res->prepare_payload();
  if (head_) res->body().clear();  // Content-Length stays that of the GET body
  res_ = res;
  stream_.expires_after(shared_->options.read_timeout);
  if (head_) {
    auto sr = std::make_shared<bhttp::response_serializer<bhttp::string_body>>(*res);
    bhttp::async_write_header(stream_, *sr,
        [self = shared_from_this(), sr, res, close](beast::error_code ec, std::size_t n) {
          self->OnWrite(close, ec, n);
        });
    return;
  }
  bhttp::async_write(stream_, *res,
                     beast::bind_front_handler(&Session::OnWrite, shared_from_this(), close));
}

// Writes a shared body straight from the cache's buffer (span_body): no copy per request.
void Session::SendShared(HttpResponse r) {
  using SpanBody = bhttp::span_body<const char>;
  auto res = std::make_shared<bhttp::response<SpanBody>>();
  res->version(version_);
  res->result(static_cast<unsigned>(r.status));
  res->set(bhttp::field::server, shared_->options.server_header);
  for (auto& [k, v] : r.headers) res->set(k, v);
  bool close = !keep_alive_ || shared_->stopping || closing_;
  res->keep_alive(!close);
  res->body() = SpanBody::value_type(r.shared_body->data(), r.shared_body->size());
  res->prepare_payload();
  stream_.expires_after(shared_->options.read_timeout);
  bhttp::async_write(stream_, *res,
      [self = shared_from_this(), res, keep = std::move(r.shared_body), close](
          beast::error_code ec, std::size_t n) { self->OnWrite(close, ec, n); });
}

void Session::StartStream(std::shared_ptr<StreamState> state, int status, Headers headers) {
  current_ = std::move(state);
  if (closed_) return FireClose();
  stream_open_ = true;
  stream_finishing_ = false;
  queue_.clear();
  ++stream_gen_;
  stream_res_ = std::make_shared<bhttp::response<bhttp::empty_body>>();
  stream_res_->version(version_);
  stream_res_->result(static_cast<unsigned>(status));
  stream_res_->set(bhttp::field::server, shared_->options.server_header);
  for (auto& [k, v] : headers) stream_res_->set(k, v);
  stream_res_->chunked(true);
  stream_res_->keep_alive(keep_alive_ && !shared_->stopping);
  stream_sr_ = std::make_shared<bhttp::response_serializer<bhttp::empty_body>>(*stream_res_);
  writing_ = true;
  stream_.expires_never();
  bhttp::async_write_header(stream_, *stream_sr_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) {
        self->writing_ = false;
        if (ec) return self->Close();
        self->WatchStreamPeer();
        self->DoStreamWrites();
      });
}

// While a stream is open the client sends nothing; a completed read means it went away.
void Session::WatchStreamPeer() {
  stream_.socket().async_read_some(asio::buffer(peer_buf_),
      [self = shared_from_this(), gen = stream_gen_](beast::error_code ec, std::size_t n) {
        if (!self->stream_open_ || gen != self->stream_gen_) {
          // Stream already finished; keep any bytes for the next request.
          if (!ec && n) {
            auto b = self->buffer_.prepare(n);
            std::memcpy(b.data(), self->peer_buf_.data(), n);
            self->buffer_.commit(n);
          }
          return;
        }
        if (ec) {
          self->stream_finishing_ = true;
          return self->Close();
        }
        // A streamed response expects (almost) nothing from the client: what it sends waits
        // in buffer_ for the stream to end, so it is capped.
        if (self->buffer_.size() + n > self->shared_->options.max_sse_inbound_bytes) {
          self->stream_finishing_ = true;
          return self->Close();
        }
        auto b = self->buffer_.prepare(n);
        std::memcpy(b.data(), self->peer_buf_.data(), n);
        self->buffer_.commit(n);
        self->WatchStreamPeer();
      });
}

void Session::StreamWrite(const std::shared_ptr<StreamState>& state, std::string data) {
  if (state != current_ || !stream_open_ || stream_finishing_ || closed_) return;
  if (queue_.size() > 4096) {  // a client that stopped reading: drop it rather than grow
    return Close();
  }
  queue_.push_back(std::move(data));
  DoStreamWrites();
}

void Session::DoStreamWrites() {
  if (writing_ || closed_) return;
  if (queue_.empty()) {
    if (stream_finishing_) {
      writing_ = true;
      asio::async_write(stream_, bhttp::make_chunk_last(),
          [self = shared_from_this()](beast::error_code ec, std::size_t) {
            self->writing_ = false;
            self->stream_open_ = false;
            self->FireClose();
            self->busy_ = false;
            // Stop watching the peer: cancel the pending read, then continue keep-alive.
            beast::error_code ignored;
            self->stream_.socket().cancel(ignored);
            if (ec || !self->keep_alive_ || self->closing_ || self->shared_->stopping)
              return self->Close();
            asio::post(self->stream_.get_executor(), [self] { self->ReadRequest(); });
          });
    }
    return;
  }
  writing_ = true;
  auto data = std::make_shared<std::string>(std::move(queue_.front()));
  queue_.pop_front();
  asio::async_write(stream_, bhttp::make_chunk(asio::buffer(*data)),
      [self = shared_from_this(), data](beast::error_code ec, std::size_t) {
        self->writing_ = false;
        if (ec) return self->Close();
        self->DoStreamWrites();
      });
}

void Session::CloseStreamLocked() {
  if (!stream_open_ || stream_finishing_) return;
  stream_finishing_ = true;
  DoStreamWrites();
}

}  // namespace

struct HttpServer::Impl {
  explicit Impl(ServerOptions o, Handler h)
      : ioc(o.threads > 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency())),
        accept_strand(asio::make_strand(ioc)),
        acceptor(accept_strand),
        accept_timer(accept_strand),
        shared(std::make_shared<Shared>()) {
    shared->options = std::move(o);
    shared->handler = std::move(h);
  }

  void Accept() {
    acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket s) {
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
        // A connection that died in the backlog is its own problem: go on at once.
        if (ec == asio::error::connection_aborted) return Accept();
        // Descriptor exhaustion (EMFILE/ENFILE), ENOBUFS, ENOMEM...: the pending connection
        // stays in the backlog and the listening socket stays readable, so retrying at once
        // would spin a core. Back off 50 ms, doubling up to 1 s, until an accept succeeds.
        accept_backoff = accept_backoff.count() == 0
                             ? std::chrono::milliseconds(50)
                             : std::min(accept_backoff * 2, std::chrono::milliseconds(1000));
        if (accept_backoff == std::chrono::milliseconds(50))
          log::Warn("http: accept failed (" + ec.message() + "); backing off");
        accept_timer.expires_after(accept_backoff);
        accept_timer.async_wait([this](beast::error_code wec) {
          if (!wec && acceptor.is_open()) Accept();
        });
        return;
      }
      accept_backoff = std::chrono::milliseconds(0);
      Admit(std::move(s));
      Accept();
    });
  }

  // Counts the connection against max_connections and max_connections_per_client; over a cap
  // it is answered with a fixed problem+json (503 in all, 429 per client; Retry-After: 1;
  // Connection: close) written without blocking, and closed at once.
  void Admit(tcp::socket s) {
    const auto& o = shared->options;
    beast::error_code ec;
    auto ep = s.remote_endpoint(ec);
    std::string key = ec ? std::string() : ClientKey(ep.address());
    auto admit = shared->connections.Acquire(key, o.max_connections, o.max_connections_per_client);
    if (admit != ConnectionTable::Admit::kOk) return Refuse(std::move(s), admit);
    s.set_option(tcp::no_delay(true), ec);
    std::make_shared<Session>(std::move(s), shared, std::move(key))->Start();
  }

  static void Refuse(tcp::socket s, ConnectionTable::Admit why) {
    static const std::string kTotal = RefusalResponse(503, "too many open connections");
    static const std::string kClient =
        RefusalResponse(429, "too many open connections from this address");
    const std::string& reply = why == ConnectionTable::Admit::kTotalFull ? kTotal : kClient;
    beast::error_code ec;
    s.non_blocking(true, ec);
    // A fresh socket's send buffer is empty: one non-blocking write takes the whole reply.
    s.write_some(asio::buffer(reply), ec);
    // Read what the client already sent so that close() sends FIN, not RST (an RST could
    // discard the reply before the client reads it).
    char sink[4096];
    s.read_some(asio::buffer(sink), ec);
    s.shutdown(tcp::socket::shutdown_both, ec);
    s.close(ec);
  }

  static std::string RefusalResponse(int status, std::string_view detail) {
    std::string body = ProblemBody(status, detail);
    return "HTTP/1.1 " + std::to_string(status) + " " + std::string(HttpReason(status)) +
           "\r\nContent-Type: application/problem+json\r\nRetry-After: 1\r\n"
           "Connection: close\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }

  asio::io_context ioc;
  // The acceptor, its back-off timer and Stop()'s close run on one strand.
  asio::strand<asio::io_context::executor_type> accept_strand;
  tcp::acceptor acceptor;
  asio::steady_timer accept_timer;
  std::chrono::milliseconds accept_backoff{0};
  std::shared_ptr<Shared> shared;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  uint16_t port = 0;
  std::mutex stop_mu;
  std::condition_variable stop_cv;
  bool stopped = false;
};

HttpServer::HttpServer(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() { Stop(std::chrono::milliseconds(0)); }

Status HttpServer::Start() {
  const auto& o = impl_->shared->options;
  beast::error_code ec;
  auto addr = asio::ip::make_address(o.host, ec);
  if (ec) return Status::InvalidArgument("invalid listen host \"" + o.host + "\"");
  tcp::endpoint ep(addr, o.port);
  auto& a = impl_->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return Status::Unavailable("cannot listen on " + o.host + ":" + std::to_string(o.port) + ": " +
                               ec.message());
  impl_->port = a.local_endpoint().port();
  impl_->work.emplace(impl_->ioc.get_executor());
  impl_->Accept();
  int n = o.threads > 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  for (int i = 0; i < n; ++i) impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  return Status::OK();
}

uint16_t HttpServer::port() const { return impl_->port; }

void HttpServer::Post(std::function<void()> fn) { asio::post(impl_->ioc, std::move(fn)); }

void HttpServer::Stop(std::chrono::milliseconds grace) {
  {
    std::lock_guard<std::mutex> l(impl_->stop_mu);
    if (impl_->stopped) return;
    impl_->stopped = true;
  }
  impl_->shared->stopping = true;
  asio::post(impl_->accept_strand, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
    impl_->accept_timer.cancel();
  });
  for (auto& s : impl_->shared->registry.Snapshot()) s->Shutdown();
  if (!impl_->threads.empty()) impl_->shared->registry.WaitEmpty(grace);
  impl_->work.reset();
  impl_->ioc.stop();
  for (auto& t : impl_->threads)
    if (t.joinable()) t.join();
  impl_->threads.clear();
  for (auto& s : impl_->shared->registry.Snapshot()) s->CloseAfterStop();
  {
    std::lock_guard<std::mutex> l(impl_->stop_mu);
    impl_->stop_cv.notify_all();
  }
}

void HttpServer::Wait() {
  std::unique_lock<std::mutex> l(impl_->stop_mu);
  impl_->stop_cv.wait(l, [this] { return impl_->stopped && impl_->threads.empty(); });
}

}  // namespace mcpreg::http
