// The registry MCP server through the real binary, no node: `mcpreg mcp --db` and
// `mcpreg mcp --registry URL` over stdio, and /mcp of `mcpreg serve` over Streamable HTTP, on
// the same seeded demo database (a SQLite file, then a PostgreSQL database); all three must
// give the same answers.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "integration/server_process.h"
#include "support/backend.h"
#include "transport/http_client.h"

namespace mcpreg {
namespace {
namespace bj = boost::json;

std::string Request(int id, std::string_view method, bj::object params) {
  return bj::serialize(
      bj::object{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}});
}

std::string Initialize() {
  return Request(1, "initialize",
                 {{"protocolVersion", "2025-11-25"},
                  {"capabilities", bj::object{}},
                  {"clientInfo", {{"name", "itest"}, {"version", "1"}}}});
}
constexpr std::string_view kInitialized =
    R"({"jsonrpc":"2.0","method":"notifications/initialized"})";

bj::object Call(int id, std::string_view tool, bj::object args) {
  return bj::object{{"name", tool}, {"arguments", std::move(args)}};
}

// The tool calls every transport answers, in order (ids 2..).
std::vector<std::string> ToolCalls() {
  return {Request(2, "tools/call", Call(2, "search_servers", {{"query", ""}, {"limit", 5}})),
          Request(3, "tools/call", Call(3, "get_server", {{"name", "no.such/server"}})),
          Request(4, "tools/list", {})};
}

// Runs `mcpreg mcp ARGS` with the messages on stdin; returns the responses by id.
std::map<int64_t, bj::object> RunStdio(const std::string& dir, const std::string& args) {
  std::string in = dir + "/in.jsonl", out = dir + "/out.jsonl";
  {
    std::ofstream f(in);
    f << Initialize() << "\n" << kInitialized << "\n";
    for (const auto& c : ToolCalls()) f << c << "\n";
  }
  std::string cmd = std::string(MCPREG_BINARY) + " mcp " + args + " < " + in + " > " + out;
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::map<int64_t, bj::object> by_id;
  std::ifstream f(out);
  for (std::string line; std::getline(f, line);) {
    bj::object o = bj::parse(line).as_object();
    by_id[o.at("id").as_int64()] = o;
  }
  return by_id;
}

// `mcpreg serve` seeds the demo catalog into the brand-new database.
class McpToolsTest : public ::testing::TestWithParam<testing::Backend> {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir();
    db_ = testing::NewDbLocation(GetParam(), dir_, "mcp_tools");
    server_ = std::make_unique<testing::ServerProcess>(db_);
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string dir_, db_;
  std::unique_ptr<testing::ServerProcess> server_;
};

Result<http::ClientResponse> Post(const std::string& url, const std::string& body,
                                  const std::string& session) {
  http::ClientRequest r;
  r.method = "POST";
  r.url = url;
  r.body = body;
  r.headers = {{"Content-Type", "application/json"},
               {"Accept", "application/json, text/event-stream"}};
  if (!session.empty()) {
    r.headers.push_back({"Mcp-Session-Id", session});
    r.headers.push_back({"MCP-Protocol-Version", "2025-11-25"});
  }
  return http::Fetch(r);
}

// The JSON-RPC message of a JSON or single-event SSE response body.
bj::object Body(const http::ClientResponse& r) {
  std::string_view b = r.body;
  if (auto pos = b.find("data: "); pos != std::string_view::npos && b.front() != '{') {
    b = b.substr(pos + 6);
    b = b.substr(0, b.find('\n'));
  }
  return bj::parse(b).as_object();
}

std::string Header(const http::ClientResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
  }
  return "";
}

TEST_P(McpToolsTest, StdioDbStdioRemoteAndHttpGiveTheSameAnswers) {
  ASSERT_TRUE(server_->started()) << server_->log();
  auto local = RunStdio(dir_, "--db '" + db_ + "'");
  auto remote = RunStdio(dir_, "--registry " + server_->base_url());
  ASSERT_EQ(local.size(), 4u);
  ASSERT_EQ(remote.size(), 4u);

  std::string url = server_->base_url() + "/mcp";
  auto init = Post(url, Initialize(), "");
  ASSERT_TRUE(init.ok()) << init.status().ToString();
  ASSERT_EQ(init->status, 200) << init->body;
  std::string session = Header(*init, "Mcp-Session-Id");
  ASSERT_FALSE(session.empty());
  auto ack = Post(url, std::string(kInitialized), session);
  ASSERT_TRUE(ack.ok());
  EXPECT_EQ(ack->status, 202);
  std::map<int64_t, bj::object> http_answers;
  for (const auto& c : ToolCalls()) {
    auto r = Post(url, c, session);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 200) << r->body;
    bj::object o = Body(*r);
    http_answers[o.at("id").as_int64()] = o;
  }

  const auto& search = local.at(2).at("result").as_object();
  EXPECT_FALSE(search.contains("isError"));
  const auto& servers = search.at("structuredContent").at("servers").as_array();
  EXPECT_EQ(servers.size(), 5u);
  EXPECT_TRUE(search.at("structuredContent").at("metadata").as_object().contains("nextCursor"));
  EXPECT_EQ(remote.at(2).at("result"), local.at(2).at("result"));
  EXPECT_EQ(http_answers.at(2).at("result"), local.at(2).at("result"));

  for (auto* answers : {&local, &remote, &http_answers}) {
    EXPECT_EQ(answers->at(3).at("result").at("isError"), true);  // unknown server: tool error
    EXPECT_EQ(answers->at(4).at("result").at("tools").as_array().size(), 5u);
  }
  // A remote registry is an open world; the local database is not.
  EXPECT_EQ(local.at(4).at("result").at("tools").at(0).at("annotations").at("openWorldHint"),
            false);
  EXPECT_EQ(remote.at(4).at("result").at("tools").at(0).at("annotations").at("openWorldHint"),
            true);
}

TEST(McpCommandTest, RejectsMissingDatabaseAndBadRegistryUrl) {
  std::string dir = testing::TempDir();
  std::string out, err;
  EXPECT_NE(testing::RunCli({"mcp", "--db", dir + "/absent.db"}, &out, &err), 0);
  EXPECT_NE(err.find("no database"), std::string::npos) << err;
  EXPECT_NE(testing::RunCli({"mcp", "--registry", "ftp://x"}, &out, &err), 0);
  EXPECT_NE(err.find("http(s) URL"), std::string::npos) << err;
  EXPECT_TRUE(out.empty());
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Backends, McpToolsTest, testing::AllBackends(),
                         testing::BackendParamName());

}  // namespace
}  // namespace mcpreg
