// Go url.Parse, reduced to what the server.json rules need (scheme, host, failure).
#include "model/url_parts.h"

#include <algorithm>
#include <cctype>

namespace mcpreg::model {
namespace {

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// Go's unescape(): every '%' must start a complete escape. In host mode, ASCII characters that
// Go would escape in a host are errors too.
bool CheckEscapes(std::string_view s, bool host, std::string& error) {
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size() || !IsHex(s[i + 1]) || !IsHex(s[i + 2])) {
        error = "invalid URL escape \"" + std::string(s.substr(i, 3)) + "\"";
        return false;
      }
      i += 2;
      continue;
    }
    if (host && c < 0x80 && !std::isalnum(c) &&
        std::string_view("-._~!$&'()*+,;=:[]<>\"").find(static_cast<char>(c)) ==
            std::string_view::npos) {
      error = "invalid character \"" + std::string(1, static_cast<char>(c)) + "\" in host name";
      return false;
    }
  }
  return true;
}

}  // namespace

UrlParts ParseUrl(std::string_view raw) {
  UrlParts u;
  for (unsigned char c : raw) {
    if (c < 0x20 || c == 0x7f) {
      u.error = "net/url: invalid control character in URL";
      return u;
    }
  }
  std::string_view rest = raw;
  // Scheme: a letter, then letters/digits/+-. up to ':'.
  for (size_t i = 0; i < rest.size(); ++i) {
    char c = rest[i];
    if (std::isalpha(static_cast<unsigned char>(c))) continue;
    if (i > 0 && (std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.'))
      continue;
    if (c == ':') {
      if (i == 0) {
        u.error = "missing protocol scheme";
        return u;
      }
      u.scheme = std::string(rest.substr(0, i));
      std::transform(u.scheme.begin(), u.scheme.end(), u.scheme.begin(),
                     [](unsigned char ch) { return std::tolower(ch); });
      rest.remove_prefix(i + 1);
    }
    break;
  }
  if (size_t hash = rest.find('#'); hash != std::string_view::npos) {
    if (!CheckEscapes(rest.substr(hash + 1), false, u.error)) return u;
    rest = rest.substr(0, hash);
  }
  if (size_t q = rest.find('?'); q != std::string_view::npos) rest = rest.substr(0, q);
  if (u.scheme.empty()) {
    size_t slash = rest.find('/');
    if (rest.substr(0, slash).find(':') != std::string_view::npos) {
      u.error = "first path segment in URL cannot contain colon";
      return u;
    }
  }
  if (rest.substr(0, 2) == "//" && (!u.scheme.empty() || rest.substr(0, 3) != "///")) {
    rest.remove_prefix(2);
    size_t end = rest.find('/');
    std::string_view authority = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
      if (!CheckEscapes(authority.substr(0, at), false, u.error)) return u;
      authority.remove_prefix(at + 1);
    }
    std::string_view hostname = authority, port;
    if (!authority.empty() && authority[0] == '[') {
      size_t close = authority.find(']');
      if (close == std::string_view::npos) {
        u.error = "missing ']' in host";
        return u;
      }
      hostname = authority.substr(1, close - 1);
      std::string_view after = authority.substr(close + 1);
      if (!after.empty()) {
        if (after[0] != ':') {
          u.error = "invalid port \"" + std::string(after) + "\" after host";
          return u;
        }
        port = after.substr(1);
      }
    } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
      hostname = authority.substr(0, colon);
      port = authority.substr(colon + 1);
    }
    if (!std::all_of(port.begin(), port.end(),
                     [](unsigned char c) { return std::isdigit(c) != 0; })) {
      u.error = "invalid port \":" + std::string(port) + "\" after host";
      return u;
    }
    if (!CheckEscapes(hostname, true, u.error)) return u;
    u.host = std::string(authority);
    u.hostname = std::string(hostname);
  }
  if (!CheckEscapes(rest, false, u.error)) return u;
  u.ok = true;
  return u;
}

std::vector<std::string> TemplateVariables(std::string_view url) {
  std::vector<std::string> out;
  for (size_t open = url.find('{'); open != std::string_view::npos;
       open = url.find('{', open + 1)) {
    size_t close = url.find('}', open + 1);
    if (close == std::string_view::npos) break;
    if (close > open + 1) {
      out.emplace_back(url.substr(open + 1, close - open - 1));
      open = close;
    }
  }
  return out;
}

std::string ReplaceTemplateVariables(std::string_view url) {
  static constexpr std::pair<std::string_view, std::string_view> kSamples[] = {
      {"host", "example.com"}, {"port", "8080"}, {"path", "api"},
      {"protocol", "http"},    {"scheme", "http"}};
  std::string out;
  size_t pos = 0;
  while (pos < url.size()) {
    size_t open = url.find('{', pos);
    size_t close = open == std::string_view::npos ? open : url.find('}', open + 1);
    if (close == std::string_view::npos) break;
    if (close == open + 1) {  // "{}" is not a variable
      out.append(url.substr(pos, close + 1 - pos));
      pos = close + 1;
      continue;
    }
    out.append(url.substr(pos, open - pos));
    std::string_view name = url.substr(open + 1, close - open - 1);
    // Upstream: a variable in port position (":{var}" before "/" or the end) becomes 8080.
    bool port = open > 0 && url[open - 1] == ':' && (close + 1 == url.size() || url[close + 1] == '/');
    std::string_view replacement = port ? "8080" : "placeholder";
    for (auto [var, sample] : kSamples)
      if (name == var) replacement = sample;
    out.append(replacement);
    pos = close + 1;
  }
  if (pos < url.size()) out.append(url.substr(pos));
  return out;
}

bool IsValidUrl(std::string_view url) {
  UrlParts u = ParseUrl(ReplaceTemplateVariables(url));
  return u.ok && (u.scheme == "http" || u.scheme == "https") && !u.host.empty();
}

bool IsValidRemoteUrl(std::string_view url) {
  if (!IsValidUrl(url)) return false;
  UrlParts u = ParseUrl(ReplaceTemplateVariables(url));
  const std::string& h = u.hostname;
  bool local = h == "localhost" || h == "127.0.0.1" ||
               (h.size() >= 10 && h.compare(h.size() - 10, 10, ".localhost") == 0);
  return !local && u.scheme == "https";
}

bool IsValidTemplatedUrl(std::string_view url, const std::vector<std::string>& available) {
  if (!IsValidUrl(url)) return false;
  for (const std::string& v : TemplateVariables(url))
    if (std::find(available.begin(), available.end(), v) == available.end()) return false;
  return true;
}

}  // namespace mcpreg::model
