#include "config/config.h"

#include <algorithm>

#include <yaml-cpp/yaml.h>

#include "auth/discovery.h"
#include "auth/oidc_exchange.h"
#include "auth/permissions.h"

#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>

namespace mcpreg::config {
namespace {

namespace bj = boost::json;

constexpr const char* kHttpsRule =
    "keys and tokens are fetched only over https (http only on a loopback host: localhost, "
    "127.0.0.0/8, [::1])";

// Thrown inside this file only; ParseConfig turns it into a Status.
struct ConfigError {
  std::string message;
};

class Parser {
 public:
  Parser(std::string source) : source_(std::move(source)) {
    dir_ = std::filesystem::path(source_).parent_path();
  }

  [[noreturn]] void Fail(const YAML::Node& at, const std::string& path, const std::string& what) {
    std::string where = source_;
    YAML::Mark m = at.IsDefined() ? at.Mark() : YAML::Mark::null_mark();
    if (m.line >= 0) where += ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
    throw ConfigError{where + ": " + path + ": " + what};
  }

  // Requires a mapping whose keys are all in `allowed` and unique.
  void CheckMap(const YAML::Node& n, const std::string& path,
                std::initializer_list<std::string_view> allowed) {
    if (!n.IsMap()) Fail(n, path, "expected a mapping");
    std::set<std::string> seen;
    for (const auto& kv : n) {
      std::string key = kv.first.Scalar();
      bool known = false;
      for (std::string_view a : allowed) known = known || a == key;
      std::string where = path.empty() ? key : path + "." + key;
      if (!known) {
        std::string list;
        for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        Fail(kv.first, where, "unknown key (expected one of: " + list + ")");
      }
      if (!seen.insert(key).second) Fail(kv.first, where, "duplicate key");
    }
  }

  std::string Str(const YAML::Node& n, const std::string& path) {
    if (!n.IsScalar() || IsNull(n)) Fail(n, path, "expected a string");
    return n.Scalar();
  }

  std::string NonEmpty(const YAML::Node& n, const std::string& path) {
    std::string s = Str(n, path);
    if (s.empty()) Fail(n, path, "must not be empty");
    return s;
  }

  std::vector<std::string> StrList(const YAML::Node& n, const std::string& path) {
    if (n.IsScalar() && !IsNull(n)) return {n.Scalar()};
    if (!n.IsSequence() || n.size() == 0) {
      Fail(n, path, "expected a string or a non-empty list of strings");
    }
    std::vector<std::string> out;
    for (size_t i = 0; i < n.size(); ++i)
      out.push_back(Str(n[i], path + "[" + std::to_string(i) + "]"));
    return out;
  }

  uint64_t Uint(const YAML::Node& n, const std::string& path, uint64_t min, uint64_t max) {
    std::string s = n.IsScalar() ? n.Scalar() : "";
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size()) {
      Fail(n, path, "expected a non-negative integer");
    }
    if (v < min || v > max) {
      Fail(n, path, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    return v;
  }

  template <typename T>
  struct UintKey {
    std::string_view key;
    T* out;
    uint64_t min, max;
  };
  // A mapping of unsigned-integer keys (64- and 32-bit fields) plus `extra` keys the caller
  // reads itself; unknown keys are errors.
  void Uints(const YAML::Node& n, const std::string& path,
             std::initializer_list<UintKey<uint64_t>> wide,
             std::initializer_list<UintKey<uint32_t>> narrow,
             std::initializer_list<std::string_view> extra = {}) {
    if (!n.IsMap()) Fail(n, path, "expected a mapping");
    std::vector<std::string_view> allowed;
    for (const auto& k : wide) allowed.push_back(k.key);
    for (const auto& k : narrow) allowed.push_back(k.key);
    allowed.insert(allowed.end(), extra.begin(), extra.end());
    std::set<std::string> seen;
    for (const auto& kv : n) {
      std::string key = kv.first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string list;
        for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        Fail(kv.first, path + "." + key, "unknown key (expected one of: " + list + ")");
      }
      if (!seen.insert(key).second) Fail(kv.first, path + "." + key, "duplicate key");
    }
    for (const auto& k : wide)
      if (YAML::Node v = n[std::string(k.key)])
        *k.out = Uint(v, path + "." + std::string(k.key), k.min, k.max);
    for (const auto& k : narrow)
      if (YAML::Node v = n[std::string(k.key)])
        *k.out = uint32_t(Uint(v, path + "." + std::string(k.key), k.min, k.max));
  }

