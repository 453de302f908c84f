// `mcpreg validate --probe` against real servers over sockets: the active remote-auth probe
// (rule remote.probe) runs an unauthenticated MCP initialize against each remote.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "integration/server_process.h"

namespace mcpreg {
namespace {

std::string RemoteDoc(const std::string& url) {
  return R"({"$schema":"https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",)"
         R"("name":"com.contoso/tickets","description":"Ticket search","version":"1.0.0",)"
         R"("remotes":[{"type":"streamable-http","url":")" + url + R"("}]})";
}

// The remote.probe issue of `mcpreg validate --probe --json FILE`, or "" when none.
std::string ProbeIssue(const std::string& dir, const std::string& url) {
  std::ofstream(dir + "/server.json") << RemoteDoc(url);
  std::string out, err;
  int rc = testing::RunCli({"validate", "--probe", "--json", dir + "/server.json"}, &out, &err);
  EXPECT_EQ(rc, 1) << "an http:// remote fails remote.https anyway\n" << out << err;
  auto report = boost::json::parse(out);
  for (const auto& issue : report.at(0).at("issues").as_array())
    if (issue.at("reference") == "remote.probe") return std::string(issue.at("message").as_string());
  return "";
}

TEST(ValidateProbeTest, OpenEndpointFailsTheProbe) {
  std::string dir = testing::TempDir();
  testing::ServerProcess server(dir + "/r.db", {"--no-demo"});
  ASSERT_TRUE(server.started()) << server.log();
  std::string msg = ProbeIssue(dir, server.base_url() + "/mcp");
  EXPECT_NE(msg.find("got HTTP 200, want 401"), std::string::npos) << msg;
  server.Stop();
  // Nothing listening: reported, not crashed.
  msg = ProbeIssue(dir, server.base_url() + "/mcp");
  EXPECT_NE(msg.find("initialize request failed"), std::string::npos) << msg;
  std::filesystem::remove_all(dir);
}

TEST(ValidateProbeTest, ProtectedEndpointPassesTheChallengeSteps) {
  std::string dir = testing::TempDir();
  std::ofstream(dir + "/mcpreg.yaml")
      << "auth:\n  issuers:\n    - name: corp\n      issuer: https://login.corp.example\n"
         "      audience: mcpreg\n      jwks_file: jwks.json\n"
         "mcp:\n  auth:\n    resource: https://registry.invalid/mcp\n    issuers: [corp]\n";
  std::ofstream(dir + "/jwks.json") << R"({"keys":[]})";
  testing::ServerProcess server(dir + "/r.db", {"--config", dir + "/mcpreg.yaml", "--no-demo"});
  ASSERT_TRUE(server.started()) << server.log();
  // 401 + a resource_metadata challenge: the probe gets as far as fetching the (unresolvable)
  // metadata host named in the challenge.
  std::string msg = ProbeIssue(dir, server.base_url() + "/mcp");
  EXPECT_NE(msg.find("fetching resource metadata failed"), std::string::npos) << msg;
  server.Stop();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mcpreg
