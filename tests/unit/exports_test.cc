// Curated exports: README, Copilot allowlist and static catalog of the approved set.
#include "service/exports.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "core/percent.h"
#include "model/server_json.h"
#include "service/install_config.h"

namespace mcpreg::service {
namespace {
namespace bj = boost::json;

catalog::EntryPtr Entry(std::string_view doc) {
  auto parsed = bj::parse(doc);
  const auto& o = parsed.as_object();
  VersionRecord r;
  r.meta.name = std::string(o.at("name").as_string());
  r.meta.version = std::string(o.at("version").as_string());
  r.meta.published_at = r.meta.updated_at = r.meta.status_changed_at = 1760000000000000;
  r.meta.is_latest = true;
  r.server_json = model::SerializeServerJson(*model::ParseServerJson(doc));
  r.seq = 1;
  return catalog::BuildEntry(r);
}

constexpr std::string_view kNpm = R"({
  "name": "io.github.acme/weather", "version": "1.2.0", "title": "Weather",
  "description": "Forecasts | alerts\nfor any city",
  "packages": [{
    "registryType": "npm", "identifier": "@acme/weather-mcp", "version": "1.2.0",
    "transport": {"type": "stdio"},
    "packageArguments": [{"type": "named", "name": "--units", "value": "metric"}],
    "environmentVariables": [
      {"name": "WEATHER_API_KEY", "description": "API key", "isSecret": true, "isRequired": true}]
  }],
  "_meta": {"io.modelcontextprotocol.registry/publisher-provided": {"license": "MIT"}}})";

constexpr std::string_view kRemote = R"({
  "name": "com.example/tickets", "version": "2.0.0", "description": "Tickets",
  "remotes": [
    {"type": "streamable-http", "url": "HTTPS://Tickets.Example.COM.:443/mcp#top"},
    {"type": "sse", "url": "https://tickets.example.com/mcp"},
    {"type": "streamable-http", "url": "https://{tenant}.tickets.example.com/mcp",
     "variables": {"tenant": {"description": "Tenant", "isRequired": true}}}]})";

constexpr std::string_view kBoth = R"({
  "name": "io.github.acme/both", "version": "0.1.0", "description": "Both",
  "remotes": [{"type": "streamable-http", "url": "http://both.example.com:80/mcp"}],
  "packages": [
    {"registryType": "pypi", "identifier": "both-mcp", "version": "0.1.0",
     "transport": {"type": "stdio"}},
    {"registryType": "oci", "identifier": "ghcr.io/acme/both", "version": "0.1.0",
     "transport": {"type": "streamable-http", "url": "http://localhost:{port}/mcp"}},
    {"registryType": "mcpb", "identifier": "https://example.com/both.mcpb",
     "transport": {"type": "stdio"}}]})";

constexpr std::string_view kBare = R"({
  "name": "io.github.acme/bare", "version": "3.0.0", "description": "Nothing to install"})";

