#include "cli/commands/cursor_file.hpp"

#include "cli/cli_error.hpp"
#include "cli/file_io.hpp"

namespace tg::cli {

std::optional<std::string> load_cursor(const std::string &path) {
    if (!path_exists(path)) return std::nullopt;
    std::string text = read_small_file(path, 64 * 1024);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
    if (text.empty() || text.find('\n') != std::string::npos) {
        throw Failure("cursor file " + path + " does not hold one cursor; remove it to start from the oldest change");
    }
    return text;
}

void save_cursor(const std::string &path, const std::string &cursor) {
    replace_file_atomically(path, cursor + "\n", 0644);
}

}  // namespace tg::cli
