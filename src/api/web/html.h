// HTML building blocks of the browser interface: escaping, the page layout and the response
// headers every page carries. Every string that does not come from this file's callers'
// literals (server.json fields, request fields, names, messages, query values) goes through
// Esc / Attr / UrlComponent: hostile metadata renders as text.
//
// Every HTML response carries
//   Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self';
//     img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none';
//     frame-ancestors 'none'
//   X-Content-Type-Options: nosniff, Referrer-Policy: same-origin, X-Frame-Options: DENY,
//   Cache-Control: no-store (console pages and pages rendered for a session).
// No inline script or style anywhere: behaviour lives in /assets/*.js, looks in /assets/*.css.
//
// Thread-safe pure functions.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "transport/http_server.h"

namespace mcpreg::web {

// Text content: escapes & < > " ' (safe in element content and quoted attributes).
std::string Esc(std::string_view s);
// Appends Esc(s) to out.
void AppendEsc(std::string& out, std::string_view s);
// A URL query value or path segment: RFC 3986 unreserved characters kept, everything else
// percent-encoded (so a name with '/' is one segment).
std::string UrlComponent(std::string_view s);
// An href for a link from server metadata: the URL itself (escaped) when it is http(s),
// else "" (javascript:, data: and the rest are never linked).
std::string SafeHref(std::string_view url);

// What the layout needs to know about the viewer.
struct Viewer {
  bool signed_in = false;
  bool login_enabled = false;
  bool reviewer = false;     // shows the Review link
  std::string display_name;  // the person's name / subject (escaped by the layout)
  std::string csrf;          // for the Sign out form
};

// A whole document: <!doctype html>, head (title, /assets/app.css, the page's scripts as
// <script src defer>), a header with the site name, Catalog / My requests / Review links and
// Sign in / Sign out, then `main_html` (already escaped by the caller) in <main id="main">.
// `title` is escaped here. `scripts`: asset file names, e.g. {"catalog.js"}.
std::string Layout(std::string_view title, const Viewer& viewer, std::string_view main_html,
                   std::initializer_list<std::string_view> scripts = {});

// An HTML response with the security headers above. `secure`: the registry is served over
// https (cookies get Secure). `no_store`: adds Cache-Control: no-store.
http::HttpResponse HtmlResponse(int status, std::string html, bool no_store = false);
// 303 See Other to a same-origin path (must start with a single '/').
http::HttpResponse SeeOther(std::string_view path);

// application/x-www-form-urlencoded: the value of the first field `key` ('+' is a space),
// nullopt when absent or badly encoded.
std::optional<std::string> FormValue(std::string_view body, std::string_view key);
// Every value of the repeated field `key`, in order.
std::vector<std::string> FormValues(std::string_view body, std::string_view key);

}  // namespace mcpreg::web
