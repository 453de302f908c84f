// Subcommand registration. Each subcommand lives in its own file (src/cli/<name>_cmd.cc) and
// registers itself on the root CLI11 app; when it runs it stores its process exit code in
// *exit_code (see ExitCodeFor in mcpreg/status.h). Errors are printed as one line on stderr:
// "mcpreg <cmd>: <problem>".
#pragma once

namespace CLI {
class App;
}

namespace mcpreg::cli {

void RegisterServe(CLI::App& app, int* exit_code);
void RegisterImport(CLI::App& app, int* exit_code);
void RegisterMigrate(CLI::App& app, int* exit_code);
void RegisterValidate(CLI::App& app, int* exit_code);
void RegisterMcp(CLI::App& app, int* exit_code);
void RegisterLogin(CLI::App& app, int* exit_code);
void RegisterPublish(CLI::App& app, int* exit_code);
void RegisterStatus(CLI::App& app, int* exit_code);
void RegisterAdmin(CLI::App& app, int* exit_code);
void RegisterAudit(CLI::App& app, int* exit_code);
void RegisterRequest(CLI::App& app, int* exit_code);
void RegisterEvidence(CLI::App& app, int* exit_code);
void RegisterReview(CLI::App& app, int* exit_code);
void RegisterExport(CLI::App& app, int* exit_code);
void RegisterCopy(CLI::App& app, int* exit_code);
void RegisterSnapshot(CLI::App& app, int* exit_code);
void RegisterMirror(CLI::App& app, int* exit_code);
void RegisterWebhooks(CLI::App& app, int* exit_code);

}  // namespace mcpreg::cli
