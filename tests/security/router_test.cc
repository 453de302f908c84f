// Issue 9, the router's share: authentication and the body limit are decided on the header from
// the matched route (item 9), redirects stay on this origin with an escaped body and absolute
// URLs never reflect Host / X-Forwarded-Proto (item 14), and an issuer whose keys stall does not
// freeze the server (item 7). Every test talks to the real binary over a raw socket.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include "auth/jwks.h"
#include "auth/jwt.h"
#include "auth/keys.h"
#include "integration/server_process.h"

namespace mcpreg {
namespace {

using Clock = std::chrono::steady_clock;

int Connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(uint16_t(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Sends `head` and reads until the peer closes or a full response (by Content-Length) arrived,
// for at most `wait`. Returns what was read ("" on timeout with nothing).
std::string Exchange(int port, const std::string& head, std::chrono::milliseconds wait) {
  int fd = Connect(port);
  if (fd < 0) return "";
  ::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
  std::string out;
  auto deadline = Clock::now() + wait;
  while (Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    int left = int(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
    if (::poll(&p, 1, std::max(left, 1)) <= 0) break;
    char buf[8192];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, size_t(n));
    auto end = out.find("\r\n\r\n");
    auto cl = out.find("Content-Length: ");
    if (end != std::string::npos && cl != std::string::npos && cl < end) {
      size_t len = std::stoul(out.substr(cl + 16));
      if (out.size() >= end + 4 + len) break;
    }
  }
  ::close(fd);
  return out;
}

int StatusOf(const std::string& response) {
  if (response.rfind("HTTP/1.1 ", 0) != 0) return 0;
  return std::stoi(response.substr(9, 3));
}

std::string HeaderOf(const std::string& response, const std::string& name) {
  auto at = response.find("\r\n" + name + ": ");
  if (at == std::string::npos) return "";
  at += name.size() + 4;
  return response.substr(at, response.find("\r\n", at) - at);
}

class RouterSecurity : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir();
    server_ = std::make_unique<testing::ServerProcess>(dir_ + "/r.db");
    ASSERT_TRUE(server_->started()) << server_->log();
  }
  std::string dir_;
  std::unique_ptr<testing::ServerProcess> server_;
};

// Item 9: a 60 MB feed upload without a valid token is refused on its header; the server never
// waits for (or buffers) the body.
TEST_F(RouterSecurity, UnauthenticatedUploadIsRefusedBeforeTheBodyIsRead) {
  std::string head =
      "PUT /v0.1/x/dev.mcpreg/feed/com.example%2Fx/1.0.0/x.mcpb HTTP/1.1\r\nHost: a\r\n"
      "Authorization: Bearer not-a-token\r\nContent-Length: 60000000\r\n\r\n";
  auto t0 = Clock::now();
  std::string r = Exchange(server_->port(), head, std::chrono::milliseconds(3000));
  EXPECT_EQ(StatusOf(r), 401) << r;
  EXPECT_LT(Clock::now() - t0, std::chrono::milliseconds(2000));
  // Without any token: upstream's 422, also before the body.
  head = "PUT /v0.1/x/dev.mcpreg/feed/com.example%2Fx/1.0.0/x.mcpb HTTP/1.1\r\nHost: a\r\n"
         "Content-Length: 60000000\r\n\r\n";
  EXPECT_EQ(StatusOf(Exchange(server_->port(), head, std::chrono::milliseconds(3000))), 422);
}

// Item 9: the body limit comes from the matched route. A query string (or any other part of the
// raw target) naming the feed or evidence routes does not raise it.
TEST_F(RouterSecurity, BodyLimitComesFromTheRouteNotTheRawTarget) {
  for (std::string target : {"/v0.1/validate?x=/x/dev.mcpreg/servers/a/evidence",
                             "/v0.1/validate?/x/dev.mcpreg/feed/"}) {
    std::string head = "POST " + target + " HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                       "Content-Length: 20000000\r\n\r\n";
    std::string r = Exchange(server_->port(), head, std::chrono::milliseconds(3000));
    EXPECT_EQ(StatusOf(r), 413) << target << "\n" << r;
  }
  // An unknown route is a 404 on its header, whatever body it announces.
  std::string r = Exchange(server_->port(),
                           "POST /v0.1/nowhere HTTP/1.1\r\nHost: a\r\nContent-Length: 90000000\r\n\r\n",
                           std::chrono::milliseconds(3000));
  EXPECT_EQ(StatusOf(r), 404) << r;
}

// A bodiless request answered on its header (404, redirect) keeps its connection: only an
// unread body makes a connection unusable.
TEST_F(RouterSecurity, BodilessRequestAnsweredOnTheHeaderKeepsTheConnection) {
  int fd = Connect(server_->port());
  ASSERT_GE(fd, 0);
  std::string reqs = "GET /v0.1/nowhere HTTP/1.1\r\nHost: a\r\n\r\n"
                     "GET /v0.1/health HTTP/1.1\r\nHost: a\r\n\r\n";
  ::send(fd, reqs.data(), reqs.size(), MSG_NOSIGNAL);
  std::string out;
  auto deadline = Clock::now() + std::chrono::seconds(3);
  while (out.find("{\"status\":\"ok\"}") == std::string::npos && Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    char buf[4096];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, size_t(n));
  }
  ::close(fd);
  EXPECT_EQ(StatusOf(out), 404) << out;
  EXPECT_NE(out.find("{\"status\":\"ok\"}"), std::string::npos) << out;
}

// Item 14: a trailing-slash redirect never leaves this origin and its HTML body is escaped.
TEST_F(RouterSecurity, TrailingSlashRedirectStaysOnThisOrigin) {
  for (std::string path : {"//evil.example/", "///evil.example/x/", "/\\evil.example/",
                           "//evil.example//"}) {
    std::string r = Exchange(server_->port(), "GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n",
                             std::chrono::milliseconds(3000));
    ASSERT_EQ(StatusOf(r), 308) << path << "\n" << r;
    std::string loc = HeaderOf(r, "Location");
    ASSERT_FALSE(loc.empty()) << r;
    EXPECT_EQ(loc[0], '/') << loc;
    EXPECT_NE(loc.substr(0, 2), "//") << loc;
    EXPECT_EQ(loc.find('\\'), std::string::npos) << loc;
  }
  // A bare API prefix is a 404 (the old router read past its path segments: fuzz finding).
  for (std::string path : {"/v0.1", "/v0", "/v0.1/"}) {
    std::string r = Exchange(server_->port(), "GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n",
                             std::chrono::milliseconds(3000));
    EXPECT_EQ(StatusOf(r), path.back() == '/' ? 308 : 404) << path << "\n" << r;
  }
  std::string r = Exchange(server_->port(),
                           "GET /v0.1/servers/\"><script>alert(1)</script>/ HTTP/1.1\r\nHost: a\r\n\r\n",
                           std::chrono::milliseconds(3000));
  ASSERT_EQ(StatusOf(r), 308) << r;
  EXPECT_EQ(r.find("<script>"), std::string::npos) << r;
  EXPECT_EQ(r.find("\"><"), std::string::npos) << r;
}

// Item 14: absolute URLs come from public_url (or the server's own address), never from Host or
// X-Forwarded-Proto.
TEST_F(RouterSecurity, AbsoluteUrlsNeverReflectHostOrForwardedProto) {
  std::string r = Exchange(server_->port(),
                           "GET /v0.1/x/dev.mcpreg/export/readme HTTP/1.1\r\n"
                           "Host: evil.example\r\nX-Forwarded-Proto: javascript\r\n\r\n",
                           std::chrono::milliseconds(5000));
  ASSERT_EQ(StatusOf(r), 200) << r.substr(0, 400);
  EXPECT_NE(r.find("127.0.0.1:" + std::to_string(server_->port())), std::string::npos)
      << "the readme names this registry by its own address";
  EXPECT_EQ(r.find("evil.example"), std::string::npos);
  EXPECT_EQ(r.find("javascript:"), std::string::npos);
}

// A configured public_url is what exports name.
TEST(RouterPublicUrl, ConfiguredPublicUrlIsUsed) {
  std::string dir = testing::TempDir();
  std::ofstream(dir + "/c.yaml") << "public_url: https://registry.contoso.example/\n";
  testing::ServerProcess s(dir + "/r.db", {"--config", dir + "/c.yaml"});
  ASSERT_TRUE(s.started()) << s.log();
  std::string r = Exchange(s.port(),
                           "GET /v0.1/x/dev.mcpreg/export/readme HTTP/1.1\r\nHost: evil.example\r\n\r\n",
                           std::chrono::milliseconds(5000));
  ASSERT_EQ(StatusOf(r), 200);
  EXPECT_NE(r.find("https://registry.contoso.example"), std::string::npos);
  EXPECT_EQ(r.find("evil.example"), std::string::npos);
}

// Item 9: with a valid token, each route's own limit applies on the header (the feed's
// feed.max_bytes, evidence's limits.max_evidence_bytes, requests' quotas.max_request_bytes), and a
// token without the route's right is refused before the body too.
TEST(RouterLimits, AuthenticatedRoutesApplyTheirOwnLimitOnTheHeader) {
  std::string dir = testing::TempDir();
  auto key = *auth::Key::Generate(auth::KeyType::kEd25519, "k1");
  auth::JwkSet set;
  set.Add(*auth::Key::FromJwk(key.PublicJwk()));
  std::ofstream(dir + "/jwks.json") << set.ToJson();
  std::ofstream(dir + "/c.yaml")
      << "auth:\n  issuers:\n    - name: idp\n      issuer: https://idp.example\n"
         "      audience: mcpreg\n      jwks_file: jwks.json\n      rules:\n"
         "        - match: {sub: ci}\n          grant: {actions: [publish, feed], resource: \"com.example/*\"}\n"
         "feed: {max_bytes: 4096}\nlimits: {max_evidence_bytes: 2048}\nquotas: {max_request_bytes: 3072}\n";
  testing::ServerProcess s(dir + "/r.db", {"--config", dir + "/c.yaml", "--no-demo"});
  ASSERT_TRUE(s.started()) << s.log();
  long now = long(time(nullptr));
  std::string oidc = *auth::SignJwt(key, auth::JwsAlg::kEdDSA,
                                    R"({"iss":"https://idp.example","aud":"mcpreg","sub":"ci","iat":)" +
                                        std::to_string(now) + R"(,"exp":)" + std::to_string(now + 300) + "}");
  std::string body = R"({"oidc_token":")" + oidc + R"("})";
  std::string r = Exchange(s.port(),
                           "POST /v0.1/auth/oidc HTTP/1.1\r\nHost: a\r\nContent-Length: " +
                               std::to_string(body.size()) + "\r\n\r\n" + body,
                           std::chrono::milliseconds(5000));
  ASSERT_EQ(StatusOf(r), 200) << r;
  auto at = r.find("\"registry_token\":\"") + 18;
  std::string token = r.substr(at, r.find('"', at) - at);
  auto head = [&](std::string method, std::string target, size_t length) {
    return method + " " + target + " HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + token +
           "\r\nContent-Length: " + std::to_string(length) + "\r\n\r\n";
  };
  auto ms = std::chrono::milliseconds(3000);
  r = Exchange(s.port(), head("PUT", "/v0.1/x/dev.mcpreg/feed/com.example%2Fx/1.0.0/x.mcpb", 5000), ms);
  EXPECT_EQ(StatusOf(r), 413) << r;
  EXPECT_NE(r.find("exceeds 4096 bytes"), std::string::npos) << r;
  r = Exchange(s.port(), head("POST", "/v0.1/x/dev.mcpreg/servers/com.example%2Fx/versions/1.0.0/evidence", 3000), ms);
  EXPECT_EQ(StatusOf(r), 413) << r;
  EXPECT_NE(r.find("exceeds 2048 bytes"), std::string::npos) << r;
  r = Exchange(s.port(), head("POST", "/v0.1/x/dev.mcpreg/requests", 4000), ms);
  EXPECT_EQ(StatusOf(r), 413) << r;
  r = Exchange(s.port(), head("POST", "/v0.1/publish", 5u << 20), ms);
  EXPECT_EQ(StatusOf(r), 413) << r;
  // No feed right on another namespace: 403 on the header, body never read.
  r = Exchange(s.port(), head("PUT", "/v0.1/x/dev.mcpreg/feed/org.other%2Fx/1.0.0/x.mcpb", 4000), ms);
  EXPECT_EQ(StatusOf(r), 403) << r;
}

// Item 7: token exchanges naming an issuer whose JWKS endpoint accepts and never answers keep
// only worker threads busy: health checks answer at once, and SIGTERM still stops the server.
TEST(RouterOutbound, StallingIssuerNeitherFreezesServingNorShutdown) {
  // A TCP listener that accepts and never answers.
  int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(lfd, 64), 0);
  socklen_t len = sizeof a;
  ::getsockname(lfd, reinterpret_cast<sockaddr*>(&a), &len);
  int stall_port = ntohs(a.sin_port);

