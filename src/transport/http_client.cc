#include "transport/http_client.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace mcpreg::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using SteadyTime = std::chrono::steady_clock::time_point;

namespace {

constexpr size_t kMaxAddresses = 16;

std::atomic<int> pending_lookups{0};

struct Lookup {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  int rc = 0;
  std::vector<asio::ip::address> addresses;
};

// Runs getaddrinfo on a detached helper thread and waits for it until `deadline`. Past the
// deadline the thread is abandoned: it finishes on its own and drops its share of `Lookup`.
Result<std::vector<asio::ip::address>> Resolve(const std::string& host, SteadyTime deadline,
                                               long budget_ms) {
  boost::system::error_code ec;
  asio::ip::address literal = asio::ip::make_address(host, ec);
  if (!ec) return std::vector<asio::ip::address>{literal};
  if (pending_lookups.fetch_add(1) >= kMaxPendingLookups) {
    --pending_lookups;
    return Status::Unavailable("cannot resolve " + host + ": too many name lookups in progress");
  }
  auto lookup = std::make_shared<Lookup>();
  try {
    std::thread([lookup, host] {
      addrinfo hints{};
      hints.ai_family = AF_UNSPEC;
      hints.ai_socktype = SOCK_STREAM;
      addrinfo* res = nullptr;
      int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &res);
      std::vector<asio::ip::address> out;
      for (addrinfo* p = rc == 0 ? res : nullptr; p && out.size() < kMaxAddresses; p = p->ai_next) {
        if (p->ai_family == AF_INET) {
          const auto* s = reinterpret_cast<const sockaddr_in*>(p->ai_addr);
          out.push_back(asio::ip::address_v4(ntohl(s->sin_addr.s_addr)));
        } else if (p->ai_family == AF_INET6) {
          const auto* s = reinterpret_cast<const sockaddr_in6*>(p->ai_addr);
          asio::ip::address_v6::bytes_type b;
          std::memcpy(b.data(), s->sin6_addr.s6_addr, 16);
          out.push_back(asio::ip::address_v6(b, s->sin6_scope_id));
        }
        if (out.size() > 1 && std::find(out.begin(), out.end() - 1, out.back()) != out.end() - 1)
          out.pop_back();  // getaddrinfo repeats addresses per protocol
      }
      if (res) ::freeaddrinfo(res);
      {
        std::lock_guard lock(lookup->mu);
        lookup->rc = rc;
        lookup->addresses = std::move(out);
        lookup->done = true;
      }
      lookup->cv.notify_all();
      --pending_lookups;
    }).detach();
  } catch (const std::system_error&) {
    --pending_lookups;
    return Status::Unavailable("cannot resolve " + host + ": no thread for the lookup");
  }
  std::unique_lock lock(lookup->mu);
  if (!lookup->cv.wait_until(lock, deadline, [&] { return lookup->done; })) {
    return Status::Unavailable("resolving " + host + " timed out after " +
                               std::to_string(budget_ms) + " ms");
  }
  if (lookup->rc != 0) {
    return Status::Unavailable("cannot resolve " + host + ": " + ::gai_strerror(lookup->rc));
  }
  if (lookup->addresses.empty()) return Status::Unavailable("no addresses for " + host);
  return std::move(lookup->addresses);
}

// Runs `ioc` until `done` or `deadline`. On the deadline, `close()` cancels the pending
// operation and the loop runs once more to deliver the cancellation. False on timeout.
template <typename Close>
bool RunUntil(asio::io_context& ioc, SteadyTime deadline, const bool& done, Close&& close) {
  ioc.restart();
  ioc.run_until(deadline);
  if (done) return true;
  close();
  ioc.restart();
  ioc.run();
  return false;
}

struct Call {
  const ClientRequest& req;
  std::string host_header;
  std::string target;
  SteadyTime deadline;

  Status TimedOut(const char* stage) const {
    return Status::Unavailable(std::string(stage) + " " + req.url + " timed out (deadline " +
                               std::to_string(req.timeout.count()) + " ms)");
  }

  template <typename Stream, typename Close>
  Result<ClientResponse> Exchange(asio::io_context& ioc, Stream& stream, Close&& close) const {
    bhttp::request<bhttp::string_body> r{bhttp::string_to_verb(req.method), target, 11};
    r.set(bhttp::field::host, host_header);
    r.set(bhttp::field::user_agent, "mcpreg/" MCPREG_VERSION);
    r.set(bhttp::field::accept, "application/json");
    for (const auto& [k, v] : req.headers) r.set(k, v);
    r.body() = req.body;
    r.prepare_payload();
    bool done = false;
    beast::error_code ec;
    bhttp::async_write(stream, r, [&](beast::error_code e, size_t) {
      ec = e;
      done = true;
    });
    if (!RunUntil(ioc, deadline, done, close)) return TimedOut("sending request to");
    if (ec) return Status::Unavailable("sending request to " + req.url + ": " + ec.message());
    beast::flat_buffer buf;
    bhttp::response_parser<bhttp::string_body> p;
    p.body_limit(req.max_body_bytes);
    done = false;
    bhttp::async_read(stream, buf, p, [&](beast::error_code e, size_t) {
      ec = e;
      done = true;
    });
    if (!RunUntil(ioc, deadline, done, close)) return TimedOut("reading response from");
    if (ec) return Status::Unavailable("reading response from " + req.url + ": " + ec.message());
    ClientResponse out;
    out.status = static_cast<int>(p.get().result_int());
    for (const auto& f : p.get())
      out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    out.body = std::move(p.get().body());
    return out;
  }
};

