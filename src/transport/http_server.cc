// Boost.Beast implementation of HttpServer. One Session per connection runs on its own strand:
// read one request (under header/body/time limits) → hand it to the Handler → write the
// response → read the next (keep-alive). Requests a client pipelines wait in the read buffer, so
// at most one request per connection is in flight and memory stays bounded.
#include "transport/http_server.h"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <strings.h>
#include <thread>

#include "core/json_out.h"

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
  std::atomic<bool> stopping{false};
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
  Session(tcp::socket socket, std::shared_ptr<Shared> shared)
      : stream_(std::move(socket)), shared_(std::move(shared)) {}

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
    stream_.expires_after(buffer_.size() > 0 ? shared_->options.read_timeout
                                             : shared_->options.idle_timeout);
    // The first byte may wait for the idle timeout; once it arrives the whole request must come
    // within read_timeout (re-armed in OnHeader via async_read_header).
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, std::size_t) {
    if (ec) return OnReadError(ec);
    if (shared_->options.on_header) {
      HttpRequest head = MakeRequest(parser_->get());
      HeaderVerdict v = shared_->options.on_header(head);
      if (v.reply) {
        // Answered on the header: the body is never read, so the connection cannot be reused.
        keep_alive_ = false;
        version_ = parser_->get().version();
        head_ = parser_->get().method() == bhttp::verb::head;
        busy_ = true;
        stream_.expires_never();
        return SendResponse(std::move(*v.reply));
      }
      if (v.body_limit) body_limit_ = v.body_limit;
    }
    if (auto length = parser_->content_length(); length && *length > body_limit_)
      return OnReadError(bhttp::error::body_limit);
    parser_->body_limit(body_limit_);
    stream_.expires_after(shared_->options.read_timeout);
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
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) r.remote_address = ep.address().to_string();
    auto local = stream_.socket().local_endpoint(ec);
    if (!ec) {
      std::string host = local.address().to_string();
      if (local.address().is_v6()) host = "[" + host + "]";
      r.local_address = host + ":" + std::to_string(local.port());
    }
    return r;
  }

  void OnReadError(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == asio::error::operation_aborted)
      return Close();
    if (ec == beast::error::timeout) {
      if (buffer_.size() == 0 && !parser_->got_some()) return Close();  // idle keep-alive
      return SendError(408, "request not received in time");
    }
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
    auto& req = parser_->get();
    keep_alive_ = req.keep_alive() && !shared_->stopping;
    HttpRequest r = MakeRequest(req);
    r.body = std::move(req.body());
    version_ = req.version();
    head_ = req.method() == bhttp::verb::head;
    stream_.expires_never();
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
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
    shared_->registry.Remove(shared_from_this());
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::shared_ptr<Shared> shared_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
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
        acceptor(ioc),
        shared(std::make_shared<Shared>()) {
    shared->options = std::move(o);
    shared->handler = std::move(h);
  }

  void Accept() {
    acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket s) {
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      } else {
        s.set_option(tcp::no_delay(true));
        std::make_shared<Session>(std::move(s), shared)->Start();
      }
      Accept();
    });
  }

  asio::io_context ioc;
  tcp::acceptor acceptor;
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
  asio::post(impl_->ioc, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
  });
  for (auto& s : impl_->shared->registry.Snapshot()) s->Shutdown();
  if (!impl_->threads.empty()) impl_->shared->registry.WaitEmpty(grace);
  impl_->work.reset();
  impl_->ioc.stop();
  for (auto& t : impl_->threads)
    if (t.joinable()) t.join();
  impl_->threads.clear();
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
