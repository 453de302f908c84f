// The governance commands (issue 5; service/governance_service.h has the contract):
//   mcpreg request file FILE | update NAME FILE | show NAME | list [--state S]
//                  | retire NAME --message TEXT                       → the request view JSON
//   mcpreg evidence add NAME VERSION (--sarif FILE | --kind K --verdict V --reviewer WHO
//                  [--link URL] [--notes TEXT] [--expression SPDX]) [--digest HEX]
//                  | list NAME [VERSION]                              → evidence JSON
//   mcpreg review list [--json] | show NAME [--json]                  → a table / a detail page
//                  | approve NAME [--note TEXT] | reject NAME --reason TEXT   → one line
//                  | approve-mirrored --pattern GLOB [--upstream NAME] [--dry-run]
//                    [--reason TEXT]           → one line per mirrored name + a summary;
//                    exit 1 when any is withheld or refused (database mode only;
//                    GovernanceService::ApproveMirrored has the contract)
//   mcpreg export readme|allowlist|catalog [--out FILE] [--title T] [--registry-url URL]
//
// Two modes. With --registry URL (or $MCPREG_REGISTRY when neither --db nor --config is given)
// a command calls the registry's /v0.1/x/dev.mcpreg/ routes with the token `mcpreg login`
// stored. Otherwise it opens the database (--db, else $MCPREG_DB, else the config's db, else
// the default; app/registry.h) and acts as the local operator, with the config's `policy:`
// (governed mode) and `auth.issuers` so the gates and listing rule are the server's.
// GovernanceService::Start() runs first, so the listing rule is in force. Commands that only
// read (and export) refuse a brand-new database instead of creating one.
// `export` is database mode only.
//
// Errors: one line "mcpreg <cmd>: <problem>" on stderr, exit code ExitCodeFor(code) (1 refused,
// 2 usage, 3 environment); CLI11 usage errors exit 2.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "app/registry.h"
#include "cli/commands.h"
#include "cli/db_option.h"
#include "cli/file_output.h"
#include "cli/review_view.h"
#include "client/registry_api.h"
#include "client/token_file.h"
#include "config/config.h"
#include "core/json_out.h"
#include "core/percent.h"
#include "policy/policy.h"
#include "service/auth_service.h"
#include "service/exports.h"
#include "service/governance_service.h"
#include "service/json_body.h"

namespace mcpreg::cli {
namespace {
namespace bj = boost::json;

// --- reading the JSON renderings ----------------------------------------------------------------

int64_t IdOf(const bj::value& evidence) {
  const bj::value* id = evidence.is_object() ? evidence.get_object().if_contains("id") : nullptr;
  return id != nullptr && id->is_int64() ? id->get_int64() : 0;
}

// --- where a command acts ---------------------------------------------------------------------

struct Target {
  std::string db;  // "" = not given
  std::string config;
  std::string registry;
  CLI::Option* db_option = nullptr;  // to tell an explicit --db from the default
};

void AddTargetOptions(CLI::App* cmd, Target& t, bool remote) {
  t.db_option = AddDbOption(cmd, t.db);
  cmd->add_option("--config", t.config,
                  "Server config whose policy and auth.issuers apply (database mode)");
  if (remote)
    cmd->add_option("--registry", t.registry,
                    "Registry base URL: act over HTTP with the stored login (or $MCPREG_REGISTRY)");
}

// The operations the commands need, each answering with the JSON the REST route would send.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual Result<std::string> File(const std::string& body) = 0;
  virtual Result<std::string> Update(const std::string& name, const std::string& body) = 0;
  virtual Result<std::string> Get(const std::string& name) = 0;
  virtual Result<std::string> List(const std::string& state) = 0;
  // verb: approve | reject | retire; text: the note, reason or message.
  virtual Result<std::string> Decide(const std::string& verb, const std::string& name,
                                     const std::string& text) = 0;
  virtual Result<std::string> AddEvidence(const std::string& name, const std::string& version,
                                          const std::string& body) = 0;
  // Every version's evidence when `version` is empty.
  virtual Result<std::string> ListEvidence(const std::string& name, const std::string& version) = 0;
};

template <typename T, typename Render>
Result<std::string> Rendered(const Result<T>& r, Render render) {
  if (!r.ok()) return r.status();
  return render(*r);
}

// Database mode: the registry, its policy and the governance service over one database.
class LocalBackend final : public Backend {
 public:
  static Result<std::unique_ptr<LocalBackend>> Open(const Target& t, bool may_create) {
    config::Config cfg;
    if (!t.config.empty()) {
      auto c = config::LoadConfig(t.config);
      if (!c.ok()) return c.status();
      cfg = std::move(*c);
    }
    auto options = app::RegistryOptionsFrom(cfg, t.db);
    if (!options.ok()) return options.status();
    options->migrate = may_create ? app::MigratePolicy::kApplyIfNew : app::MigratePolicy::kMustExist;
    auto reg = app::OpenRegistry(std::move(*options));
    if (!reg.ok()) {
      if (!reg.status().IsNotFound()) return reg.status();
      return Status::NotFound(reg.status().message() + " (pass --db PATH or --config FILE)");
    }
    auto gov = app::StartGovernance(*reg);
    if (!gov.ok()) return gov.status();
    return std::unique_ptr<LocalBackend>(new LocalBackend(std::move(*reg), std::move(*gov)));
  }

