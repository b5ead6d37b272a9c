// tenant_guard.undelete(tenant, rels, deleted_after, on_conflict, dry_run)
// tenant_guard.undelete_trash(tombstone_ids, on_conflict, dry_run)
//
// Per table, parents before children, the tenant's tombstones go back into
// their table (table_restore.hpp); in flag mode the flag is cleared.
// undelete_trash is the form an application role can be granted: only the
// tenant its session is pinned to (tenant_guard.tenant), only tombstones
// (the rows tenant_guard.trash shows it). A dry run does all of it in a
// subtransaction and rolls it back, so its counts are exactly what a real
// run would do.
#include <functional>

#include "extension/citus.hpp"
#include "extension/columns.hpp"
#include "extension/errors.hpp"
#include "extension/fk_order.hpp"
#include "extension/lock_retry.hpp"
#include "extension/capture_scopes.hpp"
#include "extension/pg/catalog_calls.hpp"
#include "extension/pg/function_args.hpp"
#include "extension/pg/session_calls.hpp"
#include "extension/restore_rights.hpp"
#include "extension/spi.hpp"
#include "extension/subtransaction.hpp"
#include "extension/table_counts.hpp"
#include "extension/table_restore.hpp"
#include "extension/tenant_lock.hpp"

namespace {

using namespace tg;

std::vector<registry::ProtectedTable> tables_in_scope(FunctionCallInfo fcinfo,
                                                      const std::vector<registry::ProtectedTable> &active) {
    if (pg::arg_is_null(fcinfo, 1)) return parents_first(active);
    const pg::ArrayItems rels = pg::arg_array(fcinfo, 1, REGCLASSOID);
    std::vector<registry::ProtectedTable> chosen;
    for (int i = 0; i < rels.count; i++) {
        if (rels.nulls[i]) throw Error(ERRCODE_NULL_VALUE_NOT_ALLOWED, "rels must not contain NULL");
        Oid relid = datum::to_oid(rels.items[i]);
        const registry::ProtectedTable *match = nullptr;
        for (const auto &t : active)
            if (t.relid == relid) match = &t;
        if (!match)
            throw Error(ERRCODE_INVALID_PARAMETER_VALUE,
                        "table " + spi::qualified_name(relid) + " is not protected by tenant_guard", "",
                        "See tenant_guard.protected_tables.");
        bool dup = false;
        for (const auto &c : chosen) dup |= c.table_id == match->table_id;
        if (!dup) chosen.push_back(*match);
    }
    return parents_first(chosen);
}

// Flag mode: the rows never left; clearing the flag brings them back.
TableCounts clear_flags(const registry::ProtectedTable &table, const RestoreOptions &options) {
    TableCounts counts;
    counts.relid = table.relid;
    std::string rel = spi::qualified_name(table.relid);
    std::string flag = spi::quote_ident(table.flag_column), tenant = spi::quote_ident(table.tenant_column);
    bool is_bool = pg::column_type(table.relid, table.flag_column.c_str()) == BOOLOID;
    std::string flagged = is_bool ? flag : flag + " IS NOT NULL AND ($2::timestamptz IS NULL OR " + flag + " >= $2)";
    // By the tenant's text in "C": tenant::text kept a nondeterministic
    // collation, and 'acme' cleared ACME's flags (the attacker's report of 0.12.0).
    std::string where = " WHERE " + flagged + " AND " + columns::tenant_text_is(tenant, "$1");
    const spi::Arg &deleted_after = options.filter.since;
    uint64 any_flagged;
    {
        AsTableOwner owner(table.relid);
        any_flagged =
            spi::exec("SELECT 1 FROM " + rel + where + " LIMIT 1", {spi::text_arg(options.tenant), deleted_after});
    }
    if (any_flagged == 0) return counts;  // nothing flagged: no privilege needed
    require_privileges(table.relid, ACL_UPDATE | ACL_SELECT, "undelete");
    std::vector<std::string> deferred = make_constraints_immediate(table.relid);
    {
        AsTableOwner owner(table.relid);
        OriginScope origin(Origin::undelete);
        std::string sql = "UPDATE " + rel + " SET " + flag + (is_bool ? " = false" : " = NULL") + where;
        counts.restored = (int64)spi::exec(sql, {spi::text_arg(options.tenant), deleted_after});
    }
    defer_again(deferred);
    return counts;
}

// with_flags: flag-mode tables too (undelete); else tombstones only (undelete_trash).
std::vector<TableCounts> undelete(const std::vector<registry::ProtectedTable> &tables,
                                  const std::vector<registry::ProtectedTable> &active, const RestoreOptions &options,
                                  bool with_flags) {
    std::vector<TableCounts> results;
    for (const auto &table : tables) {
        citus::refuse_citus_table(table.relid, "undelete rows of");
        bool flag = table.delete_mode == "flag";
        if (flag && !with_flags) continue;
        TableCounts c = flag ? clear_flags(table, options) : restore_table(table, options, active);
        if (c.restored + c.skipped > 0) results.push_back(c);  // tables with nothing of the tenant stay quiet
    }
    return results;
}

std::vector<TableCounts> run(bool dry_run, const char *what, const std::function<std::vector<TableCounts>()> &work) {
    return dry_run ? run_and_roll_back(work) : without_lock_waits(what, work);
}

void return_counts(FunctionCallInfo fcinfo, const std::vector<TableCounts> &results) {
    std::vector<TableCountRow<2>> rows;
    for (const auto &c : results) rows.push_back({c.relid, {c.restored, c.skipped}});
    return_table_counts(fcinfo, rows);
}

}  // namespace

