// HttpServer: HTTP/1.1 over TCP (Boost.Beast, async, a fixed pool of I/O threads).
//
// It parses bytes into an HttpRequest under limits (header size, body size, header and read
// time, idle keep-alive time, connections in all and per client; see ServerOptions), hands it
// to one Handler, and writes the HttpResponse back. It knows nothing
// about routes. Keep-alive and pipelined requests are answered in order. Long-lived responses
// (Server-Sent Events) are supported through Responder::Stream(), which costs no thread while
// idle: 10,000 idle streams are just 10,000 sockets.
//
// Beast stays inside http_server.cc so that only one translation unit pays for it.
//
// Thread-safety: Start/Stop from one controlling thread. Handlers run on I/O threads and must
// not block for long; Responder methods may be called from any thread, exactly once for
// Send()/Stream() per request.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mcpreg/status.h"

namespace mcpreg::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;  // "GET", ...
  std::string target;  // raw request-target, undecoded ("/v0.1/servers?limit=1")
  std::string path;    // target up to '?', undecoded
  std::string query;   // after '?', undecoded, without '?'
  Headers headers;     // as received (names keep their case)
  std::string body;
  std::string remote_address;
  // The address this connection was accepted on, "host:port" ("[v6]:port"): the server's own
  // socket, for absolute URLs when no public_url is configured (never the Host header).
  std::string local_address;
  unsigned version = 11;  // 10 or 11

  // Case-insensitive lookup of the first header with this name.
  std::optional<std::string_view> Header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  Headers headers;  // Content-Length and Connection are set by the server
  std::string body;
  // Alternative to `body` for large immutable bodies shared between responses (e.g. a cached
  // page): written without copying. Used when set; `body` is then ignored.
  std::shared_ptr<const std::string> shared_body;

  HttpResponse& Set(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

// A response body delivered incrementally (chunked), e.g. an SSE stream.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // Queues bytes for the client. Returns false once the stream is closed (client gone or
  // Close() called); the bytes are then dropped. Never blocks.
  virtual bool Write(std::string data) = 0;
  // Ends the response (final chunk). The connection may then serve further requests.
  virtual void Close() = 0;
  virtual bool closed() const = 0;
  // Called once, on any thread, when the stream ends for any reason (client disconnect or
  // Close()). Set it right after Stream() returns.
  virtual void OnClose(std::function<void()> fn) = 0;
};

class Responder {
 public:
  virtual ~Responder() = default;
  virtual void Send(HttpResponse response) = 0;
  // Starts a streamed response with the given status and headers (Content-Type etc.).
  virtual std::shared_ptr<ResponseStream> Stream(int status, Headers headers) = 0;
};

using Handler = std::function<void(HttpRequest&&, std::shared_ptr<Responder>)>;

// What the server does with a request whose header has just been read (ServerOptions::on_header).
struct HeaderVerdict {
  size_t body_limit = 0;  // 0 = ServerOptions::max_body_bytes
  // When set, this answers the request at once: the body is never read and the connection
  // closes after the response (the client may still be sending it).
  std::optional<HttpResponse> reply;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 = pick a free port
  int threads = 0;       // 0 = hardware concurrency
  size_t max_header_bytes = 16 * 1024;      // larger: 431 problem+json, connection closed
  size_t max_body_bytes = 4 * 1024 * 1024;  // larger: 413 problem+json, connection closed
  // Time limits on reading a request. A connection may wait idle_timeout for the first byte of
  // its next request (a new connection too); then it is closed silently. Once any byte of a
  // request has arrived, its request line + header must be in within header_timeout and the
  // whole request (body included) within read_timeout, both counted from that first byte;
  // otherwise the client gets 408 problem+json and the connection closes.
  std::chrono::seconds header_timeout{10};
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds idle_timeout{75};
  // Open connections in all, and per client address (an IPv4 address, or an IPv6 /64). A
  // connection over either cap is not served: right after accept it gets a fixed
  // `503` (total) or `429` (per client) problem+json with `Retry-After: 1` and
  // `Connection: close`, written without blocking, and is closed. A connection counts from
  // accept until it closes. When accept itself fails for lack of descriptors (EMFILE/ENFILE)
  // the listener backs off 50 ms, doubling up to 1 s, and resumes; it never spins.
  size_t max_connections = 4096;
  size_t max_connections_per_client = 256;
  // Bytes a client may send while a streamed response (SSE) is open on its connection; they
  // are kept for the next request. Beyond this the connection is closed (the stream ends).
  size_t max_sse_inbound_bytes = 64 * 1024;
  // Runs on the I/O thread once a request's header is in, before any body byte is read:
  // authentication and the matched route's body limit belong here, never to the raw target.
  // `head` is the request without its body. Unset = every request gets max_body_bytes.
  std::function<HeaderVerdict(const HttpRequest& head)> on_header;
  std::string server_header = "mcpreg";
};

class HttpServer {
 public:
  HttpServer(ServerOptions options, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts the I/O threads. Errors: Unavailable when the address cannot be bound.
  Status Start();
  // The bound port (after Start()); useful with port 0.
  uint16_t port() const;
  // Graceful stop: stops accepting, lets in-flight requests finish for up to `grace`, closes
  // streams, joins threads. Idempotent.
  void Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));
  // Blocks until Stop() has completed.
  void Wait();

  // Runs `fn` on the server's I/O threads (for timers and background work).
  void Post(std::function<void()> fn);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mcpreg::http