  const service::GovernanceService& governance() const { return *gov_; }
  service::GovernanceService& governance() { return *gov_; }
  const auth::Principal& who() const { return who_; }

  Result<std::string> File(const std::string& body) override {
    return Rendered(gov_->File(who_, body), service::RequestViewJson);
  }
  Result<std::string> Update(const std::string& name, const std::string& body) override {
    return Rendered(gov_->Update(who_, name, body), service::RequestViewJson);
  }
  Result<std::string> Get(const std::string& name) override {
    return Rendered(gov_->Get(who_, name), service::RequestViewJson);
  }
  Result<std::string> List(const std::string& state) override {
    return Rendered(gov_->List(who_, state), service::RequestListJson);
  }
  Result<std::string> Decide(const std::string& verb, const std::string& name,
                             const std::string& text) override {
    if (verb == "approve")
      return Rendered(gov_->Approve(who_, name, text), service::RequestViewJson);
    if (verb == "reject") return Rendered(gov_->Reject(who_, name, text), service::RequestViewJson);
    return Rendered(gov_->Retire(who_, name, text), service::RequestViewJson);
  }
  Result<std::string> AddEvidence(const std::string& name, const std::string& version,
                                  const std::string& body) override {
    return Rendered(gov_->AddEvidence(who_, name, version, body), service::EvidenceJson);
  }
  Result<std::string> ListEvidence(const std::string& name, const std::string& version) override {
    return Rendered(gov_->ListEvidence(&who_, name, version), service::EvidenceListJson);
  }

 private:
  LocalBackend(app::Registry reg, std::unique_ptr<service::GovernanceService> gov)
      : reg_(std::move(reg)), gov_(std::move(gov)) {}

  app::Registry reg_;
  std::unique_ptr<service::GovernanceService> gov_;  // over reg_
  auth::Principal who_ = service::LocalOperator();
};

// HTTP mode: the REST routes, with the stored login.
class RemoteBackend final : public Backend {
 public:
  RemoteBackend(std::string registry, std::string token)
      : registry_(std::move(registry)), token_(std::move(token)) {}

