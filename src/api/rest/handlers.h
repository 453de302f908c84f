// REST handlers: decode wire input into a typed request, call one RegistryService method,
// encode the result. No SQL and no policy here.
#pragma once

#include <string_view>

#include "api/rest/query.h"
#include "transport/http_server.h"

namespace mcpreg::service {
class RegistryService;
}

namespace mcpreg::rest {

http::HttpResponse ListServers(const service::RegistryService& svc, const QueryParams& q);
http::HttpResponse ListVersions(const service::RegistryService& svc, std::string_view raw_name,
                                const QueryParams& q);
http::HttpResponse GetVersion(const service::RegistryService& svc, std::string_view raw_name,
                              std::string_view raw_version, const QueryParams& q);
http::HttpResponse Validate(std::string_view body);

}  // namespace mcpreg::rest
