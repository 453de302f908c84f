// Issue 9 items 6 (SSE inbound), 11 (connection caps, descriptor exhaustion, header timeout):
// the HTTP listener bounds every resource a client can hold. Raw sockets on loopback, a trivial
// handler, small limits so that each test runs in about two seconds.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "transport/http_server.h"

namespace mcpreg::http {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// A blocking loopback client socket with a receive deadline.
class RawClient {
 public:
  // Connects to 127.0.0.1:port from `source` (any 127/8 address works on Linux loopback).
  // With connect_now false, the socket exists but Connect() is left to the caller.
  RawClient(uint16_t port, const char* source = "127.0.0.1", bool connect_now = true)
      : port_(port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in src{};
    src.sin_family = AF_INET;
    inet_pton(AF_INET, source, &src.sin_addr);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&src), sizeof src);
    if (connect_now) Connect();
  }
  bool Connect() {
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_port = htons(port_);
    inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&dst), sizeof dst) == 0;
    return connected_;
  }
  ~RawClient() { Close(); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  bool Send(std::string_view data) {
    return ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL) == ssize_t(data.size());
  }
  // Reads until `until` appears in what was read, the peer closes, or `timeout` passes.
  // Returns what was read; eof() tells whether the peer closed (FIN or RST).
  std::string ReadUntil(std::string_view until, std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (until.empty() || got_.find(until) == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, int(left.count())) <= 0) continue;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        eof_ = true;
        break;
      }
      got_.append(buf, size_t(n));
    }
    return got_;
  }
  // Reads until the peer closes or `timeout` passes; true when it closed.
  bool WaitClosed(std::chrono::milliseconds timeout) {
    ReadUntil({}, timeout);
    return eof_;
  }
  bool eof() const { return eof_; }
  void Clear() { got_.clear(); }

 private:
  uint16_t port_;
  int fd_ = -1;
  bool connected_ = false;
  bool eof_ = false;
  std::string got_;
};

constexpr std::string_view kGet = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";

class TransportLimitsTest : public ::testing::Test {
 protected:
  void StartServer(ServerOptions o) {
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 1;
    server_ =
        std::make_unique<HttpServer>(o, [this](HttpRequest&& req, std::shared_ptr<Responder> r) {
          if (req.path == "/sse") {
            auto s = r->Stream(200, {{"Content-Type", "text/event-stream"}});
            s->Write("data: hello\n\n");
            std::lock_guard l(mu_);
            streams_.push_back(std::move(s));
            return;
          }
          HttpResponse res;
          res.body = "ok";
          r->Send(std::move(res));
        });
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    if (server_) server_->Stop(0ms);
  }
  // A keep-alive connection that has been served once (so the server holds it).
  std::unique_ptr<RawClient> Served(const char* source = "127.0.0.1") {
    auto c = std::make_unique<RawClient>(server_->port(), source);
    EXPECT_TRUE(c->connected());
    c->Send(kGet);
    std::string got = c->ReadUntil("\r\n\r\nok", 3000ms);
    EXPECT_NE(got.find("HTTP/1.1 200"), std::string::npos) << got;
    c->Clear();
    return c;
  }

  std::unique_ptr<HttpServer> server_;
  std::mutex mu_;
  std::vector<std::shared_ptr<ResponseStream>> streams_;
};

