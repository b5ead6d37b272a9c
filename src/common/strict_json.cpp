#include "strict_json.hpp"

#include <set>
#include <string>
#include <vector>

namespace tg::common {
namespace {

// nlohmann's messages start with "[json.exception.parse_error.101] "; the
// reader wants only what follows.
std::string without_exception_id(const char *what) {
    const std::string text(what);
    const std::size_t end_of_id = text.find("] ");
    return (text.rfind("[json.exception.", 0) == 0 && end_of_id != std::string::npos) ? text.substr(end_of_id + 2)
                                                                                      : text;
}

}  // namespace

nlohmann::json parse_strict_json(std::string_view text, std::size_t max_depth) {
    using Event = nlohmann::json::parse_event_t;
    std::vector<std::set<std::string>> keys_of_open_objects;
    std::size_t depth = 0;

    auto check = [&](int, Event event, nlohmann::json &parsed) -> bool {
        switch (event) {
            case Event::object_start:
                keys_of_open_objects.emplace_back();
                [[fallthrough]];
            case Event::array_start:
                if (++depth > max_depth) {
                    throw StrictJsonError("JSON nested deeper than " + std::to_string(max_depth) + " levels");
                }
                break;
            case Event::object_end:
                keys_of_open_objects.pop_back();
                [[fallthrough]];
            case Event::array_end:
                --depth;
                break;
            case Event::key:
                if (!keys_of_open_objects.back().insert(parsed.get_ref<const std::string &>()).second) {
                    throw StrictJsonError("duplicate key " + parsed.dump() + " in a JSON object");
                }
                break;
            case Event::value:
                break;
        }
        return true;
    };

    // nlohmann's lexer takes a NUL byte for the end of input and would ignore
    // whatever follows it; JSON text never holds a raw NUL.
    if (text.find('\0') != std::string_view::npos) throw StrictJsonError("JSON text contains a NUL byte");
    try {
        return nlohmann::json::parse(text.begin(), text.end(), check);
    } catch (const nlohmann::json::exception &error) {
        throw StrictJsonError(without_exception_id(error.what()));
    }
}

}  // namespace tg::common
