// SHA-256 as lowercase hex, and HMAC-SHA-256 (OpenSSL).
#pragma once

#include <string>
#include <string_view>

namespace mcpreg {

std::string Sha256Hex(std::string_view data);

// HMAC-SHA-256 of `data` under `key`: the 32 raw bytes.
std::string HmacSha256(std::string_view key, std::string_view data);

}  // namespace mcpreg
