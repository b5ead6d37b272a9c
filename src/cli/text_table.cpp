#include "cli/text_table.hpp"

#include <algorithm>

namespace tg::cli {
namespace {

// Display width in characters, counting UTF-8 continuation bytes as nothing.
std::size_t width_of(const std::string &text) {
    std::size_t width = 0;
    for (const unsigned char c : text) width += (c & 0xC0) != 0x80 ? 1 : 0;
    return width;
}

std::string padded(const std::string &text, std::size_t width, bool right) {
    const std::string fill(width - std::min(width, width_of(text)), ' ');
    return right ? fill + text : text + fill;
}

}  // namespace

std::string render(const TextTable &table) {
    const std::size_t columns = table.headers.size();
    std::vector<std::size_t> widths(columns, 0);
    for (std::size_t c = 0; c < columns; ++c) widths[c] = width_of(table.headers[c]);
    for (const auto &row : table.rows) {
        for (std::size_t c = 0; c < columns && c < row.size(); ++c) widths[c] = std::max(widths[c], width_of(row[c]));
    }
    const auto right = [&](std::size_t c) { return c < table.right_aligned.size() && table.right_aligned[c]; };
    std::string out;
    for (std::size_t c = 0; c < columns; ++c) {
        // Headers are centred in psql; left-aligned reads as well and is simpler.
        out += (c ? " | " : " ") + padded(table.headers[c], widths[c], false);
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += "\n";
    for (std::size_t c = 0; c < columns; ++c) out += (c ? "-+-" : "-") + std::string(widths[c], '-');
    out += "-\n";
    for (const auto &row : table.rows) {
        std::string line;
        for (std::size_t c = 0; c < columns; ++c) {
            line += (c ? " | " : " ") + padded(c < row.size() ? row[c] : "", widths[c], right(c));
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
    }
    out += "(" + std::to_string(table.rows.size()) + (table.rows.size() == 1 ? " row)\n" : " rows)\n");
    return out;
}

}  // namespace tg::cli