// The value of query parameter `key` in `url`, percent-decoded ("" when absent).
std::string QueryParam(std::string_view url, std::string_view key) {
  size_t q = url.find('?');
  if (q == std::string_view::npos) return "";
  std::string_view query = url.substr(q + 1);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (pair.substr(0, key.size() + 1) == std::string(key) + "=") {
      auto v = PathUnescape(pair.substr(key.size() + 1));
      return v ? *v : "";
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return "";
}

// The destination of the Markdown link labelled `label` in `md` ("" when absent).
std::string LinkTarget(std::string_view md, std::string_view label) {
  std::string open = "[" + std::string(label) + "](";
  size_t at = md.find(open);
  if (at == std::string_view::npos) return "";
  size_t begin = at + open.size();
  return std::string(md.substr(begin, md.find(')', begin) - begin));
}

std::string RowOf(const std::string& md, std::string_view name) {
  size_t at = md.find("`" + std::string(name) + "`");
  if (at == std::string::npos) return "";
  size_t begin = md.rfind('\n', at) + 1;
  return md.substr(begin, md.find('\n', at) - begin);
}

bj::object InstallEntry(std::string_view doc, InstallClient client) {
  auto install = BuildInstallConfig(*model::ParseServerJson(doc), client);
  EXPECT_TRUE(install.ok());
  auto name = bj::parse(doc).at("name").as_string();
  return install->at("config").at("servers").at(name).as_object();
}

// ---- README ----

TEST(ExportsReadmeTest, HeadingCountAndGalleryUrlSentence) {
  ExportOptions opts;
  opts.title = "Contoso MCP servers";
  opts.registry_url = "https://mcp.contoso.com";
  std::string md = ExportReadme({Entry(kNpm), Entry(kRemote)}, opts);
  EXPECT_EQ(md.rfind("# Contoso MCP servers\n\n2 approved MCP servers. ", 0), 0u) << md;
  EXPECT_NE(md.find("`chat.mcp.gallery.serviceUrl`"), std::string::npos);
  EXPECT_NE(md.find("`McpGalleryServiceUrl`"), std::string::npos);
  EXPECT_NE(md.find("`https://mcp.contoso.com`"), std::string::npos);
  EXPECT_NE(md.find("| Server | Description | Version | Type | Licence | Install |\n"
                    "| --- | --- | --- | --- | --- | --- |\n"),
            std::string::npos);
  // Rows in input order.
  EXPECT_LT(md.find("`io.github.acme/weather`"), md.find("`com.example/tickets`"));
}

TEST(ExportsReadmeTest, EmptySetWithoutRegistryUrlHasNoTableAndNoGallerySentence) {
  std::string md = ExportReadme({}, ExportOptions{});
  EXPECT_EQ(md, "# MCP servers\n\n0 approved MCP servers.\n");
  std::string one = ExportReadme({Entry(kBare)}, ExportOptions{});
  EXPECT_NE(one.find("1 approved MCP server.\n"), std::string::npos) << one;
  EXPECT_EQ(one.find("serviceUrl"), std::string::npos);
}

TEST(ExportsReadmeTest, RowEscapesPipesAndNewlinesAndShowsTitleVersionKindLicence) {
  std::string md = ExportReadme({Entry(kNpm)}, ExportOptions{});
  std::string row = RowOf(md, "io.github.acme/weather");
  ASSERT_FALSE(row.empty()) << md;
  EXPECT_EQ(row.rfind("| **Weather**<br>`io.github.acme/weather` | Forecasts \\| alerts<br>for any "
                      "city | 1.2.0 | local | MIT | [VS Code](",
                      0),
            0u)
      << row;
  // Exactly seven unescaped cell separators: the description's pipe is escaped.
  int separators = 0;
  for (size_t i = 0; i < row.size(); ++i) {
    if (row[i] == '|' && (i == 0 || row[i - 1] != '\\')) ++separators;
  }
  EXPECT_EQ(separators, 7);
}

TEST(ExportsReadmeTest, CellEscapesBackslashesAndHtml) {
  std::string md =
      ExportReadme({Entry(R"({"name":"a.b/c","version":"1","description":"x\\|y <img>\r\nz"})")},
                   ExportOptions{});
  EXPECT_NE(md.find("| x\\\\\\|y &lt;img><br>z |"), std::string::npos) << md;
}

TEST(ExportsReadmeTest, VsCodeLinkIsHttpsRedirectWithInstallConfigEntryAndInputs) {
  std::string md = ExportReadme({Entry(kNpm)}, ExportOptions{});
  std::string url = LinkTarget(md, "VS Code");
  ASSERT_EQ(
      url.rfind("https://vscode.dev/redirect/mcp/install?name=io.github.acme%2Fweather&config=", 0),
      0u)
      << url;
  EXPECT_EQ(QueryParam(url, "name"), "io.github.acme/weather");
  bj::value config = bj::parse(QueryParam(url, "config"));
  EXPECT_EQ(config, bj::value(InstallEntry(kNpm, InstallClient::kVsCode)));
  EXPECT_EQ(config.at("type"), "stdio");
  EXPECT_EQ(config.at("command"), "npx");
  EXPECT_EQ(bj::serialize(config.at("args")),
            R"(["-y","@acme/weather-mcp@1.2.0","--units","metric"])");
  bj::value inputs = bj::parse(QueryParam(url, "inputs"));
  ASSERT_EQ(inputs.as_array().size(), 1u);
  EXPECT_EQ(inputs.at(0).at("id"), "WEATHER_API_KEY");
  EXPECT_EQ(inputs.at(0).at("password"), true);
}

TEST(ExportsReadmeTest, VisualStudioLinkCarriesNameTypeAndCommandOrUrl) {
  std::string md = ExportReadme({Entry(kNpm), Entry(kRemote)}, ExportOptions{});
  std::string npm_url = LinkTarget(RowOf(md, "io.github.acme/weather"), "Visual Studio");
  ASSERT_EQ(npm_url.rfind("vsweb+mcp:/install?", 0), 0u) << npm_url;
  auto decoded = PathUnescape(npm_url.substr(npm_url.find('?') + 1));
  ASSERT_TRUE(decoded);
  bj::object npm = bj::parse(*decoded).as_object();
  EXPECT_EQ(npm.begin()->key(), "name");
  EXPECT_EQ(npm.at("name"), "io.github.acme/weather");
  bj::object expected = InstallEntry(kNpm, InstallClient::kVisualStudio);
  EXPECT_EQ(npm.at("type"), "stdio");
  EXPECT_EQ(npm.at("command"), expected.at("command"));
  EXPECT_EQ(npm.at("args"), expected.at("args"));
  EXPECT_EQ(npm.at("inputs").as_array().size(), 1u);

  std::string remote_url = LinkTarget(RowOf(md, "com.example/tickets"), "Visual Studio");
  bj::object remote =
      bj::parse(*PathUnescape(remote_url.substr(remote_url.find('?') + 1))).as_object();
  EXPECT_EQ(remote.at("name"), "com.example/tickets");
  EXPECT_EQ(remote.at("type"), "http");
  EXPECT_EQ(remote.at("url"), InstallEntry(kRemote, InstallClient::kVisualStudio).at("url"));
  EXPECT_FALSE(remote.contains("command"));
}

TEST(ExportsReadmeTest, ServerWithoutPackagesOrRemotesGetsNoLinksAndNoLicence) {
  std::string md = ExportReadme({Entry(kBare)}, ExportOptions{});
  EXPECT_EQ(RowOf(md, "io.github.acme/bare"),
            "| `io.github.acme/bare` | Nothing to install | 3.0.0 | — | — | — |");
}

TEST(ExportsReadmeTest, KindIsRemoteOrBothAndBundleGetsBundleLink) {
  std::string md = ExportReadme({Entry(kBoth), Entry(kRemote)}, ExportOptions{});
  std::string both = RowOf(md, "io.github.acme/both");
  EXPECT_NE(both.find("| 0.1.0 | both |"), std::string::npos) << both;
  EXPECT_NE(RowOf(md, "com.example/tickets").find("| 2.0.0 | remote |"), std::string::npos);
  // The first package wins in the install config: pypi, so uvx.
  bj::value config = bj::parse(QueryParam(LinkTarget(both, "VS Code"), "config"));
  EXPECT_EQ(config.at("command"), "uvx");

  std::string bundle =
      ExportReadme({Entry(R"({"name":"a.b/bundle","version":"1.0.0","description":"B","packages":[
          {"registryType":"mcpb","identifier":"https://example.com/b.mcpb","transport":{"type":"stdio"}}]})")},
                   ExportOptions{});
  EXPECT_NE(bundle.find("| [MCP bundle](https://example.com/b.mcpb) |"), std::string::npos)
      << bundle;
  EXPECT_EQ(bundle.find("vscode.dev"), std::string::npos);
}

