// The package feed under /v0.1/x/dev.mcpreg/feed: upload (PUT), list, and download by digest
// with Content-Length, ETag, If-None-Match and single byte ranges.
#include "api/rest/handlers.h"
#include "api/rest/problem.h"
#include "core/json_out.h"
#include "core/percent.h"
#include "service/feed_service.h"

namespace mcpreg::rest {
namespace {

std::string ArtifactJson(const Artifact& a, const std::string& base_url) {
  std::string out;
  json::JsonOut w(out);
  w.BeginObject()
      .Key("serverName").String(a.server_name)
      .Key("version").String(a.version)
      .Key("filename").String(a.filename)
      .Key("sha256").String(a.sha256)
      .Key("size").Int(static_cast<int64_t>(a.size))
      .Key("contentType").String(a.content_type)
      .Key("uploadedAt").String(FormatRfc3339(a.uploaded_at))
      .Key("url").String(base_url + "/v0.1" + std::string(service::kFeedPrefix) + "/artifacts/" +
                         a.sha256 + "/" + PercentEncode(a.filename))
      .EndObject();
  return out;
}

}  // namespace

http::HttpResponse FeedUpload(service::FeedService& feed, const auth::Principal& who,
                              const http::HttpRequest& req, const std::string& name,
                              const std::string& version, const std::string& filename,
                              const std::string& base_url) {
  service::UploadRequest up;
  up.server_name = name;
  up.version = version;
  up.filename = filename;
  auto sha = req.Header("X-Content-SHA256");
  if (!sha)
    return ProblemResponse(ApiError{Status::Unprocessable("validation failed"),
                                    {{"required header parameter is missing", "header.X-Content-SHA256", std::nullopt}}});
  up.declared_sha256 = std::string(*sha);
  if (auto ct = req.Header("Content-Type")) up.content_type = std::string(*ct);
  up.data = req.body;
  auto r = feed.Upload(who, up);
  if (!r.ok()) return ProblemResponse(r.status());
  auto resp = JsonResponse(ArtifactJson(*r, base_url), 201);
  return resp;
}

http::HttpResponse FeedList(service::FeedService& feed, const auth::Principal* who,
                            const std::string& name, const std::string& version,
                            const std::string& base_url) {
  auto r = feed.List(who, name, version);
  if (!r.ok()) return ProblemResponse(r.status());
  std::string out = "{\"artifacts\":[";
  for (size_t i = 0; i < r->size(); ++i) {
    if (i) out += ',';
    out += ArtifactJson((*r)[i], base_url);
  }
  out += "]}";
  return JsonResponse(std::move(out));
}

http::HttpResponse FeedDownload(service::FeedService& feed, const auth::Principal* who,
                                const http::HttpRequest& req, const std::string& sha256,
                                const std::string& filename) {
  // The name only labels the download, but it goes into a header: same rule as at upload.
  if (!filename.empty() && !service::IsValidFeedFilename(filename))
    return ProblemResponse(Status::InvalidArgument(
        "invalid file name: use 1-255 letters, digits, '.', '-', '_' and '+'"));
  auto size = feed.Size(who, sha256);
  if (!size.ok()) return ProblemResponse(size.status());
  std::string etag = "\"" + sha256 + "\"";
  http::HttpResponse r;
  r.Set("ETag", etag);
  r.Set("Accept-Ranges", "bytes");
  r.Set("Cache-Control", "public, max-age=31536000, immutable");
  r.Set("Content-Type", service::ContentTypeForFilename(filename));
  if (!filename.empty()) r.Set("Content-Disposition", service::ContentDispositionFor(filename));
  if (auto inm = req.Header("If-None-Match"); inm && (*inm == etag || *inm == "*")) {
    r.status = 304;
    return r;
  }
  uint64_t first = 0, length = *size;
  if (auto range = req.Header("Range")) {
    bool has = false;
    feed::ByteRange br;
    Status st = feed::ParseRange(*range, *size, &has, &br);
    if (!st.ok()) {
      auto p = ProblemResponse(st);
      p.Set("Content-Range", "bytes */" + std::to_string(*size));
      return p;
    }
    if (has) {
      first = br.first;
      length = br.last - br.first + 1;
      r.status = 206;
      r.Set("Content-Range", "bytes " + std::to_string(br.first) + "-" + std::to_string(br.last) +
                                 "/" + std::to_string(*size));
    }
  }
  auto data = feed.Read(sha256, first, length);
  if (!data.ok()) return ProblemResponse(data.status());
  r.body = std::move(*data);
  return r;
}

}  // namespace mcpreg::rest
