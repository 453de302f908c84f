// Version ordering and the isLatest rules, exactly as the official registry applies them
// (upstream internal/service/versioning.go plus golang.org/x/mod/semver):
//
// - A version is semver iff, after adding a "v" prefix when it does not start with one,
//   golang.org/x/mod/semver accepts it AND its core has exactly three numeric parts
//   ("1.0" and "v1" are rejected although Go's package accepts them as shorthands).
// - Compare: both semver -> semver precedence (build metadata ignored); neither -> by
//   publication time; mixed -> the semver one is higher.
// - Publish: the new version becomes latest iff it compares higher than the current latest
//   (or there is none).
// - Status change: latest = highest non-deleted version; if every version is deleted, the
//   highest deleted one keeps the flag. At most one row per name is latest.
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "mcpreg/clock.h"
#include "mcpreg/store.h"

namespace mcpreg::versioning {

// True when `v` is a full semantic version per the rule above ("1.2.3", "v1.2.3",
// "1.0.0-alpha.1+build.5"); false for "1.0", "01.2.3", "1.2.3-01", "2025-06-18", "".
bool IsSemver(std::string_view v);

// Semver precedence of two versions: <0, 0, >0. Build metadata is ignored, so
// "1.0.0+a" == "1.0.0+b". REQUIRES: IsSemver(a) && IsSemver(b) (otherwise invalid ones sort
// lowest, like Go's semver.Compare).
int CompareSemver(std::string_view a, std::string_view b);

// Upstream's CompareVersions: <0 when a is older than b, 0 when equal rank, >0 when newer.
int Compare(std::string_view a_version, Micros a_published, std::string_view b_version,
            Micros b_published);

// Recomputes is_latest over every row of `rows` (see the rules above) and marks each row whose
// flag changed dirty. Ties in Compare (e.g. "1.0.0+a" vs "1.0.0+b") go to the later published
// row, then to the bytewise greater version, so the result does not depend on row order.
void RecomputeLatest(ServerRows& rows);

// Publish rule: true iff a version `new_version` published at `now` would become latest given
// the existing rows (true when no row is currently latest).
bool NewVersionBecomesLatest(const ServerRows& rows, std::string_view new_version, Micros now);

}  // namespace mcpreg::versioning
