// purge: tenant_guard.purge(token, dry_run) and its per-table counts. One
// server call, so progress can only be the time it has taken so far.
#include "cli/commands/commands.hpp"

#include "cli/cli_error.hpp"
#include "cli/db/connection.hpp"
#include "cli/progress.hpp"
#include "cli/text_table.hpp"

#include <iostream>

namespace tg::cli {

int run_purge(const Options &o) {
    Connection conn = Connection::open(o.dbname);
    Progress progress(o.dry_run ? "purge (dry run)" : "purge", stderr_is_terminal());
    const Result result = conn.exec_watched(
        "SELECT rel::text, live_deleted, tombstones_deleted, history_deleted FROM tenant_guard.purge($1, $2)",
        {o.token, std::string(o.dry_run ? "true" : "false")}, [&] { progress.tick(); });
    const double seconds = progress.elapsed_seconds();
    progress.done();

    TextTable table{{"table", "live_deleted", "tombstones_deleted", "history_deleted"}, {false, true, true, true}, {}};
    std::uint64_t total = 0;
    for (int r = 0; r < result.rows(); ++r) {
        table.rows.push_back({result.get(r, 0), result.get(r, 1), result.get(r, 2), result.get(r, 3)});
        for (int c = 1; c <= 3; ++c) total += std::stoull(result.get(r, c));
    }
    std::cout << render(table);
    if (o.dry_run) {
        std::cout << "dry run: " << with_thousands(total)
                  << " rows would be erased; nothing changed, the token is unused\n";
    } else {
        std::cout << "purged " << with_thousands(total) << " rows in " << format_seconds(seconds) << " ("
                  << rate(total, seconds) << " rows/s); the receipt is in tenant_guard.purge_receipts\n";
    }
    return exit_ok;
}

}  // namespace tg::cli
