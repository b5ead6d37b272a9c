// tenant_guard.deletions(since, until, actor, application_name, xid)
// tenant_guard.undelete_where(since, until, actor, application_name, xid,
//                             on_conflict, dry_run, tenants)
// tenant_guard.undelete_conflicts(since, until, actor, application_name, xid,
//                                 tenants)
//
// Undoing an operation: what a script deleted, per tenant and table, and
// bringing exactly that back. Both read the filter of deletion_filter.hpp;
// deletions() narrows by the BRIN index on deleted_at when a window is given.
// undelete_where restores tenant by tenant (in tenant order, each under its
// tenant lock), parents before children, in the caller's transaction.
// undelete_conflicts reads what undelete_where with on_conflict 'error' would
// refuse, without restoring anything: the plan of `tenant-guard recover`, at
// the cost of reading, where a dry run restores everything and rolls it back.
#include <functional>

#include "extension/errors.hpp"
#include "extension/fk_order.hpp"
#include "extension/lock_retry.hpp"
#include "extension/module.hpp"
#include "extension/pg/function_args.hpp"
#include "extension/spi.hpp"
#include "extension/subtransaction.hpp"
#include "extension/table_restore.hpp"
#include "extension/tenant_lock.hpp"

namespace {

using namespace tg;

struct TenantTableCounts {
    std::string tenant;
    TableCounts counts;
};

std::vector<std::string> matching_tenants(const DeletionFilter &filter, const spi::Arg &tenants) {
    std::vector<spi::Arg> args = {tenants};
    for (const auto &a : filter.args()) args.push_back(a);
    spi::AsExtensionOwner owner;
    uint64 n = spi::exec(
        "SELECT DISTINCT t.tenant FROM tenant_guard.tombstone_data t "
        " WHERE ($1::text[] IS NULL OR t.tenant = ANY ($1)) AND " +
            DeletionFilter::condition("t", 2) + " ORDER BY t.tenant",
        args);
    std::vector<std::string> out;
    for (uint64 r = 0; r < n; r++) out.push_back(spi::text(r, 1));
    return out;
}

// count_only: undelete_conflicts (no tenant lock, nothing written).
std::vector<TenantTableCounts> undelete_where(const DeletionFilter &filter, const spi::Arg &tenants,
                                              bool skip_conflicts, bool count_only = false) {
    spi::Session spi;
    auto active = registry::active_tables();
    auto order = parents_first(active);
    RestorePlans plans;  // each table's SQL, built for the first tenant, kept for the others
    std::vector<TenantTableCounts> results;
    for (const auto &tenant : matching_tenants(filter, tenants)) {
        if (!count_only) lock_tenant(tenant);
        RestoreOptions options;
        options.tenant = tenant;
        options.filter = filter;
        options.skip_conflicts = skip_conflicts;
        options.count_only = count_only;
        options.caller = count_only ? "undelete_conflicts" : "undelete_where";
        for (const auto &table : order) {
            if (table.delete_mode == "flag") continue;  // flagged rows carry no operation
            TableCounts c = restore_table(table, options, active, plans);
            if (count_only ? c.conflicts > 0 : c.restored + c.skipped > 0) results.push_back({tenant, c});
        }
    }
    return results;
}

}  // namespace

TG_FUNCTION(tg_deletions) {
    DeletionFilter filter = DeletionFilter::from_args(fcinfo, 0);
    spi::Session spi;
    spi::AsExtensionOwner owner;
    // Aggregated in the index's (tenant, table_id) order, then joined: a
    // join per tombstone cost as much as the aggregates.
    uint64 n = spi::exec(
        "SELECT a.tenant::text, p.rel, a.n, a.first_at, a.last_at, a.xids, a.actors "
        "  FROM (SELECT t.tenant, t.table_id, count(*) AS n, min(t.deleted_at) AS first_at, "
        "               max(t.deleted_at) AS last_at, count(DISTINCT t.xid) AS xids, "
        "               coalesce(array_agg(DISTINCT t.actor ORDER BY t.actor) "
        "                        FILTER (WHERE t.actor IS NOT NULL), '{}') AS actors "
        "          FROM tenant_guard.tombstone_data t WHERE " +
            DeletionFilter::condition("t", 1) +
            "         GROUP BY t.tenant, t.table_id) a "
            "  JOIN tenant_guard.protected_table p USING (table_id) ORDER BY a.tenant, a.table_id",
        filter.args());
    pg::return_spi_rows(fcinfo, n);
    return (Datum)0;
}

namespace {

// The filter of undelete_where and undelete_conflicts: at least one (22023).
// verb: what the function would do to every tombstone without one.
DeletionFilter required_filter(FunctionCallInfo fcinfo, const char *function, const char *verb) {
    DeletionFilter filter = DeletionFilter::from_args(fcinfo, 0);
    if (!filter.any())
        throw Error(ERRCODE_INVALID_PARAMETER_VALUE, std::string(function) + " needs at least one filter",
                    std::string("Without one it would ") + verb +
                        " every tombstone of every tenant, the deletions made on purpose included.",
                    "Give since, until, actor, application_name or xid; tenant_guard.deletions() with the same "
                    "filter shows what they select.");
    return filter;
}

spi::Arg tenants_argument(FunctionCallInfo fcinfo, int n) {
    return pg::arg_is_null(fcinfo, n) ? spi::null_arg(TEXTARRAYOID) : spi::Arg{TEXTARRAYOID, pg::arg_datum(fcinfo, n)};
}

}  // namespace

TG_FUNCTION(tg_undelete_where) {
    spi::PinnedOutputSettings output;  // values compared and read as the images spell them
    DeletionFilter filter = required_filter(fcinfo, "undelete_where", "restore");
    bool skip_conflicts = skip_conflicts_argument(fcinfo, 5);
    bool dry_run = !pg::arg_is_null(fcinfo, 6) && pg::arg_bool(fcinfo, 6);
    spi::Arg tenants = tenants_argument(fcinfo, 7);
    std::function<std::vector<TenantTableCounts>()> work = [&] {
        return undelete_where(filter, tenants, skip_conflicts);
    };
    std::vector<TenantTableCounts> results =
        dry_run ? run_and_roll_back(work) : without_lock_waits("undelete_where", work);
    pg::begin_rows(fcinfo);
    for (const auto &r : results) {
        Datum values[4] = {pg::text_datum(r.tenant.data(), (int)r.tenant.size()), datum::from_oid(r.counts.relid),
                           datum::from_int64(r.counts.restored), datum::from_int64(r.counts.skipped)};
        bool nulls[4] = {};
        pg::return_row(fcinfo, values, nulls);
    }
    return (Datum)0;
}

TG_FUNCTION(tg_undelete_conflicts) {
    spi::PinnedOutputSettings output;  // keys compared as the images spell them
    DeletionFilter filter = required_filter(fcinfo, "undelete_conflicts", "check");
    std::vector<TenantTableCounts> results = undelete_where(filter, tenants_argument(fcinfo, 5), false, true);
    pg::begin_rows(fcinfo);
    for (const auto &r : results) {
        Datum values[3] = {pg::text_datum(r.tenant.data(), (int)r.tenant.size()), datum::from_oid(r.counts.relid),
                           datum::from_int64(r.counts.conflicts)};
        bool nulls[3] = {};
        pg::return_row(fcinfo, values, nulls);
    }
    return (Datum)0;
}
