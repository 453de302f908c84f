// mcpreg: the registry binary. Parses the command line and dispatches to one subcommand.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"mcpreg: a self-hostable registry for MCP servers", "mcpreg"};
  app.set_version_flag("--version", std::string("mcpreg ") + MCPREG_VERSION);
  app.require_subcommand(1);
  int exit_code = 0;
  mcpreg::cli::RegisterServe(app, &exit_code);
  mcpreg::cli::RegisterImport(app, &exit_code);
  mcpreg::cli::RegisterMigrate(app, &exit_code);
  mcpreg::cli::RegisterValidate(app, &exit_code);
  mcpreg::cli::RegisterMcp(app, &exit_code);
  mcpreg::cli::RegisterLogin(app, &exit_code);
  mcpreg::cli::RegisterPublish(app, &exit_code);
  mcpreg::cli::RegisterStatus(app, &exit_code);
  mcpreg::cli::RegisterAdmin(app, &exit_code);
  mcpreg::cli::RegisterAudit(app, &exit_code);
  mcpreg::cli::RegisterRequest(app, &exit_code);
  mcpreg::cli::RegisterEvidence(app, &exit_code);
  mcpreg::cli::RegisterReview(app, &exit_code);
  mcpreg::cli::RegisterExport(app, &exit_code);
  mcpreg::cli::RegisterCopy(app, &exit_code);
  mcpreg::cli::RegisterSnapshot(app, &exit_code);
  mcpreg::cli::RegisterMirror(app, &exit_code);
  mcpreg::cli::RegisterWebhooks(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "mcpreg: %s (see mcpreg --help)\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mcpreg: %s\n", e.what());
    return 3;
  }
  return exit_code;
}
