// The numbered schema migrations of the SQLite backend, in order. The SQL text lives in
// src/store/migrations/NNNN_name.sql (the reviewed source) and is compiled in as string
// literals by sqlite_migrations.cc; a test checks that both copies are identical.
//
// Thread-safety: immutable data.
#pragma once

#include <span>
#include <string_view>

namespace mcpreg::store {

struct Migration {
  int version;            // 1, 2, ... strictly increasing, never reused
  std::string_view name;  // "init"
  std::string_view sql;   // one or more statements, applied in one transaction
};

std::span<const Migration> SqliteMigrations();

}  // namespace mcpreg::store
