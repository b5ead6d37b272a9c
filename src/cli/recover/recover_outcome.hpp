// What recover did with one tenant: per table the rows restored and skipped
// (undelete_where) and the checksum of the tenant's rows after the restore
// (tenant_checksum, in the same transaction), or why it is not back. The
// journal records restored tenants in this shape and the report prints it.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace tg::cli {

struct TableResult {
    std::string rel;  // schema-qualified
    std::uint64_t restored = 0;
    std::uint64_t skipped = 0;
    std::string checksum;  // md5 hex of the tenant's rows of the table after the restore
    bool counted = true;   // false: restored and skipped are not known (restored with no journal entry)
};

enum class TenantStatus {
    restored,              // by this run
    restored_earlier,      // by an earlier run, as its journal says
    restored_unjournaled,  // planned, and nothing of it is left, but no journal entry (a run killed after COMMIT)
    failed,                // rolled back: conflict, lost connection, …
    interrupted,           // rolled back by Ctrl-C
    not_started,           // the run stopped before it
};

struct TenantOutcome {
    std::string tenant;
    TenantStatus status = TenantStatus::not_started;
    std::vector<TableResult> tables;
    std::string finished_at;  // UTC, when restored
    std::string error;        // Failed / Interrupted
    std::uint64_t planned_rows = 0;

    bool back() const;
    std::uint64_t restored() const;
    std::uint64_t skipped() const;
};

// "restored", "restored earlier", "restored (not journaled)", "FAILED", "interrupted", "not started"
const char *status_text(TenantStatus status);
// "restored", "restored_earlier", "restored_unjournaled", "failed", "interrupted", "not_started"
const char *status_key(TenantStatus status);

nlohmann::ordered_json table_to_json(const TableResult &table);
TableResult table_from_json(const nlohmann::ordered_json &value);  // throws Failure

}  // namespace tg::cli
