#include "api/rest/response_cache.h"

#include <functional>

namespace mcpreg::rest {

ResponseCache::ResponseCache(size_t max_entries, size_t max_bytes)
    : max_entries_per_shard_(std::max<size_t>(1, max_entries / kShards)),
      max_bytes_per_shard_(std::max<size_t>(1, max_bytes / kShards)) {}

ResponseCache::Shard& ResponseCache::ShardFor(std::string_view key) const {
  return shards_[std::hash<std::string_view>{}(key) % kShards];
}

std::shared_ptr<const std::string> ResponseCache::Get(std::string_view key,
                                                      int64_t generation) const {
  Shard& s = ShardFor(key);
  std::lock_guard<std::mutex> l(s.mu);
  auto it = s.items.find(std::string(key));
  if (it == s.items.end() || it->second.generation != generation) return nullptr;
  return it->second.body;
}

void ResponseCache::Put(std::string_view key, int64_t generation,
                        std::shared_ptr<const std::string> body) {
  if (body->size() > max_bytes_per_shard_ / 4) return;
  Shard& s = ShardFor(key);
  std::lock_guard<std::mutex> l(s.mu);
  auto it = s.items.find(std::string(key));
  if (it != s.items.end()) {
    if (it->second.generation > generation) return;  // keep the newer one
    s.bytes -= it->second.body->size();
    s.items.erase(it);
  }
  // Simple bound: when full, drop everything stale first, then everything (the working set of
  // polled queries refills immediately).
  if (s.items.size() >= max_entries_per_shard_ || s.bytes + body->size() > max_bytes_per_shard_) {
    for (auto i = s.items.begin(); i != s.items.end();) {
      if (i->second.generation < generation) {
        s.bytes -= i->second.body->size();
        i = s.items.erase(i);
      } else {
        ++i;
      }
    }
    if (s.items.size() >= max_entries_per_shard_ || s.bytes + body->size() > max_bytes_per_shard_) {
      s.items.clear();
      s.bytes = 0;
    }
  }
  s.bytes += body->size();
  s.items.emplace(std::string(key), Item{generation, std::move(body)});
}

}  // namespace mcpreg::rest
