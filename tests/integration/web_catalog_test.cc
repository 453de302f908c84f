// The public catalog pages of the browser interface through the real binary: GET / agrees with
// GET /v0.1/servers for the same query, server pages escape every string from server.json,
// install links equal the README export's, snippets equal the install config, and unknown
// names get an HTML 404.
#include <gtest/gtest.h>
#include <strings.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <regex>

#include "core/percent.h"
#include "integration/server_process.h"
#include "model/server_json.h"
#include "service/install_config.h"
#include "transport/http_client.h"

namespace mcpreg {
namespace {

namespace bj = boost::json;
using testing::RunCli;
using testing::ServerProcess;

constexpr int kBulk = 45;
constexpr std::string_view kSchema =
    "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";
constexpr std::string_view kHostile = "<script>alert(1)</script><img src=x onerror=alert(1)>";

class WebCatalogTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::TempDir());
    std::string db = *dir_ + "/registry.db";
    bj::array extra;
    for (int i = 0; i < kBulk; ++i) {
      char name[64];
      std::snprintf(name, sizeof name, "com.bulk/server-%02d", i);
      extra.push_back(bj::object{
          {"$schema", kSchema},
          {"name", name},
          {"description", "Bulk test server number " + std::to_string(i)},
          {"version", "1.0.0"},
          {"remotes",
           bj::array{bj::object{{"type", "streamable-http"},
                                {"url", "https://bulk.example.com/" + std::to_string(i)}}}}});
    }
    extra.push_back(
        bj::object{{"$schema", kSchema},
                   {"name", "io.github.evil/hostile"},
                   {"title", kHostile},
                   {"description", std::string("Hostile ") + std::string(kHostile)},
                   {"version", "1.0.0"},
                   {"remotes", bj::array{bj::object{{"type", "streamable-http"},
                                                    {"url", "https://evil.example.com/mcp"}}}}});
    extra.push_back(bj::object{
        {"$schema", kSchema},
        {"name", "io.github.acme/secrets"},
        {"title", "Secrets"},
        {"description", "Needs an API key"},
        {"version", "2.0.0"},
        {"websiteUrl", "https://acme.example.com/secrets"},
        {"packages",
         bj::array{bj::object{
             {"registryType", "npm"},
             {"identifier", "@acme/secrets-mcp"},
             {"version", "2.0.0"},
             {"transport", bj::object{{"type", "stdio"}}},
             {"environmentVariables", bj::array{bj::object{{"name", "ACME_API_KEY"},
                                                           {"description", "Your <b>API</b> key"},
                                                           {"isRequired", true},
                                                           {"isSecret", true}}}}}}}});
    std::string extra_path = *dir_ + "/extra.json";
    std::ofstream(extra_path) << bj::serialize(extra);
    std::string out, err;
    int rc = RunCli(
        {"import", "--db", db, std::string(MCPREG_SOURCE_DIR) + "/tests/fixtures/api/catalog.json"},
        &out, &err);
    ASSERT_EQ(rc, 0) << out << err;
    rc = RunCli({"import", "--db", db, extra_path}, &out, &err);
    ASSERT_EQ(rc, 0) << out << err;
    ASSERT_NE(out.find("invalid 0"), std::string::npos) << out << err;
    server_ = new ServerProcess(db);
    ASSERT_TRUE(server_->started()) << server_->log();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }

  static http::ClientResponse Get(const std::string& path, http::Headers headers = {}) {
    http::ClientRequest req;
    req.method = "GET";
    req.url = server_->base_url() + path;
    req.headers = std::move(headers);
    auto r = http::Fetch(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : http::ClientResponse{};
  }
  static std::string Header(const http::ClientResponse& r, std::string_view name) {
    for (const auto& [k, v] : r.headers)
      if (strcasecmp(k.c_str(), std::string(name).c_str()) == 0) return v;
    return "";
  }
  static std::string Unescape(std::string s) {
    for (auto [from, to] : {std::pair{"&lt;", "<"},
                            {"&gt;", ">"},
                            {"&quot;", "\""},
                            {"&#39;", "'"},
                            {"&amp;", "&"}}) {
      std::string out;
      size_t i = 0, j;
      while ((j = s.find(from, i)) != std::string::npos) {
        out.append(s, i, j - i);
        out += to;
        i = j + std::strlen(from);
      }
      out.append(s, i);
      s = std::move(out);
    }
    return s;
  }

  // The server names a catalog page lists, in order, and its "Next" href ("" when none).
  static std::vector<std::string> PageNames(const std::string& html, std::string* next) {
    std::vector<std::string> names;
    static const std::regex item(R"re(<li class="result" data-name="[^"]*"><h3><a href="/servers/([^"]+)">)re");
    for (auto it = std::sregex_iterator(html.begin(), html.end(), item);
         it != std::sregex_iterator(); ++it)
      names.push_back(PathUnescape((*it)[1].str()).value_or("?"));
    std::smatch m;
    static const std::regex next_link(R"re(<a rel="next" href="([^"]+)">Next</a>)re");
    *next = std::regex_search(html, m, next_link) ? Unescape(m[1].str()) : "";
    return names;
  }
  // Every name GET `path` lists, following "Next" links.
  static std::vector<std::string> AllPageNames(std::string path) {
    std::vector<std::string> all;
    for (int i = 0; i < 20 && !path.empty(); ++i) {
      auto r = Get(path);
      EXPECT_EQ(r.status, 200) << path;
      for (auto& n : PageNames(r.body, &path)) all.push_back(n);
    }
    return all;
  }
  // Every latest server name of GET /v0.1/servers?version=latest&<query>, following cursors;
  // deprecated ones dropped unless `with_deprecated`.
  static std::vector<std::string> AllApiNames(const std::string& query, bool with_deprecated) {
    std::vector<std::string> all;
    std::string cursor;
    for (int i = 0; i < 20; ++i) {
      std::string path = "/v0.1/servers?version=latest&limit=100" +
                         (query.empty() ? "" : "&" + query) +
                         (cursor.empty() ? "" : "&cursor=" + PercentEncode(cursor));
      auto r = Get(path);
      EXPECT_EQ(r.status, 200) << path << r.body;
      auto v = bj::parse(r.body);
      for (const auto& s : v.at("servers").as_array()) {
        auto status = s.at("_meta").at("io.modelcontextprotocol.registry/official").at("status");
        if (!with_deprecated && status.as_string() == "deprecated") continue;
        all.push_back(std::string(s.at("server").at("name").as_string()));
      }
      const auto& md = v.at("metadata").as_object();
      if (!md.contains("nextCursor")) break;
      cursor = std::string(md.at("nextCursor").as_string());
    }
    return all;
  }
  static std::string Between(const std::string& s, const std::string& open,
                             const std::string& close) {
    size_t a = s.find(open);
    if (a == std::string::npos) return "";
    a += open.size();
    size_t b = s.find(close, a);
    return b == std::string::npos ? "" : s.substr(a, b - a);
  }

  static std::string* dir_;
  static ServerProcess* server_;
};

std::string* WebCatalogTest::dir_ = nullptr;
ServerProcess* WebCatalogTest::server_ = nullptr;

TEST_F(WebCatalogTest, CatalogListsWhatTheListApiListsAcrossPages) {
  auto first = Get("/");
  ASSERT_EQ(first.status, 200);
  EXPECT_NE(first.body.find("<label for=\"search\">Search</label>"), std::string::npos);
  EXPECT_NE(first.body.find("<input type=\"search\" id=\"search\" name=\"search\""),
            std::string::npos);
  EXPECT_NE(first.body.find("aria-live=\"polite\""), std::string::npos);
  std::string next;
  EXPECT_EQ(PageNames(first.body, &next).size(), 30u);
  EXPECT_FALSE(next.empty());

  auto web = AllPageNames("/");
  EXPECT_EQ(web, AllApiNames("", /*with_deprecated=*/false));
  EXPECT_EQ(std::count(web.begin(), web.end(), "com.example/gamma"), 0);  // deprecated
  EXPECT_EQ(AllPageNames("/?include_deprecated=true"), AllApiNames("", true));
  auto with = AllPageNames("/?include_deprecated=true");
  EXPECT_EQ(std::count(with.begin(), with.end(), "com.example/gamma"), 1);
}

TEST_F(WebCatalogTest, SearchAndFiltersMatchTheListApi) {
  struct Case {
    std::string web, api;
  };
  for (const auto& c : std::vector<Case>{
           {"search=alpha", "search=alpha"},
           {"search=bulk+number+4", "search=bulk%20number%204"},
           {"search=weather", "search=weather"},
           {"transport=remote", "transport=remote"},
           {"transport=local", "transport=local"},
           {"transport=remote&transport=local", ""},
           {"registry_type=npm", "registry_type=npm"},
           {"registry_type=pypi&transport=local", "registry_type=pypi&transport=local"},
           {"search=nothing-matches-this", "search=nothing-matches-this"},
       }) {
    EXPECT_EQ(AllPageNames("/?" + c.web), AllApiNames(c.api, false)) << c.web;
    EXPECT_EQ(AllPageNames("/?" + c.web + "&include_deprecated=true"), AllApiNames(c.api, true))
        << c.web;
  }
  auto r = Get("/?search=alpha&transport=local&registry_type=npm&include_deprecated=true");
  ASSERT_EQ(r.status, 200);
  // The form shows the view it rendered.
  EXPECT_NE(r.body.find("value=\"alpha\""), std::string::npos);
  EXPECT_NE(r.body.find("value=\"local\" checked"), std::string::npos);
  EXPECT_NE(r.body.find("<option value=\"npm\" selected>"), std::string::npos);
  EXPECT_NE(r.body.find("value=\"true\" checked"), std::string::npos);
}

TEST_F(WebCatalogTest, NextLinkKeepsTheFiltersAndCarriesTheApiCursor) {
  auto r = Get("/?transport=remote");
  std::string next;
  auto page1 = PageNames(r.body, &next);
  ASSERT_EQ(page1.size(), 30u);
  EXPECT_EQ(next.rfind("/?transport=remote&cursor=", 0), 0u) << next;
  auto api = bj::parse(Get("/v0.1/servers?version=latest&transport=remote").body);
  std::string cursor(api.at("metadata").at("nextCursor").as_string());
  EXPECT_EQ(next, "/?transport=remote&cursor=" + PercentEncode(cursor));
  auto r2 = Get(next);
  EXPECT_NE(r2.body.find(">First page</a>"), std::string::npos);
}

TEST_F(WebCatalogTest, PagesCarryTheSecurityHeaders) {
  for (std::string path :
       {"/", "/servers/io.github.acme%2Fweather",
        "/servers/io.github.acme%2Fweather/versions/latest", "/servers/nobody%2Fnothing"}) {
    auto r = Get(path);
    EXPECT_EQ(Header(r, "Content-Type"), "text/html; charset=utf-8") << path;
    EXPECT_NE(Header(r, "Content-Security-Policy").find("script-src 'self'"), std::string::npos)
        << path;
    EXPECT_EQ(Header(r, "X-Content-Type-Options"), "nosniff") << path;
    EXPECT_EQ(r.body.find("<script>"), std::string::npos) << path;  // no inline script
    EXPECT_EQ(r.body.find("style="), std::string::npos) << path;    // no inline style
  }
}

TEST_F(WebCatalogTest, ServerPageShowsTheLatestVersionAndEveryVersion) {
  auto r = Get("/servers/com.example%2Falpha");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<h1>Alpha</h1>"), std::string::npos);
  EXPECT_NE(r.body.find("<dt>Latest version</dt><dd>1.10.0</dd>"), std::string::npos);
  for (std::string v : {"1.0.0", "1.2.0", "1.10.0"})
    EXPECT_NE(r.body.find("href=\"/servers/com.example%2Falpha/versions/" + v + "\""),
              std::string::npos)
        << v;
  EXPECT_NE(r.body.find("@example/alpha-mcp"), std::string::npos);

  auto v = Get("/servers/com.example%2Falpha/versions/1.2.0");
  ASSERT_EQ(v.status, 200);
  EXPECT_NE(v.body.find("<dt>Version</dt><dd>1.2.0</dd>"), std::string::npos);
  EXPECT_NE(v.body.find("This is not the latest version"), std::string::npos);
  // Twice-encoded names work like the API's.
  EXPECT_EQ(Get("/servers/com.example%252Falpha").status, 200);
}

TEST_F(WebCatalogTest, DeprecatedServerIsMarkedOnItsPage) {
  auto r = Get("/servers/com.example%2Fgamma");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<span class=\"badge deprecated\">Deprecated</span>"), std::string::npos);
  EXPECT_NE(r.body.find("This server is deprecated."), std::string::npos);
}

