// The server.json JSON Schemas published by the official MCP registry, embedded in the binary
// (assets/schemas/), and the mapping from a document's `$schema` URL to one of them.
//
// Thread-safety: all functions are safe to call concurrently; each schema is compiled once, at
// its first use.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "schema/json_schema.h"

namespace mcpreg::schema {

// The current schema version and its canonical URL (what new documents should name).
inline constexpr std::string_view kCurrentSchemaVersion = "2025-12-11";
inline constexpr std::string_view kCurrentSchemaUrl =
    "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";
// The unreleased next schema (upstream docs/reference/server-json/draft/).
inline constexpr std::string_view kDraftSchemaVersion = "draft";

// Released versions the official registry accepts, oldest first (excludes "draft").
const std::vector<std::string_view>& ReleasedSchemaVersions();

// Extracts the version id from a `$schema` URL the way upstream does (the segment matched by
// `/schemas/([A-Za-z0-9_~.-]+)/server\.schema\.json`). The draft schema's own `$id` (a
// raw.githubusercontent.com URL ending in `/server-json/draft/server.schema.json`) maps to
// "draft". Returns "" when the URL has no recognizable version.
std::string SchemaVersionFromUrl(std::string_view schema_url);

// The compiled schema for `version` ("2025-07-09" ... "2025-12-11" or "draft"), or nullptr for
// an unknown version. The pointer stays valid for the life of the process.
const JsonSchema* OfficialSchema(std::string_view version);

// The embedded schema text for `version`, or "" when unknown.
std::string_view OfficialSchemaText(std::string_view version);

}  // namespace mcpreg::schema
