#include "extension/unwalled.hpp"  // TRANSITIONAL: not yet split at the wall
#include "extension/column_history.hpp"

#include "extension/errors.hpp"
#include "extension/log_writer.hpp"
#include "extension/restore_rights.hpp"
#include "extension/shape.hpp"
#include "extension/spi.hpp"

namespace tg {

namespace {

// One change per row of leaf (the protected table or one of its partitions):
// old_row the named columns' values, new_row the rest of the row, both built
// as capture builds images (the leaf's shape, output settings pinned).
// Plain C-like code.
void record_leaf(LogWriter *w, Oid leaf, const registry::Registration *reg, char *const *names, int nnames) {
    Relation rel = table_open(leaf, AccessShareLock);
    RelShape *shape = shape_registered(rel, reg);
    int *named = static_cast<int *>(palloc(sizeof(int) * (shape->ncolumns + 1)));
    int *rest = static_cast<int *>(palloc(sizeof(int) * (shape->ncolumns + 1)));
    int nnamed = 0, nrest = 0;
    for (int c = 0; c < shape->ncolumns; c++) {
        bool hit = false;
        for (int i = 0; i < nnames && !hit; i++) hit = strcmp(shape->columns[c].key.val.string.val, names[i]) == 0;
        if (hit)
            named[nnamed++] = c;
        else
            rest[nrest++] = c;
    }
    Snapshot snapshot = RegisterSnapshot(ActiveSnapshotSet() ? GetActiveSnapshot() : GetTransactionSnapshot());
    TupleTableSlot *slot = table_slot_create(rel, nullptr);
    TableScanDesc scan = table_beginscan(rel, snapshot, 0, nullptr);
    with_pinned_output(shape, [&] {
        while (table_scan_getnextslot(scan, ForwardScanDirection, slot)) {
            MemoryContext old = MemoryContextSwitchTo(row_memory(w));
            slot_getallattrs(slot);
            log_change(w, reg->table_id, 'U', tenant_text(shape, slot), pk_image(shape, slot),
                       columns_image(shape, slot, named, nnamed), columns_image(shape, slot, rest, nrest));
            MemoryContextSwitchTo(old);
            log_writer_row_done(w);
        }
    });
    table_endscan(scan);
    ExecDropSingleTupleTableSlot(slot);
    UnregisterSnapshot(snapshot);
    table_close(rel, NoLock);
}

}  // namespace

void record_column_values(const registry::ProtectedTable &table, Oid relid, const std::vector<std::string> &columns) {
    if (columns.empty()) return;
    // The plain tables that hold the rows: relid itself, or its leaf partitions.
    List *all = pg_guard([&] { return find_all_inheritors(relid, AccessShareLock, nullptr); });
    std::vector<Oid> leaves;
    for (ListCell *lc = list_head(all); lc; lc = lnext(all, lc)) {
        Oid oid = lfirst_oid(lc);
        if (pg_guard([&] { return get_rel_relkind(oid); }) == RELKIND_RELATION) leaves.push_back(oid);
    }
    std::vector<registry::Registration> registrations(leaves.size());
    for (size_t i = 0; i < leaves.size(); i++)
        if (!registry::find_registration(leaves[i], &registrations[i]))
            throw Error(ERRCODE_INTERNAL_ERROR, "tenant_guard: " + spi::qualified_name(leaves[i]) +
                                                    " is not covered by protected table " +
                                                    spi::qualified_name(table.relid));
    char **names = pg_guard([&] { return static_cast<char **>(palloc(sizeof(char *) * columns.size())); });
    for (size_t i = 0; i < columns.size(); i++) names[i] = pg_guard([&] { return pstrdup(columns[i].c_str()); });
    // Values of the owner's types are the owner's code: built as the table's owner, restricted.
    AsTableOwner owner(relid);
    LogWriter w;
    pg_guard([&] { log_writer_begin(&w); });
    for (size_t i = 0; i < leaves.size(); i++)
        pg_guard([&] { record_leaf(&w, leaves[i], &registrations[i], names, (int)columns.size()); });
    pg_guard([&] { log_writer_close(&w); });
    log_writer_tick(&w);
}

void rename_image_key(const registry::ProtectedTable &table, const std::string &from, const std::string &to) {
    auto moved = [](const char *image) {
        return std::string("CASE WHEN ") + image + " ? $2 THEN (" + image + " - $2) || jsonb_build_object($3, " +
               image + " -> $2) ELSE " + image + " END";
    };
    std::vector<spi::Arg> args = {{INT4OID, Int32GetDatum(table.table_id)}, spi::text_arg(from), spi::text_arg(to)};
    spi::Session session;
    spi::AsExtensionOwner owner;
    spi::exec("UPDATE tenant_guard.tombstone_data t SET row_data = " + moved("t.row_data") + ", pk = " + moved("t.pk") +
                  " WHERE t.table_id = $1 AND (t.row_data ? $2 OR t.pk ? $2)",
              args);
    spi::exec("UPDATE tenant_guard.change_log_data c SET old_row = " + moved("c.old_row") +
                  ", new_row = " + moved("c.new_row") + ", pk = " + moved("c.pk") +
                  " WHERE c.table_id = $1 AND (c.old_row ? $2 OR c.new_row ? $2 OR c.pk ? $2)",
              args);
}

std::string dropped_column_key(const std::string &name, AttrNumber attnum) {
    return name + "#dropped" + std::to_string(attnum);
}

void refuse_kept_key(const registry::ProtectedTable &table, const std::string &column) {
    if (column.find('#') == std::string::npos) return;
    uint64 n;
    {
        spi::AsExtensionOwner owner;
        n = spi::exec(
            "SELECT 1 WHERE EXISTS (SELECT 1 FROM tenant_guard.tombstone_data t "
            "                        WHERE t.table_id = $1 AND t.row_data ? $2) "
            "   OR EXISTS (SELECT 1 FROM tenant_guard.change_log_data c "
            "               WHERE c.table_id = $1 AND (c.old_row ? $2 OR c.new_row ? $2))",
            {{INT4OID, Int32GetDatum(table.table_id)}, spi::text_arg(column)});
    }
    if (n)
        throw Error(sqlstate::hard_delete,
                    "cannot name a column \"" + column + "\" in protected table " + spi::qualified_name(table.relid) +
                        ": its history keeps other values under that key",
                    "Tombstones and changes keep the values of a dropped or retyped column under such a key; a column "
                    "of that name would overwrite them or take them.",
                    "Choose another name.");
}

}  // namespace tg