  Result<std::string> File(const std::string& body) override {
    return Call("POST", {"requests"}, "", body);
  }
  Result<std::string> Update(const std::string& name, const std::string& body) override {
    return Call("PUT", {"requests", name}, "", body);
  }
  Result<std::string> Get(const std::string& name) override {
    return Call("GET", {"requests", name});
  }
  // The route is paged (limit 100, metadata.nextCursor): follow the cursor to the end.
  Result<std::string> List(const std::string& state) override {
    std::vector<bj::value> all;
    std::string cursor;
    for (;;) {
      std::string query = "limit=100";
      if (!state.empty()) query += "&state=" + PercentEncode(state);
      if (!cursor.empty()) query += "&cursor=" + PercentEncode(cursor);
      auto page = Call("GET", {"requests"}, query);
      if (!page.ok()) return page.status();
      const bj::value parsed = bj::parse(*page);  // CallGovernance checked it is an object
      for (const auto& r : ArrayAt(parsed, "requests")) all.push_back(r);
      const bj::value* meta = parsed.get_object().if_contains("metadata");
      const bj::value* next = meta && meta->is_object() ? meta->get_object().if_contains("nextCursor")
                                                        : nullptr;
      if (!next || !next->is_string() || next->get_string().empty() ||
          std::string(next->get_string()) == cursor)
        break;
      cursor = std::string(next->get_string());
    }
    std::string out;
    json::JsonOut w(out);
    w.BeginObject().Key("requests").BeginArray();
    for (const auto& r : all) w.Value(r);
    w.EndArray().Key("metadata").BeginObject().Key("count").Int(all.size()).EndObject().EndObject();
    return out;
  }
  Result<std::string> Decide(const std::string& verb, const std::string& name,
                             const std::string& text) override {
    std::string body;
    json::JsonOut(body)
        .BeginObject()
        .Key(verb == "approve"  ? "note"
             : verb == "reject" ? "reason"
                                : "message")
        .String(text)
        .EndObject();
    return Call("POST", {"requests", name, verb}, "", body);
  }
  Result<std::string> AddEvidence(const std::string& name, const std::string& version,
                                  const std::string& body) override {
    return Call("POST", {"servers", name, "versions", version, "evidence"}, "", body);
  }
  // The route is per version: without one, ask for each version the request view lists.
  Result<std::string> ListEvidence(const std::string& name, const std::string& version) override {
    if (!version.empty()) return Call("GET", {"servers", name, "versions", version, "evidence"});
    auto view = Get(name);
    if (!view.ok()) return view.status();
    const bj::value parsed = bj::parse(*view);  // CallGovernance checked it is an object
    std::vector<bj::value> all;
    for (const auto& v : ArrayAt(parsed, "versions")) {
      auto one = ListEvidence(name, StringAt(v, "version"));
      if (!one.ok()) return one.status();
      const bj::value list = bj::parse(*one);
      for (const auto& e : ArrayAt(list, "evidence")) all.push_back(e);
    }
    std::sort(all.begin(), all.end(),
              [](const bj::value& a, const bj::value& b) { return IdOf(a) < IdOf(b); });
    std::string out;
    json::JsonOut w(out);
    w.BeginObject().Key("evidence").BeginArray();
    for (const auto& e : all) w.Value(e);
    w.EndArray().EndObject();
    return out;
  }

 private:
  Result<std::string> Call(const char* method, std::vector<std::string> segments,
                           const std::string& query = "", const std::string& body = "") {
    return client::CallGovernance(registry_, token_, method, segments, query, body);
  }

