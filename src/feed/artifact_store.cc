#include "feed/artifact_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <random>

namespace mcpreg::feed {
namespace fs = std::filesystem;

bool IsSha256Hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Result<ArtifactStore> ArtifactStore::Open(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(fs::path(dir) / "sha256", ec);
  if (ec) return Status::Unavailable("cannot create feed directory " + dir + ": " + ec.message());
  return ArtifactStore(dir);
}

std::string ArtifactStore::PathFor(std::string_view sha) const {
  return dir_ + "/sha256/" + std::string(sha.substr(0, 2)) + "/" + std::string(sha);
}

Result<std::string> ArtifactStore::Put(std::string_view data, std::string_view declared) const {
  if (!IsSha256Hex(declared))
    return Status::InvalidArgument("declared sha256 must be 64 lowercase hex characters");
  std::string actual = Sha256Hex(data);
  if (actual != declared)
    return Status::InvalidArgument("digest mismatch: declared " + std::string(declared) +
                                   ", content hashes to " + actual);
  std::string path = PathFor(actual);
  if (fs::exists(path)) return actual;  // content-addressed: same digest, same bytes
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) return Status::Unavailable("cannot create " + fs::path(path).parent_path().string() + ": " + ec.message());
  static std::atomic<uint64_t> counter{0};
  std::string tmp = path + ".tmp." + std::to_string(getpid()) + "." + std::to_string(counter++);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Unavailable("cannot create " + tmp + ": " + std::strerror(errno));
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return Status::Unavailable("writing " + tmp + ": " + std::strerror(e));
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return Status::Unavailable("flushing " + tmp + ": " + std::strerror(errno));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return Status::Unavailable("renaming into " + path + ": " + std::strerror(e));
  }
  return actual;
}

Result<ArtifactStore::BlobInfo> ArtifactStore::Stat(std::string_view sha) const {
  if (!IsSha256Hex(sha)) return Status::InvalidArgument("sha256 must be 64 lowercase hex characters");
  std::string path = PathFor(sha);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Status::NotFound("artifact " + std::string(sha) + " not found");
  return BlobInfo{path, static_cast<uint64_t>(st.st_size)};
}

Result<std::string> ArtifactStore::Read(std::string_view sha, uint64_t offset, uint64_t length) const {
  auto info = Stat(sha);
  if (!info.ok()) return info.status();
  int fd = ::open(info->path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::Unavailable("cannot open artifact: " + std::string(std::strerror(errno)));
  std::string out(length, '\0');
  size_t got = 0;
  while (got < length) {
    ssize_t n = ::pread(fd, out.data() + got, length - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  if (got != length) return Status::Internal("artifact shorter than expected");
  return out;
}

Status ParseRange(std::string_view h, uint64_t size, bool* has_range, ByteRange* range) {
  *has_range = false;
  constexpr std::string_view kPrefix = "bytes=";
  if (h.substr(0, kPrefix.size()) != kPrefix) return Status::OK();
  h.remove_prefix(kPrefix.size());
  if (h.find(',') != std::string_view::npos) return Status::OK();  // multipart: serve it all
  auto dash = h.find('-');
  if (dash == std::string_view::npos) return Status::OK();
  auto num = [](std::string_view s, uint64_t* v) {
    if (s.empty()) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
    return ec == std::errc() && p == s.data() + s.size();
  };
  uint64_t a = 0, b = 0;
  std::string_view first = h.substr(0, dash), last = h.substr(dash + 1);
  if (first.empty()) {  // suffix: last N bytes
    if (!num(last, &b) || b == 0) return Status::OK();
    if (size == 0) return Status::OutOfRange("range not satisfiable");
    range->first = b >= size ? 0 : size - b;
    range->last = size - 1;
  } else {
    if (!num(first, &a)) return Status::OK();
    if (!last.empty() && (!num(last, &b) || b < a)) return Status::OK();
    if (a >= size) return Status::OutOfRange("range not satisfiable");
    range->first = a;
    range->last = last.empty() || b >= size ? size - 1 : b;
  }
  *has_range = true;
  return Status::OK();
}

}  // namespace mcpreg::feed
