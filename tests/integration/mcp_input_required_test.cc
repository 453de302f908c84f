// Input-required results (2026-07-28) through real `mcpreg serve` processes over HTTP:
// get_install_config asks which install option on one replica, and the client's next round is
// answered by another replica of the same database (they derive the requestState key from the
// shared registry key); a registry with another key refuses that state.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <memory>

#include "integration/server_process.h"
#include "transport/http_client.h"

namespace mcpreg {
namespace {
namespace bj = boost::json;

constexpr char kCatalog[] = R"([{
  "$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
  "name": "io.github.acme/multi", "description": "Several ways to install", "version": "1.0.0",
  "packages": [
    {"registryType": "npm", "identifier": "@acme/multi", "version": "1.0.0", "transport": {"type": "stdio"}},
    {"registryType": "pypi", "identifier": "acme-multi", "version": "1.0.0", "transport": {"type": "stdio"}}],
  "remotes": [{"type": "streamable-http", "url": "https://multi.example.com/mcp"}]}])";

class McpInputRequiredHttpTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::TempDir(); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string NewDb(const std::string& name) {
    // Each database in its own directory: the registry key lives next to it.
    std::filesystem::create_directories(dir_ + "/" + name);
    std::string catalog = dir_ + "/catalog.json", db = dir_ + "/" + name + "/registry.db";
    std::ofstream(catalog) << kCatalog;
    std::string out, err;
    EXPECT_EQ(testing::RunCli({"import", "--db", db, catalog}, &out, &err), 0) << err;
    return db;
  }

  // One 2026-07-28 tools/call of get_install_config; `extra` adds params members.
  static bj::object Call(const testing::ServerProcess& server, bj::object extra) {
    bj::object params{{"name", "get_install_config"},
                      {"arguments", bj::object{{"name", "io.github.acme/multi"}}},
                      {"_meta", bj::object{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                                           {"io.modelcontextprotocol/clientCapabilities",
                                            bj::object{{"elicitation", bj::object{}}}}}}};
    for (auto& [k, v] : extra) params[k] = v;
    http::ClientRequest req;
    req.method = "POST";
    req.url = server.base_url() + "/mcp";
    req.headers = {{"Content-Type", "application/json"},
                   {"Accept", "application/json, text/event-stream"},
                   {"MCP-Protocol-Version", "2026-07-28"},
                   {"Mcp-Method", "tools/call"},
                   {"Mcp-Name", "get_install_config"}};
    req.body = bj::serialize(bj::object{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/call"},
                                        {"params", std::move(params)}});
    auto r = http::Fetch(req);
    EXPECT_TRUE(r.ok()) << r.status().message();
    if (!r.ok()) return {};
    EXPECT_EQ(r->status, 200) << r->body;
    return bj::parse(r->body).as_object();
  }

  std::string dir_;
};

TEST_F(McpInputRequiredHttpTest, AnotherReplicaAnswersTheNextRoundAndAnotherRegistryRefusesIt) {
  std::string db = NewDb("shared");
  testing::ServerProcess a(db, {"--no-demo"});
  ASSERT_TRUE(a.started()) << a.log();
  testing::ServerProcess b(db, {"--no-demo"});
  ASSERT_TRUE(b.started()) << b.log();

  bj::object first = Call(a, {});
  ASSERT_TRUE(first.contains("result")) << bj::serialize(first);
  const auto& asked = first.at("result").as_object();
  ASSERT_EQ(asked.at("resultType"), "input_required");
  EXPECT_EQ(asked.at("inputRequests").at("install_option").at("params").at("requestedSchema")
                .at("properties").at("option").at("enum").as_array().size(), 3u);

  bj::object answer{{"inputResponses",
                     bj::object{{"install_option",
                                 bj::object{{"action", "accept"},
                                            {"content", bj::object{{"option", "pypi:acme-multi"}}}}}}},
                    {"requestState", asked.at("requestState")}};
  bj::object second = Call(b, answer);
  ASSERT_TRUE(second.contains("result")) << bj::serialize(second);
  const auto& done = second.at("result").as_object();
  EXPECT_EQ(done.at("resultType"), "complete");
  EXPECT_EQ(done.at("structuredContent").at("config").at("servers").at("io.github.acme/multi").at("command"),
            "uvx");

  // The same catalog under another registry key: the state does not verify there.
  testing::ServerProcess other(NewDb("other"), {"--no-demo"});
  ASSERT_TRUE(other.started()) << other.log();
  bj::object refused = Call(other, answer);
  ASSERT_TRUE(refused.contains("error")) << bj::serialize(refused);
  EXPECT_EQ(refused.at("error").at("code"), -32602);
  EXPECT_NE(std::string(refused.at("error").at("message").as_string()).find("integrity"), std::string::npos);
  EXPECT_EQ(a.Stop(), 0) << a.log();
  EXPECT_EQ(b.Stop(), 0) << b.log();
}

}  // namespace
}  // namespace mcpreg
