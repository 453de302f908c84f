// PostgreSQL implementation of mcpreg::Store (in progress: replaced by the real backend).
#include "mcpreg/store.h"

namespace mcpreg {

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& uri,
                                                 const PostgresOptions&) {
  return Status::Unavailable("database unavailable: PostgreSQL backend not built yet (" +
                             RedactLocation(uri) + ")");
}

}  // namespace mcpreg
