// Install configuration entries for VS Code, Visual Studio and Claude Desktop.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "model/server_json.h"
#include "service/install_config.h"

namespace mcpreg::service {
namespace {
namespace bj = boost::json;

bj::object Build(std::string_view doc, std::string_view client) {
  auto server = model::ParseServerJson(doc);
  EXPECT_TRUE(server.ok()) << server.status().ToString();
  auto c = ParseInstallClient(client);
  EXPECT_TRUE(c.ok());
  auto r = BuildInstallConfig(*server, *c);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : bj::object{};
}

constexpr std::string_view kNpm = R"({
  "name": "io.github.acme/weather", "version": "1.2.0", "description": "Weather",
  "packages": [{
    "registryType": "npm", "identifier": "@acme/weather-mcp", "version": "1.2.0",
    "transport": {"type": "stdio"},
    "packageArguments": [
      {"type": "named", "name": "--units", "value": "metric"},
      {"type": "positional", "valueHint": "region", "isRequired": true, "description": "Region"},
      {"type": "named", "name": "--verbose"}],
    "environmentVariables": [
      {"name": "WEATHER_API_KEY", "description": "API key", "isSecret": true, "isRequired": true},
      {"name": "WEATHER_LOG", "default": "info"},
      {"name": "WEATHER_OPTIONAL"}]
  }]})";

TEST(McpInstallConfigTest, NpmPackageForVsCodeGivesNpxCommandAndSecretPrompts) {
  bj::object r = Build(kNpm, "vscode");
  EXPECT_EQ(r.at("file"), "mcp.json");
  EXPECT_EQ(r.at("kind"), "package");
  const auto& entry = r.at("config").at("servers").at("io.github.acme/weather");
  EXPECT_EQ(entry.at("type"), "stdio");
  EXPECT_EQ(entry.at("command"), "npx");
  EXPECT_EQ(bj::serialize(entry.at("args")),
            R"(["-y","@acme/weather-mcp@1.2.0","--units","metric","${input:region}","--verbose"])");
  EXPECT_EQ(bj::serialize(entry.at("env")),
            R"({"WEATHER_API_KEY":"${input:WEATHER_API_KEY}","WEATHER_LOG":"info"})");
  const auto& prompts = r.at("config").at("inputs").as_array();
  ASSERT_EQ(prompts.size(), 2u);
  EXPECT_EQ(prompts[0].at("id"), "WEATHER_API_KEY");
  EXPECT_EQ(prompts[0].at("type"), "promptString");
  EXPECT_EQ(prompts[0].at("password"), true);
  EXPECT_EQ(prompts[1].at("id"), "region");
  EXPECT_EQ(prompts[1].at("password"), false);
  EXPECT_EQ(r.at("inputs").as_array().size(), 2u);
}

TEST(McpInstallConfigTest, ClaudeGetsMcpServersWithPlaceholdersAndNoPrompts) {
  bj::object r = Build(kNpm, "claude");
  EXPECT_EQ(r.at("file"), "claude_desktop_config.json");
  const auto& entry = r.at("config").at("mcpServers").at("io.github.acme/weather").as_object();
  EXPECT_FALSE(entry.contains("type"));
  EXPECT_EQ(entry.at("env").at("WEATHER_API_KEY"), "<WEATHER_API_KEY>");
  EXPECT_FALSE(r.at("config").as_object().contains("inputs"));
  EXPECT_EQ(r.at("inputs").as_array().size(), 2u);
}

