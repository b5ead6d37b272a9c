// SHA-256 through OpenSSL (receipts keep the digest of the token, never the token).
#pragma once

#include "bytes.hpp"

#include <array>
#include <cstdint>
#include <string>

namespace tg::common {

using Sha256Digest = std::array<std::uint8_t, 32>;

// Throws CryptoError only if OpenSSL itself fails.
Sha256Digest sha256(ByteView data);

// Lower-case hex of sha256(data).
std::string sha256_hex(ByteView data);

}  // namespace tg::common
