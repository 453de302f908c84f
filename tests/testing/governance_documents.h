// Documents the governance tests share: a server that passes the default compliance policy and
// a server request for it (the request fields the request schema requires).
#pragma once

#include <string>

namespace mcpreg::testing {

// com.contoso/weather 1.0.0: a self-contained MCPB bundle with its digest and a license.
inline std::string CompliantWeatherServer() {
  return R"({"$schema":"https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",)"
         R"("name":"com.contoso/weather","description":"Weather forecasts for Contoso field teams",)"
         R"("version":"1.0.0","packages":[{"registryType":"mcpb",)"
         R"("identifier":"https://github.com/contoso/weather/releases/download/v1.0.0/weather.mcpb",)"
         R"("fileSha256":"fe333e598595000ae021bd27117db32ec69af6987f507ba7a63c90638ff633ce",)"
         R"("transport":{"type":"stdio"}}],)"
         R"("_meta":{"io.modelcontextprotocol.registry/publisher-provided":{"license":"MIT"}}})";
}

// A request for com.contoso/weather with `draft` as its server.json.
inline std::string WeatherRequest(const std::string& draft) {
  return R"({"name":"com.contoso/weather","team":"Weather","contacts":["weather@contoso.example"],)"
         R"("consumption":"first-party","hosting":"local",)"
         R"("publisher":{"issuer":"https://idp.contoso.example","subject":"pipeline-7"},)"
         R"("pipeline":"https://dev.azure.com/contoso/weather/_build?definitionId=7",)"
         R"("server":)" +
         draft + "}";
}

}  // namespace mcpreg::testing
