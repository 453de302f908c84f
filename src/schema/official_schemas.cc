// Embedded official schemas, compiled lazily (once per version, thread-safe via call_once).
#include "schema/official_schemas.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "core/assets.h"

namespace mcpreg::schema {
namespace {

struct Entry {
  std::string_view version;
  const unsigned char* data;
  const std::size_t* size;
  std::once_flag once;
  std::shared_ptr<const JsonSchema> compiled;
};

std::array<Entry, 7>& Entries() {
  static std::array<Entry, 7> entries{{
      {"2025-07-09", kAssetSchema20250709, &kAssetSchema20250709_size, {}, nullptr},
      {"2025-09-16", kAssetSchema20250916, &kAssetSchema20250916_size, {}, nullptr},
      {"2025-09-29", kAssetSchema20250929, &kAssetSchema20250929_size, {}, nullptr},
      {"2025-10-11", kAssetSchema20251011, &kAssetSchema20251011_size, {}, nullptr},
      {"2025-10-17", kAssetSchema20251017, &kAssetSchema20251017_size, {}, nullptr},
      {"2025-12-11", kAssetSchema20251211, &kAssetSchema20251211_size, {}, nullptr},
      {"draft", kAssetSchemaDraft, &kAssetSchemaDraft_size, {}, nullptr},
  }};
  return entries;
}

Entry* Find(std::string_view version) {
  for (Entry& e : Entries())
    if (e.version == version) return &e;
  return nullptr;
}

bool IsVersionChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '~' || c == '.' || c == '-';
}

}  // namespace

const std::vector<std::string_view>& ReleasedSchemaVersions() {
  static const std::vector<std::string_view> kVersions = {
      "2025-07-09", "2025-09-16", "2025-09-29", "2025-10-11", "2025-10-17", "2025-12-11"};
  return kVersions;
}

std::string SchemaVersionFromUrl(std::string_view url) {
  static constexpr std::string_view kDraftTail = "/server-json/draft/server.schema.json";
  static constexpr std::string_view kPrefix = "/schemas/";
  static constexpr std::string_view kSuffix = "/server.schema.json";
  // Leftmost match, as Go's FindStringSubmatch returns.
  for (size_t at = url.find(kPrefix); at != std::string_view::npos;
       at = url.find(kPrefix, at + 1)) {
    size_t begin = at + kPrefix.size(), end = begin;
    while (end < url.size() && IsVersionChar(url[end])) ++end;
    if (end > begin && url.substr(end, kSuffix.size()) == kSuffix) {
      return std::string(url.substr(begin, end - begin));
    }
  }
  if (url.size() >= kDraftTail.size() && url.substr(url.size() - kDraftTail.size()) == kDraftTail)
    return std::string(kDraftSchemaVersion);
  return "";
}

std::string_view OfficialSchemaText(std::string_view version) {
  Entry* e = Find(version);
  if (!e) return {};
  return {reinterpret_cast<const char*>(e->data), *e->size};
}

const JsonSchema* OfficialSchema(std::string_view version) {
  Entry* e = Find(version);
  if (!e) return nullptr;
  std::call_once(e->once, [e] {
    auto compiled = JsonSchema::Compile(
        std::string_view(reinterpret_cast<const char*>(e->data), *e->size));
    if (!compiled.ok()) {
      // The embedded files are part of the build; a failure here is a build defect.
      std::fprintf(stderr, "mcpreg: embedded schema %.*s does not compile: %s\n",
                   static_cast<int>(e->version.size()), e->version.data(),
                   compiled.status().message().c_str());
      std::abort();
    }
    e->compiled = std::move(compiled).value();
  });
  return e->compiled.get();
}

}  // namespace mcpreg::schema
