// Issue 9 item 1: "Remote crash without credentials". A ~64 KB string in a remote URL, name,
// version, repository URL, subfolder or icon size used to overflow the stack of the backtracking
// regex engine and kill the process. Through every entry point named in the issue, against the
// real binary, each such document must now be answered with a 4xx or a validation report, and
// the process must still answer /v0.1/health afterwards.
//
// Before the fix, the first request of each test killed the server (connection reset, health
// unreachable) and `mcpreg mcp` died on a signal.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>

#include "auth/jwks.h"
#include "auth/jwt.h"
#include "auth/keys.h"
#include "integration/server_process.h"
#include "transport/http_client.h"

namespace mcpreg {
namespace {
namespace bj = boost::json;

constexpr char kIssuer[] = "https://idp.regex.example";
constexpr char kSchema[] =
    "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";
const std::string kBig(64 * 1024, '1');  // digits fit every character class involved

struct Field {
  const char* what;
  std::function<void(bj::object&)> put;
};

// A publishable server.json with one of the six fields of item 1 made huge.
std::vector<Field> Fields() {
  return {
      {"name", [](bj::object& d) { d["name"] = "com.acme/" + kBig; }},
      {"version", [](bj::object& d) { d["version"] = "1.0.0-" + kBig; }},
      {"remote url",
       [](bj::object& d) {
         d["remotes"] = bj::array{
             bj::object{{"type", "streamable-http"}, {"url", "https://example.com/" + kBig}}};
       }},
      {"repository url",
       [](bj::object& d) {
         d["repository"] =
             bj::object{{"url", "https://github.com/acme/" + kBig}, {"source", "github"}};
       }},
      {"subfolder",
       [](bj::object& d) {
         d["repository"] = bj::object{
             {"url", "https://github.com/acme/tools"}, {"source", "github"}, {"subfolder", kBig}};
       }},
      {"icon sizes",
       [](bj::object& d) {
         d["icons"] = bj::array{bj::object{{"src", "https://example.com/icon.png"},
                                           {"sizes", bj::array{"48x" + kBig}}}};
       }},
  };
}

// A tool result carrying an invalid report (as structuredContent or as escaped text).
bool SaysInvalid(const std::string& body) {
  return body.find("\"valid\":false") != std::string::npos ||
         body.find("\\\"valid\\\":false") != std::string::npos;
}

bj::object Document(const Field& f) {
  bj::object d{{"$schema", kSchema},
               {"name", "com.acme/tools"},
               {"description", "Hostile input"},
               {"version", "1.0.0"}};
  f.put(d);
  return d;
}

// One fresh server per test, so that each entry point shows its own behaviour (before the fix,
// the first huge field killed the server of the test that sent it).
class RegexCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = new std::string(testing::TempDir());
    key_ = new auth::Key(*auth::Key::Generate(auth::KeyType::kEcP256, "k1"));
    auth::JwkSet set;
    set.Add(*auth::Key::FromJwk(key_->PublicJwk()));
    std::ofstream(*dir_ + "/jwks.json") << set.ToJson();
    std::ofstream(*dir_ + "/mcpreg.yaml")
        << "auth:\n  issuers:\n    - name: idp\n      issuer: " << kIssuer
        << "\n      audience: mcpreg\n      jwks_file: jwks.json\n      rules:\n"
           "        - match: {org: acme}\n"
           "          grant: {actions: [publish], resource: \"com.acme/*\"}\n";
    server_ = new testing::ServerProcess(*dir_ + "/registry.db",
                                         {"--config", *dir_ + "/mcpreg.yaml", "--no-demo"});
  }
  void TearDown() override {
    delete server_;
    std::filesystem::remove_all(*dir_);
    delete dir_;
    delete key_;
  }

