#include "time_text.hpp"

#include <ctime>
#include <string>

namespace tg::common {

std::string format_utc(std::int64_t unix_seconds) {
    if (unix_seconds < min_unix_time || unix_seconds > max_unix_time) return "@" + std::to_string(unix_seconds);
    // gmtime_r: thread-safe and independent of the TZ setting of the process.
    const auto seconds = static_cast<std::time_t>(unix_seconds);
    std::tm utc{};
    if (gmtime_r(&seconds, &utc) == nullptr) return "@" + std::to_string(unix_seconds);
    char text[32];
    if (std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc) == 0) return "@" + std::to_string(unix_seconds);
    return text;
}

std::string format_duration(std::int64_t seconds) {
    if (seconds == 0) return "0s";
    std::string text;
    // Work on the magnitude as unsigned so INT64_MIN does not overflow.
    std::uint64_t rest = seconds < 0 ? 0 - static_cast<std::uint64_t>(seconds) : static_cast<std::uint64_t>(seconds);
    if (seconds < 0) text += '-';
    const struct {
        std::uint64_t size;
        char unit;
    } units[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
    bool first = true;
    for (const auto &u : units) {
        const std::uint64_t count = rest / u.size;
        rest %= u.size;
        if (count == 0) continue;
        if (!first) text += ' ';
        text += std::to_string(count);
        text += u.unit;
        first = false;
    }
    return text;
}

}  // namespace tg::common
