#include "cli/recover/recover_plan.hpp"

#include "cli/deletions/deletions_query.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <exception>
#include <map>
#include <thread>

namespace tg::cli {

std::string server_time(Connection &conn) {
    return conn.exec("SELECT " + utc_text_sql("pg_catalog.clock_timestamp()")).get(0, 0);
}

namespace {

// Whether the server has undelete_conflicts() (0.8.0) and this role may call it.
bool can_count_conflicts(Connection &conn) {
    return conn.exec(
                   "SELECT coalesce(pg_catalog.has_function_privilege(p, 'EXECUTE'), false) FROM "
                   "pg_catalog.to_regprocedure('tenant_guard.undelete_conflicts(timestamptz, timestamptz, text, "
                   "text, xid8, text[])') AS p")
               .get(0, 0) == "t";
}

using ConflictCounts = std::map<std::pair<std::string, std::string>, std::uint64_t>;  // by (tenant, table)

const std::string filter_args = "$1::timestamptz, $2::timestamptz, $3, $4, $5::xid8";

// Adds the (tenant, table, count) rows of result to counts.
void add_counts(const Result &result, ConflictCounts &counts) {
    for (int r = 0; r < result.rows(); ++r)
        counts[{result.get(r, 0), result.get(r, 1)}] += std::stoull(result.get(r, 2));
}

// undelete_conflicts() of the tenants (a JSON array), in this connection's transaction.
Result count_conflicts(Connection &conn, const DeletionFilter &window, const std::string &tenants_json) {
    Params params = filter_values(window);
    params.push_back(tenants_json);
    try {
        return conn.exec("SELECT u.tenant, " + qualified_rel_sql("u.rel") +
                             ", u.conflicts FROM tenant_guard.undelete_conflicts(" + filter_args +
                             ", ARRAY(SELECT pg_catalog.json_array_elements_text($6::json))) AS u",
                         params);
    } catch (const PgError &error) {
        rethrow_explained(error, "tenant_guard.undelete_conflicts");
    }
}

// The tenants cut into at most jobs slices of about equal rows, in tenant order.
std::vector<nlohmann::json> tenant_slices(const std::vector<DeletionRow> &rows, int jobs) {
    std::uint64_t total = 0;
    for (const auto &row : rows) total += row.rows;
    std::vector<nlohmann::json> slices(1, nlohmann::json::array());
    std::uint64_t in_slice = 0;
    const std::uint64_t share = total / static_cast<std::uint64_t>(std::max(jobs, 1)) + 1;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const bool new_tenant = i == 0 || rows[i].tenant != rows[i - 1].tenant;
        if (new_tenant && in_slice >= share && static_cast<int>(slices.size()) < jobs) {
            slices.push_back(nlohmann::json::array());
            in_slice = 0;
        }
        if (new_tenant) slices.back().push_back(rows[i].tenant);
        in_slice += rows[i].rows;
    }
    return slices;
}

// The conflicts of every slice, each on its own connection in the snapshot
// of the plan's transaction (exported by conn), at the same time.
ConflictCounts count_in_parallel(Connection &conn, const DeletionFilter &window, const std::string &dbname,
                                 const std::vector<nlohmann::json> &slices) {
    const std::string snapshot = conn.exec("SELECT pg_catalog.pg_export_snapshot()").get(0, 0);
    std::vector<ConflictCounts> counts(slices.size());
    std::vector<std::exception_ptr> errors(slices.size());
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < slices.size(); ++i) {
        threads.emplace_back([&, i] {
            try {
                Connection worker = Connection::open(dbname);
                Transaction transaction(worker, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
                worker.exec("SET TRANSACTION SNAPSHOT " + worker.literal(snapshot));
                add_counts(count_conflicts(worker, window, slices[i].dump()), counts[i]);
                transaction.commit();
            } catch (...) {
                errors[i] = std::current_exception();
            }
        });
    }
    for (auto &thread : threads) thread.join();
    for (const auto &error : errors)
        if (error) std::rethrow_exception(error);
    ConflictCounts all;
    for (const auto &c : counts)
        for (const auto &[key, n] : c) all[key] += n;
    return all;
}

}  // namespace

Plan make_plan(Connection &conn, const DeletionFilter &window, const std::string &dbname, int jobs) {
    const auto start = std::chrono::steady_clock::now();
    Plan plan;
    plan.window = window;
    // undelete_conflicts reads; the dry run of an older server restores
    // everything and rolls it back (and locks the tombstones it reads).
    const bool counted = can_count_conflicts(conn);
    // One snapshot for every read, so the conflicts belong to the rows listed.
    Transaction snapshot(
        conn, counted ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN ISOLATION LEVEL REPEATABLE READ");
    const std::vector<DeletionRow> rows = fetch_deletions(conn, window);
    plan.summary = summarize(rows);
    ConflictCounts skipped;
    if (!rows.empty() && counted) {
        const std::vector<nlohmann::json> slices = tenant_slices(rows, jobs);
        if (slices.size() > 1)
            skipped = count_in_parallel(conn, window, dbname, slices);
        else
            add_counts(count_conflicts(conn, window, slices[0].dump()), skipped);
    } else if (!rows.empty()) {
        try {
            add_counts(conn.exec("SELECT u.tenant, " + qualified_rel_sql("u.rel") +
                                     ", u.skipped FROM tenant_guard.undelete_where(" + filter_args +
                                     ", on_conflict => 'skip', dry_run => true) AS u WHERE u.skipped > 0",
                                 filter_values(window)),
                       skipped);
        } catch (const PgError &error) {
            rethrow_explained(error, "tenant_guard.undelete_where");
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