  bool Bool(const YAML::Node& n, const std::string& path) {
    std::string s = n.IsScalar() ? n.Scalar() : "";
    if (s == "true") return true;
    if (s == "false") return false;
    Fail(n, path, "expected true or false");
  }

  std::string PathValue(const YAML::Node& n, const std::string& path) {
    std::filesystem::path p(NonEmpty(n, path));
    if (p.is_relative() && !dir_.empty()) p = dir_ / p;
    return p.lexically_normal().string();
  }

  static bool IsNull(const YAML::Node& n) {
    return n.IsNull() || (n.IsScalar() && n.Tag() == "?" &&
                          (n.Scalar() == "~" || n.Scalar() == "null" || n.Scalar().empty()));
  }

  // YAML -> JSON for sections kept raw. Plain scalars become null/bool/number when they look
  // like one; quoted scalars stay strings.
  bj::value ToJson(const YAML::Node& n, const std::string& path) {
    if (n.IsMap()) {
      bj::object o;
      for (const auto& kv : n) {
        std::string key = kv.first.Scalar();
        o[key] = ToJson(kv.second, path + "." + key);
      }
      return o;
    }
    if (n.IsSequence()) {
      bj::array a;
      for (size_t i = 0; i < n.size(); ++i) {
        a.push_back(ToJson(n[i], path + "[" + std::to_string(i) + "]"));
      }
      return a;
    }
    if (IsNull(n)) return nullptr;
    const std::string& s = n.Scalar();
    if (n.Tag() != "!") {
      if (s == "true") return true;
      if (s == "false") return false;
      int64_t i = 0;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
      if (ec == std::errc() && p == s.data() + s.size()) return i;
      double d = 0;
      auto [q, ec2] = std::from_chars(s.data(), s.data() + s.size(), d);
      if (ec2 == std::errc() && q == s.data() + s.size()) return d;
    }
    return bj::string(s);
  }

  void Listen(const YAML::Node& n, ListenConfig& out) {
    if (n.IsMap()) {
      CheckMap(n, "listen", {"host", "port"});
      if (n["host"]) out.host = NonEmpty(n["host"], "listen.host");
      if (n["port"]) out.port = uint16_t(Uint(n["port"], "listen.port", 0, 65535));
      return;
    }
    std::string s = NonEmpty(n, "listen");
    size_t colon = s.rfind(':');
    if (colon == std::string::npos) Fail(n, "listen", "expected \"HOST:PORT\" or \":PORT\"");
    std::string host = s.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
      host = host.substr(1, host.size() - 2);  // [::1]:8080
    }
    if (!host.empty()) out.host = host;
    std::string port = s.substr(colon + 1);
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
    if (port.empty() || ec != std::errc() || p != port.data() + port.size() || v > 65535) {
      Fail(n, "listen", "port must be a number between 0 and 65535");
    }
    out.port = uint16_t(v);
  }

  void Resource(const YAML::Node& n, const std::string& path, const std::string& r) {
    if (r.empty()) Fail(n, path, "must not be empty");
    for (size_t i = 0; i < r.size(); ++i) {
      if (r[i] == '}') Fail(n, path, "unmatched '}'");
      if (r[i] != '{') continue;
      size_t close = r.find('}', i);
      if (close == std::string::npos) Fail(n, path, "unclosed '{' placeholder");
      std::string name = r.substr(i + 1, close - i - 1);
      if (name.empty() || name.find('{') != std::string::npos) {
        Fail(n, path, "placeholder needs a claim name, as in {repository_owner}");
      }
      i = close;
    }
  }

