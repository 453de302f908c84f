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

}  // namespace
}  // namespace mcpreg::mcp
