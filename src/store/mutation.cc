#include "store/mutation.h"

#include <algorithm>

namespace mcpreg::store {

Result<std::vector<ServerRows::Row*>> RowsToWrite(ServerRows& rows,
                                                  const std::unordered_set<std::string>& existing) {
  std::vector<ServerRows::Row*> dirty;
  for (auto& r : rows.rows) {
    if (!r.dirty) continue;
    if (r.meta.name != rows.name) {
      return Status::InvalidArgument("UpdateServer(" + rows.name + "): mutator wrote a row for '" +
                                     r.meta.name + "'");
    }
    if (!existing.count(r.meta.version) && !r.server_json) {
      return Status::InvalidArgument("UpdateServer(" + rows.name + "): new version '" +
                                     r.meta.version + "' has no server_json");
    }
    dirty.push_back(&r);
  }
  std::stable_partition(dirty.begin(), dirty.end(), [](auto* r) { return !r->meta.is_latest; });
  return dirty;
}

Status RunMutator(const Store::Mutator& mutate, ServerRows& rows) {
  try {
    return mutate(rows);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("UpdateServer mutator threw: ") + e.what());
  }
}

}  // namespace mcpreg::store
