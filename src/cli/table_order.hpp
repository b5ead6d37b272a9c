// Parents before children: the order in which a tenant's tables can be filled
// without violating foreign keys (and its reverse for emptying them).
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace tg::cli {

struct TableOrder {
    std::vector<std::size_t> order;  // indexes into the caller's table list
    // Tables on a foreign-key cycle (other than a table referencing itself,
    // which one COPY satisfies): no order fills them safely; they come last,
    // in input order, and need DEFERRABLE constraints.
    std::vector<std::size_t> cycle;
};

// edges: (child, parent) pairs, "child references parent". Stable: among
// tables free to go, the one first in the input goes first.
TableOrder parents_first(std::size_t count, const std::vector<std::pair<std::size_t, std::size_t>>& edges);

}  // namespace tg::cli