TEST(McpInstallConfigTest, PypiOciNugetUseUvxDockerDnx) {
  bj::object py = Build(R"({"name":"a.b/py","version":"0.3.0","packages":[
      {"registryType":"pypi","identifier":"weather-mcp","version":"0.3.0","transport":{"type":"stdio"}}]})",
                        "visualstudio");
  EXPECT_EQ(py.at("file"), ".mcp.json");
  const auto& pe = py.at("config").at("servers").at("a.b/py");
  EXPECT_EQ(pe.at("command"), "uvx");
  EXPECT_EQ(bj::serialize(pe.at("args")), R"(["weather-mcp==0.3.0"])");

  bj::object oci = Build(R"({"name":"a.b/oci","version":"2.0.0","packages":[
      {"registryType":"oci","identifier":"ghcr.io/acme/weather","version":"2.0.0","transport":{"type":"stdio"},
       "environmentVariables":[{"name":"TOKEN","isSecret":true}]}]})",
                         "vscode");
  const auto& oe = oci.at("config").at("servers").at("a.b/oci");
  EXPECT_EQ(oe.at("command"), "docker");
  EXPECT_EQ(bj::serialize(oe.at("args")),
            R"(["run","-i","--rm","-e","TOKEN","ghcr.io/acme/weather:2.0.0"])");

  bj::object nu = Build(R"({"name":"a.b/nu","version":"1.0.0","packages":[
      {"registryType":"nuget","identifier":"Acme.Weather","version":"1.0.0","transport":{"type":"stdio"},
       "packageArguments":[{"type":"positional","value":"serve"}]}]})",
                        "vscode");
  EXPECT_EQ(bj::serialize(nu.at("config").at("servers").at("a.b/nu").at("args")),
            R"(["Acme.Weather@1.0.0","--yes","--","serve"])");
  EXPECT_EQ(nu.at("config").at("servers").at("a.b/nu").at("command"), "dnx");
}

TEST(McpInstallConfigTest, RemoteGivesUrlAndHeaderInputsOrMcpRemoteForClaude) {
  constexpr std::string_view kRemote = R"({"name":"com.acme/api","version":"1.0.0",
    "remotes":[{"type":"streamable-http","url":"https://{tenant}.acme.com/mcp",
      "variables":{"tenant":{"description":"Tenant","isRequired":true}},
      "headers":[{"name":"Authorization","value":"Bearer {token}","variables":{"token":{"isSecret":true}}}]}]})";
  bj::object v = Build(kRemote, "vscode");
  EXPECT_EQ(v.at("kind"), "remote");
  const auto& e = v.at("config").at("servers").at("com.acme/api");
  EXPECT_EQ(e.at("type"), "http");
  EXPECT_EQ(e.at("url"), "https://${input:tenant}.acme.com/mcp");
  EXPECT_EQ(e.at("headers").at("Authorization"), "Bearer ${input:token}");
  EXPECT_EQ(v.at("config").at("inputs").as_array().size(), 2u);

  bj::object c = Build(kRemote, "claude");
  const auto& ce = c.at("config").at("mcpServers").at("com.acme/api");
  EXPECT_EQ(ce.at("command"), "npx");
  EXPECT_EQ(
      bj::serialize(ce.at("args")),
      R"(["-y","mcp-remote","https://<tenant>.acme.com/mcp","--header","Authorization: Bearer <token>"])");
}

TEST(McpInstallConfigTest, McpbNamesTheBundleAndUnknownClientIsRejected) {
  bj::object b = Build(R"({"name":"a.b/bundle","version":"1.0.0","packages":[
      {"registryType":"mcpb","identifier":"https://example.com/x.mcpb","fileSha256":"abc","transport":{"type":"stdio"}}]})",
                       "claude");
  EXPECT_EQ(b.at("kind"), "bundle");
  EXPECT_EQ(b.at("bundle").at("url"), "https://example.com/x.mcpb");
  EXPECT_EQ(b.at("bundle").at("fileSha256"), "abc");
  EXPECT_TRUE(b.at("config").as_object().empty());
  EXPECT_FALSE(ParseInstallClient("cursor").ok());

  auto empty = model::ParseServerJson(std::string_view(R"({"name":"a.b/none","version":"1.0.0"})"));
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(BuildInstallConfig(*empty, InstallClient::kVsCode).status().code(),
            Code::kFailedPrecondition);
}

}  // namespace
}  // namespace mcpreg::service
