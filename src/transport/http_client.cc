#include "transport/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>

namespace mcpreg::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

template <typename Stream>
Result<ClientResponse> Exchange(Stream& stream, const ClientRequest& req, const std::string& host,
                                const std::string& target) {
  bhttp::request<bhttp::string_body> r{bhttp::string_to_verb(req.method), target, 11};
  r.set(bhttp::field::host, host);
  r.set(bhttp::field::user_agent, "mcpreg/" MCPREG_VERSION);
  r.set(bhttp::field::accept, "application/json");
  for (const auto& [k, v] : req.headers) r.set(k, v);
  r.body() = req.body;
  r.prepare_payload();
  beast::error_code ec;
  bhttp::write(stream, r, ec);
  if (ec) return Status::Unavailable("sending request to " + req.url + ": " + ec.message());
  beast::flat_buffer buf;
  bhttp::response_parser<bhttp::string_body> p;
  p.body_limit(req.max_body_bytes);
  bhttp::read(stream, buf, p, ec);
  if (ec) return Status::Unavailable("reading response from " + req.url + ": " + ec.message());
  ClientResponse out;
  out.status = static_cast<int>(p.get().result_int());
  for (const auto& f : p.get()) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  out.body = std::move(p.get().body());
  return out;
}

}  // namespace

Result<ClientResponse> Fetch(const ClientRequest& req) {
  auto u = boost::urls::parse_absolute_uri(req.url);
  if (!u) return Status::InvalidArgument("invalid URL \"" + req.url + "\"");
  std::string scheme = u->scheme();
  if (scheme != "http" && scheme != "https")
    return Status::InvalidArgument("unsupported URL scheme \"" + scheme + "\" (use http or https)");
  bool tls = scheme == "https";
  std::string host = u->host();
  std::string port = u->has_port() ? std::string(u->port()) : (tls ? "443" : "80");
  std::string target = u->encoded_path().empty() ? "/" : std::string(u->encoded_path());
  if (u->has_query()) target += "?" + std::string(u->encoded_query());
  std::string host_header = u->has_port() ? host + ":" + port : host;
  try {
    asio::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::error_code ec;
    auto results = resolver.resolve(host, port, ec);
    if (ec) return Status::Unavailable("cannot resolve " + host + ": " + ec.message());
    if (!tls) {
      beast::tcp_stream stream(ioc);
      stream.expires_after(req.timeout);
      stream.connect(results, ec);
      if (ec) return Status::Unavailable("cannot connect to " + host + ":" + port + ": " + ec.message());
      // Synchronous calls on tcp_stream ignore expires_after; set socket-level timeouts instead.
      timeval tv{static_cast<time_t>(req.timeout.count()), 0};
      setsockopt(stream.socket().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      setsockopt(stream.socket().native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      return Exchange(stream, req, host_header, target);
    }
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.set_default_verify_paths();
    ctx.set_verify_mode(asio::ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
    SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());
    stream.set_verify_callback(asio::ssl::host_name_verification(host));
    beast::get_lowest_layer(stream).connect(results, ec);
    if (ec) return Status::Unavailable("cannot connect to " + host + ":" + port + ": " + ec.message());
    timeval tv{static_cast<time_t>(req.timeout.count()), 0};
    auto fd = beast::get_lowest_layer(stream).socket().native_handle();
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    stream.handshake(asio::ssl::stream_base::client, ec);
    if (ec) return Status::Unavailable("TLS handshake with " + host + " failed: " + ec.message());
    return Exchange(stream, req, host_header, target);
  } catch (const std::exception& e) {
    return Status::Unavailable(std::string("HTTP request failed: ") + e.what());
  }
}

}  // namespace mcpreg::http