TEST_F(WebCatalogTest, UnknownNameOrVersionIsAnHtml404WithAWayBack) {
  for (std::string path :
       {"/servers/nobody%2Fnothing", "/servers/com.example%2Falpha/versions/9.9.9",
        "/servers/bad%25zzescape"}) {
    auto r = Get(path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(Header(r, "Content-Type"), "text/html; charset=utf-8") << path;
    EXPECT_NE(r.body.find("<a href=\"/\">"), std::string::npos) << path;
  }
}

TEST_F(WebCatalogTest, HostileMetadataRendersOnlyAsText) {
  const std::string escaped =
      "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;";
  for (std::string path : {"/?search=hostile", "/servers/io.github.evil%2Fhostile",
                           "/servers/io.github.evil%2Fhostile/versions/1.0.0"}) {
    auto r = Get(path);
    ASSERT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.body.find("<script>alert"), std::string::npos) << path;
    EXPECT_EQ(r.body.find("<img src=x"), std::string::npos) << path;
    EXPECT_EQ(r.body.find("onerror=alert(1)>"), std::string::npos) << path;
    EXPECT_NE(r.body.find(escaped), std::string::npos) << path;
  }
  auto r = Get("/servers/io.github.acme%2Fsecrets");
  EXPECT_EQ(r.body.find("<b>API</b>"), std::string::npos);
  EXPECT_NE(r.body.find("Your &lt;b&gt;API&lt;/b&gt; key"), std::string::npos);
  EXPECT_NE(r.body.find("<a href=\"https://acme.example.com/secrets\">"), std::string::npos);
}

