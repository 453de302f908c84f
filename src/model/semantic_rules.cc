// The official registry's semantic rules (upstream internal/validators/validators.go and
// utils.go), each reported with a stable rule id, plus the per-registry-type package rules that
// upstream enforces in its ownership validators (ids marked "mcpreg" below).
//
// Rule ids: invalid-server-name, reserved-version-string, version-looks-like-range,
// invalid-repository-url, invalid-subfolder-path, invalid-website-url,
// website-url-must-be-absolute, website-url-invalid-scheme, website-url-invalid-characters,
// title-whitespace-only,
// icon-src-invalid-url, icon-src-not-absolute, icon-src-invalid-scheme, package-name-has-spaces,
// named-argument-name-required, invalid-named-argument-name, argument-value-starts-with-name,
// argument-default-starts-with-name, stdio-transport-url-not-empty,
// streamable-transport-url-required, unsupported-transport-type, remote-transport-url-required,
// invalid-remote-url, invalid-templated-url, unsupported-remote-transport-type; mcpreg:
// positional-argument-missing-value-hint, unsupported-registry-type, invalid-registry-base-url,
// registry-base-url-not-allowed, package-version-required, package-version-not-allowed,
// missing-file-sha256, file-sha256-not-allowed, value-too-long.
//
// Every value matched here is length-capped first (validate.h: kMaxNameChars ...): a longer value
// gets one "value-too-long" error and none of its other rules, so no rule ever scans or echoes
// an unbounded string. The fixed patterns are hand-written linear matchers (matchers.h).
#include <algorithm>

#include "model/matchers.h"
#include "model/server_json.h"
#include "model/url_parts.h"
#include "model/validate.h"
#include "schema/json_schema.h"
#include "schema/official_schemas.h"

namespace mcpreg::model {
namespace {

class Checker {
 public:
  explicit Checker(ValidationReport& report) : r_(report) {}

  // The draft schema lets a transport URL start with a template variable ("{baseUrl}/mcp"):
  // then only the variable check applies to it.
  bool draft = false;

  void Error(std::string path, std::string message, std::string rule) {
    r_.Add({"semantic", std::move(path), std::move(message), "error", std::move(rule)});
  }

  // True, after one "value-too-long" error, when `value` is longer than `max` bytes (or code
  // points when `unit` is "characters").
  bool TooLong(const std::string& path, std::string_view value, size_t max,
               std::string_view unit = "bytes") {
    size_t len = unit == "bytes" ? value.size() : schema::CodePointLength(value);
    if (len <= max) return false;
    Error(path,
          "value is too long (" + std::to_string(len) + " " + std::string(unit) + "; at most " +
              std::to_string(max) + ")",
          "value-too-long");
    return true;
  }

  void Name(const std::string& name) {
    if (TooLong("name", name, kMaxNameChars, "characters")) return;
    std::string problem;
    size_t slash = name.find('/');
    if (name.empty()) {
      problem = "server name is required and must be a string";
    } else if (slash == std::string::npos) {
      problem = "server name must be in format 'dns-namespace/name' (e.g., "
                "'com.example.api/server')";
    } else if (name.find('/', slash + 1) != std::string::npos) {
      problem = "server name cannot contain multiple slashes";
    } else if (slash == 0 || slash + 1 == name.size()) {
      problem = "server name must be in format 'dns-namespace/name' with non-empty namespace "
                "and name parts";
    } else if (std::string ns = name.substr(0, slash); !IsServerNamespace(ns)) {
      problem = "server name format is invalid: namespace '" + ns +
                "' is invalid. Namespace must start and end with alphanumeric characters, and "
                "may contain dots and hyphens in the middle";
    } else if (std::string part = name.substr(slash + 1); !IsServerNamePart(part)) {
      problem = "server name format is invalid: name '" + part +
                "' is invalid. Name must start and end with alphanumeric characters, and may "
                "contain dots, underscores, and hyphens in the middle";
    }
    if (!problem.empty()) Error("name", problem, "invalid-server-name");
  }

  void Version(const std::string& path, const std::string& version) {
    if (TooLong(path, version, kMaxVersionChars, "characters")) return;
    if (version == "latest") {
      Error(path, "version string 'latest' is reserved and cannot be used",
            "reserved-version-string");
      return;
    }
    if (LooksLikeVersionRange(version)) {
      Error(path, "version must be a specific version, not a range: \"" + version + "\"",
            "version-looks-like-range");
    }
  }

