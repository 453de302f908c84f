// Files compiled into the binary (see cmake/assets.cmake).
#pragma once

#include <cstddef>
#include <string_view>

extern const unsigned char kAssetOpenApiYaml[];
extern const std::size_t kAssetOpenApiYaml_size;
extern const unsigned char kAssetDemoCatalog[];
extern const std::size_t kAssetDemoCatalog_size;

namespace mcpreg::assets {
inline std::string_view OpenApiYaml() {
  return {reinterpret_cast<const char*>(kAssetOpenApiYaml), kAssetOpenApiYaml_size};
}
inline std::string_view DemoCatalog() {
  return {reinterpret_cast<const char*>(kAssetDemoCatalog), kAssetDemoCatalog_size};
}
}  // namespace mcpreg::assets
