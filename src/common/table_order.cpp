#include "table_order.hpp"

#include <algorithm>
#include <functional>
#include <stdexcept>

namespace tg::common {

namespace {

// Members of strongly connected components of more than one table (Tarjan).
std::vector<bool> on_cycles(std::size_t count, const std::vector<std::vector<std::size_t>> &parents) {
    std::vector<bool> result(count, false);
    std::vector<int> index(count, -1), low(count, 0);
    std::vector<bool> stacked(count, false);
    std::vector<std::size_t> stack;
    int next = 0;
    std::function<void(std::size_t)> visit = [&](std::size_t v) {
        index[v] = low[v] = next++;
        stack.push_back(v);
        stacked[v] = true;
        for (const std::size_t w : parents[v]) {
            if (index[w] < 0) {
                visit(w);
                low[v] = std::min(low[v], low[w]);
            } else if (stacked[w]) {
                low[v] = std::min(low[v], index[w]);
            }
        }
        if (low[v] != index[v]) return;
        std::vector<std::size_t> component;
        std::size_t w;
        do {
            w = stack.back();
            stack.pop_back();
            stacked[w] = false;
            component.push_back(w);
        } while (w != v);
        if (component.size() > 1)
            for (const std::size_t m : component) result[m] = true;
    };
    for (std::size_t v = 0; v < count; ++v)
        if (index[v] < 0) visit(v);
    return result;
}

}  // namespace

TableOrder parents_first(std::size_t count, const std::vector<std::pair<std::size_t, std::size_t>> &edges) {
    std::vector<std::vector<std::size_t>> parents(count);
    for (const auto &[child, parent] : edges) {
        if (child >= count || parent >= count) throw std::out_of_range("foreign-key edge names an unknown table");
        if (child != parent) parents[child].push_back(parent);
    }
    TableOrder result;
    std::vector<bool> placed(count, false);
    auto free = [&](std::size_t i) {
        return std::all_of(parents[i].begin(), parents[i].end(), [&](std::size_t p) { return placed[p]; });
    };
    // Quadratic in the number of tables, which stays in the hundreds; the
    // simple scan keeps the order stable.
    while (result.order.size() < count) {
        std::size_t chosen = count, first_left = count;
        for (std::size_t i = 0; i < count && chosen == count; ++i) {
            if (placed[i]) continue;
            if (first_left == count) first_left = i;
            if (free(i)) chosen = i;
        }
        if (chosen == count) chosen = first_left;  // a cycle: break it at the first table left
        placed[chosen] = true;
        result.order.push_back(chosen);
    }
    const std::vector<bool> cyclic = on_cycles(count, parents);
    for (std::size_t i = 0; i < count; ++i)
        if (cyclic[i]) result.cycle.push_back(i);
    return result;
}

}  // namespace tg::common
