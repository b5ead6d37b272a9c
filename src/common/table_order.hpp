// Parents before children: the order in which tables linked by foreign keys
// can be filled without violating them (and its reverse for emptying them).
// The one rule for the extension (undelete, rewind, purge) and the command
// line (export, import, recover).
#pragma once

#include "no_postgres.hpp"

#include <cstddef>
#include <utility>
#include <vector>

namespace tg::common {

struct TableOrder {
    std::vector<std::size_t> order;  // indexes into the caller's table list
    // Tables on a foreign-key cycle (other than a table referencing itself,
    // which one statement satisfies), in input order: no order fills them
    // safely without DEFERRABLE constraints.
    std::vector<std::size_t> cycle;
};

// count tables, given in the caller's order of precedence (the extension and
// the command line give them in protection order); edges: (child, parent)
// pairs, "child references parent". Among the tables whose parents are all
// placed, the first in the input goes first. When a cycle leaves no table
// free, the first table left in the input is placed next, and the rest of
// the cycle follows as its members become free.
TableOrder parents_first(std::size_t count, const std::vector<std::pair<std::size_t, std::size_t>> &edges);

}  // namespace tg::common