  std::string registry_, token_;
};

// Picks the mode (see the file comment). Errors: those of opening the database or the login;
// InvalidArgument for --registry together with --db/--config.
Result<std::unique_ptr<Backend>> Connect(const Target& t, bool may_create) {
  client::EnvLookup env = client::ProcessEnv();
  const bool db_flags = !t.config.empty() || (t.db_option && t.db_option->count() > 0);
  if (!t.registry.empty() && db_flags)
    return Status::InvalidArgument("--registry cannot be combined with --db or --config");
  if (!t.registry.empty() || (!db_flags && env("MCPREG_REGISTRY"))) {
    auto login = client::LoadLogin(t.registry, env, std::time(nullptr));
    if (!login.ok()) return login.status();
    return std::unique_ptr<Backend>(new RemoteBackend(login->registry, login->registry_token));
  }
  auto local = LocalBackend::Open(t, may_create);
  if (!local.ok()) return local.status();
  return std::unique_ptr<Backend>(std::move(*local));
}

// --- input and output -------------------------------------------------------------------------

// The whole file, or standard input for "-".
Result<std::string> ReadInput(const std::string& path, const char* what) {
  std::ostringstream ss;
  if (path == "-") {
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::string m = std::string("cannot open ") + what + " " + path + ": " + std::strerror(errno);
    return errno == ENOENT ? Status::NotFound(m) : Status::Unavailable(m);
  }
  ss << in.rdbuf();
  if (in.bad()) return Status::Unavailable(std::string("cannot read ") + what + " " + path);
  return ss.str();
}

// A request document: the file's text, which must be JSON (named in the error when it is not;
// everything else about it is the service's to judge).
Result<std::string> ReadRequest(const std::string& path) {
  auto text = ReadInput(path, "request file");
  if (!text.ok()) return text.status();
  auto doc = service::ParseJsonBody(*text);
  if (!doc.ok()) return Status(doc.status().code(), path + ": " + doc.status().message());
  return text;
}

// Prints the error line for `cmd`; returns its exit code.
int Fail(const std::string& cmd, const Status& s) {
  std::fprintf(stderr, "mcpreg %s: %s\n", cmd.c_str(), s.message().c_str());
  return ExitCodeFor(s.code());
}

// Connects, runs `op`, prints its output (a newline appended) or the error; the exit code.
int Run(const std::string& cmd, const Target& t, bool may_create,
        const std::function<Result<std::string>(Backend&)>& op) {
  auto backend = Connect(t, may_create);
  if (!backend.ok()) return Fail(cmd, backend.status());
  auto out = op(**backend);
  if (!out.ok()) return Fail(cmd, out.status());
  std::fwrite(out->data(), 1, out->size(), stdout);
  if (out->empty() || out->back() != '\n') std::fputc('\n', stdout);
  return 0;
}

// Parses the JSON a backend returned for rendering.
Result<bj::value> Parsed(const Result<std::string>& r) {
  if (!r.ok()) return r.status();
  boost::system::error_code ec;
  bj::value v = bj::parse(*r, ec);
  if (ec) return Status::Internal("unreadable response: " + ec.message());
  return v;
}

// --- evidence body ----------------------------------------------------------------------------

struct EvidenceArgs {
  Target target;
  std::string name, version, sarif, kind, verdict, reviewer, link, notes, expression, digest;
};

Result<std::string> EvidenceBody(const EvidenceArgs& a) {
  if (a.sarif.empty() == a.kind.empty())
    return Status::InvalidArgument("give either --sarif FILE or --kind threat-model|license|legal");
  std::string body;
  json::JsonOut w(body);
  if (!a.sarif.empty()) {
    if (!a.verdict.empty() || !a.reviewer.empty() || !a.link.empty() || !a.notes.empty() ||
        !a.expression.empty())
      return Status::InvalidArgument(
          "--verdict, --reviewer, --link, --notes and --expression are for attestations (--kind)");
    auto text = ReadInput(a.sarif, "SARIF file");
    if (!text.ok()) return text.status();
    auto log = service::ParseJsonBody(*text);
    if (!log.ok()) return Status(log.status().code(), a.sarif + ": " + log.status().message());
    w.BeginObject()
        .Key("kind")
        .String("sarif")
        .StringIf("digest", a.digest)
        .Key("sarif")
        .Value(*log);
    w.EndObject();
    return body;
  }
  if (a.verdict.empty() || a.reviewer.empty())
    return Status::InvalidArgument(
        "an attestation needs --verdict approved|rejected and --reviewer");
  w.BeginObject()
      .Key("kind")
      .String(a.kind)
      .StringIf("digest", a.digest)
      .Key("verdict")
      .String(a.verdict)
      .Key("reviewer")
      .String(a.reviewer)
      .StringIf("link", a.link)
      .StringIf("notes", a.notes)
      .StringIf("expression", a.expression)
      .EndObject();
  return body;
}

// --- export -----------------------------------------------------------------------------------

struct ExportArgs {
  Target target;
  std::string kind, out, title = "MCP servers", registry_url;
};

int RunExport(const ExportArgs& a) {
  const std::string cmd = "export " + a.kind;
  auto local = LocalBackend::Open(a.target, /*may_create=*/false);
  if (!local.ok()) return Fail(cmd, local.status());
  auto set = (*local)->governance().ApprovedSet();
  service::ExportOptions opts;
  opts.title = a.title;
  opts.registry_url = a.registry_url;
  std::string bytes = a.kind == "readme"      ? service::ExportReadme(set, opts)
                      : a.kind == "allowlist" ? service::ExportAllowlist(set)
                                              : service::ExportCatalog(set, opts);
  if (a.out.empty()) {
    std::fwrite(bytes.data(), 1, bytes.size(), stdout);
    if (bytes.empty() || bytes.back() != '\n') std::fputc('\n', stdout);
    return 0;
  }
  Status st = WriteFileAtomically(a.out, bytes);
  if (!st.ok()) return Fail(cmd, st);
  std::printf("exported %zu server(s) to %s\n", set.size(), a.out.c_str());
  return 0;
}

// --- review approve-mirrored -------------------------------------------------------------------

struct MirroredArgs {
  Target target;
  std::string pattern, upstream, reason;
  bool dry_run = false;
};

// One line per name, then the summary; exit 1 when any name was withheld or refused.
int RunApproveMirrored(const MirroredArgs& a) {
  const std::string cmd = "review approve-mirrored";
  auto local = LocalBackend::Open(a.target, /*may_create=*/false);
  if (!local.ok()) return Fail(cmd, local.status());
  auto& gov = (*local)->governance();
  auto report = gov.ApproveMirrored((*local)->who(), a.pattern, a.upstream, a.dry_run, a.reason);
  if (!report.ok()) return Fail(cmd, report.status());
  using Outcome = service::MirrorApproval::Outcome;
  const char* approved = a.dry_run ? "would approve" : "approved";
  for (const auto& i : report->items) {
    switch (i.outcome) {
      case Outcome::kApproved:
        std::printf("%s %s\n", approved, i.name.c_str());
        break;
      case Outcome::kAlreadyApproved:
        std::printf("already approved %s\n", i.name.c_str());
        break;
      case Outcome::kWithheld:
        std::printf("withheld %s: %s%s\n", i.name.c_str(),
                    i.approved ? (a.dry_run ? "would be approved; " : "approved; ") : "",
                    i.detail.c_str());
        break;
      case Outcome::kRefused:
        std::printf("refused %s: %s\n", i.name.c_str(), i.detail.c_str());
        break;
    }
  }
  const size_t withheld = report->Count(Outcome::kWithheld);
  const size_t refused = report->Count(Outcome::kRefused);
  std::printf("%s%zu mirrored server(s) match %s: %zu %s, %zu already approved, %zu withheld, "
              "%zu refused\n",
              a.dry_run ? "dry run (nothing written): " : "", report->items.size(),
              a.pattern.c_str(), report->Count(Outcome::kApproved), approved,
              report->Count(Outcome::kAlreadyApproved), withheld, refused);
  return withheld + refused > 0 ? 1 : 0;
}

}  // namespace

