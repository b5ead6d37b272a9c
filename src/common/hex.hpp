// Lower-case hexadecimal, for digests in receipts and for test vectors.
#pragma once

#include "bytes.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace tg::common {

std::string hex_encode(ByteView bytes);

// Accepts upper and lower case; rejects odd lengths and non-hex characters.
std::optional<Bytes> hex_decode(std::string_view text);

}  // namespace tg::common
