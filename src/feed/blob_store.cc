#include "feed/blob_store.h"

#include <charconv>

#include "core/sha256.h"

namespace mcpreg::feed {

bool IsSha256Hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Result<std::string> VerifyDigest(std::string_view data, std::string_view declared) {
  if (!IsSha256Hex(declared))
    return Status::InvalidArgument("declared sha256 must be 64 lowercase hex characters");
  std::string actual = Sha256Hex(data);
  if (actual != declared)
    return Status::InvalidArgument("digest mismatch: declared " + std::string(declared) +
                                   ", content hashes to " + actual);
  return actual;
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
