// deletions: what an operation deleted, per tenant and table
// (tenant_guard.deletions), as a table with a summary line, or as one JSON
// document with --json. Changes nothing.
#include "cli/commands/commands.hpp"

#include "cli/deletions/deletions_query.hpp"
#include "cli/cli_error.hpp"
#include "cli/db/connection.hpp"
#include "cli/progress.hpp"
#include "cli/text_table.hpp"

#include <iostream>

namespace tg::cli {

int run_deletions(const Options &o) {
    Connection conn = Connection::open(o.dbname);
    const DeletionFilter filter = normalize_filter(conn, o.filter);
    fixed_output_settings(conn);
    const std::vector<DeletionRow> rows = fetch_deletions(conn, filter);
    const DeletionSummary summary = summarize(rows);

    if (o.json) {
        nlohmann::ordered_json document = {{"filter", filter_to_json(filter)},
                                           {"deletions", nlohmann::ordered_json::array()},
                                           {"summary", summary_to_json(summary)}};
        for (const auto &row : rows) document["deletions"].push_back(row_to_json(row));
        std::cout << document.dump(2) << "\n";
        return exit_ok;
    }
    TextTable table{{"tenant", "table", "rows", "first_at", "last_at", "transactions", "actors"},
                    {false, false, true, false, false, true, false},
                    {}};
    for (const auto &row : rows) {
        table.rows.push_back({row.tenant, row.rel, with_thousands(row.rows), row.first_at, row.last_at,
                              with_thousands(row.transactions), actors_text(row.actors, row.without_actor)});
    }
    std::cout << render(table) << summary_line(summary) << "\n";
    return exit_ok;
}

}  // namespace tg::cli