  std::string dir = testing::TempDir();
  std::ofstream(dir + "/c.yaml")
      << "auth:\n  issuers:\n    - name: stalling\n      issuer: https://stall.example\n"
      << "      audience: mcp-registry\n      algorithms: [EdDSA]\n      jwks_url: http://127.0.0.1:" << stall_port
      << "/jwks\n      rules:\n        - match: {sub: x}\n          grant: {action: publish, "
         "resource: \"com.example/*\"}\n";
  testing::ServerProcess s(dir + "/r.db", {"--config", dir + "/c.yaml", "--threads", "2"});
  ASSERT_TRUE(s.started()) << s.log();

  auto key = *auth::Key::Generate(auth::KeyType::kEd25519, "k1");
  auto now = std::to_string(time(nullptr));
  std::string claims = R"({"iss":"https://stall.example","aud":"mcp-registry","sub":"x","iat":)" +
                       now + R"(,"exp":)" + std::to_string(time(nullptr) + 600) + "}";
  auto token = auth::SignJwt(key, auth::JwsAlg::kEdDSA, claims);
  ASSERT_TRUE(token.ok());
  std::string body = R"({"oidc_token":")" + *token + R"("})";
  std::string exchange = "POST /v0.1/auth/oidc HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  std::vector<std::thread> clients;
  for (int i = 0; i < 6; ++i)
    clients.emplace_back([&] { Exchange(s.port(), exchange, std::chrono::milliseconds(15000)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  for (int i = 0; i < 5; ++i) {
    auto t0 = Clock::now();
    std::string r = Exchange(s.port(), "GET /v0.1/health HTTP/1.1\r\nHost: a\r\n\r\n",
                             std::chrono::milliseconds(3000));
    EXPECT_EQ(StatusOf(r), 200) << "health check " << i << " while exchanges stall";
    EXPECT_LT(Clock::now() - t0, std::chrono::milliseconds(1000));
  }
  auto t0 = Clock::now();
  EXPECT_EQ(s.Stop(), 0);
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(15)) << "SIGTERM honoured within the deadline";
  for (auto& c : clients) c.join();
  ::close(lfd);
}

}  // namespace
}  // namespace mcpreg
