#include "cli/recover/recover_restore.hpp"

#include "cli/deletions/deletions_query.hpp"

#include <nlohmann/json.hpp>

#include <map>

namespace tg::cli {

TenantOutcome restore_tenant(Connection &conn, const DeletionFilter &window, const std::string &tenant,
                             const std::vector<std::string> &tables, const std::atomic<bool> &stop) {
    if (stop) throw Interrupted();
    Transaction transaction(conn);
    Params params = filter_values(window);
    params.push_back(tenant);
    const Result restored = [&] {
        try {
            return conn.exec("SELECT " + qualified_rel_sql("u.rel") +
                                 ", u.restored, u.skipped FROM tenant_guard.undelete_where($1::timestamptz, "
                                 "$2::timestamptz, $3, $4, $5::xid8, on_conflict => 'error', dry_run => false, "
                                 "tenants => ARRAY[$6]::text[]) AS u",
                             params);
        } catch (const PgError &error) {
            rethrow_explained(error, "tenant_guard.undelete_where");
        }
    }();
    std::map<std::string, TableResult> by_table;
    for (const auto &rel : tables) by_table[rel].rel = rel;
    for (int r = 0; r < restored.rows(); ++r) {
        TableResult &table = by_table[restored.get(r, 0)];
        table.rel = restored.get(r, 0);
        table.restored += std::stoull(restored.get(r, 1));
        table.skipped += std::stoull(restored.get(r, 2));
    }
    if (stop) throw Interrupted();

    nlohmann::json rels = nlohmann::json::array();
    for (const auto &entry : by_table) rels.push_back(entry.first);
    const Result sums = [&] {
        try {
            return conn.exec(
                "SELECT r, tenant_guard.tenant_checksum($1, r::regclass) FROM "
                "pg_catalog.json_array_elements_text($2::json) AS r",
                {tenant, rels.dump()});
        } catch (const PgError &error) {
            rethrow_explained(error, "tenant_guard.tenant_checksum");
        }
    }();
    for (int r = 0; r < sums.rows(); ++r) by_table[sums.get(r, 0)].checksum = sums.get(r, 1);
    const std::string finished_at = conn.exec("SELECT " + utc_text_sql("pg_catalog.clock_timestamp()")).get(0, 0);
    if (stop) throw Interrupted();
    transaction.commit();

    TenantOutcome outcome;
    outcome.tenant = tenant;
    outcome.status = TenantStatus::restored;
    outcome.finished_at = finished_at;
    for (auto &[rel, table] : by_table) outcome.tables.push_back(std::move(table));
    return outcome;
}

}  // namespace tg::cli
