#include "api/web/html.h"

#include <cctype>

namespace mcpreg::web {

void AppendEsc(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '\0': out += "\xEF\xBF\xBD"; break;  // U+FFFD: a NUL never reaches the parser
      default: out += c;
    }
  }
}

std::string Esc(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  AppendEsc(out, s);
  return out;
}

std::string UrlComponent(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3 / 2);
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += char(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string SafeHref(std::string_view url) {
  auto starts = [&](std::string_view p) {
    if (url.size() < p.size()) return false;
    for (size_t i = 0; i < p.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(url[i])) != p[i]) return false;
    return true;
  };
  if (url.size() > 2048 || !(starts("https://") || starts("http://"))) return "";
  for (unsigned char c : url)
    if (c <= 0x20 || c == 0x7f) return "";  // no whitespace or control characters
  return Esc(url);
}

std::string Layout(std::string_view title, const Viewer& viewer, std::string_view main_html,
                   std::initializer_list<std::string_view> scripts) {
  std::string out;
  out.reserve(main_html.size() + 2048);
  out += "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<title>";
  AppendEsc(out, title);
  // No favicon request (an empty data: icon): nothing 404s in the console.
  out += " · mcpreg</title><link rel=\"icon\" href=\"data:,\">"
         "<link rel=\"stylesheet\" href=\"/assets/app.css\">";
  for (auto s : scripts) {
    out += "<script src=\"/assets/";
    AppendEsc(out, s);
    out += "\" defer></script>";
  }
  out += "</head><body><a class=\"skip\" href=\"#main\">Skip to content</a>"
         "<header class=\"site\"><nav aria-label=\"Main\"><a class=\"brand\" href=\"/\">mcpreg</a>"
         "<a href=\"/\">Catalog</a>";
  if (viewer.signed_in) {
    out += "<a href=\"/ui/requests\">My requests</a>";
    if (viewer.reviewer) out += "<a href=\"/ui/review\">Review</a>";
    out += "<span class=\"who\">";
    AppendEsc(out, viewer.display_name);
    out += "</span><form method=\"post\" action=\"/ui/logout\" class=\"inline\">"
           "<input type=\"hidden\" name=\"csrf\" value=\"";
    AppendEsc(out, viewer.csrf);
    out += "\"><button type=\"submit\">Sign out</button></form>";
  } else if (viewer.login_enabled) {
    out += "<a class=\"signin\" href=\"/ui/login\">Sign in</a>";
  }
  out += "</nav></header><main id=\"main\" tabindex=\"-1\">";
  out += main_html;
  out += "</main><footer class=\"site\"><a href=\"/docs\">API</a> · "
         "<a href=\"/openapi.yaml\">OpenAPI</a></footer></body></html>\n";
  return out;
}

http::HttpResponse HtmlResponse(int status, std::string html, bool no_store) {
  http::HttpResponse r;
  r.status = status;
  r.Set("Content-Type", "text/html; charset=utf-8");
  r.Set("Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
  r.Set("X-Content-Type-Options", "nosniff");
  r.Set("X-Frame-Options", "DENY");
  r.Set("Referrer-Policy", "same-origin");
  if (no_store) r.Set("Cache-Control", "no-store");
  r.body = std::move(html);
  return r;
}

http::HttpResponse SeeOther(std::string_view path) {
  http::HttpResponse r;
  r.status = 303;
  // Same origin only: one leading '/', never "//host" or "/\host".
  bool ok = path.size() >= 1 && path[0] == '/' &&
            !(path.size() >= 2 && (path[1] == '/' || path[1] == '\\'));
  for (unsigned char c : path)
    if (c <= 0x20 || c == 0x7f) ok = false;
  r.Set("Location", ok ? std::string(path) : std::string("/"));
  r.Set("Cache-Control", "no-store");
  return r;
}

namespace {

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> FormDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int h = HexVal(s[i + 1]), l = HexVal(s[i + 2]);
      if (h < 0 || l < 0) return std::nullopt;
      out += char(h * 16 + l);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

// Calls f(decoded value) for every field named `key`; stops when f returns false.
template <typename F>
void ForEachField(std::string_view body, std::string_view key, F&& f) {
  size_t i = 0;
  while (i <= body.size()) {
    size_t j = body.find('&', i);
    if (j == std::string_view::npos) j = body.size();
    std::string_view pair = body.substr(i, j - i);
    size_t eq = pair.find('=');
    std::string_view k = pair.substr(0, eq);
    std::string_view v = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    auto dk = FormDecode(k);
    if (dk && *dk == key) {
      if (!f(FormDecode(v))) return;
    }
    i = j + 1;
  }
}

}  // namespace

std::optional<std::string> FormValue(std::string_view body, std::string_view key) {
  std::optional<std::string> out;
  ForEachField(body, key, [&](std::optional<std::string> v) {
    out = std::move(v);
    return false;
  });
  return out;
}

std::vector<std::string> FormValues(std::string_view body, std::string_view key) {
  std::vector<std::string> out;
  ForEachField(body, key, [&](std::optional<std::string> v) {
    out.push_back(v ? std::move(*v) : std::string());
    return true;
  });
  return out;
}

}  // namespace mcpreg::web
