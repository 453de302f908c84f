// Permissions: what an authenticated principal may do, as upstream's registry JWT carries them:
// a list of {action, resource-pattern} pairs.
//
// Actions: "publish" (publish versions and change their status), "edit" (PUT a version and
// change status), and mcpreg's "feed" (upload package artifacts to the package feed) and
// "review" (decide server requests, attest evidence).
// Pattern matching is upstream's (internal/auth/jwt.go): "*" matches everything, a pattern
// ending in "*" is a plain string prefix ("com.example.*" covers "com.example.api/x"), anything
// else must equal the resource exactly. Matching is case-sensitive.
//
// Thread-safety: values and pure functions.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mcpreg::auth {

inline constexpr std::string_view kActionPublish = "publish";
inline constexpr std::string_view kActionEdit = "edit";
inline constexpr std::string_view kActionFeed = "feed";
// Review server requests and attest evidence (threat model, licence, legal).
inline constexpr std::string_view kActionReview = "review";

// True for the four actions above.
bool IsKnownAction(std::string_view action);

struct Permission {
  std::string action;    // "publish" | "edit" | "feed" | "review"
  std::string resource;  // pattern, e.g. "io.github.acme/*"
  bool operator==(const Permission&) const = default;
};

// Upstream's isResourceMatch.
bool ResourceMatches(std::string_view resource, std::string_view pattern);

// True if some permission has exactly `action` and a pattern matching `resource`.
bool HasPermission(std::span<const Permission> permissions, std::string_view action,
                   std::string_view resource);

// The patterns held for `action`, for "403: you hold X, Y" messages.
std::vector<std::string> PatternsFor(std::span<const Permission> permissions,
                                     std::string_view action);

// "example.com" -> "com.example" (labels reversed, as upstream's ReverseString).
std::string ReverseDomain(std::string_view domain);

}  // namespace mcpreg::auth