  void Repo(const std::optional<Repository>& repo) {
    if (!repo || (repo->url.empty() && repo->source.empty())) return;
    bool too_long = TooLong("repository.url", repo->url, kMaxUrlBytes);
    bool ok = too_long || (repo->source == "github" && IsGithubRepoUrl(repo->url)) ||
              (repo->source == "gitlab" && IsGitlabRepoUrl(repo->url));
    if (!ok) {
      Error("repository.url",
            "invalid repository URL: " + repo->url +
                " (source must be github or gitlab and url https://github.com/<owner>/<repo> "
                "or the gitlab.com equivalent)",
            "invalid-repository-url");
    }
    if (!repo->subfolder.empty() &&
        !TooLong("repository.subfolder", repo->subfolder, kMaxSubfolderBytes) &&
        !ValidSubfolder(repo->subfolder)) {
      Error("repository.subfolder", "invalid subfolder path: " + repo->subfolder,
            "invalid-subfolder-path");
    }
  }

  void Website(const std::string& url) {
    if (url.empty() || TooLong("websiteUrl", url, kMaxUrlBytes)) return;
    UrlParts u = ParseUrl(url);
    if (!u.ok) {
      Error("websiteUrl", "invalid websiteUrl: " + u.error, "invalid-website-url");
      return;
    }
    if (u.scheme.empty()) {
      Error("websiteUrl", "websiteUrl must be absolute (include scheme): " + url,
            "website-url-must-be-absolute");
    }
    if (u.scheme != "https") {
      Error("websiteUrl", "websiteUrl must use https scheme: " + url,
            "website-url-invalid-scheme");
    }
    // Upstream PR #1249 (v1.7.7): characters RFC 3986 never allows unencoded that break an
    // <a href="..."> (quotes, angle brackets, space) and the control characters tab, LF, CR.
    size_t bad = url.find_first_of(kWebsiteUrlInvalidChars);
    if (bad != std::string::npos) {
      Error("websiteUrl",
            "websiteUrl contains an invalid character " + QuotedChar(url[bad]) + " at position " +
                std::to_string(bad) + " (percent-encode it): " + url,
            "website-url-invalid-characters");
    }
  }

  static std::string QuotedChar(char c) {
    switch (c) {
      case '\t': return "'\\t'";
      case '\n': return "'\\n'";
      case '\r': return "'\\r'";
      case '\'': return "\"'\"";
      default: return std::string("'") + c + "'";
    }
  }

  void Title(const std::string& title) {
    if (!title.empty() && title.find_first_not_of(" \t\n\v\f\r") == std::string::npos)
      Error("title", "title cannot be only whitespace", "title-whitespace-only");
  }

  void IconSrc(const std::string& path, const std::string& src) {
    if (TooLong(path, src, kMaxUrlBytes)) return;
    UrlParts u = ParseUrl(src);
    if (!u.ok) {
      Error(path, "invalid icon src URL: " + u.error, "icon-src-invalid-url");
      return;
    }
    if (u.scheme.empty())
      Error(path, "icon src must be an absolute URL (include scheme): " + src,
            "icon-src-not-absolute");
    if (u.scheme != "https")
      Error(path, "icon src must use https scheme (got " + u.scheme + "): " + src,
            "icon-src-invalid-scheme");
  }

  void PackageFields(const std::string& path, const Package& p) {
    if (p.identifier.find(' ') != std::string::npos)
      Error(path + ".identifier", "package name cannot contain spaces", "package-name-has-spaces");
    Version(path + ".version", p.version);
    PackageType(path, p);
    std::vector<std::string> vars;
    for (const KeyValueInput& env : p.environment_variables) vars.push_back(env.name);
    for (const auto* list : {&p.runtime_arguments, &p.package_arguments}) {
      std::string kind = list == &p.runtime_arguments ? ".runtimeArguments" : ".packageArguments";
      for (size_t i = 0; i < list->size(); ++i) {
        const Argument& a = (*list)[i];
        Arg(path + kind + "[" + std::to_string(i) + "]", a);
        if (!a.name.empty()) vars.push_back(a.name);
        if (!a.value_hint.empty()) vars.push_back(a.value_hint);
      }
    }
    PackageTransport(path + ".transport", p.transport, vars);
  }