  ClaimRule Rule(const YAML::Node& n, const std::string& path) {
    CheckMap(n, path, {"match", "grant"});
    ClaimRule rule;
    rule.line = n.Mark().line + 1;
    if (YAML::Node m = n["match"]) {
      if (!m.IsMap()) Fail(m, path + ".match", "expected a mapping of claim: value");
      for (const auto& kv : m) {
        std::string claim = kv.first.Scalar();
        if (claim.empty()) Fail(kv.first, path + ".match", "empty claim name");
        rule.match.emplace_back(claim, StrList(kv.second, path + ".match." + claim));
      }
    }
    YAML::Node g = n["grant"];
    if (!g) Fail(n, path, "missing key \"grant\"");
    std::string gp = path + ".grant";
    CheckMap(g, gp, {"action", "actions", "resource"});
    if (g["action"] && g["actions"]) Fail(g, gp, "use either action or actions, not both");
    if (g["action"]) rule.actions = {Str(g["action"], gp + ".action")};
    if (g["actions"]) rule.actions = StrList(g["actions"], gp + ".actions");
    if (rule.actions.empty()) Fail(g, gp, "missing key \"action\" (publish, edit, feed or review)");
    for (const std::string& a : rule.actions) {
      if (!auth::IsKnownAction(a)) {
        Fail(g, gp + ".action", "unknown action \"" + a + "\" (publish, edit, feed or review)");
      }
    }
    if (!g["resource"]) Fail(g, gp, "missing key \"resource\"");
    rule.resource = Str(g["resource"], gp + ".resource");
    Resource(g["resource"], gp + ".resource", rule.resource);
    return rule;
  }

  IssuerConfig Issuer(const YAML::Node& n, const std::string& path) {
    CheckMap(n, path,
             {"name", "issuer", "audience", "jwks_file", "jwks_url", "discovery", "algorithms",
              "jwks_ttl_seconds", "auth_method", "rules"});
    IssuerConfig c;
    for (const char* required : {"name", "issuer"}) {
      if (!n[required]) Fail(n, path, std::string("missing key \"") + required + "\"");
    }
    c.name = NonEmpty(n["name"], path + ".name");
    c.issuer = NonEmpty(n["issuer"], path + ".issuer");
    if (n["audience"]) c.audiences = StrList(n["audience"], path + ".audience");
    int sources = 0;
    if (n["jwks_file"]) {
      ++sources;
      c.keys = IssuerConfig::Keys::kFile;
      c.jwks_file = PathValue(n["jwks_file"], path + ".jwks_file");
    }
    if (n["jwks_url"]) {
      ++sources;
      c.keys = IssuerConfig::Keys::kUrl;
      c.jwks_url = NonEmpty(n["jwks_url"], path + ".jwks_url");
      if (!c.jwks_url.starts_with("https://") && !c.jwks_url.starts_with("http://")) {
        Fail(n["jwks_url"], path + ".jwks_url", "expected an http(s) URL");
      }
      if (!auth::IsHttpsOrLoopbackHttp(c.jwks_url)) Fail(n["jwks_url"], path + ".jwks_url", kHttpsRule);
    }
    if (n["discovery"]) {
      if (!Bool(n["discovery"], path + ".discovery")) {
        Fail(n["discovery"], path + ".discovery", "only \"discovery: true\" is meaningful");
      }
      ++sources;
      c.keys = IssuerConfig::Keys::kDiscovery;
      if (!c.issuer.starts_with("https://") && !c.issuer.starts_with("http://")) {
        Fail(n["issuer"], path + ".issuer", "discovery needs an http(s) issuer URL");
      }
      if (!auth::IsHttpsOrLoopbackHttp(c.issuer)) Fail(n["issuer"], path + ".issuer", kHttpsRule);
    }
    if (sources != 1) {
      Fail(n, path, "exactly one of jwks_file, jwks_url or \"discovery: true\" is required");
    }
    if (n["algorithms"]) {
      c.algorithms = StrList(n["algorithms"], path + ".algorithms");
      for (const std::string& a : c.algorithms) {
        if (a != "RS256" && a != "ES256" && a != "EdDSA" && a != "Ed25519") {
          Fail(n["algorithms"], path + ".algorithms",
               "unsupported algorithm \"" + a + "\" (RS256, ES256, EdDSA)");
        }
      }
    }
    if (n["jwks_ttl_seconds"]) {
      c.jwks_ttl_seconds =
          int64_t(Uint(n["jwks_ttl_seconds"], path + ".jwks_ttl_seconds", 60, 7 * 86400));
    }
    if (n["auth_method"]) {
      c.auth_method = Str(n["auth_method"], path + ".auth_method");
      if (c.auth_method != "oidc" && c.auth_method != "github-oidc") {
        Fail(n["auth_method"], path + ".auth_method", "expected oidc or github-oidc");
      }
    }
    // Only GitHub Actions has a deployment default (auth.github_oidc_audience).
    if (!n["audience"] && auth::AuthMethodFor(c) != "github-oidc") {
      Fail(n, path, "missing key \"audience\"");
    }
    if (YAML::Node r = n["rules"]) {
      if (!r.IsSequence()) Fail(r, path + ".rules", "expected a list of rules");
      for (size_t i = 0; i < r.size(); ++i) {
        c.rules.push_back(Rule(r[i], path + ".rules[" + std::to_string(i) + "]"));
      }
    }
    return c;
  }

