#define TG_IMPLEMENTS_GUARDED_CALLS
#include "extension/pg.hpp"
#include "extension/column_history_pg.hpp"

#include "extension/log_writer.hpp"
#include "extension/shape.hpp"

namespace tg::column_history_pg {

namespace {

// One change per row of leaf (the protected table or one of its partitions):
// old_row the named columns' values, new_row the rest of the row, both built
// as capture builds images (the leaf's shape, output settings pinned).
// Plain C-like code.
void record_leaf(LogWriter *w, Oid leaf, const registry::Registration *reg, const char *const *names, int nnames) {
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
                       columns_image(shape, slot, named, nnamed, ImageKind::partial),
                       columns_image(shape, slot, rest, nrest, ImageKind::partial));
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

void record_leaves(const Oid *leaves, const registry::Registration *registrations, int nleaves,
                   const char *const *names, int nnames) {
    pg_guard([&] {
        LogWriter w;
        log_writer_begin(&w);
        for (int i = 0; i < nleaves; i++) record_leaf(&w, leaves[i], &registrations[i], names, nnames);
        log_writer_close(&w);
        log_writer_tick(&w);
    });
}

}  // namespace tg::column_history_pg