void RegisterRequest(CLI::App& app, int* exit_code) {
  auto* request = app.add_subcommand("request", "File and manage server requests (governance)");
  request->require_subcommand(1);

  struct Args {
    Target target;
    std::string name, file, state, message;
  };
  auto add = [&](const char* name, const char* help, bool may_create,
                 std::function<Result<std::string>(Backend&, const Args&)> op) {
    auto a = std::make_shared<Args>();
    auto* cmd = request->add_subcommand(name, help);
    AddTargetOptions(cmd, a->target, /*remote=*/true);
    std::string label = std::string("request ") + name;
    cmd->callback([a, op, label, may_create, exit_code] {
      *exit_code = Run(label, a->target, may_create, [&](Backend& b) { return op(b, *a); });
    });
    return std::make_pair(cmd, a);
  };

  auto [file, fa] = add("file", "File a request (prints the request with its gate results)", true,
                        [](Backend& b, const Args& a) -> Result<std::string> {
                          auto body = ReadRequest(a.file);
                          if (!body.ok()) return body.status();
                          return b.File(*body);
                        });
  file->add_option("FILE", fa->file, "The request JSON (- for standard input)")->required();

  auto [update, ua] = add("update", "Replace a pending or rejected request's document", false,
                          [](Backend& b, const Args& a) -> Result<std::string> {
                            auto body = ReadRequest(a.file);
                            if (!body.ok()) return body.status();
                            return b.Update(a.name, *body);
                          });
  update->add_option("NAME", ua->name, "Server name")->required();
  update->add_option("FILE", ua->file, "The request JSON (- for standard input)")->required();

  auto [show, sa] = add("show", "Print a request with its gates and versions", false,
                        [](Backend& b, const Args& a) { return b.Get(a.name); });
  show->add_option("NAME", sa->name, "Server name")->required();

  auto [list, la] = add("list", "List requests", false,
                        [](Backend& b, const Args& a) { return b.List(a.state); });
  list->add_option("--state", la->state, "pending | approved | rejected | retired");

  auto [retire, ra] =
      add("retire", "Retire a server: every version deleted, request retired", false,
          [](Backend& b, const Args& a) { return b.Decide("retire", a.name, a.message); });
  retire->add_option("NAME", ra->name, "Server name")->required();
  retire->add_option("--message", ra->message, "Why (shown as every version's status message)")
      ->required();
}