  void Auth(const YAML::Node& n, AuthConfig& out) {
    CheckMap(n, "auth",
             {"registry_key_file", "token_ttl_seconds", "leeway_seconds", "issuers", "dns_proofs",
              "http_proofs", "github_oidc_audience", "github_oidc_legacy_audience"});
    if (n["registry_key_file"]) {
      out.registry_key_file = PathValue(n["registry_key_file"], "auth.registry_key_file");
    }
    if (n["token_ttl_seconds"]) {
      out.token_ttl_seconds =
          int64_t(Uint(n["token_ttl_seconds"], "auth.token_ttl_seconds", 10, 86400));
    }
    if (n["leeway_seconds"]) {
      out.leeway_seconds = int64_t(Uint(n["leeway_seconds"], "auth.leeway_seconds", 0, 600));
    }
    if (n["dns_proofs"]) out.dns_proofs = Bool(n["dns_proofs"], "auth.dns_proofs");
    if (n["http_proofs"]) out.http_proofs = Bool(n["http_proofs"], "auth.http_proofs");
    if (YAML::Node a = n["github_oidc_audience"]) {
      out.github_oidc_audience = NonEmpty(a, "auth.github_oidc_audience");
      if (out.github_oidc_audience.size() > 2048)
        Fail(a, "auth.github_oidc_audience", "longer than 2048 bytes");
    }
    if (n["github_oidc_legacy_audience"]) {
      out.github_oidc_legacy_audience =
          Bool(n["github_oidc_legacy_audience"], "auth.github_oidc_legacy_audience");
    }
    if (YAML::Node list = n["issuers"]) {
      if (!list.IsSequence()) Fail(list, "auth.issuers", "expected a list of issuers");
      std::set<std::string> names, issuers;
      for (size_t i = 0; i < list.size(); ++i) {
        std::string path = "auth.issuers[" + std::to_string(i) + "]";
        IssuerConfig c = Issuer(list[i], path);
        if (!names.insert(c.name).second) {
          Fail(list[i]["name"], path + ".name", "duplicate issuer name \"" + c.name + "\"");
        }
        if (!issuers.insert(c.issuer).second) {
          Fail(list[i]["issuer"], path + ".issuer", "issuer \"" + c.issuer + "\" listed twice");
        }
        out.issuers.push_back(std::move(c));
      }
    }
  }

  // `ui:`. Needs `auth` parsed already (the sign-in issuer is one of auth.issuers).
  void Ui(const YAML::Node& n, const AuthConfig& auth, UiConfig& out) {
    CheckMap(n, "ui", {"login"});
    YAML::Node l = n["login"];
    if (!l) return;
    UiLoginConfig& L = out.login;
    uint64_t ttl = uint64_t(L.session_ttl_seconds), idle = uint64_t(L.session_idle_seconds);
    Uints(l, "ui.login",
          {{"session_ttl_seconds", &ttl, 60, 30 * 86400},
           {"session_idle_seconds", &idle, 60, 30 * 86400},
           {"max_sessions", &L.max_sessions, 1, 10'000'000}},
          {}, {"issuer", "client_id", "private_key_file", "private_key_id"});
    L.session_ttl_seconds = int64_t(ttl);
    L.session_idle_seconds = int64_t(idle);
    for (const char* required : {"issuer", "client_id"}) {
      if (!l[required]) Fail(l, "ui.login", std::string("missing key \"") + required + "\"");
    }
    L.issuer = NonEmpty(l["issuer"], "ui.login.issuer");
    L.client_id = NonEmpty(l["client_id"], "ui.login.client_id");
    if (l["private_key_file"])
      L.private_key_file = PathValue(l["private_key_file"], "ui.login.private_key_file");
    if (l["private_key_id"]) L.private_key_id = NonEmpty(l["private_key_id"], "ui.login.private_key_id");
    const IssuerConfig* issuer = nullptr;
    std::string names;
    for (const IssuerConfig& c : auth.issuers) {
      if (c.name == L.issuer) issuer = &c;
      names += (names.empty() ? "" : ", ") + c.name;
    }
    if (!issuer) {
      Fail(l["issuer"], "ui.login.issuer",
           "no auth.issuers entry is named \"" + L.issuer + "\"" +
               (names.empty() ? std::string(" (auth.issuers is empty)") : " (names: " + names + ")"));
    }
    // Sign-in always discovers the provider's endpoints from the issuer URL.
    if (!auth::IsHttpsOrLoopbackHttp(issuer->issuer)) {
      Fail(l["issuer"], "ui.login.issuer",
           "issuer \"" + issuer->issuer + "\" cannot be used for sign-in: " + kHttpsRule);
    }
  }

