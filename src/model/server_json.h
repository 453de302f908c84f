// The typed server.json model (schema 2025-12-11) with a tolerant parser and a serializer that
// produces the canonical bytes the official registry returns: exactly what Go's encoding/json
// writes for upstream's structs (pkg/api/v0.ServerJSON and pkg/model types). That means field
// order = struct order, omitempty semantics (empty strings, false, empty lists and maps are
// dropped), embedded structs flattened in place, map keys sorted, and `_meta` reduced to the
// `io.modelcontextprotocol.registry/publisher-provided` object.
//
// Unlike upstream (whose structs drop what they do not know), fields this model does not know
// are kept: `unknown` of the server, of each package, transport/remote, argument, header or
// environment variable, repository and icon holds them in the document's order, and the
// serializer writes them after that object's known fields, in that order (values re-encoded
// with AppendValue: key order kept, strings and integers as written). So a newer document's
// fields (packages[].postInstallInstructions, remotes[].supportedProtocolVersions, new
// top-level fields) survive publish and are served back unchanged; a document already in this
// canonical form comes back byte for byte. Known fields are validated as before.
//
// Values; thread-compatible.
#pragma once

#include <boost/json/fwd.hpp>
#include <boost/json/object.hpp>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "mcpreg/status.h"

namespace mcpreg::model {

inline constexpr std::string_view kPublisherProvidedKey =
    "io.modelcontextprotocol.registry/publisher-provided";

struct Input {
  std::string description;
  bool is_required = false;
  std::string format;  // "string" | "number" | "boolean" | "filepath" (not enforced here)
  std::string value;
  bool is_secret = false;
  std::string default_value;  // JSON "default"
  std::string placeholder;
  std::vector<std::string> choices;
  bool operator==(const Input&) const = default;
};

struct InputWithVariables : Input {
  std::map<std::string, Input> variables;
  bool operator==(const InputWithVariables&) const = default;
};

// Headers and environment variables.
struct KeyValueInput : InputWithVariables {
  std::string name;
  boost::json::object unknown;  // fields this model does not know, in document order
  bool operator==(const KeyValueInput&) const = default;
};

struct Argument : InputWithVariables {
  std::string type;  // "positional" | "named"
  std::string name;  // named only, e.g. "--port"
  std::string value_hint;
  bool is_repeated = false;
  boost::json::object unknown;
  bool operator==(const Argument&) const = default;
};

// Package transports and remotes share this shape (upstream model.Transport).
struct Transport {
  std::string type;  // "stdio" | "streamable-http" | "sse"
  std::string url;
  std::vector<KeyValueInput> headers;
  std::map<std::string, Input> variables;  // remotes: URL template variables
  boost::json::object unknown;             // e.g. remotes[].supportedProtocolVersions
  bool operator==(const Transport&) const = default;
};

struct Package {
  std::string registry_type;
  std::string registry_base_url;
  std::string identifier;
  std::string version;
  std::string file_sha256;
  std::string runtime_hint;
  Transport transport;
  std::vector<Argument> runtime_arguments;
  std::vector<Argument> package_arguments;
  std::vector<KeyValueInput> environment_variables;
  boost::json::object unknown;  // e.g. postInstallInstructions
  bool operator==(const Package&) const = default;
};

struct Repository {
  std::string url;
  std::string source;
  std::string id;
  std::string subfolder;
  boost::json::object unknown;
  bool operator==(const Repository&) const = default;
};

struct Icon {
  std::string src;
  std::optional<std::string> mime_type;  // Go *string: present-but-empty survives
  std::vector<std::string> sizes;
  std::optional<std::string> theme;
  boost::json::object unknown;
  bool operator==(const Icon&) const = default;
};

struct ServerJson {
  std::string schema;  // "$schema", kept verbatim
  std::string name;
  std::string description;
  std::string title;
  std::optional<Repository> repository;  // Go pointer: `{}` is emitted when present but empty
  std::string version;
  std::string website_url;
  std::vector<Icon> icons;
  std::vector<Package> packages;
  std::vector<Transport> remotes;
  // `_meta`: has_meta mirrors Go's non-nil *ServerMeta (emitted as `{}` when nothing is kept);
  // publisher_provided is the kept object (omitted when absent or empty).
  bool has_meta = false;
  std::optional<boost::json::object> publisher_provided;
  // Top-level fields this model does not know, in document order (written after `_meta`).
  boost::json::object unknown;

  bool HasRemotes() const { return !remotes.empty(); }
  bool HasPackages() const { return !packages.empty(); }
  // The distinct packages[].registryType values ("npm", "oci", ...).
  std::set<std::string> PackageRegistryTypes() const;

  bool operator==(const ServerJson&) const = default;
};

// Reads a server.json document. Fails with InvalidArgument naming the JSON path when a known
// field has the wrong JSON type (e.g. "packages[0].transport: expected object"); `null` counts as
// absent, like Go's decoder. Unknown fields are kept in `unknown` (see the file comment);
// nothing else is validated.
Result<ServerJson> ParseServerJson(const boost::json::value& doc);
// Parses `text` as JSON first (InvalidArgument "invalid JSON: ..." on syntax errors).
Result<ServerJson> ParseServerJson(std::string_view text);

// The canonical Go encoding (see the file comment). Round trip: Parse(Serialize(x)) == x for any
// x produced by Parse, and Serialize(Parse(Serialize(Parse(d)))) == Serialize(Parse(d)).
std::string SerializeServerJson(const ServerJson& server);
// Appends the same bytes to `out` (for embedding in larger responses).
void AppendServerJson(std::string& out, const ServerJson& server);

}  // namespace mcpreg::model
