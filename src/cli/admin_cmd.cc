// `mcpreg admin grant|revoke|list` and `mcpreg audit show|verify`: operator commands that work
// on the database directly.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "app/app.h"
#include "cli/commands.h"
#include "cli/db_option.h"
#include "service/admin_service.h"
#include "service/auth_service.h"

namespace mcpreg::cli {
namespace {

struct GrantArgs {
  std::string db;
  Grant grant;
};

void AddGrantOptions(CLI::App* cmd, GrantArgs& a) {
  AddDbOption(cmd, a.db);
  cmd->add_option("--issuer", a.grant.issuer, "OIDC issuer URL of the workload identity")->required();
  cmd->add_option("--subject", a.grant.subject, "its subject (sub claim)")->required();
  cmd->add_option("--namespace", a.grant.namespace_pattern, "e.g. 'com.contoso/*'")->required();
  cmd->add_option("--role", a.grant.role, "publisher | feed-contributor | reviewer | admin")->required();
}

// Opens the store (migrating a brand-new database); prints the error and sets the exit code.
std::unique_ptr<Store> Open(const std::string& db, const char* cmd, int* exit_code) {
  auto reg = app::OpenRegistryAt(db, app::MigratePolicy::kApplyIfNew);
  if (!reg.ok()) {
    std::fprintf(stderr, "mcpreg %s: %s\n", cmd, reg.status().message().c_str());
    *exit_code = ExitCodeFor(reg.status().code());
    return nullptr;
  }
  return std::move(reg->store);
}

int Fail(const char* cmd, const Status& s) {
  std::fprintf(stderr, "mcpreg %s: %s\n", cmd, s.message().c_str());
  return ExitCodeFor(s.code());
}

}  // namespace

void RegisterAdmin(CLI::App& app, int* exit_code) {
  auto* admin = app.add_subcommand("admin", "Grant and revoke publishing rights (on the host)");
  admin->require_subcommand(1);

  auto ga = std::make_shared<GrantArgs>();
  auto* grant = admin->add_subcommand("grant", "Grant a role on a namespace to a workload identity");
  AddGrantOptions(grant, *ga);
  grant->callback([ga, exit_code] {
    auto store = Open(ga->db, "admin grant", exit_code);
    if (!store) return;
    auto g = service::AddGrant(*store, SystemClock::Instance(), service::LocalOperator(), ga->grant);
    if (!g.ok()) { *exit_code = Fail("admin grant", g.status()); return; }
    std::printf("granted %s on %s to %s#%s (id %lld)\n", g->role.c_str(),
                g->namespace_pattern.c_str(), g->issuer.c_str(), g->subject.c_str(),
                static_cast<long long>(g->id));
    *exit_code = 0;
  });

  auto ra = std::make_shared<GrantArgs>();
  auto* revoke = admin->add_subcommand("revoke", "Revoke a grant");
  AddGrantOptions(revoke, *ra);
  revoke->callback([ra, exit_code] {
    auto store = Open(ra->db, "admin revoke", exit_code);
    if (!store) return;
    Status s = service::RevokeGrant(*store, SystemClock::Instance(), service::LocalOperator(), ra->grant);
    if (!s.ok()) { *exit_code = Fail("admin revoke", s); return; }
    std::printf("revoked %s on %s from %s#%s\n", ra->grant.role.c_str(),
                ra->grant.namespace_pattern.c_str(), ra->grant.issuer.c_str(), ra->grant.subject.c_str());
    *exit_code = 0;
  });

  auto la = std::make_shared<GrantArgs>();
  auto* list = admin->add_subcommand("list", "List grants");
  AddDbOption(list, la->db);
  list->add_option("--issuer", la->grant.issuer, "only this issuer");
  list->add_option("--subject", la->grant.subject, "only this subject");
  list->callback([la, exit_code] {
    auto store = Open(la->db, "admin list", exit_code);
    if (!store) return;
    auto grants = store->ListGrants(la->grant.issuer, la->grant.subject);
    if (!grants.ok()) { *exit_code = Fail("admin list", grants.status()); return; }
    for (const auto& g : *grants)
      std::printf("%lld\t%s\t%s\t%s\t%s\t%s\t%s\n", static_cast<long long>(g.id), g.role.c_str(),
                  g.namespace_pattern.c_str(), g.issuer.c_str(), g.subject.c_str(),
                  FormatRfc3339(g.created_at).c_str(), g.created_by.c_str());
    *exit_code = 0;
  });
}

void RegisterAudit(CLI::App& app, int* exit_code) {
  auto* audit = app.add_subcommand("audit", "Inspect and verify the audit log");
  audit->require_subcommand(1);
  auto db = std::make_shared<std::string>();
  auto name = std::make_shared<std::string>();
  auto* show = audit->add_subcommand("show", "Print the history of a server (or everything)");
  AddDbOption(show, *db);
  show->add_option("name", *name, "server name (omit for the whole log)");
  show->callback([db, name, exit_code] {
    auto store = Open(*db, "audit show", exit_code);
    if (!store) return;
    auto rows = store->ListAudit(*name, 0, 0);
    if (!rows.ok()) { *exit_code = Fail("audit show", rows.status()); return; }
    if (rows->empty() && !name->empty()) {
      *exit_code = Fail("audit show", Status::NotFound("no audit entries for " + *name));
      return;
    }
    for (const auto& r : *rows)
      std::printf("%lld\t%s\t%s\t%s\t%s\t%s\n", static_cast<long long>(r.seq),
                  FormatRfc3339(r.event.at).c_str(), r.event.action.c_str(),
                  r.event.resource.c_str(), r.event.actor.c_str(), r.event.details.c_str());
    *exit_code = 0;
  });
  auto vdb = std::make_shared<std::string>();
  auto* verify = audit->add_subcommand("verify", "Check the audit log's hash chain");
  AddDbOption(verify, *vdb);
  verify->callback([vdb, exit_code] {
    auto store = Open(*vdb, "audit verify", exit_code);
    if (!store) return;
    auto v = service::VerifyAuditChain(*store);
    if (!v.ok()) { *exit_code = Fail("audit verify", v.status()); return; }
    if (!v->ok) {
      std::fprintf(stderr, "mcpreg audit verify: chain broken: %s (%lld entries checked)\n",
                   v->problem.c_str(), static_cast<long long>(v->entries));
      *exit_code = 1;
      return;
    }
    std::printf("audit log intact: %lld entries\n", static_cast<long long>(v->entries));
    *exit_code = 0;
  });
}

}  // namespace mcpreg::cli
