// Query results as an aligned text table, the way psql prints them: numbers
// right-aligned, a dashed rule under the header, a row count footer.
#pragma once

#include <string>
#include <vector>

namespace tg::cli {

struct TextTable {
    std::vector<std::string> headers;
    std::vector<bool> right_aligned;  // per column; missing entries: left
    std::vector<std::vector<std::string>> rows;
};

std::string render(const TextTable &table);

}  // namespace tg::cli
