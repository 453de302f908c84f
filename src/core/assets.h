// Files compiled into the binary (see cmake/assets.cmake).
#pragma once

#include <cstddef>
#include <string_view>

extern const unsigned char kAssetOpenApiYaml[];
extern const std::size_t kAssetOpenApiYaml_size;
extern const unsigned char kAssetDemoCatalog[];
extern const std::size_t kAssetDemoCatalog_size;
// server.json JSON Schemas (src/schema/official_schemas.cc reads them).
extern const unsigned char kAssetSchema20250709[];
extern const std::size_t kAssetSchema20250709_size;
extern const unsigned char kAssetSchema20250916[];
extern const std::size_t kAssetSchema20250916_size;
extern const unsigned char kAssetSchema20250929[];
extern const std::size_t kAssetSchema20250929_size;
extern const unsigned char kAssetSchema20251011[];
extern const std::size_t kAssetSchema20251011_size;
extern const unsigned char kAssetSchema20251017[];
extern const std::size_t kAssetSchema20251017_size;
extern const unsigned char kAssetSchema20251211[];
extern const std::size_t kAssetSchema20251211_size;
extern const unsigned char kAssetSchemaDraft[];
extern const std::size_t kAssetSchemaDraft_size;
// PostgreSQL schema migrations.
extern const unsigned char kAssetPgMigration0001[];
extern const std::size_t kAssetPgMigration0001_size;
extern const unsigned char kAssetPgMigration0002[];
extern const std::size_t kAssetPgMigration0002_size;
extern const unsigned char kAssetPgMigration0003[];
extern const std::size_t kAssetPgMigration0003_size;
extern const unsigned char kAssetPgMigration0004[];  // webhook_deliveries (change feed)
extern const std::size_t kAssetPgMigration0004_size;
// The browser interface (src/api/web/).
extern const unsigned char kAssetWebCss[];
extern const std::size_t kAssetWebCss_size;
extern const unsigned char kAssetWebCatalogJs[];
extern const std::size_t kAssetWebCatalogJs_size;
extern const unsigned char kAssetWebConsoleJs[];
extern const std::size_t kAssetWebConsoleJs_size;

namespace mcpreg::assets {
inline std::string_view OpenApiYaml() {
  return {reinterpret_cast<const char*>(kAssetOpenApiYaml), kAssetOpenApiYaml_size};
}
inline std::string_view DemoCatalog() {
  return {reinterpret_cast<const char*>(kAssetDemoCatalog), kAssetDemoCatalog_size};
}
inline std::string_view WebCss() {
  return {reinterpret_cast<const char*>(kAssetWebCss), kAssetWebCss_size};
}
inline std::string_view WebCatalogJs() {
  return {reinterpret_cast<const char*>(kAssetWebCatalogJs), kAssetWebCatalogJs_size};
}
inline std::string_view WebConsoleJs() {
  return {reinterpret_cast<const char*>(kAssetWebConsoleJs), kAssetWebConsoleJs_size};
}
}  // namespace mcpreg::assets
