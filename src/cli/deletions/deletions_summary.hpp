// What an operation deleted, as tenant_guard.deletions() returns it (one row
// per tenant and table), and the summary both `deletions` and the plan of
// `recover` print: how many tenants, tables and rows, from when to when, by
// which actors. Times are ISO 8601 UTC text ("2026-12-01T10:00:00.000000Z"),
// so they sort and compare as strings.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace tg::cli {

struct DeletionRow {
    std::string tenant;
    std::string rel;  // schema-qualified, quoted where needed
    std::uint64_t rows = 0;
    std::string first_at;
    std::string last_at;
    std::uint64_t transactions = 0;
    std::vector<std::string> actors;  // without NULL (deletions made with no actor set)
    bool without_actor = false;       // the rows were deleted with no actor set
};

struct DeletionSummary {
    std::uint64_t tenants = 0;
    std::vector<std::string> tables;  // distinct, sorted
    std::uint64_t rows = 0;
    std::string first_at;  // "" when there are no rows
    std::string last_at;
    std::vector<std::string> actors;  // distinct, sorted
    bool without_actor = false;
};

DeletionSummary summarize(const std::vector<DeletionRow> &rows);

// "40 tenants, 3 tables, 4,800 rows, deleted 2026-… .. 2026-…, actors: cleanup-script"
std::string summary_line(const DeletionSummary &summary);
// "cleanup-script, (none)": the actors for a text column or line.
std::string actors_text(const std::vector<std::string> &actors, bool without_actor);

nlohmann::ordered_json summary_to_json(const DeletionSummary &summary);
nlohmann::ordered_json row_to_json(const DeletionRow &row);

}  // namespace tg::cli
