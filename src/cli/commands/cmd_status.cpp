// status: tenant_guard.status(), or tenant_status(T) with --tenant, as a table.
#include "cli/commands/commands.hpp"

#include "cli/cli_error.hpp"
#include "cli/db/connection.hpp"
#include "cli/text_table.hpp"

#include <iostream>

namespace tg::cli {

int run_status(const Options &o) {
    Connection conn = Connection::open(o.dbname);
    const std::string columns =
        "SELECT rel::text, tenant_column, delete_mode, tombstones, history_rows, "
        "coalesce(to_char(oldest_change AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC', '') ";
    const Result result = o.tenant.empty() ? conn.exec(columns + "FROM tenant_guard.status()")
                                           : conn.exec(columns + "FROM tenant_guard.tenant_status($1)", {o.tenant});
    TextTable table{{"table", "tenant_column", "delete_mode", "tombstones", "history_rows", "oldest_change"},
                    {false, false, false, true, true, false},
                    {}};
    for (int r = 0; r < result.rows(); ++r) {
        std::vector<std::string> row;
        for (int c = 0; c < result.columns(); ++c) row.push_back(result.get(r, c));
        table.rows.push_back(std::move(row));
    }
    if (!o.tenant.empty()) std::cout << "tenant " << o.tenant << "\n";
    std::cout << render(table);
    return exit_ok;
}

}  // namespace tg::cli
