// `mcpreg publish [server.json] [--package FILE] [--registry URL]`: publishes a server.json with
// the token `mcpreg login oidc` stored. With --package, FILE is first uploaded to the registry's
// package feed and the package it provides (client/package_rewrite.h) is pointed at the feed URL
// and digest before publishing; the file on disk is not changed. Prints "published NAME VERSION".
// Exit codes through ExitCodeFor: 0 ok, 1 refused (or not logged in), 2 usage, 3 environment.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "cli/commands.h"
#include "client/package_rewrite.h"
#include "client/registry_api.h"
#include "client/token_file.h"
#include "core/json_out.h"

namespace mcpreg::cli {
namespace {

struct PublishOptions {
  std::string server_json = "server.json";
  std::string package;
  std::string registry;
};

int Fail(const Status& st) {
  std::fprintf(stderr, "mcpreg publish: %s\n", st.message().c_str());
  return ExitCodeFor(st.code());
}

Result<std::string> ReadWholeFile(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Status::Unavailable(std::string("cannot open ") + what + " " + path + ": " +
                               std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::Unavailable(std::string("cannot read ") + what + " " + path);
  return ss.str();
}

std::string Member(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

int RunPublish(const PublishOptions& opts) {
  client::EnvLookup env = client::ProcessEnv();
  auto text = ReadWholeFile(opts.server_json, "server.json file");
  if (!text.ok()) return Fail(text.status());
  auto login = client::LoadLogin(opts.registry, env, std::time(nullptr));
  if (!login.ok()) return Fail(login.status());
  const std::string& registry = login->registry;

  std::string body = std::move(*text);
  if (!opts.package.empty()) {
    boost::system::error_code ec;
    boost::json::value doc = boost::json::parse(body, ec);
    if (ec || !doc.is_object()) {
      return Fail(Status::InvalidArgument(opts.server_json + " is not a JSON object" +
                                          (ec ? ": " + ec.message() : std::string())));
    }
    auto& server = doc.get_object();
    std::string name = Member(server, "name"), version = Member(server, "version");
    if (name.empty() || version.empty()) {
      return Fail(Status::InvalidArgument(opts.server_json +
                                          " needs \"name\" and \"version\" to upload a package"));
    }
    std::string filename = client::BaseName(opts.package);
    // Check there is a package to point at before uploading anything.
    if (auto idx = client::FindArtifactPackage(server, filename); !idx.ok())
      return Fail(idx.status());
    auto bytes = ReadWholeFile(opts.package, "package file");
    if (!bytes.ok()) return Fail(bytes.status());
    auto uploaded =
        client::UploadArtifact(registry, login->registry_token, name, version, filename, *bytes);
    if (!uploaded.ok()) {
      return Fail(Status(uploaded.status().code(),
                         "uploading " + opts.package + ": " + uploaded.status().message()));
    }
    std::printf("uploaded %s (%zu bytes, sha256 %s) to %s\n", opts.package.c_str(), bytes->size(),
                uploaded->sha256.c_str(), uploaded->url.c_str());
    auto idx = client::PointPackageAtArtifact(server, filename, uploaded->url, uploaded->sha256);
    if (!idx.ok()) return Fail(idx.status());
    body.clear();
    json::AppendValue(body, doc);
  }

  auto published = client::PublishServer(registry, login->registry_token, body);
  if (!published.ok()) {
    Status st = published.status();
    if (st.code() == Code::kUnprocessable) {
      // Publish's 422 names no issue (as upstream's); /validate says which, as mcp-publisher does.
      auto summary = client::ValidationSummary(registry, body);
      if (summary.ok() && !summary->empty())
        st = Status(st.code(), st.message() + "; validation: " + *summary);
    }
    return Fail(st);
  }
  std::printf("published %s %s\n", published->name.c_str(), published->version.c_str());
  return 0;
}

}  // namespace

void RegisterPublish(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<PublishOptions>();
  CLI::App* cmd =
      app.add_subcommand("publish", "Publish a server.json (after `mcpreg login oidc`)");
  cmd->add_option("server_json", opts->server_json, "The server.json to publish")
      ->capture_default_str();
  cmd->add_option("--package", opts->package,
                  "Upload this file (MCPB bundle or executable) to the package feed first");
  cmd->add_option("--registry", opts->registry,
                  "Registry base URL (default: the one logged in to, or $MCPREG_REGISTRY)");
  cmd->callback([opts, exit_code] { *exit_code = RunPublish(*opts); });
}

}  // namespace mcpreg::cli
