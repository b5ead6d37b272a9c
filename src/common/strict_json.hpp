// JSON parsing for signed data: refuses what a lenient parser resolves silently.
#pragma once

#include "no_postgres.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <stdexcept>
#include <string_view>

namespace tg::common {

class StrictJsonError : public std::runtime_error {
   public:
    using std::runtime_error::runtime_error;
};

inline constexpr std::size_t default_max_json_depth = 16;

// Parses exactly one JSON text. Beyond RFC 8259 syntax and UTF-8 validity it
// refuses duplicate object keys (two readers of one signed text could take
// different values) and nesting deeper than max_depth (bounds recursion in
// whoever walks the result later). Throws StrictJsonError.
nlohmann::json parse_strict_json(std::string_view text, std::size_t max_depth = default_max_json_depth);

}  // namespace tg::common
