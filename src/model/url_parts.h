// URL helpers for the semantic rules: a parser that accepts and rejects what Go's url.Parse
// does for the inputs server.json carries, and the template-variable helpers upstream uses for
// `{curly}` transport URLs. Internal to src/model (publish policy may reuse it).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mcpreg::model {

struct UrlParts {
  bool ok = false;
  std::string error;     // why parsing failed (when !ok)
  std::string scheme;    // lower-cased; "" for a relative reference
  std::string host;      // authority host[:port], "" when there is no authority
  std::string hostname;  // host without port and IPv6 brackets
};

// Go url.Parse semantics: control characters, bad %-escapes, an invalid port, characters not
// allowed in a host, or a colon in the first segment of a relative path are errors.
UrlParts ParseUrl(std::string_view raw);

// Names inside `{...}` in `url`, in order ("https://{host}/x" -> {"host"}).
std::vector<std::string> TemplateVariables(std::string_view url);
// `url` with `{host}`, `{port}`, `{path}`, `{protocol}`, `{scheme}` replaced by sample values and
// a `{var}` in port position (":{var}" before "/" or the end) by 8080 and any other `{var}` by
// "placeholder", so it can be parsed.
std::string ReplaceTemplateVariables(std::string_view url);
// http(s) scheme and a non-empty host once templates are replaced.
bool IsValidUrl(std::string_view url);
// IsValidUrl plus https only and not localhost / 127.0.0.1 / *.localhost.
bool IsValidRemoteUrl(std::string_view url);
// IsValidUrl and every `{var}` is one of `available`.
bool IsValidTemplatedUrl(std::string_view url, const std::vector<std::string>& available);

}  // namespace mcpreg::model