void RegisterEvidence(CLI::App& app, int* exit_code) {
  auto* evidence = app.add_subcommand("evidence", "Record and list evidence for a server version");
  evidence->require_subcommand(1);

  auto a = std::make_shared<EvidenceArgs>();
  auto* add = evidence->add_subcommand(
      "add", "Record a SARIF scan (--sarif) or an attestation (--kind ...) for a version");
  AddTargetOptions(add, a->target, /*remote=*/true);
  add->add_option("NAME", a->name, "Server name")->required();
  add->add_option("VERSION", a->version, "Version")->required();
  add->add_option("--sarif", a->sarif, "SARIF 2.1.0 log file (- for standard input)");
  add->add_option("--kind", a->kind, "threat-model | license | legal");
  add->add_option("--verdict", a->verdict, "approved | rejected");
  add->add_option("--reviewer", a->reviewer, "Who reviewed");
  add->add_option("--link", a->link, "Link to the review");
  add->add_option("--notes", a->notes, "Notes");
  add->add_option("--expression", a->expression, "SPDX licence expression (--kind license)");
  add->add_option("--digest", a->digest,
                  "SHA-256 of the package examined (default: the version's)");
  add->callback([a, exit_code] {
    auto body = EvidenceBody(*a);
    if (!body.ok()) {
      *exit_code = Fail("evidence add", body.status());
      return;
    }
    *exit_code = Run("evidence add", a->target, false,
                     [&](Backend& b) { return b.AddEvidence(a->name, a->version, *body); });
  });

  auto l = std::make_shared<EvidenceArgs>();
  auto* list = evidence->add_subcommand("list", "List the evidence of a server (or one version)");
  AddTargetOptions(list, l->target, /*remote=*/true);
  list->add_option("NAME", l->name, "Server name")->required();
  list->add_option("VERSION", l->version, "Only this version");
  list->callback([l, exit_code] {
    *exit_code = Run("evidence list", l->target, false,
                     [&](Backend& b) { return b.ListEvidence(l->name, l->version); });
  });
}

