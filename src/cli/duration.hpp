// Token lifetimes as people type them: "15m", "2h", "1d", "1h30m", "90s".
#pragma once

#include <cstdint>
#include <string_view>

namespace tg::cli {

// Seconds of a duration made of <number><unit> pairs (units s, m, h, d, w),
// e.g. "1h30m" = 5400. A bare number is refused (minutes or seconds? the
// caller must say), so are zero, signs, spaces and anything over ten years.
// Throws UsageError naming the problem.
std::int64_t parse_duration(std::string_view text);

}  // namespace tg::cli
