// Human-readable times for messages: tokens carry unix seconds, people read UTC.
#pragma once

#include "no_postgres.hpp"

#include <cstdint>
#include <string>

namespace tg::common {

// The range token time claims may take: 1970-01-01T00:00:00Z … 9999-12-31T23:59:59Z.
inline constexpr std::int64_t min_unix_time = 0;
inline constexpr std::int64_t max_unix_time = 253402300799;

// "2026-11-25T10:00:00Z"; values outside the range above are printed as "@<seconds>".
std::string format_utc(std::int64_t unix_seconds);

// "1d 2h 3m 4s", "15m", "0s"; negative values get a leading '-'.
std::string format_duration(std::int64_t seconds);

}  // namespace tg::common