TEST(ExportsReadmeTest, LicenceFallsBackToGithubBlock) {
  std::string md = ExportReadme({Entry(R"({"name":"a.b/gh","version":"1","description":"d",
          "_meta":{"io.modelcontextprotocol.registry/publisher-provided":{"github":{"license":"Apache-2.0"}}}})")},
                                ExportOptions{});
  EXPECT_NE(md.find("| Apache-2.0 |"), std::string::npos) << md;
}

TEST(ExportsReadmeTest, SameInputGivesSameBytes) {
  std::vector<catalog::EntryPtr> set{Entry(kBoth), Entry(kRemote), Entry(kNpm)};
  ExportOptions opts;
  opts.registry_url = "https://r.example";
  EXPECT_EQ(ExportReadme(set, opts), ExportReadme(set, opts));
  EXPECT_EQ(ExportAllowlist(set), ExportAllowlist(set));
  EXPECT_EQ(ExportCatalog(set, opts), ExportCatalog(set, opts));
}

// ---- Allowlist ----

std::vector<std::string> Matchers(const std::string& text) {
  bj::value v = bj::parse(text);
  std::vector<std::string> out;
  for (const auto& m : v.at("allowedMcpServers").as_array()) {
    EXPECT_EQ(m.as_object().size(), 1u) << bj::serialize(m);
    out.push_back(bj::serialize(m));
  }
  return out;
}

