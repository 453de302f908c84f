// REST handlers: decode wire input into a typed request, call one RegistryService method,
// encode the result. No SQL and no policy here.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/rest/query.h"
#include "transport/http_server.h"

namespace mcpreg::auth {
struct Principal;
}
namespace mcpreg::policy {
struct Policy;
}
namespace mcpreg::federation {
class SnapshotPublisher;
class ChangeFeed;
}
namespace mcpreg::service {
class RegistryService;
class AuthService;
class FeedService;
class GovernanceService;
}

namespace mcpreg::rest {

class ResponseCache;
// `raw_query` keys the optional cache of rendered pages.
http::HttpResponse ListServers(const service::RegistryService& svc, const QueryParams& q,
                               std::string_view raw_query, ResponseCache* cache);
http::HttpResponse ListVersions(const service::RegistryService& svc, std::string_view raw_name,
                                const QueryParams& q);
http::HttpResponse GetVersion(const service::RegistryService& svc, std::string_view raw_name,
                              std::string_view raw_version, const QueryParams& q);
// Schema + semantic issues, plus the compliance policy's issues when one is configured.
http::HttpResponse Validate(std::string_view body, const policy::Policy* policy);

// Writes (write_handlers.cc). The router authenticated `who` already.
http::HttpResponse ExchangeOidc(const service::AuthService& auth, std::string_view body);
http::HttpResponse ExchangeProof(const service::AuthService& auth, std::string_view body, bool dns);
http::HttpResponse Publish(service::RegistryService& svc, const auth::Principal& who,
                           std::string_view body);
http::HttpResponse Edit(service::RegistryService& svc, const auth::Principal& who,
                        const std::string& name, const std::string& version, std::string_view body);
// `version` empty = every version of the name.
http::HttpResponse SetStatus(service::RegistryService& svc, const auth::Principal& who,
                             const std::string& name, const std::optional<std::string>& version,
                             std::string_view body);

// The package feed (feed_handler.cc). `base_url` is this registry's external base URL.
http::HttpResponse FeedUpload(service::FeedService& feed, const auth::Principal& who,
                              const http::HttpRequest& req, const std::string& name,
                              const std::string& version, const std::string& filename,
                              const std::string& base_url);
// Reads: `who` is the caller when it sent a valid registry token, nullptr when anonymous;
// artifacts of versions it may not read (GovernanceService::MayReadVersion) are absent (404).
http::HttpResponse FeedList(service::FeedService& feed, const auth::Principal* who,
                            const std::string& name, const std::string& version,
                            const std::string& base_url);
// `filename` ("" = none) must pass service::IsValidFeedFilename (else 400); it is sent only
// as an encoded Content-Disposition.
http::HttpResponse FeedDownload(service::FeedService& feed, const auth::Principal* who,
                                const http::HttpRequest& req, const std::string& sha256,
                                const std::string& filename);

// Governance (governance_handler.cc), under {prefix}/x/dev.mcpreg/. The router authenticated
// `who` and decoded names and versions; the service decides who may do what.
//   GET  review                        ReviewQueue       (paged: limit, cursor)
//   GET  requests[?state=]             ListServerRequests (paged: limit, cursor)
//   POST requests                      FileRequest
//   GET|PUT requests/{name}            GetRequest / UpdateRequest
//   POST requests/{name}/approve|reject|retire  DecideRequest {"note"|"reason"|"message"}
//   POST|GET servers/{name}/versions/{version}/evidence  PostEvidence / GetEvidence
enum class Decision { kApprove, kReject, kRetire };
http::HttpResponse ReviewQueue(const service::GovernanceService& gov, const auth::Principal& who,
                               std::string_view raw_query);
http::HttpResponse ListServerRequests(const service::GovernanceService& gov,
                                      const auth::Principal& who, std::string_view raw_query);
http::HttpResponse FileRequest(service::GovernanceService& gov, const auth::Principal& who,
                               std::string_view body);
http::HttpResponse GetRequest(const service::GovernanceService& gov, const auth::Principal& who,
                              const std::string& name);
http::HttpResponse UpdateRequest(service::GovernanceService& gov, const auth::Principal& who,
                                 const std::string& name, std::string_view body);
http::HttpResponse DecideRequest(service::GovernanceService& gov, const auth::Principal& who,
                                 const std::string& name, Decision decision,
                                 std::string_view body);
http::HttpResponse PostEvidence(service::GovernanceService& gov, const auth::Principal& who,
                                const std::string& name, const std::string& version,
                                std::string_view body);
http::HttpResponse GetEvidence(const service::GovernanceService& gov, const auth::Principal& who,
                               const std::string& name, const std::string& version);
// GET export/{readme|allowlist|catalog}: the approved set (public, like the listing).
std::optional<http::HttpResponse> ExportRoute(const service::GovernanceService& gov,
                                              const http::HttpRequest& req,
                                              std::string_view kind, const std::string& base_url);

// Federation (federation_handler.cc), under {prefix}/x/dev.mcpreg/: GET jwks, GET snapshot.
http::HttpResponse Jwks(const federation::SnapshotPublisher& snapshots);
http::HttpResponse Snapshot(federation::SnapshotPublisher& snapshots, const http::HttpRequest& req);
// GET /x/dev.mcpreg/changes (federation/changes.h). Answers through `out`, at once or — a
// long-poll with nothing new yet — later from the feed's thread; never blocks the caller.
void Changes(federation::ChangeFeed& feed, const http::HttpRequest& req,
             std::shared_ptr<http::Responder> out);

}  // namespace mcpreg::rest
