#include "table_order.hpp"

#include <stdexcept>

namespace tg::cli {

TableOrder parents_first(std::size_t count, const std::vector<std::pair<std::size_t, std::size_t>>& edges) {
    std::vector<std::size_t> waiting_for(count, 0);           // parents not placed yet
    std::vector<std::vector<std::size_t>> children(count);
    for (const auto& [child, parent] : edges) {
        if (child >= count || parent >= count) throw std::out_of_range("foreign-key edge names an unknown table");
        if (child == parent) continue;
        ++waiting_for[child];
        children[parent].push_back(child);
    }
    TableOrder result;
    std::vector<bool> placed(count, false);
    // Quadratic in the number of tables, which stays in the hundreds; the
    // simple scan keeps the order stable.
    for (bool progress = true; progress;) {
        progress = false;
        for (std::size_t i = 0; i < count; ++i) {
            if (placed[i] || waiting_for[i] != 0) continue;
            placed[i] = true;
            result.order.push_back(i);
            for (const std::size_t child : children[i]) --waiting_for[child];
            progress = true;
            break;  // rescan from the start: earlier tables freed by this one go first
        }
    }
    for (std::size_t i = 0; i < count; ++i) {
        if (!placed[i]) {
            result.cycle.push_back(i);
            result.order.push_back(i);
        }
    }
    return result;
}

}  // namespace tg::cli