  // `webhooks:` (config.h WebhookConfig): a list of {url, events?, secret_file?, ...}.
  void Webhooks(const YAML::Node& n, std::vector<WebhookConfig>& out) {
    if (IsNull(n)) return;
    if (!n.IsSequence()) Fail(n, "webhooks", "expected a list of webhooks");
    if (n.size() > kMaxWebhooks)
      Fail(n, "webhooks", "at most " + std::to_string(kMaxWebhooks) + " webhooks");
    std::set<std::string> urls;
    for (size_t i = 0; i < n.size(); ++i) {
      const YAML::Node& h = n[i];
      std::string path = "webhooks[" + std::to_string(i) + "]";
      WebhookConfig w;
      Uints(h, path, {},
            {{"retry_max_seconds", &w.retry_max_seconds, 1, 300},
             {"give_up_seconds", &w.give_up_seconds, 1, 7 * 86400}},
            {"url", "events", "secret_file"});
      if (!h["url"]) Fail(h, path, "missing key \"url\"");
      w.url = NonEmpty(h["url"], path + ".url");
      if ((!w.url.starts_with("https://") && !w.url.starts_with("http://")) || w.url.size() > 2048 ||
          w.url.find_first_of(" \t\r\n\"<>\\#") != std::string::npos)
        Fail(h["url"], path + ".url", "expected an absolute http(s) URL (at most 2048 bytes)");
      if (!urls.insert(w.url).second) Fail(h["url"], path + ".url", "listed twice");
      if (YAML::Node e = h["events"]) {
        w.events = StrList(e, path + ".events");
        for (const std::string& ev : w.events)
          if (ev != "publish" && ev != "status" && ev != "edit" && ev != "listing")
            Fail(e, path + ".events",
                 "unknown event \"" + ev + "\" (publish, status, edit or listing)");
      }
      if (h["secret_file"]) w.secret_file = PathValue(h["secret_file"], path + ".secret_file");
      out.push_back(std::move(w));
    }
  }

