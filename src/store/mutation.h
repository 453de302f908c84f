// Backend-independent checks of what a Store::UpdateServer mutator did, shared by every
// backend so they enforce one contract.
#pragma once

#include <string>
#include <unordered_set>
#include <vector>

#include "mcpreg/status.h"
#include "mcpreg/store.h"

namespace mcpreg::store {

// Returns the rows the mutator marked dirty, in the order they must be written: rows that are
// not latest first, so the one-latest-per-name unique index never sees two latest rows in the
// middle of a transaction. `existing` holds the versions stored before the mutator ran.
// Errors: InvalidArgument when a dirty row names another server, or a new version carries no
// document.
Result<std::vector<ServerRows::Row*>> RowsToWrite(ServerRows& rows,
                                                  const std::unordered_set<std::string>& existing);

// Runs `mutate` on `rows`, turning an exception into Internal (exceptions never cross the
// Store interface).
Status RunMutator(const Store::Mutator& mutate, ServerRows& rows);

}  // namespace mcpreg::store