TG_FUNCTION(tg_undelete) {
    spi::PinnedOutputSettings output;  // values compared and read as the images spell them
    if (pg::arg_is_null(fcinfo, 0)) throw Error(ERRCODE_NULL_VALUE_NOT_ALLOWED, "tenant must not be NULL");
    RestoreOptions options;
    options.tenant = pg::arg_text(fcinfo, 0);
    if (!pg::arg_is_null(fcinfo, 2)) options.filter.since = spi::Arg{TIMESTAMPTZOID, pg::arg_datum(fcinfo, 2)};
    options.skip_conflicts = skip_conflicts_argument(fcinfo, 3);
    bool dry_run = !pg::arg_is_null(fcinfo, 4) && pg::arg_bool(fcinfo, 4);
    return_counts(fcinfo, run(dry_run, "undelete", [&] {
                      spi::Session spi;
                      lock_tenant(options.tenant);
                      auto active = registry::active_tables();
                      return undelete(tables_in_scope(fcinfo, active), active, options, true);
                  }));
    return (Datum)0;
}

TG_FUNCTION(tg_undelete_trash) {
    spi::PinnedOutputSettings output;
    pg::refuse_unknown_pin("undelete_trash");
    if (!pg::pinned_tenant())
        throw Error(ERRCODE_INSUFFICIENT_PRIVILEGE, "undelete_trash needs a session pinned to a tenant",
                    "It restores only rows of the tenant set in tenant_guard.tenant, and none is set.",
                    "SET tenant_guard.tenant = '<tenant>' first (tenant_guard.trash shows that tenant's rows).");
    RestoreOptions options;
    options.tenant = pg::pinned_tenant();
    options.caller = "undelete_trash";
    if (!pg::arg_is_null(fcinfo, 0)) options.ids = spi::Arg{INT8ARRAYOID, pg::arg_datum(fcinfo, 0)};
    options.skip_conflicts = skip_conflicts_argument(fcinfo, 1);
    bool dry_run = !pg::arg_is_null(fcinfo, 2) && pg::arg_bool(fcinfo, 2);
    return_counts(
        fcinfo, run(dry_run, "undelete_trash", [&] {
            spi::Session spi;
            lock_tenant(options.tenant);
            auto active = registry::active_tables();
            // The tables whose trash the caller sees (tenant_guard.trash):
            // readable, and no row-level security applying to it there.
            std::vector<registry::ProtectedTable> readable;
            for (const auto &t : parents_first(active))
                if (pg::has_table_privilege(t.relid, ACL_SELECT) && !pg::row_security_applies(t.relid, InvalidOid))
                    readable.push_back(t);
            return undelete(readable, active, options, false);
        }));
    return (Datum)0;
}
