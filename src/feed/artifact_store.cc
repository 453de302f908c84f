#include "feed/artifact_store.h"

#include <fcntl.h>
#include <sys/file.h>
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

namespace {

// fsyncs a directory, so the entries created, renamed or removed in it are durable.
Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::Unavailable("cannot open " + dir + ": " + std::strerror(errno));
  int rc = ::fsync(fd);
  int e = errno;
  ::close(fd);
  if (rc != 0) return Status::Unavailable("syncing " + dir + ": " + std::strerror(e));
  return Status::OK();
}

bool SameFile(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

bool AllDigits(std::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// Removes `path` when it is a regular temp file no writer holds (a writer keeps an exclusive
// flock on its temp file from just after creating it until the rename). True when removed.
bool RemoveIfOrphan(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat held, named;
  bool removed = false;
  // Still the file we locked (not renamed away or replaced meanwhile): nobody can rename or
  // re-create it while we hold the lock, so the unlink below removes exactly this orphan.
  if (::fstat(fd, &held) == 0 && S_ISREG(held.st_mode) && ::flock(fd, LOCK_EX | LOCK_NB) == 0 &&
      ::lstat(path.c_str(), &named) == 0 && SameFile(held, named)) {
    removed = ::unlink(path.c_str()) == 0;
  }
  ::close(fd);
  return removed;
}

}  // namespace

bool IsTempFileName(std::string_view n) {
  constexpr std::string_view kTmp = ".tmp.";
  if (n.size() < 64 + kTmp.size() + 3 || !IsSha256Hex(n.substr(0, 64))) return false;
  if (n.substr(64, kTmp.size()) != kTmp) return false;
  std::string_view rest = n.substr(64 + kTmp.size());
  auto dot = rest.find('.');
  return dot != std::string_view::npos && AllDigits(rest.substr(0, dot)) &&
         AllDigits(rest.substr(dot + 1));
}

Result<ArtifactStore> ArtifactStore::Open(const std::string& dir) {
  std::error_code ec;
  fs::path blobs = fs::path(dir) / "sha256";
  bool created = fs::create_directories(blobs, ec);
  if (ec) return Status::Unavailable("cannot create feed directory " + dir + ": " + ec.message());
  if (created) {
    MCPREG_RETURN_IF_ERROR(SyncDir(dir));
    fs::path parent = fs::absolute(fs::path(dir), ec).parent_path();
    if (!ec && !parent.empty()) (void)SyncDir(parent.string());  // best effort
  }
  ArtifactStore store(dir);
  // Orphans of a crashed Put: only our own names, only in the fan-out directories, and only
  // files no live writer (this or another process sharing the directory) holds locked.
  for (fs::directory_iterator sub(blobs, ec), end; !ec && sub != end; sub.increment(ec)) {
    std::string sub_name = sub->path().filename().string();
    if (sub_name.size() != 2 || !IsSha256Hex(sub_name + std::string(62, '0'))) continue;
    if (!sub->is_directory(ec) || sub->is_symlink(ec)) continue;
    std::error_code ec2;
    for (fs::directory_iterator f(sub->path(), ec2), fend; !ec2 && f != fend; f.increment(ec2)) {
      std::string name = f->path().filename().string();
      if (IsTempFileName(name) && name.compare(0, 2, sub_name) == 0 &&
          RemoveIfOrphan(f->path().string()))
        ++store.orphans_removed_;
    }
  }
  return store;
}

std::string ArtifactStore::PathFor(std::string_view sha) const {
  return dir_ + "/sha256/" + std::string(sha.substr(0, 2)) + "/" + std::string(sha);
}

Result<std::string> ArtifactStore::Put(std::string_view data, std::string_view declared) const {
  auto verified = VerifyDigest(data, declared);
  if (!verified.ok()) return verified.status();
  const std::string& actual = *verified;
  std::string path = PathFor(actual);
  const std::string sub = fs::path(path).parent_path().string();
  // Durable before acknowledged: the blob's directory entry, and the fan-out directory's entry
  // in sha256/ (also when another writer, maybe one that crashed, created it).
  auto sync_dirs = [&]() -> Status {
    MCPREG_RETURN_IF_ERROR(SyncDir(sub));
    return SyncDir(dir_ + "/sha256");
  };
  // Content-addressed: same digest, same bytes. A concurrent Put may have renamed it in a
  // moment ago without syncing the directory yet, so sync before acknowledging.
  if (fs::exists(path)) {
    MCPREG_RETURN_IF_ERROR(sync_dirs());
    return actual;
  }
  std::error_code ec;
  fs::create_directories(sub, ec);
  if (ec) return Status::Unavailable("cannot create " + sub + ": " + ec.message());
  static std::atomic<uint64_t> counter{0};
  std::string tmp;
  int fd = -1;
  for (int attempt = 0;; ++attempt) {
    tmp = path + ".tmp." + std::to_string(getpid()) + "." + std::to_string(counter++);
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return Status::Unavailable("cannot create " + tmp + ": " + std::strerror(errno));
    // Lock before writing (see RemoveIfOrphan); then make sure no Open() in another process
    // removed the file in the instant between creating and locking it.
    struct stat held, named;
    if (::flock(fd, LOCK_EX) == 0 && ::fstat(fd, &held) == 0 &&
        ::lstat(tmp.c_str(), &named) == 0 && SameFile(held, named))
      break;
    ::close(fd);
    if (attempt == 3) return Status::Unavailable("temp file " + tmp + " removed while writing");
  }
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::unlink(tmp.c_str());
      ::close(fd);
      return Status::Unavailable("writing " + tmp + ": " + std::strerror(e));
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    ::close(fd);
    return Status::Unavailable("flushing " + tmp + ": " + std::strerror(e));
  }
  // Renamed while still locked, so no orphan sweep can take it in between.
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    ::close(fd);
    return Status::Unavailable("renaming into " + path + ": " + std::strerror(e));
  }
  if (::close(fd) != 0) return Status::Unavailable("closing " + path + ": " + std::strerror(errno));
  MCPREG_RETURN_IF_ERROR(sync_dirs());
  return actual;
}

Result<ArtifactStore::BlobInfo> ArtifactStore::Stat(std::string_view sha) const {
  if (!IsSha256Hex(sha)) return Status::InvalidArgument("sha256 must be 64 lowercase hex characters");
  std::string path = PathFor(sha);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Status::NotFound("artifact " + std::string(sha) + " not found");
  return BlobInfo{path, static_cast<uint64_t>(st.st_size)};
}

Result<uint64_t> ArtifactStore::Size(std::string_view sha) const {
  auto info = Stat(sha);
  if (!info.ok()) return info.status();
  return info->size;
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

}  // namespace mcpreg::feed
