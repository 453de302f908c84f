// Byte encodings used by the auth module: base64url (JWS, JWK), standard base64 (namespace
// proof records) and hex (proof signatures, registry key files).
//
// Decoders are strict: they reject characters outside the alphabet, impossible lengths and
// non-canonical trailing bits, and return std::nullopt rather than a partial result.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mcpreg::auth {

// RFC 4648 §5 without padding (the JWS form).
std::string Base64UrlEncode(std::string_view bytes);
// Accepts unpadded input only (RFC 7515 §2).
std::optional<std::string> Base64UrlDecode(std::string_view text);

// RFC 4648 §4 with '=' padding.
std::string Base64Encode(std::string_view bytes);
// Accepts padded input (as Go's base64.StdEncoding does); whitespace is not allowed.
std::optional<std::string> Base64Decode(std::string_view text);

// Lowercase hex.
std::string HexEncode(std::string_view bytes);
// Accepts upper- and lowercase digits; rejects odd lengths.
std::optional<std::string> HexDecode(std::string_view text);

}  // namespace mcpreg::auth
