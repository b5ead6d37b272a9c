#include "cli/recover/recover_plan.hpp"

#include "cli/deletions/deletions_query.hpp"

#include <chrono>
#include <map>

namespace tg::cli {

std::string server_time(Connection &conn) {
    return conn.exec("SELECT " + utc_text_sql("pg_catalog.clock_timestamp()")).get(0, 0);
}

Plan make_plan(Connection &conn, const DeletionFilter &window) {
    const auto start = std::chrono::steady_clock::now();
    Plan plan;
    plan.window = window;
    // One snapshot for both reads, so the conflicts belong to the rows listed
    // (not READ ONLY: the dry run locks the tombstones it reads).
    Transaction snapshot(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ");
    const std::vector<DeletionRow> rows = fetch_deletions(conn, window);
    plan.summary = summarize(rows);
    const std::string sql =
        "SELECT u.tenant, " + qualified_rel_sql("u.rel") +
        ", u.skipped FROM tenant_guard.undelete_where($1::timestamptz, $2::timestamptz, $3, $4, $5::xid8, "
        "on_conflict => 'skip', dry_run => true) AS u WHERE u.skipped > 0";
    std::map<std::pair<std::string, std::string>, std::uint64_t> skipped;
    if (!rows.empty()) {
        const Result result = [&] {
            try {
                return conn.exec(sql, filter_values(window));
            } catch (const PgError &error) {
                rethrow_explained(error, "tenant_guard.undelete_where");
            }
        }();
        for (int r = 0; r < result.rows(); ++r) {
            skipped[{result.get(r, 0), result.get(r, 1)}] += std::stoull(result.get(r, 2));
        }
    }
    snapshot.commit();
    for (const auto &row : rows) {
        if (plan.tenants.empty() || plan.tenants.back().tenant != row.tenant) plan.tenants.push_back({row.tenant, {}});
        const auto found = skipped.find({row.tenant, row.rel});
        const std::uint64_t conflicts = found == skipped.end() ? 0 : found->second;
        plan.tenants.back().tables.push_back({row.rel, row.rows, conflicts});
        plan.conflicts += conflicts;
    }
    plan.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return plan;
}

}  // namespace tg::cli
