#include "cli/duration.hpp"

#include "cli/cli_error.hpp"

#include <string>

namespace tg::cli {
namespace {

constexpr std::int64_t max_seconds = 10LL * 366 * 86400;

[[noreturn]] void bad(std::string_view text, const std::string &why) {
    throw UsageError("invalid duration \"" + std::string(text) + "\": " + why +
                     " (write e.g. 90s, 15m, 2h, 1d or 1h30m)");
}

std::int64_t unit_seconds(char unit) {
    switch (unit) {
        case 's':
            return 1;
        case 'm':
            return 60;
        case 'h':
            return 3600;
        case 'd':
            return 86400;
        case 'w':
            return 7 * 86400;
        default:
            return 0;
    }
}

}  // namespace

std::int64_t parse_duration(std::string_view text) {
    if (text.empty()) bad(text, "it is empty");
    std::int64_t total = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t digits_start = i;
        std::int64_t number = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            number = number * 10 + (text[i] - '0');
            if (number > max_seconds) bad(text, "it is longer than ten years");
            ++i;
        }
        if (i == digits_start) bad(text, "expected a number at \"" + std::string(text.substr(i)) + "\"");
        if (i == text.size()) bad(text, "the number " + std::to_string(number) + " has no unit");
        const std::int64_t unit = unit_seconds(text[i]);
        if (unit == 0) bad(text, std::string("unknown unit '") + text[i] + "'");
        ++i;
        total += number * unit;
        if (total > max_seconds) bad(text, "it is longer than ten years");
    }
    if (total == 0) bad(text, "it is zero");
    return total;
}

}  // namespace tg::cli
