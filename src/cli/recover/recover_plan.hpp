// The plan of `recover`: within the frozen window, what is deleted
// (deletions()) and what the restore would refuse (undelete_conflicts();
// against a server before 0.8.0, or without EXECUTE on it, the rows that
// undelete_where(…, on_conflict => 'skip', dry_run => true) skips), per
// tenant and table. Changes nothing.
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
    std::uint64_t conflicts = 0;  // of them, rows the restore refuses (key taken, parent key another tenant's)
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

// The plan in one snapshot of conn. The conflicts are counted on up to jobs
// connections to dbname at once (tenants split between them), sharing that
// snapshot.
Plan make_plan(Connection &conn, const DeletionFilter &window, const std::string &dbname, int jobs);

}  // namespace tg::cli