  // `upstreams:` (see UpstreamConfig).
  void Upstreams(const YAML::Node& list, std::vector<UpstreamConfig>& out) {
    if (!list.IsSequence()) Fail(list, "upstreams", "expected a list of upstreams");
    std::set<std::string> names;
    for (size_t i = 0; i < list.size(); ++i) {
      const YAML::Node& n = list[i];
      const std::string path = "upstreams[" + std::to_string(i) + "]";
      UpstreamConfig u;
      Uints(n, path, {}, {{"interval_seconds", &u.interval_seconds, 10, 7 * 86400}},
            {"name", "url", "include", "exclude", "transports", "registry_types",
             "require_signature", "public_key", "allow_private"});
      u.line = n.Mark().line + 1;
      for (const char* required : {"name", "url"})
        if (!n[required]) Fail(n, path, std::string("missing key \"") + required + "\"");
      u.name = NonEmpty(n["name"], path + ".name");
      bool name_ok = u.name.size() <= 64 && std::isalnum(static_cast<unsigned char>(u.name[0]));
      for (char ch : u.name)
        name_ok = name_ok && (std::islower(static_cast<unsigned char>(ch)) ||
                              std::isdigit(static_cast<unsigned char>(ch)) || ch == '-' ||
                              ch == '_' || ch == '.');
      if (!name_ok)
        Fail(n["name"], path + ".name", "expected 1-64 of a-z, 0-9, '.', '_', '-' (starting with a letter or digit)");
      if (!names.insert(u.name).second)
        Fail(n["name"], path + ".name", "duplicate upstream name \"" + u.name + "\"");
      u.url = NonEmpty(n["url"], path + ".url");
      if (!(u.url.rfind("https://", 0) == 0 || u.url.rfind("http://", 0) == 0) ||
          u.url.size() > 2048 || u.url.find_first_of("?#\\ \t\r\n\"<>") != std::string::npos)
        Fail(n["url"], path + ".url", "expected an absolute http(s) URL without query or fragment");
      while (u.url.size() > 8 && u.url.back() == '/') u.url.pop_back();
      auto globs = [&](const char* key, std::vector<std::string>& to) {
        YAML::Node g = n[key];
        if (!g) return;
        if (!g.IsSequence()) Fail(g, path + "." + key, "expected a list of name globs");
        for (size_t j = 0; j < g.size(); ++j) {
          std::string v = NonEmpty(g[j], path + "." + key + "[" + std::to_string(j) + "]");
          if (v.size() > 255)
            Fail(g[j], path + "." + key + "[" + std::to_string(j) + "]", "longer than 255 characters");
          to.push_back(std::move(v));
        }
      };
      globs("include", u.include);
      globs("exclude", u.exclude);
      if (YAML::Node t = n["transports"]) {
        u.transports = StrList(t, path + ".transports");
        for (const auto& v : u.transports)
          if (v != "remote" && v != "local")
            Fail(t, path + ".transports", "unknown transport \"" + v + "\" (expected remote or local)");
      }
      if (YAML::Node t = n["registry_types"]) u.registry_types = StrList(t, path + ".registry_types");
      if (n["require_signature"])
        u.require_signature = Bool(n["require_signature"], path + ".require_signature");
      if (n["public_key"]) u.public_key = PathValue(n["public_key"], path + ".public_key");
      if (u.require_signature && u.public_key.empty())
        Fail(n, path, "require_signature needs public_key (a JWKS file)");
      if (n["allow_private"]) u.allow_private = Bool(n["allow_private"], path + ".allow_private");
      out.push_back(std::move(u));
    }
  }

  // A SQLite path (resolved like every path) or a PostgreSQL URI (kept as written).
  std::string DbLocation(const YAML::Node& n, const std::string& path) {
    std::string s = NonEmpty(n, path);
    if (IsPostgresLocation(s)) return s;
    return PathValue(n, path);
  }

  void Db(const YAML::Node& n, DbConfig& out) {
    if (!n.IsMap()) {
      out.path = DbLocation(n, "db");
      return;
    }
    PostgresOptions& pg = out.postgres;
    uint32_t pool = uint32_t(pg.pool_size);
    uint32_t connect = uint32_t(pg.connect_timeout.count());
    uint32_t statement = uint32_t(pg.statement_timeout.count());
    Uints(n, "db", {},
          {{"pool_size", &pool, 1, 1024},
           {"connect_timeout_seconds", &connect, 1, 600},
           {"statement_timeout_seconds", &statement, 1, 86400}},
          {"path", "url"});
    pg.pool_size = pool;
    pg.connect_timeout = std::chrono::seconds(connect);
    pg.statement_timeout = std::chrono::seconds(statement);
    if (n["path"] && n["url"]) Fail(n, "db", "use either path or url, not both");
    if (n["path"]) out.path = DbLocation(n["path"], "db.path");
    if (YAML::Node url = n["url"]) {
      out.path = NonEmpty(url, "db.url");
      if (!IsPostgresLocation(out.path))
        Fail(url, "db.url", "expected a PostgreSQL URI (postgresql://... or postgres://...)");
    }
  }

