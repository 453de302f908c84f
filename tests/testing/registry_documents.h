// server.json documents and ServerResponse objects for tests that seed a registry (import files,
// upstream catalogs): small, valid against the 2025-12-11 schema, distinct remote URLs per
// name and version.
#pragma once

#include <string>

namespace mcpreg::testing {

inline constexpr char kTestSchema[] =
    "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";
inline constexpr char kOfficialMeta[] = "io.modelcontextprotocol.registry/official";

// A remote (streamable-http) server; its description is "Test server <name>".
inline std::string RemoteServerJson(const std::string& name, const std::string& version) {
  return std::string(R"({"$schema":")") + kTestSchema + R"(","name":")" + name +
         R"(","description":"Test server )" + name + R"(","version":")" + version +
         R"(","remotes":[{"type":"streamable-http","url":"https://)" + version + "." +
         name.substr(name.find('/') + 1) + R"(.example.com/mcp"}]})";
}

// A ServerResponse carrying `server` with a status (and message), published 2025-01-02.
inline std::string ServerResponseJson(const std::string& server, const std::string& status,
                                      const std::string& message = "") {
  std::string meta = R"({"status":")" + status + R"(","publishedAt":"2025-01-02T03:04:05Z")";
  if (!message.empty()) meta += R"(,"statusMessage":")" + message + R"(")";
  return R"({"server":)" + server + R"(,"_meta":{")" + kOfficialMeta + R"(":)" + meta + "}}}";
}

}  // namespace mcpreg::testing
