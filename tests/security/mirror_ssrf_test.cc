// The mirror's SSRF guard (federation/mirror.h) against the real binary, in a network namespace
// of its own so nothing can leave the machine: the test re-runs itself under
// `unshare --user --map-root-user --net --mount`, where it puts 10.0.0.1, 169.254.169.254 and
// fd00:ec2::254 on the namespace's loopback device, binds /etc/hosts to a file naming
// internal.corp.test = 10.0.0.1, and listens on every one of those addresses plus 127.0.0.2
// and [::1]. `mcpreg mirror --once` is pointed at each (directly, and through a redirect from
// an allowed loopback upstream): every sync must fail naming the upstream and the address, and
// no listener may see a connection. A control upstream with allow_private: true does connect,
// which shows the listeners work and that the guard, not the network, refused the others.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "integration/server_process.h"
#include "transport/http_server.h"

namespace mcpreg {
namespace {

constexpr char kInNamespace[] = "MCPREG_SSRF_NETNS";

// Listens on several addresses at one port; counts accepted connections per address and
// answers each with an empty registry page.
class Listeners {
 public:
  ~Listeners() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    for (auto& [addr, fd] : fds_) close(fd);
  }
  // Binds every address (IPv4 or IPv6 literal) on one port; returns the port.
  int Bind(const std::vector<std::string>& addresses) {
    int port = 0;
    for (const auto& a : addresses) {
      bool v6 = a.find(':') != std::string::npos;
      int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
      int one = 1;
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      sockaddr_storage ss{};
      socklen_t len;
      if (v6) {
        auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        inet_pton(AF_INET6, a.c_str(), &s6->sin6_addr);
        len = sizeof *s6;
      } else {
        auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
        s4->sin_family = AF_INET;
        s4->sin_port = htons(port);
        inet_pton(AF_INET, a.c_str(), &s4->sin_addr);
        len = sizeof *s4;
      }
      EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&ss), len), 0) << a << ": " << strerror(errno);
      EXPECT_EQ(listen(fd, 16), 0);
      if (port == 0) {
        getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
        port = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                        : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
      }
      fds_[a] = fd;
    }
    thread_ = std::thread([this] { Loop(); });
    return port;
  }
  int Connections(const std::string& address) {
    std::lock_guard lock(mu_);
    return counts_[address];
  }

 private:
  void Loop() {
    std::vector<pollfd> pfds;
    std::vector<std::string> names;
    for (auto& [addr, fd] : fds_) {
      pfds.push_back({fd, POLLIN, 0});
      names.push_back(addr);
    }
    while (!stop_) {
      if (poll(pfds.data(), pfds.size(), 50) <= 0) continue;
      for (size_t i = 0; i < pfds.size(); ++i) {
        if (!(pfds[i].revents & POLLIN)) continue;
        int c = accept(pfds[i].fd, nullptr, nullptr);
        if (c < 0) continue;
        {
          std::lock_guard lock(mu_);
          ++counts_[names[i]];
        }
        char buf[4096];
        (void)!read(c, buf, sizeof buf);
        std::string body = R"({"servers":[],"metadata":{"count":0}})";
        std::string resp = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
        (void)!write(c, resp.data(), resp.size());
        close(c);
      }
    }
  }
  std::map<std::string, int> fds_;
  std::mutex mu_;
  std::map<std::string, int> counts_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// A loopback upstream that redirects every request to `target_`.
class Redirector {
 public:
  Redirector() {
    http::ServerOptions so;
    so.host = "127.0.0.1";
    so.port = 0;
    so.threads = 1;
    server_ = std::make_unique<http::HttpServer>(
        so, [this](http::HttpRequest&&, std::shared_ptr<http::Responder> r) {
          http::HttpResponse resp;
          resp.status = 302;
          std::lock_guard lock(mu_);
          resp.Set("Location", target_);
          r->Send(std::move(resp));
        });
    EXPECT_TRUE(server_->Start().ok());
  }
  void To(std::string target) {
    std::lock_guard lock(mu_);
    target_ = std::move(target);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

 private:
  std::unique_ptr<http::HttpServer> server_;
  std::mutex mu_;
  std::string target_;
};

int Sh(const std::string& cmd) { return std::system(cmd.c_str()); }

TEST(MirrorSsrfTest, PrivateLinkLocalAndForeignRedirectTargetsAreRefusedWithoutAConnection) {
  if (!std::getenv(kInNamespace)) {
    // Outside: re-run this test alone inside a fresh user + network + mount namespace.
    if (Sh("unshare --user --map-root-user --net --mount true 2>/dev/null") != 0)
      GTEST_SKIP() << "unprivileged user and network namespaces are not available here";
    std::string self = std::string("/proc/") + std::to_string(getpid()) + "/exe";
    char exe[4096];
    ssize_t n = readlink(self.c_str(), exe, sizeof exe - 1);
    ASSERT_GT(n, 0);
    exe[n] = 0;
    std::string cmd = std::string(kInNamespace) + "=1 unshare --user --map-root-user --net --mount " +
                      exe + " --gtest_filter=MirrorSsrfTest.* 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    ASSERT_NE(p, nullptr);
    std::string out;
    char buf[4096];
    while (size_t got = fread(buf, 1, sizeof buf, p)) out.append(buf, got);
    int rc = pclose(p);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("[  PASSED  ] 1 test"), std::string::npos) << out;
    return;
  }