TEST_F(WebCatalogTest, InstallLinksEqualTheReadmeExport) {
  auto readme = Get("/v0.1/x/dev.mcpreg/export/readme");
  ASSERT_EQ(readme.status, 200) << readme.body;
  for (std::string name :
       {"io.github.acme/secrets", "io.github.acme/weather", "com.example/beta"}) {
    size_t row = readme.body.find("`" + name + "`");
    ASSERT_NE(row, std::string::npos) << name;
    std::string line = readme.body.substr(row, readme.body.find('\n', row) - row);
    std::string vscode = Between(line, "[VS Code](", ")");
    std::string vs = Between(line, "[Visual Studio](", ")");
    ASSERT_FALSE(vscode.empty()) << line;
    ASSERT_FALSE(vs.empty()) << line;

    auto page = Get("/servers/" + PercentEncode(name));
    ASSERT_EQ(page.status, 200);
    EXPECT_EQ(Unescape(Between(page.body, "<a class=\"button vscode\" href=\"", "\"")), vscode);
    EXPECT_EQ(Unescape(Between(page.body, "<a class=\"button visualstudio\" href=\"", "\"")), vs);
    std::string insiders = vscode;
    insiders.replace(0, std::strlen("https://vscode.dev"), "https://insiders.vscode.dev");
    EXPECT_EQ(Unescape(Between(page.body, "<a class=\"button vscode-insiders\" href=\"", "\"")),
              insiders + "&quality=insiders");
  }
}