TEST_F(TransportLimitsTest, ConnectionOverTotalCapGets503AndIsClosedAndCapFreesOnClose) {
  ServerOptions o;
  o.max_connections = 3;
  StartServer(o);
  std::vector<std::unique_ptr<RawClient>> held;
  for (int i = 0; i < 3; ++i) held.push_back(Served());

  RawClient extra(server_->port());
  std::string got = extra.ReadUntil("}", 3000ms);
  EXPECT_EQ(got.rfind("HTTP/1.1 503", 0), 0u) << got;
  EXPECT_NE(got.find("Retry-After: 1"), std::string::npos);
  EXPECT_NE(got.find("application/problem+json"), std::string::npos);
  EXPECT_TRUE(extra.WaitClosed(2000ms));

  // Each close gives its place back exactly once: after closing two, exactly two fit again.
  held.pop_back();
  held.pop_back();
  auto deadline = Clock::now() + 3000ms;
  std::unique_ptr<RawClient> again;
  while (Clock::now() < deadline) {  // the server notices the close asynchronously
    again = std::make_unique<RawClient>(server_->port());
    again->Send(kGet);
    if (again->ReadUntil("\r\n\r\n", 2000ms).rfind("HTTP/1.1 200", 0) == 0) break;
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_NE(again->ReadUntil("ok", 1000ms).find("HTTP/1.1 200"), std::string::npos);
  auto second = Served();
  RawClient third(server_->port());
  EXPECT_EQ(third.ReadUntil("}", 3000ms).rfind("HTTP/1.1 503", 0), 0u);
}

TEST_F(TransportLimitsTest, ConnectionOverPerClientCapGets429WhileOtherClientIsServed) {
  ServerOptions o;
  o.max_connections_per_client = 2;
  StartServer(o);
  auto a1 = Served("127.0.0.1");
  auto a2 = Served("127.0.0.1");

  RawClient a3(server_->port(), "127.0.0.1");
  std::string got = a3.ReadUntil("}", 3000ms);
  EXPECT_EQ(got.rfind("HTTP/1.1 429", 0), 0u) << got;
  EXPECT_NE(got.find("Connection: close"), std::string::npos);
  EXPECT_TRUE(a3.WaitClosed(2000ms));

  auto b = Served("127.0.0.2");  // another address is not affected
  b->Send(kGet);
  EXPECT_NE(b->ReadUntil("ok", 2000ms).find("HTTP/1.1 200"), std::string::npos);
}

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

TEST_F(TransportLimitsTest, DescriptorExhaustionDoesNotSpinTheAcceptorAndServingResumes) {
  StartServer(ServerOptions{});
  Served().reset();  // the server is up and its acceptor waits on the listening socket
  std::this_thread::sleep_for(200ms);  // and has closed that connection's descriptor
  // The client's descriptor must exist before the table is full.
  RawClient pending(server_->port(), "127.0.0.1", /*connect_now=*/false);

  // Fill this process's descriptor table (the server runs in it) below a lowered soft limit.
  rlimit old{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &old), 0);
  rlimit low = old;
  low.rlim_cur = std::min<rlim_t>(old.rlim_cur, 1024);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  std::vector<int> filler;
  for (;;) {
    int fd = ::dup(0);
    if (fd < 0) break;
    filler.push_back(fd);
  }
  ASSERT_EQ(errno, EMFILE);

  // A new connection completes in the kernel's backlog; the server's accept() gets EMFILE.
  ASSERT_TRUE(pending.Connect());
  double cpu0 = CpuSeconds();
  auto wall0 = Clock::now();
  std::this_thread::sleep_for(1500ms);
  double cpu = CpuSeconds() - cpu0;
  double wall = std::chrono::duration<double>(Clock::now() - wall0).count();

  for (int fd : filler) ::close(fd);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &old), 0);

  // A spinning acceptor burns a core for the whole window; backing off costs a few wake-ups.
  EXPECT_LT(cpu, 0.06) << "process used " << cpu << " s of CPU in " << wall << " s";
  // Once descriptors are free again, the pending connection is accepted and served.
  pending.Send(kGet);
  EXPECT_NE(pending.ReadUntil("ok", 3000ms).find("HTTP/1.1 200"), std::string::npos);
}

TEST_F(TransportLimitsTest, HalfSentHeaderGets408WithinHeaderTimeout) {
  ServerOptions o;
  o.header_timeout = 1s;
  o.read_timeout = 10s;
  o.idle_timeout = 30s;
  StartServer(o);
  RawClient c(server_->port());
  auto start = Clock::now();
  ASSERT_TRUE(c.Send("GET / HTTP/1.1\r\nHost: t\r\nX-Slow: "));
  std::string got = c.ReadUntil("}", 4000ms);
  auto took = Clock::now() - start;
  EXPECT_EQ(got.rfind("HTTP/1.1 408", 0), 0u) << got;
  EXPECT_NE(got.find("application/problem+json"), std::string::npos);
  EXPECT_TRUE(c.WaitClosed(2000ms));
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 2500ms);
}

