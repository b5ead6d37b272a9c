// Comparison of secrets (digests, token material) without a timing side channel.
#pragma once

#include "bytes.hpp"

namespace tg::common {

// True if both hold the same bytes. The time taken depends on the lengths
// (which are not secret) but not on where the contents differ.
bool constant_time_equal(ByteView a, ByteView b) noexcept;

}  // namespace tg::common