TEST_F(WebCatalogTest, SnippetsEqualTheInstallConfig) {
  for (std::string name : {"io.github.acme/secrets", "com.example/beta"}) {
    auto api = Get("/v0.1/servers/" + PercentEncode(name) + "/versions/latest");
    ASSERT_EQ(api.status, 200);
    auto server = model::ParseServerJson(bj::parse(api.body).at("server"));
    ASSERT_TRUE(server.ok());
    auto page = Get("/servers/" + PercentEncode(name));
    for (auto [client, id] :
         {std::pair{service::InstallClient::kVsCode, "snippet-vscode\" data-snippet=\"vscode"},
          std::pair{service::InstallClient::kClaude, "snippet-claude\" data-snippet=\"claude"}}) {
      auto want = service::BuildInstallConfig(*server, client);
      ASSERT_TRUE(want.ok());
      std::string text =
          Unescape(Between(page.body, std::string("<code id=\"") + id + "\">", "</code>"));
      boost::system::error_code ec;
      auto got = bj::parse(text, ec);
      ASSERT_FALSE(ec) << text;
      EXPECT_EQ(got, want->at("config")) << name << " " << id;
    }
  }
  auto page = Get("/servers/io.github.acme%2Fsecrets");
  EXPECT_NE(page.body.find("aria-label=\"Copy mcp.json\""), std::string::npos);
  EXPECT_NE(page.body.find("${input:"), std::string::npos);  // the key is prompted for
}

TEST_F(WebCatalogTest, AssetsAreServedWithValidators) {
  auto css = Get("/assets/app.css");
  ASSERT_EQ(css.status, 200);
  EXPECT_EQ(Header(css, "Content-Type"), "text/css; charset=utf-8");
  EXPECT_EQ(Header(css, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(Header(css, "Cache-Control"), "public, max-age=3600");
  std::string etag = Header(css, "ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(etag.front(), '"');  // strong
  EXPECT_EQ(Get("/assets/app.css", {{"If-None-Match", etag}}).status, 304);
  for (std::string js : {"/assets/catalog.js", "/assets/console.js"}) {
    auto r = Get(js);
    EXPECT_EQ(r.status, 200) << js;
    EXPECT_EQ(Header(r, "Content-Type"), "application/javascript; charset=utf-8") << js;
  }
  EXPECT_EQ(Get("/assets/nope.js").status, 404);
}

}  // namespace
}  // namespace mcpreg