TEST_F(TransportLimitsTest, SlowBodyGets408WithinReadTimeoutButIdleConnectionWaits) {
  ServerOptions o;
  o.header_timeout = 1s;
  o.read_timeout = 2s;
  o.idle_timeout = 30s;
  StartServer(o);
  // A connection that sends nothing may wait past header_timeout (idle keep-alive) ...
  RawClient idle(server_->port());
  // ... a body that trickles does not get past read_timeout, counted from its first byte.
  RawClient slow(server_->port());
  auto start = Clock::now();
  ASSERT_TRUE(slow.Send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nab"));
  std::string got = slow.ReadUntil("}", 4000ms);
  auto took = Clock::now() - start;
  EXPECT_EQ(got.rfind("HTTP/1.1 408", 0), 0u) << got;
  EXPECT_GE(took, 1900ms);
  EXPECT_LT(took, 3500ms);

  idle.Send(kGet);
  EXPECT_NE(idle.ReadUntil("ok", 2000ms).find("HTTP/1.1 200"), std::string::npos);
}

// Stop without grace while connections are open (idle, mid-body, an open stream): every
// connection is closed once the server is gone. A session left in the server's registry when
// the I/O threads stopped used to keep itself (and its socket) alive through the registry it
// owns a reference to: a leak LeakSanitizer reported, and a client that never saw EOF.
TEST_F(TransportLimitsTest, StopWithoutGraceClosesEveryConnection) {
  for (int round = 0; round < 5; ++round) {
    ServerOptions o;
    o.idle_timeout = 30s;
    o.read_timeout = 30s;
    StartServer(o);
    auto idle = Served();
    RawClient mid(server_->port());
    ASSERT_TRUE(mid.Send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nab"));
    RawClient sse(server_->port());
    ASSERT_TRUE(sse.Send("GET /sse HTTP/1.1\r\nHost: t\r\n\r\n"));
    ASSERT_NE(sse.ReadUntil("hello", 3000ms).find("HTTP/1.1 200"), std::string::npos);
    std::this_thread::sleep_for(50ms);  // the server has read what was sent
    server_->Stop(0ms);
    {
      std::lock_guard l(mu_);
      streams_.clear();  // the handler's stream handles go with the test's server
    }
    server_.reset();
    EXPECT_TRUE(idle->WaitClosed(2000ms)) << "round " << round;
    EXPECT_TRUE(mid.WaitClosed(2000ms)) << "round " << round;
    EXPECT_TRUE(sse.WaitClosed(2000ms)) << "round " << round;
  }
}

TEST_F(TransportLimitsTest, BytesBeyondSseInboundCapCloseTheStream) {
  ServerOptions o;
  o.max_sse_inbound_bytes = 1024;
  StartServer(o);
  RawClient c(server_->port());
  ASSERT_TRUE(c.Send("GET /sse HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_NE(c.ReadUntil("hello", 3000ms).find("HTTP/1.1 200"), std::string::npos);
  // Below the cap the stream stays open.
  c.Send(std::string(512, 'x'));
  EXPECT_FALSE(c.WaitClosed(300ms));
  // Past it the server drops the connection instead of buffering.
  std::string junk(64 * 1024, 'x');
  c.Send(junk);
  EXPECT_TRUE(c.WaitClosed(2000ms));
  std::lock_guard l(mu_);
  ASSERT_EQ(streams_.size(), 1u);
  auto deadline = Clock::now() + 1000ms;
  while (!streams_[0]->closed() && Clock::now() < deadline) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(streams_[0]->closed());
}

// Item 9, transport side: the header decides (on_header) before any body byte is read, and the
// client that is still sending its body gets the answer, not a reset.
TEST_F(TransportLimitsTest, RefusalOnTheHeaderReachesAClientStillSendingItsBody) {
  ServerOptions o;
  o.on_header = [](const HttpRequest& head) {
    HeaderVerdict v;
    if (head.path == "/private") {
      HttpResponse r;
      r.status = 401;
      r.body = "no";
      v.reply = std::move(r);
    } else {
      v.body_limit = 1024;
    }
    return v;
  };
  StartServer(o);
  std::string chunk(256 * 1024, 'b');
  for (std::string path : {"/private", "/small"}) {
    RawClient c(server_->port());
    ASSERT_TRUE(
        c.Send("PUT " + path + " HTTP/1.1\r\nHost: t\r\nContent-Length: 104857600\r\n\r\n"));
    c.Send(chunk);  // the client keeps sending while the server answers
    std::string got = c.ReadUntil("\r\n\r\n", 3000ms);
    EXPECT_EQ(got.rfind(path == "/private" ? "HTTP/1.1 401" : "HTTP/1.1 413", 0), 0u)
        << path << ": " << got;
    EXPECT_TRUE(c.WaitClosed(4000ms)) << path;
  }
}

}  // namespace
}  // namespace mcpreg::http
