#include "mcp/events.h"

#include <vector>

namespace mcpreg::mcp {

uint64_t ResourceEvents::Add(Subscriber subscriber, bool listener) {
  std::lock_guard lock(mu_);
  if (closed_ || (listener && listeners_ >= max_listeners_)) return 0;
  uint64_t id = next_id_++;
  entries_[id] = Entry{std::make_shared<const Subscriber>(std::move(subscriber)), listener};
  if (listener) ++listeners_;
  return id;
}

void ResourceEvents::Remove(uint64_t id) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  if (it->second.listener) --listeners_;
  entries_.erase(it);
}

std::vector<std::shared_ptr<const ResourceEvents::Subscriber>> ResourceEvents::Snapshot() const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<const Subscriber>> out;
  out.reserve(entries_.size());
  for (const auto& [id, e] : entries_) out.push_back(e.subscriber);
  return out;
}

void ResourceEvents::ResourceUpdated(std::string_view uri) {
  for (const auto& s : Snapshot()) {
    if (s->wants && s->wants(uri)) s->deliver("notifications/resources/updated", {{"uri", uri}});
  }
}

void ResourceEvents::ResourcesListChanged() {
  for (const auto& s : Snapshot()) {
    if (s->list_changed) s->deliver("notifications/resources/list_changed", {});
  }
}

void ResourceEvents::CloseAll() {
  std::map<uint64_t, Entry> entries;
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    entries.swap(entries_);
    listeners_ = 0;
  }
  for (const auto& [id, e] : entries) {
    if (e.subscriber->end) e.subscriber->end();
  }
}

size_t ResourceEvents::listeners() const {
  std::lock_guard lock(mu_);
  return listeners_;
}

}  // namespace mcpreg::mcp
