// `mcpreg validate [--json] [--policy FILE|default] FILE...`: full validation (schema + semantic
// rules) of server.json files; with --policy, the compliance policy's issues (type "policy",
// reference = rule id; src/policy/policy.h) are merged into each file's report, `default` being
// the built-in strict policy. --probe (implies --policy default when none is given) also runs the
// active remote probe (rule remote.probe, policy/remote_probe.h): an unauthenticated MCP
// initialize to every remote must get a 401 with an RFC 9728 resource_metadata challenge.
// A policy file that cannot be loaded exits 2 like an unreadable file. Human output: one line
// per issue, "FILE: <severity> <path>: <message> [<reference>]",
// or "FILE: valid". --json: one array [{"file","valid","issues"}]. Exit 0 when every file is
// valid, 1 when any is invalid, 2 when a file cannot be read (checked before any output).
#include <CLI/CLI.hpp>
#include <cerrno>
#include <chrono>
#include <memory>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/json_out.h"
#include "model/validate.h"
#include "policy/policy.h"
#include "policy/remote_probe.h"

namespace mcpreg::cli {
namespace {

struct Options {
  bool json = false;
  std::string policy;  // "" = none, "default" = built-in, else a YAML/JSON file
  bool probe = false;
  std::vector<std::string> files;
};

bool ReadFile(const std::string& path, std::string& out, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open " + path + ": " + std::strerror(errno);
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    error = "cannot read " + path;
    return false;
  }
  out = ss.str();
  return true;
}

int Run(const Options& opts) {
  std::vector<std::string> bodies(opts.files.size());
  for (size_t i = 0; i < opts.files.size(); ++i) {
    std::string error;
    if (!ReadFile(opts.files[i], bodies[i], error)) {
      std::fprintf(stderr, "mcpreg validate: %s\n", error.c_str());
      return 2;
    }
  }
  std::optional<policy::Policy> pol;
  const std::string which = opts.policy.empty() && opts.probe ? "default" : opts.policy;
  if (!which.empty()) {
    Result<policy::Policy> loaded =
        which == "default" ? policy::Policy::Default() : policy::Policy::LoadFile(which);
    if (!loaded.ok()) {
      std::fprintf(stderr, "mcpreg validate: %s\n", loaded.status().message().c_str());
      return 2;
    }
    pol = std::move(loaded).value();
  }
  std::unique_ptr<policy::RemoteProber> prober;
  if (opts.probe) prober = std::make_unique<policy::HttpRemoteProber>(std::chrono::seconds(10));
  bool all_valid = true;
  std::string out;
  json::JsonOut w(out);
  if (opts.json) w.BeginArray();
  for (size_t i = 0; i < opts.files.size(); ++i) {
    model::ValidationReport report = model::ValidateServerJson(bodies[i]);
    if (pol) policy::AddPolicyIssues(*pol, bodies[i], report, prober.get());
    all_valid = all_valid && report.valid;
    const std::string& file = opts.files[i];
    if (opts.json) {
      w.BeginObject().Key("file").String(file).Key("valid").Bool(report.valid);
      w.Key("issues").BeginArray();
      for (const model::Issue& issue : report.issues) {
        w.BeginObject();
        w.Key("type").String(issue.type).Key("path").String(issue.path);
        w.Key("message").String(issue.message).Key("severity").String(issue.severity);
        w.Key("reference").String(issue.reference);
        w.EndObject();
      }
      w.EndArray().EndObject();
      continue;
    }
    for (const model::Issue& issue : report.issues) {
      out += file + ": " + issue.severity + " " + (issue.path.empty() ? "(root)" : issue.path) +
             ": " + issue.message + " [" + issue.reference + "]\n";
    }
    if (report.valid) out += file + ": valid\n";
  }
  if (opts.json) {
    w.EndArray();
    out += '\n';
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return all_valid ? 0 : 1;
}

}  // namespace

void RegisterValidate(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("validate", "Validate server.json files");
  cmd->add_flag("--json", opts->json, "Print one JSON document with every file's issues");
  cmd->add_option("--policy", opts->policy,
                  "Also apply a compliance policy: a YAML/JSON policy file, or \"default\"");
  cmd->add_flag("--probe", opts->probe,
                "Probe every remote: an unauthenticated MCP initialize must get 401 with an "
                "RFC 9728 resource_metadata challenge (implies --policy default)");
  cmd->add_option("FILE", opts->files, "server.json files to validate")->required();
  cmd->callback([opts, exit_code] { *exit_code = Run(*opts); });
}

}  // namespace mcpreg::cli