  static http::ClientResponse Do(const std::string& method, const std::string& path,
                                 const std::string& body = "", http::Headers headers = {}) {
    http::ClientRequest req;
    req.method = method;
    req.url = server_->base_url() + path;
    req.body = body;
    req.headers = std::move(headers);
    if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
    auto r = http::Fetch(req);
    EXPECT_TRUE(r.ok()) << method << " " << path << ": " << r.status().ToString();
    return r.ok() ? *r : http::ClientResponse{};
  }
  static void ExpectAlive(const char* after) {
    http::ClientRequest req;
    req.method = "GET";
    req.url = server_->base_url() + "/v0.1/health";
    auto r = http::Fetch(req);
    ASSERT_TRUE(r.ok()) << "server died after " << after << ": " << r.status().ToString();
    EXPECT_EQ(r->status, 200) << after;
  }
  static std::string Token() {
    long now = static_cast<long>(std::time(nullptr));
    bj::object c{{"iss", kIssuer}, {"aud", "mcpreg"}, {"sub", "ci"},
                 {"org", "acme"},  {"iat", now},      {"exp", now + 300}};
    std::string oidc = *auth::SignJwt(*key_, auth::JwsAlg::kES256, bj::serialize(c));
    auto r = Do("POST", "/v0.1/auth/oidc", bj::serialize(bj::object{{"oidc_token", oidc}}));
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return "";
    return std::string(bj::parse(r.body).at("registry_token").as_string());
  }

  static std::string* dir_;
  static auth::Key* key_;
  static testing::ServerProcess* server_;
};
std::string* RegexCrashTest::dir_ = nullptr;
auth::Key* RegexCrashTest::key_ = nullptr;
testing::ServerProcess* RegexCrashTest::server_ = nullptr;

TEST_F(RegexCrashTest, ValidateEndpointReportsHugeFieldsAndStaysUp) {
  ASSERT_TRUE(server_->started()) << server_->log();
  for (const Field& f : Fields()) {
    auto r = Do("POST", "/v0.1/validate", bj::serialize(Document(f)));
    EXPECT_EQ(r.status, 200) << f.what;
    EXPECT_NE(r.body.find("\"valid\":false"), std::string::npos) << f.what;
    ExpectAlive(f.what);
  }
}

TEST_F(RegexCrashTest, PublishRefusesHugeFieldsWith422AndStaysUp) {
  ASSERT_TRUE(server_->started()) << server_->log();
  std::string token = Token();
  for (const Field& f : Fields()) {
    auto r = Do("POST", "/v0.1/publish", bj::serialize(Document(f)),
                {{"Authorization", "Bearer " + token}});
    EXPECT_EQ(r.status, 422) << f.what << ": " << r.body.substr(0, 500);
    ExpectAlive(f.what);
  }
}

