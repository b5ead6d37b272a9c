// The plan of `recover`: within the frozen window, what is deleted
// (deletions()) and what would conflict (undelete_where(…, on_conflict =>
// 'skip', dry_run => true)), per tenant and table. Reads only.
#pragma once

#include "cli/deletions/operation_filter.hpp"
#include "cli/deletions/deletions_summary.hpp"
#include "cli/db/connection.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace tg::cli {

struct TablePlan {
    std::string rel;
    std::uint64_t rows = 0;       // tombstones that match
    std::uint64_t conflicts = 0;  // of them, rows a dry run would skip (key taken, or parent skipped)
};

struct TenantPlan {
    std::string tenant;
    std::vector<TablePlan> tables;
    std::uint64_t rows() const {
        std::uint64_t n = 0;
        for (const auto &t : tables) n += t.rows;
        return n;
    }
    std::uint64_t conflicts() const {
        std::uint64_t n = 0;
        for (const auto &t : tables) n += t.conflicts;
        return n;
    }
};

struct Plan {
    DeletionFilter window;
    DeletionSummary summary;
    std::vector<TenantPlan> tenants;  // ordered by tenant
    std::uint64_t conflicts = 0;
    double seconds = 0.0;  // the time the plan took
};

// The server's clock now, as UTC text: the end of a window given no --until.
std::string server_time(Connection &conn);

Plan make_plan(Connection &conn, const DeletionFilter &window);

}  // namespace tg::cli
