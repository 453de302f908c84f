#include "service/feed_service.h"

#include "auth/permissions.h"
#include "core/json_out.h"
#include "service/auth_service.h"

namespace mcpreg::service {
namespace {

bool IsFilenameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_' || c == '+';
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

// A file name is one path segment of safe characters; it never reaches the filesystem (blobs
// are stored by digest) but it appears in URLs and Content-Disposition.
bool IsValidFeedFilename(std::string_view f) {
  if (f.empty() || f.size() > kMaxFeedFilename || f[0] == '.') return false;
  for (char c : f)
    if (!IsFilenameChar(c)) return false;
  return true;
}

std::string ContentDispositionFor(std::string_view filename) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string fallback, encoded;
  for (char c : filename.substr(0, kMaxFeedFilename)) {
    const auto u = static_cast<unsigned char>(c);
    fallback += IsFilenameChar(c) ? c : '_';
    if (IsFilenameChar(c) && c != '+') {  // RFC 5987 attr-char, conservatively
      encoded += c;
    } else {
      encoded += '%';
      encoded += kHex[u >> 4];
      encoded += kHex[u & 15];
    }
  }
  return "attachment; filename=\"" + fallback + "\"; filename*=UTF-8''" + encoded;
}

std::string ContentTypeForFilename(std::string_view filename) {
  if (EndsWith(filename, ".mcpb") || EndsWith(filename, ".zip") || EndsWith(filename, ".dxt"))
    return "application/zip";
  return "application/octet-stream";
}

FeedService::FeedService(std::unique_ptr<feed::BlobStore> blobs, Store& store, const Clock& clock,
                         uint64_t max_bytes)
    : blobs_(std::move(blobs)), store_(store), clock_(clock), max_bytes_(max_bytes) {}

Result<Artifact> FeedService::Upload(const auth::Principal& token_who, const UploadRequest& req) {
  auto live = LivePrincipal(store_, token_who);
  if (!live.ok()) return live.status();
  const auth::Principal& who = *live;
  if (!auth::HasPermission(who.permissions, auth::kActionFeed, req.server_name))
    return Status::PermissionDenied("You do not have permission to upload packages for " +
                                    req.server_name + ". You have feed permission on: " + [&] {
                                      auto v = auth::PatternsFor(who.permissions, auth::kActionFeed);
                                      std::string s;
                                      for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
                                      return s.empty() ? std::string("(none)") : s;
                                    }());
  if (req.server_name.find('/') == std::string::npos || req.server_name.size() > 200)
    return Status::InvalidArgument("invalid server name \"" + req.server_name + "\"");
  if (req.version.empty() || req.version.size() > 255 || req.version == "latest")
    return Status::InvalidArgument("invalid version \"" + req.version + "\"");
  if (!IsValidFeedFilename(req.filename))
    return Status::InvalidArgument("invalid file name \"" + req.filename +
                                   "\": use letters, digits, '.', '-', '_' and '+' only");
  if (req.data.size() > max_bytes_)
    return Status::PayloadTooLarge("artifact is " + std::to_string(req.data.size()) +
                                   " bytes; the feed accepts at most " + std::to_string(max_bytes_));
  auto sha = blobs_->Put(req.data, req.declared_sha256);
  if (!sha.ok()) return sha.status();
  Artifact a;
  a.server_name = req.server_name;
  a.version = req.version;
  a.filename = req.filename;
  a.sha256 = *sha;
  a.size = req.data.size();
  a.content_type = req.content_type.empty() ? ContentTypeForFilename(req.filename) : req.content_type;
  a.uploaded_at = clock_.Now();
  a.uploaded_by = ActorOf(who);
  std::string details;
  json::JsonOut w(details);
  w.BeginObject().Key("version").String(a.version).Key("filename").String(a.filename)
      .Key("sha256").String(a.sha256).Key("size").Int(static_cast<int64_t>(a.size)).EndObject();
  MCPREG_RETURN_IF_ERROR(store_.PutArtifact(a, {a.uploaded_at, a.uploaded_by, "upload", a.server_name, details}));
  return a;
}

Result<uint64_t> FeedService::Size(const auth::Principal* who, std::string_view sha256) const {
  auto info = blobs_->Size(sha256);
  if (!info.ok() || !read_rule_) return info;
  auto bound = store_.FindArtifacts("", "", sha256);
  if (!bound.ok()) return bound.status();
  for (const Artifact& a : *bound)
    if (read_rule_(who, a.server_name, a.version)) return info;
  return Status::NotFound("artifact " + std::string(sha256) + " not found");
}

Result<std::string> FeedService::Read(std::string_view sha256, uint64_t offset,
                                      uint64_t length) const {
  return blobs_->Read(sha256, offset, length);
}

Result<std::vector<Artifact>> FeedService::List(const auth::Principal* who,
                                                std::string_view server_name,
                                                std::string_view version) const {
  auto all = store_.FindArtifacts(server_name, version, "");
  if (!all.ok() || !read_rule_) return all;
  std::vector<Artifact> out;
  for (auto& a : *all)
    if (read_rule_(who, a.server_name, a.version)) out.push_back(std::move(a));
  return out;
}

}  // namespace mcpreg::service
