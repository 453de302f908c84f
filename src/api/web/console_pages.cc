// The console pages (contracts in web_ui.h): decode the form, call one GovernanceService
// method, render. Authorization is the service's; the page only decides which buttons to show,
// from the person's grants as stored now (LivePrincipal), and the service re-checks every write.
// Errors map through HttpStatusFor; NotFound is the 404 page; every response is no-store.
#include <boost/json.hpp>
#include <charconv>
#include <cstdint>
#include <limits>

#include "api/web/console_view.h"
#include "api/web/viewer.h"
#include "api/web/html.h"
#include "api/web/web_ui.h"
#include "auth/permissions.h"
#include "core/percent.h"
#include "mcpreg/clock.h"
#include "mcpreg/store.h"
#include "service/auth_service.h"
#include "service/governance_service.h"

namespace mcpreg::web {
namespace {
namespace bj = boost::json;

constexpr size_t kHistoryPage = 50;
constexpr std::string_view kAttestations[] = {"threat-model", "license", "legal"};

// The layout's viewer. Local until viewer.h's ViewerFor(ui, req) lands: swap it in here.
// The header's viewer, with "reviewer" from the live grants (not the session's copy).
Viewer ConsoleViewer(const WebUi& ui, const WebSession& s, const auth::Principal& live) {
  Viewer v = ViewerFor(ui, s);
  v.reviewer = !auth::PatternsFor(live.permissions, auth::kActionReview).empty();
  return v;
}

// What the page shows to whom: the service's own rules (it re-checks each write); this only
// hides buttons that would be refused.
struct Rights {
  bool review = false;  // approve, reject, attest
  bool update = false;  // edit and resubmit (filer or reviewer)
  bool retire = false;  // publish or edit on the name
};

Rights RightsOn(const service::GovernanceService& gov, const auth::Principal& who,
                const ServerRequest& r) {
  return Rights{service::GovernanceService::MayReview(who, r.name), gov.MayUpdate(who, r),
                service::GovernanceService::MayRetire(who, r.name)};
}

// Everything a console handler needs about the person.
struct Ctx {
  const WebUi& ui;
  const http::HttpRequest& req;
  const WebSession& s;
  auth::Principal who;  // live grants
  Viewer viewer;
};

http::HttpResponse NoStore(http::HttpResponse r) {
  for (const auto& [k, v] : r.headers)
    if (k == "Cache-Control") return r;
  r.Set("Cache-Control", "no-store");
  return r;
}

http::HttpResponse Page(const Ctx& c, int status, std::string_view title, const std::string& main) {
  return HtmlResponse(status, Layout(title, c.viewer, main, {"console.js"}), /*no_store=*/true);
}

// The page for a refusal that has no form to return to.
http::HttpResponse ErrorPage(const Ctx& c, const Status& st, std::string_view what) {
  if (st.IsNotFound()) return NoStore(c.ui.NotFoundPage(c.req, what));
  const int status = HttpStatusFor(st.code());
  std::string main = "<h1>" + Esc(HttpReason(status)) + "</h1><div class=\"error\" role=\"alert\">"
                     "<p>" + Esc(st.message()) + "</p></div><p><a href=\"/ui/requests\">"
                     "My requests</a></p>";
  auto r = Page(c, status, HttpReason(status), main);
  if (st.code() == Code::kResourceExhausted && c.ui.deps().governance)
    r.Set("Retry-After", std::to_string(c.ui.deps().governance->RetryAfterSeconds(c.who)));
  return r;
}

// The person with grants as stored now (the session's are as of sign-in).
Result<Ctx> OpenCtx(const WebUi& ui, const http::HttpRequest& req, const WebSession& s) {
  auth::Principal who = s.who;
  if (ui.deps().store) {
    auto live = service::LivePrincipal(*ui.deps().store, s.who);
    if (!live.ok()) return live.status();
    who = std::move(*live);
  }
  Viewer v = ConsoleViewer(ui, s, who);
  return Ctx{ui, req, s, std::move(who), std::move(v)};
}

// Runs `body` with the context, or renders why it could not be opened.
template <typename F>
http::HttpResponse WithCtx(const WebUi& ui, const http::HttpRequest& req, const WebSession& s,
                           F&& body) {
  auto c = OpenCtx(ui, req, s);
  if (!c.ok()) {
    Ctx bare{ui, req, s, s.who, ConsoleViewer(ui, s, s.who)};
    return ErrorPage(bare, c.status(), "request");
  }
  if (!ui.deps().governance) return NoStore(ui.NotFoundPage(req, "console"));
  return body(*c, *ui.deps().governance);
}

std::optional<std::string> NameOf(std::string_view raw) { return PathUnescapeTwice(raw); }

std::string RequestPath(std::string_view name) { return "/ui/requests/" + UrlComponent(name); }

std::string Hidden(std::string_view name, std::string_view value) {
  return "<input type=\"hidden\" name=\"" + std::string(name) + "\" value=\"" + Esc(value) + "\">";
}

// A small form with one labelled text field and a submit button.
std::string OneFieldForm(const Ctx& c, std::string_view action, std::string_view id,
                         std::string_view field, std::string_view label,
                         std::string_view button, bool required) {
  return "<form method=\"post\" action=\"" + Esc(action) + "\" class=\"decision\">" +
         Hidden("csrf", c.s.csrf) + "<div class=\"field\"><label for=\"" + std::string(id) + "\">" +
         std::string(label) + "</label><input type=\"text\" id=\"" + std::string(id) +
         "\" name=\"" + std::string(field) + "\"" + (required ? " required" : "") +
         "></div><p><button type=\"submit\">" + std::string(button) + "</button></p></form>";
}

std::string EvidenceForms(const Ctx& c, const ServerRequest& r, const service::VersionCompliance& v,
                          size_t vi, const Rights& rights) {
  const std::string action = "/ui/servers/" + UrlComponent(r.name) + "/versions/" +
                             UrlComponent(v.version) + "/evidence";
  const std::string n = std::to_string(vi);
  std::string out = "<form method=\"post\" action=\"" + Esc(action) + "\" class=\"evidence sarif\" data-kind=\"sarif\">" +
                    Hidden("csrf", c.s.csrf) + Hidden("kind", "sarif") +
                    "<div class=\"field\"><label for=\"sarif-file-" + n +
                    "\">SARIF log</label><input type=\"file\" id=\"sarif-file-" + n +
                    "\" accept=\".sarif,.json,application/json\" data-fill=\"sarif-" + n +
                    "\"><textarea id=\"sarif-" + n +
                    "\" name=\"sarif\" hidden aria-hidden=\"true\"></textarea></div>"
                    "<p><button type=\"submit\">Upload</button></p></form>";
  if (!rights.review) return out;
  for (std::string_view kind : kAttestations) {
    const std::string id = n + "-" + std::string(kind);
    auto field = [&](std::string_view key, std::string_view label) {
      return "<div class=\"field\"><label for=\"" + std::string(key) + "-" + id + "\">" +
             std::string(label) + "</label><input type=\"text\" id=\"" + std::string(key) + "-" +
             id + "\" name=\"" + std::string(key) + "\"></div>";
    };
    out += "<form method=\"post\" action=\"" + Esc(action) + "\" class=\"evidence attestation\" data-kind=\"" +
           std::string(kind) + "\"><fieldset><legend>" + std::string(kind) + "</legend>" + Hidden("csrf", c.s.csrf) +
           Hidden("kind", kind) + "<div class=\"field\"><label for=\"verdict-" + id +
           "\">Verdict</label><select id=\"verdict-" + id + "\" name=\"verdict\">"
           "<option>approved</option><option>rejected</option></select></div>" +
           field("reviewer", "Reviewer") + field("link", "Link") +
           (kind == "license" ? field("expression", "SPDX expression") : std::string()) +
           "<p><button type=\"submit\">Record</button></p></fieldset></form>";
  }
  return out;
}

// The request page's <main>: facts, gates, versions, and the actions the person may take.
// `form`/`errors`: the edit form as submitted (after a refused update); `alert`: a refusal.
std::string RequestMain(const Ctx& c, const service::RequestView& v, const RequestForm* form,
                        FieldErrors errors, std::string_view alert) {
  const ServerRequest& r = v.request;
  const Rights rights = RightsOn(*c.ui.deps().governance, c.who, r);
  const RequestForm doc = FormFromDocument(r.document);
  const std::string path = RequestPath(r.name);
  const bool editable = rights.update && (r.state == "pending" || r.state == "rejected");
  std::string out = "<h1>" + Esc(r.name) + " " + StateBadge(r.state) + "</h1>";
  // Without the edit form, its errors become the alert.
  std::vector<std::string> alerts = editable ? std::vector<std::string>() : errors.summary;
  if (!editable)
    for (const auto& [field, messages] : errors.at)
      alerts.insert(alerts.end(), messages.begin(), messages.end());
  if (!alert.empty()) alerts.emplace_back(alert);
  if (!alerts.empty()) {
    out += "<div class=\"error\" role=\"alert\">";
    for (const auto& m : alerts) out += "<p>" + Esc(m) + "</p>";
    out += "</div>";
  }
  auto row = [&](std::string_view k, const std::string& value_html) {
    out += "<dt>" + std::string(k) + "</dt><dd>" + value_html + "</dd>";
  };
  out += "<dl class=\"request card\">";
  row("State", Esc(r.state));
  row("Team", Esc(doc.team));
  row("Contacts", Esc(doc.contacts));
  row("Consumption", Esc(doc.consumption));
  row("Hosting", Esc(doc.hosting));
  row("Publisher", Esc(doc.issuer) + " — <code>" + Esc(doc.subject) + "</code>");
  std::string href = SafeHref(doc.pipeline);
  row("Pipeline", href.empty() ? Esc(doc.pipeline)
                               : "<a href=\"" + href + "\" rel=\"noopener noreferrer\">" +
                                     Esc(doc.pipeline) + "</a>");
  if (!doc.description.empty()) row("Description", Esc(doc.description));
  row("Filed", Esc(r.created_by) + ", <time>" + Esc(FormatRfc3339(r.created_at)) + "</time>");
  if (!r.decided_by.empty())
    row("Decided", Esc(r.decided_by) + ", <time>" + Esc(FormatRfc3339(r.decided_at)) + "</time>");
  if (!r.reason.empty())
    row(r.state == "rejected" ? "Rejection reason" : r.state == "retired" ? "Retirement message"
                                                                           : "Note",
        Esc(r.reason));
  out += "</dl><p><a href=\"/ui/history/" + UrlComponent(r.name) + "\">History</a></p>";

  out += "<section aria-labelledby=\"gates-h\"><h2 id=\"gates-h\">Gate results</h2>" +
         RenderGates(v.gates, v.gates_pass) + "</section>";

  if (rights.review && r.state == "pending") {
    out += "<section aria-labelledby=\"decide-h\"><h2 id=\"decide-h\">Decision</h2>";
    out += OneFieldForm(c, path + "/approve", "note", "note", "Note", "Approve", false);
    out += OneFieldForm(c, path + "/reject", "reason", "reason", "Reason", "Reject", true);
    out += "</section>";
  }
  if (rights.retire && r.state != "retired")
    out += "<section aria-labelledby=\"retire-h\"><h2 id=\"retire-h\">Retire</h2>" +
           OneFieldForm(c, path + "/retire", "message", "message", "Message", "Retire", true) +
           "</section>";

  out += "<section aria-labelledby=\"versions-h\"><h2 id=\"versions-h\">Versions</h2>";
  if (v.versions.empty()) out += "<p>No published versions yet.</p>";
  for (size_t i = 0; i < v.versions.size(); ++i) {
    const auto& ver = v.versions[i];
    out += "<article class=\"version card\" id=\"v-" + UrlComponent(ver.version) + "\"><h3>" +
           Esc(ver.version) + "</h3>" + RenderCompliance(ver) +
           EvidenceForms(c, r, ver, i, rights) + "</article>";
  }
  out += "</section>";

  if (editable) {
    const RequestForm& f = form ? *form : doc;
    AddGates(errors, v.gates, f);
    out += "<section aria-labelledby=\"edit-h\"><h2 id=\"edit-h\">Edit and resubmit</h2>" +
           RenderRequestForm(f, errors, path, "Resubmit", c.s.csrf, /*name_fixed=*/true) +
           "</section>";
  }
  return out;
}

// A refused File/Update: the form again with each error at its field, or an error page.
http::HttpResponse FormRefused(const Ctx& c, const Status& st, const RequestForm& f,
                               const std::optional<service::RequestView>& existing) {
  switch (st.code()) {
    case Code::kInvalidArgument:
    case Code::kUnprocessable:
    case Code::kAlreadyExists:
    case Code::kFailedPrecondition:
    case Code::kPayloadTooLarge:
    case Code::kResourceExhausted: break;
    default: return ErrorPage(c, st, "request");
  }
  FieldErrors e;
  AddStatus(e, st, f);
  const int status = HttpStatusFor(st.code());
  auto r = existing ? Page(c, status, existing->request.name, RequestMain(c, *existing, &f, e, ""))
                    : Page(c, status, "New request",
                           "<h1>New request</h1>" +
                               RenderRequestForm(f, e, "/ui/requests", "File request", c.s.csrf,
                                                 /*name_fixed=*/false));
  if (st.code() == Code::kResourceExhausted)
    r.Set("Retry-After", std::to_string(c.ui.deps().governance->RetryAfterSeconds(c.who)));
  return r;
}

// After a refused decision or evidence upload: the request page with the reason as an alert.
http::HttpResponse ActionRefused(const Ctx& c, service::GovernanceService& gov,
                                 const std::string& name, const Status& st) {
  switch (st.code()) {
    case Code::kInvalidArgument:
    case Code::kUnprocessable:
    case Code::kFailedPrecondition:
    case Code::kAlreadyExists:
    case Code::kPayloadTooLarge: break;
    default: return ErrorPage(c, st, "request");
  }
  auto v = gov.Get(c.who, name);
  if (!v.ok()) return ErrorPage(c, st, "request");
  return Page(c, HttpStatusFor(st.code()), name, RequestMain(c, *v, nullptr, {}, st.message()));
}

// "key: value" lines of an audit entry's details (a JSON object), escaped.
std::string DetailsHtml(std::string_view details) {
  bj::error_code ec;
  bj::value v = bj::parse(details, ec);
  if (ec || !v.is_object()) return Esc(details);
  std::string out;
  for (const auto& kv : v.get_object()) {
    if (!out.empty()) out += "<br>";
    out += Esc(kv.key()) + ": ";
    out += kv.value().is_string() ? Esc(kv.value().get_string()) : Esc(bj::serialize(kv.value()));
  }
  return out;
}

}  // namespace

http::HttpResponse WebUi::MyRequests(const http::HttpRequest& req, const WebSession& s) const {
  return WithCtx(*this, req, s, [&](const Ctx& c, service::GovernanceService& gov) {
    const std::string cursor = FormValue(req.query, "cursor").value_or("");
    auto page = gov.ListPage(c.who, "", cursor, service::kDefaultRequestPage);
    if (!page.ok()) return ErrorPage(c, page.status(), "page");
    std::string main = "<h1>My requests</h1><p><a class=\"button\" href=\"/ui/requests/new\">"
                       "New request</a></p>";
    if (page->items.empty()) main += "<p>No requests yet.</p>";
    else {
      main += "<table class=\"requests\"><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">"
              "State</th><th scope=\"col\">Gates</th><th scope=\"col\">Versions</th></tr></thead>"
              "<tbody>";
      for (const auto& v : page->items)
        main += "<tr><td><a href=\"" + RequestPath(v.request.name) + "\">" + Esc(v.request.name) +
                "</a></td><td>" + StateBadge(v.request.state) + "</td><td>" +
                GateSummary(v.gates, v.gates_pass) + "</td><td>" + ComplianceSummary(v.versions) +
                "</td></tr>";
      main += "</tbody></table>";
    }
    if (page->next_cursor)
      main += "<p><a rel=\"next\" href=\"/ui/requests?cursor=" + UrlComponent(*page->next_cursor) +
              "\">Next page</a></p>";
    return Page(c, 200, "My requests", main);
  });
}

http::HttpResponse WebUi::NewRequestForm(const http::HttpRequest& req, const WebSession& s) const {
  return WithCtx(*this, req, s, [&](const Ctx& c, service::GovernanceService&) {
    return Page(c, 200, "New request",
                "<h1>New request</h1>" + RenderRequestForm(RequestForm{}, {}, "/ui/requests",
                                                           "File request", s.csrf, false));
  });
}

http::HttpResponse WebUi::FileRequest(const http::HttpRequest& req, const WebSession& s) const {
  return WithCtx(*this, req, s, [&](const Ctx& c, service::GovernanceService& gov) {
    const RequestForm f = FormFromBody(req.body);
    auto doc = RequestDocument(f);
    if (!doc.ok()) return FormRefused(c, doc.status(), f, std::nullopt);
    auto filed = gov.File(c.who, *doc);
    if (!filed.ok()) return FormRefused(c, filed.status(), f, std::nullopt);
    return NoStore(SeeOther(RequestPath(filed->request.name)));
  });
}

http::HttpResponse WebUi::RequestPage(const http::HttpRequest& req, const WebSession& s,
                                      std::string_view raw_name) const {
  return WithCtx(*this, req, s, [&](const Ctx& c, service::GovernanceService& gov) {
    auto name = NameOf(raw_name);
    if (!name) return NoStore(NotFoundPage(req, "request"));
    auto v = gov.Get(c.who, *name);
    if (!v.ok()) return ErrorPage(c, v.status(), "request");
    return Page(c, 200, *name, RequestMain(c, *v, nullptr, {}, ""));
  });
}

http::HttpResponse WebUi::UpdateRequest(const http::HttpRequest& req, const WebSession& s,
                                        std::string_view raw_name) const {
  return WithCtx(*this, req, s, [&](const Ctx& c, service::GovernanceService& gov) {
    auto name = NameOf(raw_name);
    if (!name) return NoStore(NotFoundPage(req, "request"));
    auto current = gov.Get(c.who, *name);
    if (!current.ok()) return ErrorPage(c, current.status(), "request");
    RequestForm f = FormFromBody(req.body);
    f.name = *name;  // the URL names the request (the field is read-only)
    auto doc = RequestDocument(f);
    if (!doc.ok()) return FormRefused(c, doc.status(), f, *current);
    auto updated = gov.Update(c.who, *name, *doc);
    if (!updated.ok()) return FormRefused(c, updated.status(), f, *current);
    return NoStore(SeeOther(RequestPath(*name)));
  });
}

http::HttpResponse WebUi::Decide(const http::HttpRequest& req, const WebSession& s,
                                 std::string_view raw_name, Decision d) const {
  return WithCtx(*this, req, s, [&](const Ctx& c, service::GovernanceService& gov) {
    auto name = NameOf(raw_name);
    if (!name) return NoStore(NotFoundPage(req, "request"));
    auto text = [&](std::string_view key) { return FormValue(req.body, key).value_or(""); };
    Result<service::RequestView> done =
        d == Decision::kApprove  ? gov.Approve(c.who, *name, text("note"))
        : d == Decision::kReject ? gov.Reject(c.who, *name, text("reason"))
                                 : gov.Retire(c.who, *name, text("message"));
    if (!done.ok()) return ActionRefused(c, gov, *name, done.status());
    return NoStore(SeeOther(RequestPath(*name)));
  });
}

http::HttpResponse WebUi::AddEvidence(const http::HttpRequest& req, const WebSession& s,
                                      std::string_view raw_name,
                                      std::string_view raw_version) const {
  return WithCtx(*this, req, s, [&](const Ctx& c, service::GovernanceService& gov) {
    auto name = NameOf(raw_name);
    auto version = NameOf(raw_version);
    if (!name || !version) return NoStore(NotFoundPage(req, "version"));
    auto doc = EvidenceDocument(req.body);
    if (!doc.ok()) return ActionRefused(c, gov, *name, doc.status());
    auto added = gov.AddEvidence(c.who, *name, *version, *doc);
    if (!added.ok()) return ActionRefused(c, gov, *name, added.status());
    return NoStore(SeeOther(RequestPath(*name) + "#v-" + UrlComponent(*version)));
  });
}

http::HttpResponse WebUi::ReviewQueue(const http::HttpRequest& req, const WebSession& s) const {
  return WithCtx(*this, req, s, [&](const Ctx& c, service::GovernanceService& gov) {
    if (!c.viewer.reviewer)
      return Page(c, 403, "Review",
                  "<h1>Review</h1><div class=\"error\" role=\"alert\"><p>You have no review "
                  "rights: the review queue is for reviewers.</p></div>");
    const std::string cursor = FormValue(req.query, "cursor").value_or("");
    auto page = gov.ListPage(c.who, "pending", cursor, service::kDefaultRequestPage);
    if (!page.ok()) return ErrorPage(c, page.status(), "page");
    std::string main = "<h1>Review queue</h1>";
    if (page->items.empty()) main += "<p>Nothing waits for review.</p>";
    for (const auto& v : page->items) {
      main += "<article class=\"card\"><h2><a href=\"" + RequestPath(v.request.name) + "\">" +
              Esc(v.request.name) + "</a></h2><p>Filed by " + Esc(v.request.created_by) +
              ", <time>" + Esc(FormatRfc3339(v.request.updated_at)) + "</time></p><p>Gates: " +
              GateSummary(v.gates, v.gates_pass) + "</p>";
      for (const auto& ver : v.versions)
        main += "<h3>" + Esc(ver.version) + "</h3>" + RenderCompliance(ver);
      main += "</article>";
    }
    if (page->next_cursor)
      main += "<p><a rel=\"next\" href=\"/ui/review?cursor=" + UrlComponent(*page->next_cursor) +
              "\">Next page</a></p>";
    return Page(c, 200, "Review queue", main);
  });
}

http::HttpResponse WebUi::History(const http::HttpRequest& req, const WebSession& s,
                                  std::string_view raw_name) const {
  return WithCtx(*this, req, s, [&](const Ctx& c, service::GovernanceService& gov) {
    auto name = NameOf(raw_name);
    if (!name || !deps_.store || !gov.MayReadRequest(&c.who, *name))
      return NoStore(NotFoundPage(req, "history"));
    auto all = deps_.store->ListAudit(*name, 0, 0);
    if (!all.ok()) return ErrorPage(c, all.status(), "history");
    // Newest first; ?before=SEQ pages back.
    int64_t before = std::numeric_limits<int64_t>::max();
    if (auto b = FormValue(req.query, "before")) {
      auto [end, ec] = std::from_chars(b->data(), b->data() + b->size(), before);
      if (ec != std::errc() || end != b->data() + b->size())
        return ErrorPage(c, Status::InvalidArgument("before: expected an entry number"), "page");
    }
    std::string rows;
    size_t shown = 0;
    int64_t last = 0;
    bool more = false;
    for (auto it = all->rbegin(); it != all->rend(); ++it) {
      if (it->seq >= before) continue;
      if (shown == kHistoryPage) {
        more = true;
        break;
      }
      const AuditEvent& e = it->event;
      rows += "<tr><td><time>" + Esc(FormatRfc3339(e.at)) + "</time></td><td>" + Esc(e.actor) +
              "</td><td>" + Esc(e.action) + "</td><td>" + DetailsHtml(e.details) + "</td></tr>";
      last = it->seq;
      ++shown;
    }
    std::string main = "<h1>History of " + Esc(*name) + "</h1><p><a href=\"" +
                       RequestPath(*name) + "\">Back to the request</a></p>";
    if (rows.empty()) main += "<p>No recorded changes.</p>";
    else
      main += "<table class=\"history\"><thead><tr><th scope=\"col\">When</th><th scope=\"col\">"
              "Who</th><th scope=\"col\">What</th><th scope=\"col\">Details</th></tr></thead>"
              "<tbody>" + rows + "</tbody></table>";
    if (more)
      main += "<p><a rel=\"next\" href=\"/ui/history/" + UrlComponent(*name) +
              "?before=" + std::to_string(last) + "\">Older entries</a></p>";
    return Page(c, 200, "History", main);
  });
}

}  // namespace mcpreg::web