Status Connect(asio::io_context& ioc, tcp::socket& socket, const std::vector<tcp::endpoint>& to,
               SteadyTime deadline, const ClientRequest& req) {
  bool done = false;
  beast::error_code ec;
  asio::async_connect(socket, to, [&](beast::error_code e, const tcp::endpoint&) {
    ec = e;
    done = true;
  });
  if (!RunUntil(ioc, deadline, done, [&] { socket.close(); })) {
    return Status::Unavailable("connecting to " + req.url + " timed out (deadline " +
                               std::to_string(std::min(req.connect_timeout, req.timeout).count()) +
                               " ms)");
  }
  if (ec) return Status::Unavailable("cannot connect to " + req.url + ": " + ec.message());
  return Status::OK();
}

}  // namespace

Result<ClientResponse> Fetch(const ClientRequest& req) {
  const SteadyTime start = std::chrono::steady_clock::now();
  const SteadyTime deadline = start + req.timeout;
  const SteadyTime connect_deadline = start + std::min(req.connect_timeout, req.timeout);
  auto u = boost::urls::parse_absolute_uri(req.url);
  if (!u) return Status::InvalidArgument("invalid URL \"" + req.url.substr(0, 200) + "\"");
  std::string scheme = u->scheme();
  if (scheme != "http" && scheme != "https")
    return Status::InvalidArgument("unsupported URL scheme \"" + scheme + "\" (use http or https)");
  const bool tls = scheme == "https";
  std::string host = u->host_address();
  if (host.empty())
    return Status::InvalidArgument("URL \"" + req.url.substr(0, 200) + "\" has no host");
  unsigned short port = tls ? 443 : 80;
  if (u->has_port()) {
    if (u->port().empty() || u->port().size() > 5 || u->port_number() == 0)
      return Status::InvalidArgument("invalid port in URL \"" + req.url.substr(0, 200) + "\"");
    port = u->port_number();
  }
  Call call{req, std::string(u->encoded_host_and_port()), std::string(u->encoded_path()), deadline};
  if (call.target.empty()) call.target = "/";
  if (u->has_query()) call.target += "?" + std::string(u->encoded_query());
  try {
    auto addresses =
        Resolve(host, connect_deadline, long(std::min(req.connect_timeout, req.timeout).count()));
    if (!addresses.ok()) return addresses.status();
    std::vector<tcp::endpoint> endpoints;
    Status refused;
    for (const asio::ip::address& a : *addresses) {
      Status s = req.guard ? req.guard->Check(a) : Status::OK();
      if (s.ok()) {
        endpoints.emplace_back(a, port);
      } else if (refused.ok()) {
        refused = s;
      }
    }
    if (endpoints.empty()) {
      return Status::PermissionDenied(req.url.substr(0, 200) + ": " + refused.message());
    }
    asio::io_context ioc;
    if (!tls) {
      tcp::socket socket(ioc);
      MCPREG_RETURN_IF_ERROR(Connect(ioc, socket, endpoints, connect_deadline, req));
      return call.Exchange(ioc, socket, [&] { socket.close(); });
    }
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.set_default_verify_paths();
    ctx.set_verify_mode(asio::ssl::verify_peer);
    asio::ssl::stream<tcp::socket> stream(ioc, ctx);
    boost::system::error_code not_ip;
    asio::ip::make_address(host, not_ip);
    if (not_ip) SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());  // no SNI for IPs
    stream.set_verify_callback(asio::ssl::host_name_verification(host));
    auto close = [&] { stream.next_layer().close(); };
    MCPREG_RETURN_IF_ERROR(Connect(ioc, stream.next_layer(), endpoints, connect_deadline, req));
    bool done = false;
    beast::error_code ec;
    stream.async_handshake(asio::ssl::stream_base::client, [&](beast::error_code e) {
      ec = e;
      done = true;
    });
    if (!RunUntil(ioc, deadline, done, close)) return call.TimedOut("TLS handshake with");
    if (ec) return Status::Unavailable("TLS handshake with " + host + " failed: " + ec.message());
    return call.Exchange(ioc, stream, close);
  } catch (const std::exception& e) {
    return Status::Unavailable(std::string("HTTP request failed: ") + e.what());
  }
}

}  // namespace mcpreg::http