// Item 14: publish used to skip the JSON Schema, so a 309-character name was stored.
TEST_F(RegexCrashTest, PublishRefusesA309CharacterNameWith422AndStoresNothing) {
  ASSERT_TRUE(server_->started()) << server_->log();
  std::string token = Token();
  const std::string name = "com.acme/" + std::string(300, 'a');  // 309 characters
  bj::object doc{{"$schema", kSchema},
                 {"name", name},
                 {"description", "Too long a name"},
                 {"version", "1.0.0"}};
  auto r = Do("POST", "/v0.1/publish", bj::serialize(doc), {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(r.status, 422) << r.body.substr(0, 500);
  auto listed = Do("GET", "/v0.1/servers?search=com.acme");
  EXPECT_EQ(listed.status, 200);
  EXPECT_EQ(listed.body.find(name), std::string::npos) << "the document was stored";
}

TEST_F(RegexCrashTest, RequestFilingWithHugeDraftFieldsAnswersAndStaysUp) {
  ASSERT_TRUE(server_->started()) << server_->log();
  std::string token = Token();
  int n = 0;
  for (const Field& f : Fields()) {
    // One request per name: a second request for the same name would be a 409.
    bj::object request{{"name", "com.acme/tools" + std::to_string(n++)},
                       {"team", "Tools"},
                       {"contacts", bj::array{"tools@acme.example"}},
                       {"consumption", "first-party"},
                       {"hosting", "remote"},
                       {"publisher", bj::object{{"issuer", kIssuer}, {"subject", "ci"}}},
                       {"pipeline", "https://ci.acme.example/tools"},
                       {"apis", bj::array{bj::object{{"name", "Tools API"}, {"owner", "Tools"}}}},
                       {"server", Document(f)}};
    auto r = Do("POST", "/v0.1/x/dev.mcpreg/requests", bj::serialize(request),
                {{"Authorization", "Bearer " + token}});
    EXPECT_TRUE(r.status == 201 || r.status == 422)
        << f.what << ": " << r.status << " " << r.body.substr(0, 500);
    ExpectAlive(f.what);
  }
}

TEST_F(RegexCrashTest, McpToolValidateServerJsonOverHttpAnswersAndStaysUp) {
  ASSERT_TRUE(server_->started()) << server_->log();
  auto post = [&](const std::string& body, const std::string& session) {
    http::Headers h = {{"Accept", "application/json, text/event-stream"}};
    if (!session.empty()) {
      h.emplace_back("Mcp-Session-Id", session);
      h.emplace_back("MCP-Protocol-Version", "2025-11-25");
    }
    return Do("POST", "/mcp", body, h);
  };
  auto init = post(bj::serialize(bj::object{
                       {"jsonrpc", "2.0"},
                       {"id", 1},
                       {"method", "initialize"},
                       {"params", bj::object{{"protocolVersion", "2025-11-25"},
                                             {"capabilities", bj::object{}},
                                             {"clientInfo", {{"name", "t"}, {"version", "1"}}}}}}),
                   "");
  ASSERT_EQ(init.status, 200) << init.body;
  std::string session;
  for (const auto& [k, v] : init.headers)
    if (strcasecmp(k.c_str(), "Mcp-Session-Id") == 0) session = v;
  ASSERT_FALSE(session.empty());
  post(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", session);
  int id = 2;
  for (const Field& f : Fields()) {
    // Both forms the tool takes: the document as an object and as a string.
    for (bool as_string : {false, true}) {
      bj::value doc = Document(f);
      if (as_string) doc = bj::serialize(doc);
      bj::object call{{"jsonrpc", "2.0"},
                      {"id", id++},
                      {"method", "tools/call"},
                      {"params", bj::object{{"name", "validate_server_json"},
                                            {"arguments", bj::object{{"server_json", doc}}}}}};
      auto r = post(bj::serialize(call), session);
      EXPECT_EQ(r.status, 200) << f.what;
      EXPECT_TRUE(SaysInvalid(r.body)) << f.what << ": " << r.body.substr(0, 500);
      ExpectAlive(f.what);
    }
  }
}

TEST_F(RegexCrashTest, McpOverStdioAnswersEveryHugeDocument) {
  ASSERT_TRUE(server_->started()) << server_->log();  // its database is the one served
  std::string in = *dir_ + "/stdin.jsonl", out = *dir_ + "/stdout.jsonl";
  {
    std::ofstream f(in);
    f << R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":)"
         R"("2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})"
      << "\n"
      << R"({"jsonrpc":"2.0","method":"notifications/initialized"})"
      << "\n";
    int id = 2;
    for (const Field& field : Fields()) {
      bj::object call{
          {"jsonrpc", "2.0"},
          {"id", id++},
          {"method", "tools/call"},
          {"params", bj::object{{"name", "validate_server_json"},
                                {"arguments", bj::object{{"server_json", Document(field)}}}}}};
      f << bj::serialize(call) << "\n";
    }
  }
  std::string cmd = std::string(testing::BinaryPath()) + " mcp --db " + *dir_ + "/registry.db < " +
                    in + " > " + out + " 2>/dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::ifstream f(out);
  size_t answered = 0;
  for (std::string line; std::getline(f, line);) {
    bj::object o = bj::parse(line).as_object();
    if (o.at("id").as_int64() < 2) continue;
    ++answered;
    EXPECT_TRUE(SaysInvalid(line)) << line.substr(0, 500);
  }
  EXPECT_EQ(answered, Fields().size());
}

}  // namespace
}  // namespace mcpreg