  void Remote(const std::string& path, const Transport& t) {
    if (t.type != "streamable-http" && t.type != "sse") {
      Error(path + ".type",
            "unsupported transport type for remotes: " + t.type +
                " (only streamable-http and sse are supported)",
            "unsupported-remote-transport-type");
      return;
    }
    if (t.url.empty()) {
      Error(path + ".url", "url is required for " + t.type + " transport type",
            "remote-transport-url-required");
    } else if (TooLong(path + ".url", t.url, kMaxUrlBytes)) {
      return;
    } else if (!(draft && StartsWithTemplate(t.url)) && !IsValidRemoteUrl(t.url)) {
      Error(path + ".url",
            "invalid remote URL: " + t.url +
                " (remotes need an https URL that is not localhost/127.0.0.1)",
            "invalid-remote-url");
    }
    std::vector<std::string> vars;
    for (const auto& [name, in] : t.variables)
      if (!name.empty()) vars.push_back(name);
    TemplatedUrl(path + ".url", t.url, vars, "invalid remote URL");
  }

 private:
  static bool StartsWithTemplate(const std::string& url) {
    if (url.size() < 3 || url[0] != '{') return false;
    size_t close = url.find('}');
    if (close == std::string::npos || close == 1) return false;
    for (size_t i = 1; i < close; ++i) {
      char c = url[i];
      bool ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                (i > 1 && c >= '0' && c <= '9');
      if (!ok) return false;
    }
    return true;
  }

  static bool ValidSubfolder(const std::string& path) {
    if (path.front() == '/' || path.back() == '/' || !HasOnlySubfolderChars(path)) return false;
    size_t start = 0;
    while (true) {
      size_t slash = path.find('/', start);
      std::string seg = path.substr(start, slash == std::string::npos ? slash : slash - start);
      if (seg.empty() || seg == "." || seg == "..") return false;
      if (slash == std::string::npos) return true;
      start = slash + 1;
    }
  }

  void Arg(const std::string& path, const Argument& a) {
    if (a.type == "positional" && a.value_hint.empty() && a.value.empty()) {
      Error(path, "positional argument needs a valueHint or a value",
            "positional-argument-missing-value-hint");
    }
    if (a.type != "named") return;
    if (a.name.empty()) {
      Error(path + ".name", "named argument name is required", "named-argument-name-required");
      return;
    }
    if (a.name.find_first_of("<> $") != std::string::npos) {
      Error(path + ".name", "invalid named argument name format: " + a.name,
            "invalid-named-argument-name");
    }
    if (!a.value.empty() && a.value.rfind(a.name, 0) == 0) {
      Error(path + ".value",
            "argument value cannot start with the argument name: value starts with argument "
            "name '" + a.name + "': " + a.value,
            "argument-value-starts-with-name");
    }
    if (!a.default_value.empty() && a.default_value.rfind(a.name, 0) == 0) {
      Error(path + ".default",
            "argument default cannot start with the argument name: default starts with "
            "argument name '" + a.name + "': " + a.default_value,
            "argument-default-starts-with-name");
    }
  }

  void PackageTransport(const std::string& path, const Transport& t,
                        const std::vector<std::string>& vars) {
    if (TooLong(path + ".url", t.url, kMaxUrlBytes)) return;
    if (t.type == "stdio") {
      if (!t.url.empty())
        Error(path + ".url", "url must be empty for stdio transport type, got: " + t.url,
              "stdio-transport-url-not-empty");
    } else if (t.type == "streamable-http" || t.type == "sse") {
      if (t.url.empty()) {
        Error(path + ".url", "url is required for " + t.type + " transport type",
              "streamable-transport-url-required");
      } else {
        TemplatedUrl(path + ".url", t.url, vars, "invalid package transport URL");
      }
    } else {
      Error(path + ".type", "unsupported transport type: " + t.type,
            "unsupported-transport-type");
    }
  }

  void TemplatedUrl(const std::string& path, const std::string& url,
                    const std::vector<std::string>& vars, const std::string& what) {
    std::vector<std::string> used = TemplateVariables(url);
    if (draft && StartsWithTemplate(url)) {  // no scheme to check: only the variables
      bool all_defined = true;
      for (const std::string& v : used)
        all_defined = all_defined && std::find(vars.begin(), vars.end(), v) != vars.end();
      if (all_defined) return;
    } else if (IsValidTemplatedUrl(url, vars)) {
      return;
    }
    if (used.empty()) {
      Error(path, what + ": " + url, "invalid-templated-url");
      return;
    }
    std::string available;
    for (const std::string& v : vars) available += (available.empty() ? "" : " ") + v;
    Error(path,
          what + ": template variables in URL " + url +
              " reference undefined variables. Available variables: [" + available + "]",
          "invalid-templated-url");
  }

