// Resource change notifications through a real `mcpreg serve`: a 2026-07-28 client holding
// subscriptions/listen open and a legacy session subscribed with resources/subscribe (on its
// GET stream) both hear about a version another process publishes into the database; shutdown
// ends the listen with its result.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "integration/server_process.h"
#include "transport/http_client.h"

namespace mcpreg {
namespace {
namespace bj = boost::json;
using Clock = std::chrono::steady_clock;

// One HTTP/1.1 request on its own connection, its response read as it arrives (SSE).
class RawExchange {
 public:
  ~RawExchange() {
    if (fd_ >= 0) close(fd_);
  }
  bool Open(int port, const std::string& request) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(uint16_t(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return false;
    return send(fd_, request.data(), request.size(), MSG_NOSIGNAL) == ssize_t(request.size());
  }
  // Reads until `needle` has arrived (searching from `from`) or `timeout` passes.
  bool ReadUntil(std::string_view needle, std::chrono::milliseconds timeout, size_t from = 0) {
    auto deadline = Clock::now() + timeout;
    while (data_.find(needle, from) == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, int(left.count())) <= 0) continue;
      char buf[4096];
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return data_.find(needle, from) != std::string::npos;
      data_.append(buf, size_t(n));
    }
    return true;
  }
  const std::string& data() const { return data_; }

 private:
  int fd_ = -1;
  std::string data_;
};

std::string Catalog(std::string_view version) {
  return std::string(R"([{"$schema":"https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
    "name":"com.acme/events","description":"Announced when published","version":")") +
         std::string(version) + R"(","remotes":[{"type":"streamable-http","url":"https://ev.example.com/mcp"}]}])";
}

std::string HttpPost(int port, const std::string& body, const std::vector<std::string>& headers) {
  std::string r = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                  "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n";
  for (const auto& h : headers) r += h + "\r\n";
  return r + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

class McpEventsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir();
    db_ = dir_ + "/registry.db";
    Import("1.0.0");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Import(std::string_view version) {
    std::string file = dir_ + "/catalog-" + std::string(version) + ".json", out, err;
    std::ofstream(file) << Catalog(version);
    ASSERT_EQ(testing::RunCli({"import", "--db", db_, file}, &out, &err), 0) << err;
  }
  http::ClientResponse Post(const testing::ServerProcess& s, const std::string& body,
                            const std::string& session) {
    http::ClientRequest req;
    req.method = "POST";
    req.url = s.base_url() + "/mcp";
    req.body = body;
    req.headers = {{"Content-Type", "application/json"},
                   {"Accept", "application/json, text/event-stream"},
                   {"MCP-Protocol-Version", "2025-11-25"}};
    if (!session.empty()) req.headers.emplace_back("Mcp-Session-Id", session);
    auto r = http::Fetch(req);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : http::ClientResponse{};
  }
  std::string dir_, db_;
};

TEST_F(McpEventsTest, ModernListenAndLegacySubscriberHearOfAPublishByAnotherProcess) {
  testing::ServerProcess server(db_, {"--no-demo"});
  ASSERT_TRUE(server.started()) << server.log();
  const std::string uri = "mcpreg://servers/com.acme%2Fevents/versions/1.1.0";

  // 2026-07-28: subscriptions/listen, held open on its SSE response.
  RawExchange listen;
  std::string body = R"({"jsonrpc":"2.0","id":"L1","method":"subscriptions/listen","params":{"notifications":{"resourcesListChanged":true,"resourceSubscriptions":[")" +
                     uri + R"("]},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}})";
  ASSERT_TRUE(listen.Open(server.port(), HttpPost(server.port(), body,
                                                  {"MCP-Protocol-Version: 2026-07-28", "Mcp-Method: subscriptions/listen"})));
  ASSERT_TRUE(listen.ReadUntil("notifications/subscriptions/acknowledged", std::chrono::seconds(5))) << listen.data();
  EXPECT_NE(listen.data().find(R"("resourcesListChanged":true)"), std::string::npos) << listen.data();

  // Legacy: a session, its GET stream, and resources/subscribe.
  auto init = Post(server, R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})", "");
  ASSERT_EQ(init.status, 200) << init.body;
  EXPECT_EQ(bj::parse(init.body).at("result").at("capabilities").at("resources"),
            bj::parse(R"({"subscribe":true,"listChanged":true})"));
  std::string session;
  for (const auto& [k, v] : init.headers)
    if (strcasecmp(k.c_str(), "Mcp-Session-Id") == 0) session = v;
  ASSERT_FALSE(session.empty());
  EXPECT_EQ(Post(server, R"({"jsonrpc":"2.0","method":"notifications/initialized"})", session).status, 202);
  RawExchange standalone;
  ASSERT_TRUE(standalone.Open(server.port(),
                              "GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(server.port()) +
                                  "\r\nAccept: text/event-stream\r\nMCP-Protocol-Version: 2025-11-25\r\nMcp-Session-Id: " +
                                  session + "\r\n\r\n"));
  ASSERT_TRUE(standalone.ReadUntil("text/event-stream", std::chrono::seconds(5))) << standalone.data();
  auto sub = Post(server, R"({"jsonrpc":"2.0","id":2,"method":"resources/subscribe","params":{"uri":")" + uri + R"("}})", session);
  ASSERT_EQ(sub.status, 200) << sub.body;

  // Another process publishes 1.1.0 into the database.
  size_t listen_from = listen.data().size(), standalone_from = standalone.data().size();
  Import("1.1.0");
  auto published = Clock::now();
  ASSERT_TRUE(listen.ReadUntil("notifications/resources/updated", std::chrono::seconds(10), listen_from)) << listen.data();
  auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - published);
  ASSERT_TRUE(listen.ReadUntil("notifications/resources/list_changed", std::chrono::seconds(5), listen_from)) << listen.data();
  std::string fresh = listen.data().substr(listen_from);
  EXPECT_NE(fresh.find(uri), std::string::npos) << fresh;
  EXPECT_NE(fresh.find(R"("io.modelcontextprotocol/subscriptionId":"L1")"), std::string::npos) << fresh;
  ASSERT_TRUE(standalone.ReadUntil("notifications/resources/updated", std::chrono::seconds(10), standalone_from))
      << standalone.data();
  EXPECT_NE(standalone.data().find(uri, standalone_from), std::string::npos);
  std::cout << "[ metric ] publish by another process -> listen notification: " << latency.count()
            << " ms\n";

  // Shutdown ends the listen with its result.
  size_t before_stop = listen.data().size();
  EXPECT_EQ(server.Stop(), 0) << server.log();
  EXPECT_TRUE(listen.ReadUntil(R"("result")", std::chrono::seconds(5), before_stop)) << listen.data();
}

}  // namespace
}  // namespace mcpreg