  // Inside the namespace: nothing but loopback exists.
  std::string dir = testing::TempDir();
  ASSERT_EQ(Sh("ip link set lo up && ip addr add 10.0.0.1/32 dev lo && "
               "ip addr add 169.254.169.254/32 dev lo && ip -6 addr add fd00:ec2::254/128 dev lo nodad"),
            0);
  std::ofstream(dir + "/hosts") << "127.0.0.1 localhost\n::1 localhost\n10.0.0.1 internal.corp.test\n";
  ASSERT_EQ(Sh("mount --bind " + dir + "/hosts /etc/hosts"), 0);

  Listeners listeners;
  const std::vector<std::string> targets = {"10.0.0.1", "169.254.169.254", "fd00:ec2::254",
                                            "127.0.0.2", "::1"};
  const std::string port = std::to_string(listeners.Bind(targets));
  Redirector redirect;

  auto mirror = [&](const std::string& url, const std::string& extra, std::string* out) {
    std::string cfg = dir + "/m.yaml", err;
    std::ofstream(cfg) << "upstreams:\n  - name: u\n    url: " << url << "\n" << extra;
    return testing::RunCli({"mirror", "--once", "--config", cfg, "--db", dir + "/d.db"}, out, &err);
  };
  std::string out;
  // Direct upstream URLs whose host is, or resolves to, a refused address.
  for (auto [url, why] : std::vector<std::pair<std::string, std::string>>{
           {"http://10.0.0.1:" + port, "destination 10.0.0.1 is a private address"},
           {"http://169.254.169.254:" + port, "destination 169.254.169.254 is a link-local address"},
           {"http://[fd00:ec2::254]:" + port, "destination fd00:ec2::254 is a private address"},
           {"http://internal.corp.test:" + port, "destination 10.0.0.1 is a private address"}}) {
    EXPECT_EQ(mirror(url, "", &out), 1) << url;
    EXPECT_NE(out.find("FAILED: upstream u (" + url + "): "), std::string::npos) << out;
    EXPECT_NE(out.find(why), std::string::npos) << out;
  }
  // Redirects from an allowed (loopback) upstream to a private, another-host or another-scheme
  // target.
  for (const std::string& to : {"http://10.0.0.1:" + port + "/v0.1/servers",
                                "http://169.254.169.254:" + port + "/latest/meta-data/",
                                "http://[fd00:ec2::254]:" + port + "/v0.1/servers",
                                "http://127.0.0.2:" + port + "/v0.1/servers",
                                "http://[::1]:" + port + "/v0.1/servers",
                                "https://127.0.0.1:" + port + "/v0.1/servers"}) {
    redirect.To(to);
    EXPECT_EQ(mirror(redirect.url(), "", &out), 1) << to;
    EXPECT_NE(out.find("FAILED: upstream u (" + redirect.url() + "): "), std::string::npos) << out;
    EXPECT_NE(out.find("refused: another scheme, host or port"), std::string::npos) << out;
  }
  for (const auto& t : targets) EXPECT_EQ(listeners.Connections(t), 0) << t << " was connected to";

  // Control: the same private upstream with allow_private does connect (and syncs nothing).
  EXPECT_EQ(mirror("http://10.0.0.1:" + port, "    allow_private: true\n", &out), 0) << out;
  EXPECT_EQ(listeners.Connections("10.0.0.1"), 1);
  // Loopback needs no opt-in: an upstream on 127.0.0.2 is a configured upstream like any other.
  EXPECT_EQ(mirror("http://127.0.0.2:" + port, "", &out), 0) << out;
  EXPECT_EQ(listeners.Connections("127.0.0.2"), 1);
}

}  // namespace
}  // namespace mcpreg
