// The place of a change-stream consumer (tail --cursor-file): one line, the
// cursor of the last change written out. Saved by atomic replacement, so a
// crash leaves the old or the new cursor, never a torn one.
#pragma once

#include <optional>
#include <string>

namespace tg::cli {

// Empty when the file does not exist (start from the beginning); throws
// Failure when it exists but holds no cursor.
std::optional<std::string> load_cursor(const std::string &path);

void save_cursor(const std::string &path, const std::string &cursor);

}  // namespace tg::cli
