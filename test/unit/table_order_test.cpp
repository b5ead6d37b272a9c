#include "common/table_order.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace tg::common {
namespace {

using Edges = std::vector<std::pair<std::size_t, std::size_t>>;

TEST(TableOrder, ParentsComeBeforeChildren) {
    // 0 comments → 1 issues → 2 projects → 3 sites
    const TableOrder order = parents_first(4, Edges{{0, 1}, {1, 2}, {2, 3}});
    EXPECT_EQ(order.order, (std::vector<std::size_t>{3, 2, 1, 0}));
    EXPECT_TRUE(order.cycle.empty());
}

TEST(TableOrder, StableAmongFreeTables) {
    EXPECT_EQ(parents_first(3, {}).order, (std::vector<std::size_t>{0, 1, 2}));
    // 2 references 0; 1 is free: 0, 1, 2 (2 waits for 0 but not behind 1).
    EXPECT_EQ(parents_first(3, Edges{{2, 0}}).order, (std::vector<std::size_t>{0, 1, 2}));
    // 0 references 2: 1 and 2 are free, then 0.
    EXPECT_EQ(parents_first(3, Edges{{0, 2}}).order, (std::vector<std::size_t>{1, 2, 0}));
}

TEST(TableOrder, DiamondAndDuplicateEdges) {
    // 3 references 1 and 2, both reference 0; an edge given twice counts once per copy.
    const TableOrder order = parents_first(4, Edges{{3, 1}, {3, 2}, {1, 0}, {2, 0}, {1, 0}});
    EXPECT_EQ(order.order, (std::vector<std::size_t>{0, 1, 2, 3}));
}

TEST(TableOrder, SelfReferenceIsNoCycle) {
    const TableOrder order = parents_first(2, Edges{{0, 0}, {0, 1}});
    EXPECT_EQ(order.order, (std::vector<std::size_t>{1, 0}));
    EXPECT_TRUE(order.cycle.empty());
}

TEST(TableOrder, CyclesBreakAtTheFirstTableLeft) {
    // 1 and 2 reference each other, 3 references 1: 0 is free; then the cycle
    // is broken at 1 (first left), 2 follows, then 3. Only 1 and 2 are on it.
    const TableOrder order = parents_first(4, Edges{{1, 2}, {2, 1}, {3, 1}});
    EXPECT_EQ(order.order, (std::vector<std::size_t>{0, 1, 2, 3}));
    EXPECT_EQ(order.cycle, (std::vector<std::size_t>{1, 2}));
    // A cycle whose first member in input order waits on a free table: the
    // free one still goes first.
    const TableOrder later = parents_first(3, Edges{{0, 1}, {1, 0}, {0, 2}});
    EXPECT_EQ(later.order, (std::vector<std::size_t>{2, 0, 1}));
    EXPECT_EQ(later.cycle, (std::vector<std::size_t>{0, 1}));
}

TEST(TableOrder, TablesFreedByAnEarlierOneGoFirst) {
    // 2 references 1; placing 1 frees 2 before 3, which is later in the input.
    EXPECT_EQ(parents_first(4, Edges{{2, 1}, {0, 3}}).order, (std::vector<std::size_t>{1, 2, 3, 0}));
}

TEST(TableOrder, UnknownTableIsABug) { EXPECT_THROW(parents_first(2, Edges{{0, 5}}), std::out_of_range); }

}  // namespace
}  // namespace tg::common