  // Per-registry-type rules the official registry applies at publish (ownership validators).
  static constexpr char kWebsiteUrlInvalidChars[] = "\"'<> \t\n\r";

  void PackageType(const std::string& path, const Package& p) {
    static constexpr std::string_view kCratesIo = "https://crates.io";
    static const std::pair<std::string_view, std::string_view> kBaseUrls[] = {
        {"npm", "https://registry.npmjs.org"},
        {"pypi", "https://pypi.org"},
        {"nuget", "https://api.nuget.org/v3/index.json"}};
    const std::string& t = p.registry_type;
    if (TooLong(path + ".registryBaseUrl", p.registry_base_url, kMaxUrlBytes)) return;
    if (t == "oci" || t == "mcpb") {
      if (!p.registry_base_url.empty())
        Error(path + ".registryBaseUrl",
              "registryBaseUrl must not be set for " + t + " packages (the identifier says "
              "where the package lives)",
              "registry-base-url-not-allowed");
      if (t == "oci" && !p.version.empty())
        Error(path + ".version",
              "version must not be set for oci packages; put the tag or digest in the "
              "identifier",
              "package-version-not-allowed");
      if (t == "mcpb" && p.file_sha256.empty())
        Error(path + ".fileSha256", "fileSha256 is required for mcpb packages",
              "missing-file-sha256");
      return;
    }
    for (auto [type, base] : kBaseUrls) {
      if (t != type) continue;
      if (!p.registry_base_url.empty() && p.registry_base_url != base)
        Error(path + ".registryBaseUrl",
              "unsupported registry base URL for " + t + ": " + p.registry_base_url +
                  " (expected " + std::string(base) + ")",
              "invalid-registry-base-url");
      if (p.version.empty())
        Error(path + ".version", "version is required for " + t + " packages",
              "package-version-required");
      return;
    }
    if (t == "cargo") {  // upstream v1.8.0 (PR #1443), internal/validators/registries/cargo.go
      if (p.version.empty())
        Error(path + ".version", "package version is required for Cargo packages",
              "package-version-required");
      if (!p.file_sha256.empty())
        Error(path + ".fileSha256",
              "cargo packages must not have 'fileSha256' field - this is only for MCPB packages",
              "file-sha256-not-allowed");
      if (!p.registry_base_url.empty() && p.registry_base_url != kCratesIo)
        Error(path + ".registryBaseUrl",
              "registry type and base URL do not match: '" + p.registry_base_url +
                  "' is not valid for registry type 'cargo'. Expected: " + std::string(kCratesIo),
              "invalid-registry-base-url");
      return;
    }
    if (t == "maven" || t == "go") {  // open requests upstream; no ownership check exists yet
      Error(path + ".registryType",
            "unsupported registry type: " + t + " (" + t +
                " packages are not supported yet; supported: npm, pypi, nuget, oci, mcpb, cargo)",
            "unsupported-registry-type");
      return;
    }
    Error(path + ".registryType",
          "unsupported registry type: " + t + " (supported: npm, pypi, nuget, oci, mcpb, cargo)",
          "unsupported-registry-type");
  }

  ValidationReport& r_;
};

}  // namespace

ValidationReport ValidateSemantics(const ServerJson& s) {
  ValidationReport report;
  Checker c(report);
  c.draft = schema::SchemaVersionFromUrl(s.schema) == schema::kDraftSchemaVersion;
  c.Name(s.name);
  c.Version("version", s.version);
  c.Repo(s.repository);
  c.Website(s.website_url);
  c.Title(s.title);
  for (size_t i = 0; i < s.icons.size(); ++i)
    c.IconSrc("icons[" + std::to_string(i) + "].src", s.icons[i].src);
  for (size_t i = 0; i < s.packages.size(); ++i)
    c.PackageFields("packages[" + std::to_string(i) + "]", s.packages[i]);
  for (size_t i = 0; i < s.remotes.size(); ++i)
    c.Remote("remotes[" + std::to_string(i) + "]", s.remotes[i]);
  return report;
}

}  // namespace mcpreg::model
