// tenant_guard.undelete_row(rel, pk, with_cascade, dry_run)
//
// One object and what cascaded from it (an ORM's "restore this project"):
// the newest tombstone of rel with primary key pk, and with with_cascade the
// tombstones that the same statement's ON DELETE CASCADE removed with it,
// followed down every foreign key of the protected tables (a child counts
// when its key references a row being restored, in the same transaction and
// statement). Conflicts are TG020 and nothing is restored. A session pinned
// to a tenant (tenant_guard.tenant) finds the row among that tenant's
// tombstones only, through the per-tenant index; otherwise the table's
// tombstones are searched.
#include <functional>
#include <map>

#include "extension/columns.hpp"
#include "extension/errors.hpp"
#include "extension/fk_order.hpp"
#include "extension/lock_retry.hpp"
#include "extension/module.hpp"
#include "extension/pg/function_args.hpp"
#include "extension/pg/session_calls.hpp"
#include "extension/spi.hpp"
#include "extension/subtransaction.hpp"
#include "extension/table_counts.hpp"
#include "extension/table_restore.hpp"
#include "extension/tenant_lock.hpp"
#include "extension/tombstone_image.hpp"

namespace {

using namespace tg;

// The deletion the row was removed by.
struct Deletion {
    int64 tombstone_id;
    std::string tenant;
    Datum xid;
    spi::Arg statement_id;
};

Deletion find_deletion(const registry::ProtectedTable &table, Datum pk) {
    const char *pin = pg::pinned_tenant();
    bool pinned = pin != nullptr;
    spi::AsExtensionOwner owner;
    uint64 n = spi::exec(
        "SELECT t.tombstone_id, t.tenant, t.xid, t.statement_id FROM tenant_guard.tombstone_data t "
        " WHERE t.table_id = $1 AND t.pk = $2 AND ($3::text IS NULL OR t.tenant = $3) "
        " ORDER BY t.tombstone_id DESC LIMIT 1",
        {{INT4OID, datum::from_int32(table.table_id)},
         {JSONBOID, pk},
         pinned ? spi::text_arg(pin) : spi::null_arg(TEXTOID)});
    if (n == 0) {
        std::string key = pg::jsonb_text(pk);
        throw Error(ERRCODE_NO_DATA_FOUND,
                    "no tombstone of " + spi::qualified_name(table.relid) + " has primary key " + key +
                        (pinned ? " in tenant \"" + std::string(pin) + "\"" : ""),
                    "",
                    "The key is a jsonb object of the primary-key columns, as tenant_guard.tombstones shows it "
                    "(pk).");
    }
    Deletion d;
    d.tombstone_id = spi::int64_at(0, 1);
    d.tenant = spi::text(0, 2);
    d.xid = spi::datum(0, 3);
    d.statement_id = spi::is_null(0, 4) ? spi::null_arg(INT8OID) : spi::Arg{INT8OID, spi::datum(0, 4)};
    return d;
}

// "jsonb_build_object('id', (image) -> 'id', ...)": a parent's referenced key
// from its own image, comparable with ForeignKey::referenced_key of a child's.
std::string parent_key(const columns::ForeignKey &fk, const std::string &image) {
    std::string pairs;
    for (size_t i = 0; i < fk.parent_names.size(); i++)
        pairs += (i ? ", " : "") + spi::quote_literal(fk.parent_names[i]) + ", (" + image + ") -> " +
                 spi::quote_literal(fk.parent_names[i]);
    return "jsonb_build_object(" + pairs + ")";
}

using Selection = std::map<int32, std::vector<Datum>>;  // table_id -> tombstone ids

// Adds to selected the tombstones that d's statement cascaded from the ones
// selected, down every foreign key, until nothing new is found.
void add_cascaded(const Deletion &d, const std::vector<registry::ProtectedTable> &active, Selection &selected) {
    Selection fresh = selected;
    while (!fresh.empty()) {
        Selection next;
        for (const auto &child : active) {
            if (child.delete_mode == "flag") continue;
            for (const auto &fk : columns::foreign_keys(child.relid)) {
                auto parent = registry::covering(fk.parent, active);
                if (!parent || !fresh.count(parent->table_id)) continue;
                std::vector<Datum> &already = selected[child.table_id];
                spi::AsExtensionOwner owner;
                uint64 n = spi::exec(
                    "SELECT c.tombstone_id FROM tenant_guard.tombstone_data c" + tombstone_image_join("c", "ci") +
                        " WHERE c.table_id = $1 AND c.tenant = $2 AND c.xid = $3 "
                        "   AND c.statement_id IS NOT DISTINCT FROM $4 AND c.tombstone_id <> ALL ($5) AND " +
                        fk.references_a_row("ci.image") + " AND " + fk.referenced_key("ci.image") + " IN (SELECT " +
                        parent_key(fk, "pi.image") + " FROM tenant_guard.tombstone_data p" +
                        tombstone_image_join("p", "pi") + " WHERE p.tombstone_id = ANY ($6))",
                    {{INT4OID, datum::from_int32(child.table_id)},
                     spi::text_arg(d.tenant),
                     {XID8OID, d.xid},
                     d.statement_id,
                     {INT8ARRAYOID, spi::array_of(already, INT8OID)},
                     {INT8ARRAYOID, spi::array_of(fresh[parent->table_id], INT8OID)}});
                for (uint64 r = 0; r < n; r++) {
                    Datum id = datum::from_int64(spi::int64_at(r, 1));
                    already.push_back(id);
                    next[child.table_id].push_back(id);
                }
            }
        }
        fresh = std::move(next);
    }
}

std::vector<TableCounts> undelete_row(Oid relid, Datum pk, bool with_cascade) {
    spi::Session spi;
    auto active = registry::active_tables();
    auto table = registry::covering(relid, active);
    if (!table || table->relid != relid)
        throw Error(ERRCODE_INVALID_PARAMETER_VALUE,
                    "table " + spi::qualified_name(relid) + " is not protected by tenant_guard", "",
                    "Name a table of tenant_guard.protected_tables (not one of its partitions).");
    if (table->delete_mode == "flag")
        throw Error(ERRCODE_INVALID_PARAMETER_VALUE,
                    "table " + spi::qualified_name(relid) + " keeps deleted rows in place (flag mode)", "",
                    "Clear the row's flag column with UPDATE, or use tenant_guard.undelete for the tenant.");
    Deletion d = find_deletion(*table, pk);
    lock_tenant(d.tenant);
    Selection selected;
    selected[table->table_id].push_back(datum::from_int64(d.tombstone_id));
    if (with_cascade) add_cascaded(d, active, selected);
    RestoreOptions options;
    options.tenant = d.tenant;
    options.caller = "undelete_row";
    std::vector<TableCounts> results;
    for (const auto &t : parents_first(active)) {
        auto it = selected.find(t.table_id);
        if (it == selected.end() || it->second.empty()) continue;
        options.ids = {INT8ARRAYOID, spi::array_of(it->second, INT8OID)};
        TableCounts c = restore_table(t, options, active);
        if (c.restored + c.skipped > 0) results.push_back(c);
    }
    return results;
}

}  // namespace

TG_FUNCTION(tg_undelete_row) {
    spi::PinnedOutputSettings output;  // keys compared as the images spell them
    if (pg::arg_is_null(fcinfo, 0) || pg::arg_is_null(fcinfo, 1))
        throw Error(ERRCODE_NULL_VALUE_NOT_ALLOWED, "rel and pk must not be NULL");
    Oid relid = pg::arg_oid(fcinfo, 0);
    Datum pk = pg::arg_datum(fcinfo, 1);
    bool with_cascade = pg::arg_is_null(fcinfo, 2) || pg::arg_bool(fcinfo, 2);
    bool dry_run = !pg::arg_is_null(fcinfo, 3) && pg::arg_bool(fcinfo, 3);
    std::function<std::vector<TableCounts>()> work = [&] { return undelete_row(relid, pk, with_cascade); };
    std::vector<TableCounts> results = dry_run ? run_and_roll_back(work) : without_lock_waits("undelete_row", work);
    std::vector<TableCountRow<2>> rows;
    for (const auto &c : results) rows.push_back({c.relid, {c.restored, c.skipped}});
    return_table_counts(fcinfo, rows);
    return (Datum)0;
}