  Config Parse(std::string_view text) {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text));
    } catch (const YAML::ParserException& e) {
      throw ConfigError{source_ + ":" + std::to_string(e.mark.line + 1) + ":" +
                        std::to_string(e.mark.column + 1) + ": " + e.msg};
    }
    Config c;
    c.source = source_;
    if (IsNull(root)) return c;  // an empty file means all defaults
    CheckMap(root, "", {"public_url", "listen", "db", "limits", "quotas", "outbound", "auth",
                        "feed", "ui", "policy", "mcp", "federation", "webhooks", "upstreams"});
    if (root["listen"]) Listen(root["listen"], c.listen);
    if (YAML::Node db = root["db"]) Db(db, c.db);
    if (YAML::Node u = root["public_url"]) {
      c.public_url = NonEmpty(u, "public_url");
      if (!(c.public_url.rfind("https://", 0) == 0 || c.public_url.rfind("http://", 0) == 0) ||
          c.public_url.find_first_of("?#\\ \t\r\n\"<>") != std::string::npos)
        Fail(u, "public_url", "expected an absolute http(s) URL without query or fragment");
      while (c.public_url.size() > 8 && c.public_url.back() == '/') c.public_url.pop_back();
    }
    if (YAML::Node l = root["limits"]) {
      auto& L = c.limits;
      Uints(l, "limits",
            {{"max_body_bytes", &L.max_body_bytes, 1024, 1ULL << 34},
             {"max_evidence_bytes", &L.max_evidence_bytes, 1024, 1ULL << 34},
             {"max_header_bytes", &L.max_header_bytes, 1024, 1 << 20},
             {"max_sse_inbound_bytes", &L.max_sse_inbound_bytes, 0, 1 << 30}},
            {{"read_timeout_seconds", &L.read_timeout_seconds, 1, 3600},
             {"header_timeout_seconds", &L.header_timeout_seconds, 1, 3600},
             {"idle_timeout_seconds", &L.idle_timeout_seconds, 1, 86400},
             {"max_connections", &L.max_connections, 1, 1000000},
             {"write_workers", &L.write_workers, 1, 1024},
             {"max_connections_per_client", &L.max_connections_per_client, 1, 1000000}});
    }
    if (YAML::Node q = root["quotas"]) {
      auto& Q = c.quotas;
      Uints(q, "quotas", {{"max_request_bytes", &Q.max_request_bytes, 1024, 1ULL << 30}},
            {{"requests_per_hour", &Q.requests_per_hour, 0, 1000000},
             {"evidence_per_hour", &Q.evidence_per_hour, 0, 1000000},
             {"open_requests", &Q.open_requests, 0, 1000000}});
    }
    if (YAML::Node o = root["outbound"]) {
      auto& O = c.outbound;
      Uints(o, "outbound", {},
            {{"connect_timeout_seconds", &O.connect_timeout_seconds, 1, 600},
             {"total_timeout_seconds", &O.total_timeout_seconds, 1, 3600},
             {"workers", &O.workers, 1, 256},
             {"negative_cache_seconds", &O.negative_cache_seconds, 0, 86400},
             {"negative_cache_entries", &O.negative_cache_entries, 0, 1000000}},
            {"allow_private_addresses"});
      if (o["allow_private_addresses"])
        O.allow_private_addresses = Bool(o["allow_private_addresses"], "outbound.allow_private_addresses");
    }
    if (YAML::Node f = root["federation"]) {
      Uints(f, "federation", {},
            {{"snapshot_ttl_seconds", &c.federation.snapshot_ttl_seconds, 60, 365 * 24 * 3600}});
    }
    if (YAML::Node w = root["webhooks"]) Webhooks(w, c.webhooks);
    if (root["auth"]) Auth(root["auth"], c.auth);
    if (YAML::Node u = root["upstreams"]) Upstreams(u, c.upstreams);
    if (root["ui"]) Ui(root["ui"], c.auth, c.ui);
    if (YAML::Node f = root["feed"]) {
      CheckMap(f, "feed", {"dir", "max_bytes"});
      if (f["dir"]) c.feed.dir = PathValue(f["dir"], "feed.dir");
      if (f["max_bytes"]) c.feed.max_bytes = Uint(f["max_bytes"], "feed.max_bytes", 1, 1ULL << 40);
    }
    for (const char* raw : {"policy", "mcp"}) {
      if (YAML::Node s = root[raw]) {
        if (!s.IsMap()) Fail(s, raw, "expected a mapping");
        bj::value v = ToJson(s, raw);
        (std::string_view(raw) == "policy" ? c.policy : c.mcp) = std::move(v.as_object());
      }
    }
    return c;
  }

 private:
  std::string source_;
  std::filesystem::path dir_;
};

}  // namespace

Result<Config> ParseConfig(std::string_view text, const std::string& source) {
  try {
    return Parser(source).Parse(text);
  } catch (const ConfigError& e) {
    return Status::InvalidArgument(e.message);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(source + ": " + e.what());
  }
}

Result<Config> LoadConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("cannot read config file " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ParseConfig(ss.str(), path);
}

}  // namespace mcpreg::config
