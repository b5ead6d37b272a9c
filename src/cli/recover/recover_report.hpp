// What `recover` prints: the plan before it restores anything, and the
// report at the end (per tenant and table the rows restored and skipped and
// the checksum of the tenant's rows after the restore), as text and as JSON.
#pragma once

#include "cli/deletions/operation_filter.hpp"
#include "cli/recover/recover_outcome.hpp"
#include "cli/recover/recover_plan.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace tg::cli {

// Where a resumed recovery stands before this run.
struct Resumed {
    bool from_journal = false;
    std::string created_at;
    std::uint64_t earlier_tenants = 0;
    std::uint64_t earlier_rows = 0;
    std::uint64_t unjournaled_tenants = 0;  // planned, nothing left, no entry
};

std::string plan_text(const Plan &plan, const DeletionFilter &filter, const std::string &journal_path,
                      const Resumed &resumed);

struct RecoveryReport {
    std::string database_id;
    DeletionFilter filter;
    DeletionFilter window;
    std::string journal_path;
    std::string started_at;
    std::string finished_at;
    double seconds = 0.0;  // this run's restoring
    bool interrupted = false;
    std::vector<TenantOutcome> tenants;  // every tenant of the recovery, earlier runs' too

    // Every tenant back (restored now, earlier, or without a journal entry).
    bool complete() const;
};

std::string report_text(const RecoveryReport &report);
nlohmann::ordered_json report_json(const RecoveryReport &report);

}  // namespace tg::cli