TEST(ExportsAllowlistTest, EmptySetBlocksAllButBuiltIns) {
  EXPECT_EQ(ExportAllowlist({}), R"({"allowedMcpServers":[]})");
}

TEST(ExportsAllowlistTest, RemotesBecomeCanonicalUrlsWithTemplateWildcardsWithoutDuplicates) {
  EXPECT_EQ(Matchers(ExportAllowlist({Entry(kRemote)})),
            (std::vector<std::string>{R"({"serverName":"com.example/tickets"})",
                                      R"({"serverUrl":"https://tickets.example.com/mcp"})",
                                      R"({"serverUrl":"https://*.tickets.example.com/mcp"})"}));
}

TEST(ExportsAllowlistTest, PackagesBecomePinnedCommandsFromTheInstallConfig) {
  std::vector<std::string> m = Matchers(ExportAllowlist({Entry(kBoth), Entry(kNpm)}));
  EXPECT_EQ(
      m,
      (std::vector<std::string>{
          R"({"serverName":"io.github.acme/both"})",
          R"({"serverUrl":"http://both.example.com/mcp"})",
          R"({"serverCommand":["uvx","both-mcp==0.1.0"]})",
          R"({"serverUrl":"http://localhost:*/mcp"})", R"({"serverName":"io.github.acme/weather"})",
          R"({"serverCommand":["npx","-y","@acme/weather-mcp@1.2.0","--units","metric"]})"}));
  // Exactly the install config's command and args.
  bj::object entry = InstallEntry(kNpm, InstallClient::kVsCode);
  bj::array expected{entry.at("command")};
  for (const auto& a : entry.at("args").as_array()) expected.push_back(a);
  EXPECT_EQ(bj::parse(m.back()).at("serverCommand"), bj::value(expected));
}

TEST(ExportsAllowlistTest, SecondPackageIsNotShadowedByTheFirstAndDuplicatesAreDropped) {
  std::string text =
      ExportAllowlist({Entry(R"({"name":"a.b/two","version":"1.0.0","description":"d",
      "packages":[
        {"registryType":"npm","identifier":"two","version":"1.0.0","transport":{"type":"stdio"}},
        {"registryType":"oci","identifier":"ghcr.io/a/two","version":"1.0.0","transport":{"type":"stdio"}},
        {"registryType":"npm","identifier":"two","version":"1.0.0","transport":{"type":"stdio"}}]})")});
  EXPECT_EQ(Matchers(text),
            (std::vector<std::string>{
                R"({"serverName":"a.b/two"})", R"({"serverCommand":["npx","-y","two@1.0.0"]})",
                R"({"serverCommand":["docker","run","-i","--rm","ghcr.io/a/two:1.0.0"]})"}));
}

TEST(ExportsAllowlistTest, UnparsableDocumentStillGetsItsNameMatcher) {
  VersionRecord r;
  r.meta.name = "a.b/broken";
  r.meta.version = "1";
  r.server_json = "not json";
  EXPECT_EQ(Matchers(ExportAllowlist({catalog::BuildEntry(r)})),
            (std::vector<std::string>{R"({"serverName":"a.b/broken"})"}));
  EXPECT_NE(ExportReadme({catalog::BuildEntry(r)}, ExportOptions{}).find("| `a.b/broken` |"),
            std::string::npos);
}

// ---- Catalog ----

TEST(ExportsCatalogTest, ListShapeWithVerbatimResponses) {
  std::vector<catalog::EntryPtr> set{Entry(kNpm), Entry(kRemote)};
  std::string text = ExportCatalog(set, ExportOptions{});
  bj::value v = bj::parse(text);
  const auto& servers = v.at("servers").as_array();
  ASSERT_EQ(servers.size(), 2u);
  EXPECT_EQ(servers[0], bj::parse(set[0]->response_json));
  EXPECT_EQ(servers[1], bj::parse(set[1]->response_json));
  EXPECT_NE(text.find(set[0]->response_json), std::string::npos);
  EXPECT_EQ(bj::serialize(v.at("metadata")), R"({"count":2})");
  EXPECT_EQ(v.as_object().size(), 2u);
}

TEST(ExportsCatalogTest, EmptySet) {
  EXPECT_EQ(ExportCatalog({}, ExportOptions{}), R"({"servers":[],"metadata":{"count":0}})");
}

}  // namespace
}  // namespace mcpreg::service
