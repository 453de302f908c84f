// stdio transport tests over pipes: line framing, CRLF, blank lines, oversized lines, EOF.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <sstream>
#include <thread>

#include "mcp/stdio_transport.h"

namespace mcpreg::mcp {
namespace {

std::vector<std::string> RunWithInput(const McpServer& server, const std::string& input) {
  int in[2], out[2];
  EXPECT_EQ(pipe(in), 0);
  EXPECT_EQ(pipe(out), 0);
  std::thread writer([&] {
    EXPECT_EQ(write(in[1], input.data(), input.size()), ssize_t(input.size()));
    close(in[1]);
  });
  std::string output;
  std::thread reader([&] {
    char buf[4096];
    ssize_t n;
    while ((n = read(out[0], buf, sizeof buf)) > 0) output.append(buf, size_t(n));
  });
  Status st = RunStdio(server, in[0], out[1]);
  EXPECT_TRUE(st.ok()) << st.ToString();
  close(out[1]);
  writer.join();
  reader.join();
  close(in[0]);
  close(out[0]);
  std::vector<std::string> lines;
  std::istringstream s(output);
  for (std::string l; std::getline(s, l);) lines.push_back(l);
  return lines;
}

TEST(McpStdioTest, AnswersOneLinePerRequestAndToleratesCrlfAndBlankLines) {
  ServerOptions o;
  o.limits.max_bytes = 512;
  McpServer server(o);
  std::string input =
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{}}})"
      "\r\n\n"
      R"({"jsonrpc":"2.0","method":"notifications/initialized"})" "\n" +
      std::string(R"({"jsonrpc":"2.0","id":2,"method":"ping","params":{"pad":")") + std::string(2000, 'x') +
      "\"}}\n"
      "not json\n"
      R"({"jsonrpc":"2.0","id":3,"method":"ping"})";  // last line without newline, then EOF
  auto lines = RunWithInput(server, input);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(boost::json::parse(lines[0]).at("result").at("protocolVersion"), "2025-06-18");
  EXPECT_EQ(boost::json::parse(lines[1]).at("error").at("code"), kInvalidRequest);  // too large
  EXPECT_EQ(boost::json::parse(lines[2]).at("error").at("code"), kParseError);
  EXPECT_EQ(boost::json::parse(lines[3]).at("id"), 3);
}

// A dual-era client probes with server/discover before initialize; the same process then
// serves a legacy session and, alongside it, stateless 2026-07-28 requests.
TEST(McpStdioTest, DiscoverBeforeInitializeThenBothErasOnOneProcess) {
  McpServer server(ServerOptions{});
  ToolDef echo;
  echo.name = "echo";
  echo.description = "echo";
  echo.handler = [](const boost::json::object&, RequestContext&) -> Result<boost::json::object> {
    return TextToolResult("pong");
  };
  server.AddTool(echo);
  const std::string meta =
      R"("_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}})";
  std::string input =
      R"({"jsonrpc":"2.0","id":1,"method":"server/discover","params":{)" + meta + "}}\n" +
      R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})" "\n"
      R"({"jsonrpc":"2.0","id":3,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{}}})" "\n"
      R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"echo"}})" "\n" +
      R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"echo",)" + meta + "}}\n" +
      R"({"jsonrpc":"2.0","id":6,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}})" "\n";
  auto lines = RunWithInput(server, input);
  ASSERT_EQ(lines.size(), 6u);
  auto discover = boost::json::parse(lines[0]);
  EXPECT_EQ(discover.at("result").at("supportedVersions").at(0), "2026-07-28");
  EXPECT_EQ(boost::json::parse(lines[1]).at("error").at("code"), kInvalidRequest);  // legacy, no init
  EXPECT_EQ(boost::json::parse(lines[2]).at("result").at("protocolVersion"), "2025-11-25");
  auto legacy = boost::json::parse(lines[3]).at("result").as_object();
  auto modern = boost::json::parse(lines[4]).at("result").as_object();
  EXPECT_FALSE(legacy.contains("resultType"));
  EXPECT_EQ(modern.at("resultType"), "complete");
  EXPECT_EQ(legacy.at("content"), modern.at("content"));
  EXPECT_EQ(boost::json::parse(lines[5]).at("error").at("code"), kInvalidParams);
}

}  // namespace
}  // namespace mcpreg::mcp