void RegisterReview(CLI::App& app, int* exit_code) {
  auto* review = app.add_subcommand("review", "Review pending server requests");
  review->require_subcommand(1);

  struct Args {
    Target target;
    std::string name, text;
    bool json = false;
  };

  auto la = std::make_shared<Args>();
  auto* list = review->add_subcommand("list", "The pending queue");
  AddTargetOptions(list, la->target, /*remote=*/true);
  list->add_flag("--json", la->json, "Print the JSON instead of a table");
  list->callback([la, exit_code] {
    *exit_code = Run("review list", la->target, false, [&](Backend& b) -> Result<std::string> {
      auto r = b.List("pending");
      if (la->json || !r.ok()) return r;
      auto v = Parsed(r);
      if (!v.ok()) return v.status();
      return ReviewTable(*v);
    });
  });

  auto sa = std::make_shared<Args>();
  auto* show = review->add_subcommand("show", "One request in detail: fields, gates, versions");
  AddTargetOptions(show, sa->target, /*remote=*/true);
  show->add_option("NAME", sa->name, "Server name")->required();
  show->add_flag("--json", sa->json, "Print the JSON instead of text");
  show->callback([sa, exit_code] {
    *exit_code = Run("review show", sa->target, false, [&](Backend& b) -> Result<std::string> {
      auto r = b.Get(sa->name);
      if (sa->json || !r.ok()) return r;
      auto v = Parsed(r);
      if (!v.ok()) return v.status();
      return ReviewDetail(*v);
    });
  });

  // approve / reject: one line "approved NAME" / "rejected NAME: REASON", or the JSON.
  auto decide = [&](const char* verb, const char* done, const char* help, const char* flag,
                    const char* flag_help, bool required) {
    auto a = std::make_shared<Args>();
    auto* cmd = review->add_subcommand(verb, help);
    AddTargetOptions(cmd, a->target, /*remote=*/true);
    cmd->add_option("NAME", a->name, "Server name")->required();
    auto* opt = cmd->add_option(flag, a->text, flag_help);
    if (required) opt->required();
    cmd->add_flag("--json", a->json, "Print the request JSON");
    std::string label = std::string("review ") + verb;
    cmd->callback([a, verb, done, label, exit_code] {
      *exit_code = Run(label, a->target, false, [&](Backend& b) -> Result<std::string> {
        auto r = b.Decide(verb, a->name, a->text);
        if (a->json || !r.ok()) return r;
        return std::string(done) + " " + a->name + (a->text.empty() ? "" : ": " + a->text);
      });
    });
  };
  decide("approve", "approved", "Approve a pending request (its gates must pass)", "--note",
         "Approval note", false);
  decide("reject", "rejected", "Reject a pending request", "--reason", "Why", true);

  auto ma = std::make_shared<MirroredArgs>();
  auto* mirrored = review->add_subcommand(
      "approve-mirrored",
      "Approve in bulk every mirrored server whose name matches a pattern (database mode)");
  AddTargetOptions(mirrored, ma->target, /*remote=*/false);
  mirrored->add_option("--pattern", ma->pattern, "Name glob: * matches any run, e.g. 'com.acme/*'")
      ->required();
  mirrored->add_option("--upstream", ma->upstream, "Only servers mirrored from this upstream");
  mirrored->add_flag("--dry-run", ma->dry_run, "List what would happen; write nothing");
  mirrored->add_option("--reason", ma->reason, "Approval note recorded with each approval");
  mirrored->callback([ma, exit_code] { *exit_code = RunApproveMirrored(*ma); });
}

void RegisterExport(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<ExportArgs>();
  auto* cmd = app.add_subcommand(
      "export", "Export the approved set: readme (Markdown), allowlist (Copilot), catalog (JSON)");
  cmd->add_option("KIND", a->kind, "readme | allowlist | catalog")
      ->required()
      ->check(CLI::IsMember({"readme", "allowlist", "catalog"}));
  AddTargetOptions(cmd, a->target, /*remote=*/false);
  cmd->add_option("--out", a->out, "Write exactly the export to this file (default: stdout)");
  cmd->add_option("--title", a->title, "README heading")->capture_default_str();
  cmd->add_option("--registry-url", a->registry_url,
                  "Registry URL the README tells clients to use");
  cmd->callback([a, exit_code] { *exit_code = RunExport(*a); });
}

}  // namespace mcpreg::cli
