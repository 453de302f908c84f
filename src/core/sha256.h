// SHA-256 as lowercase hex (OpenSSL EVP).
#pragma once

#include <string>
#include <string_view>

namespace mcpreg {

std::string Sha256Hex(std::string_view data);

}  // namespace mcpreg
