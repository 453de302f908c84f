// ResponseCache: recently rendered list bodies, keyed by the request's query string and
// tagged with the catalog generation they were rendered at (Catalog::generation()). Any write
// or listing change moves the generation on, so a stale body is never served: it just misses and is replaced.
// Clients poll the same few queries (IDEs ask `?limit=50&version=latest` on every gallery
// open), which this turns into a memcpy.
//
// Thread-safety: safe for concurrent use (sharded mutexes). Bounded by entry count and bytes.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace mcpreg::rest {

class ResponseCache {
 public:
  ResponseCache(size_t max_entries = 4096, size_t max_bytes = 64 << 20);

  // The body cached for `key` at `generation`, or null.
  std::shared_ptr<const std::string> Get(std::string_view key, int64_t generation) const;
  // Caches `body` (rendered at `generation`, read BEFORE rendering). Oversized bodies are
  // not cached.
  void Put(std::string_view key, int64_t generation, std::shared_ptr<const std::string> body);

 private:
  struct Item {
    int64_t generation;
    std::shared_ptr<const std::string> body;
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, Item> items;
    size_t bytes = 0;
  };
  static constexpr size_t kShards = 16;
  Shard& ShardFor(std::string_view key) const;

  size_t max_entries_per_shard_;
  size_t max_bytes_per_shard_;
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace mcpreg::rest
