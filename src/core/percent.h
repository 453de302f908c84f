// Percent-decoding with Go's semantics (net/url): PathUnescape keeps '+', QueryUnescape turns
// '+' into a space; an invalid or truncated %XX escape is an error (nullopt).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mcpreg {

std::optional<std::string> PathUnescape(std::string_view s);
std::optional<std::string> QueryUnescape(std::string_view s);
// Decodes a path segment twice, as the official registry does (its mux decodes once, the
// handler again), so both "a%2Fb" and "a%252Fb" name "a/b". nullopt on an invalid escape.
std::optional<std::string> PathUnescapeTwice(std::string_view s);
// Encodes everything but unreserved characters (RFC 3986), e.g. '/' → %2F.
std::string PercentEncode(std::string_view s);

}  // namespace mcpreg
