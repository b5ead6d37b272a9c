// base64url (RFC 4648 section 5) without padding, as the token format uses it.
#pragma once

#include "bytes.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace tg::common {

std::string base64url_encode(ByteView bytes);

// Accepts only the canonical unpadded encoding: the alphabet A-Z a-z 0-9 - _,
// no '=', no whitespace, no length of 4k+1, and zero bits after the last byte.
// Canonical-only means every byte string has exactly one accepted text, so a
// token cannot be altered without changing its signed bytes.
std::optional<Bytes> base64url_decode(std::string_view text);

}  // namespace tg::common
