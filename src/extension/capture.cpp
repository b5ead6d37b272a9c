// The capture trigger: AFTER ... FOR EACH STATEMENT with transition tables,
// one per event, on every protected table and each of its partitions. One
// invocation logs all rows of one statement; the row images are built here in
// C and written through the table AM (log_writer), so a statement costs one
// trigger call, not one per row.
//
// Images and tenants are written with the output settings pinned (shape.hpp),
// whatever the session's.
//
// Deletes in tombstone mode need nothing before the fact: the row is removed as
// usual (row counts, RETURNING and FK cascades stay PostgreSQL's own) and its
// image is kept here as a tombstone in the same transaction.
#include "extension/pg.hpp"
#include "extension/catalog.hpp"
#include "extension/errors.hpp"
#include "extension/guard_audit.hpp"
#include "extension/log_writer.hpp"
#include "extension/shape.hpp"
#include "extension/statement_scope.hpp"

namespace {

using namespace tg;

// Reads a transition table from its start.
void rewind_store(Tuplestorestate *store) {
    tuplestore_select_read_pointer(store, 0);
    tuplestore_rescan(store);
}

void check_same_tenant(const RelShape *shape, Relation rel, TupleTableSlot *old_slot, TupleTableSlot *new_slot) {
    int a = shape->tenant_attnum - 1;
    Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), a);
    if (datumIsEqual(old_slot->tts_values[a], new_slot->tts_values[a], att->attbyval, att->attlen)) return;
    // Binary images may differ for equal values (e.g. compressed or not): compare as tenants.
    text *before = DatumGetTextPP(tenant_text(shape, old_slot));
    text *after = DatumGetTextPP(tenant_text(shape, new_slot));
    if (VARSIZE_ANY_EXHDR(before) == VARSIZE_ANY_EXHDR(after) &&
        memcmp(VARDATA_ANY(before), VARDATA_ANY(after), VARSIZE_ANY_EXHDR(before)) == 0)
        return;
    ereport(ERROR, (errcode(sqlstate::wrong_tenant),
                    errmsg("cannot move a row of %s from tenant \"%s\" to tenant \"%s\"",
                           catalog::qualified_rel_name(RelationGetRelid(rel)), text_to_cstring(before),
                           text_to_cstring(after)),
                    errdetail("The tenant column \"%s\" of an existing row was changed.", NameStr(att->attname)),
                    errhint("Insert a copy for the new tenant and delete the old row instead; a change of "
                            "tenant would move history between tenants.")));
}

// What one trigger call works with.
struct Capture {
    LogWriter w;
    const RelShape *shape;
    Relation rel;
    scope::RowGuard guard;
};

// The row's tenant, checked against the guard rails.
Datum guarded_tenant(Capture *c, TupleTableSlot *slot) {
    Datum tenant = tenant_text(c->shape, slot);
    scope::row_guard_check(&c->guard, tenant, c->rel);
    return tenant;
}

void capture_inserts(Capture *c, Tuplestorestate *rows, TupleTableSlot *slot) {
    rewind_store(rows);
    while (tuplestore_gettupleslot(rows, true, false, slot)) {
        MemoryContext old = MemoryContextSwitchTo(row_memory(&c->w));
        slot_getallattrs(slot);
        log_change(&c->w, c->shape->table_id, 'I', guarded_tenant(c, slot), pk_image(c->shape, slot), (Datum)0,
                   row_image(c->shape, slot));
        MemoryContextSwitchTo(old);
        log_writer_row_done(&c->w);
    }
}

void capture_updates(Capture *c, Tuplestorestate *old_rows, Tuplestorestate *new_rows, TupleTableSlot *old_slot,
                     TupleTableSlot *new_slot) {
    // The executor appends the old and the new version of each row together,
    // so the two transition tables pair up row by row.
    rewind_store(old_rows);
    rewind_store(new_rows);
    while (tuplestore_gettupleslot(old_rows, true, false, old_slot)) {
        // Fewer new rows: an UPDATE that moved rows to another partition,
        // whose BEFORE INSERT trigger returned NULL, deleted them there
        // with no record.
        if (!tuplestore_gettupleslot(new_rows, true, false, new_slot))
            ereport(ERROR,
                    (errcode(sqlstate::hard_delete),
                     errmsg("cannot UPDATE protected table %s: rows it moved to another partition were not inserted "
                            "there",
                            catalog::qualified_rel_name(RelationGetRelid(c->rel))),
                     errdetail("A BEFORE INSERT trigger of the partition returned NULL: the rows would be deleted "
                               "with no record."),
                     errhint("Fix the trigger, or delete such rows with DELETE (they are kept as tombstones).")));
        MemoryContext old = MemoryContextSwitchTo(row_memory(&c->w));
        slot_getallattrs(old_slot);
        slot_getallattrs(new_slot);
        check_same_tenant(c->shape, c->rel, old_slot, new_slot);
        // old_row holds only the changed columns' old values; the change_log
        // view rebuilds the full old image as new_row || old_row.
        log_change(&c->w, c->shape->table_id, 'U', guarded_tenant(c, new_slot), pk_image(c->shape, new_slot),
                   changed_columns_image(c->shape, old_slot, new_slot), row_image(c->shape, new_slot));
        MemoryContextSwitchTo(old);
        log_writer_row_done(&c->w);
    }
}

void capture_deletes(Capture *c, Tuplestorestate *rows, TupleTableSlot *slot) {
    bool keep_tombstones = c->shape->delete_mode == DeleteMode::tombstone;
    int64 statement_id = 0;
    rewind_store(rows);
    while (tuplestore_gettupleslot(rows, true, false, slot)) {
        MemoryContext old = MemoryContextSwitchTo(row_memory(&c->w));
        slot_getallattrs(slot);
        Datum pk = pk_image(c->shape, slot);
        if (purge_silence && is_silenced_row(RelationGetRelid(c->rel), tenant_text(c->shape, slot), pk)) {
            MemoryContextSwitchTo(old);  // a row the running purge erases: no trace
            continue;
        }
        Datum tenant = guarded_tenant(c, slot);
        Datum image = compress_large_image(row_image(c->shape, slot));
        int64 seq = log_change(&c->w, c->shape->table_id, 'D', tenant, pk, image, (Datum)0);
        if (statement_id == 0) statement_id = scope::statement_id(seq);
        if (keep_tombstones) log_tombstone(&c->w, seq, statement_id, c->shape->table_id, tenant, pk, image);
        MemoryContextSwitchTo(old);
        log_writer_row_done(&c->w);
    }
}

}  // namespace

TG_PG_FUNCTION(tg_capture) {
    auto *td = reinterpret_cast<TriggerData *>(fcinfo->context);
    if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(td->tg_event) || !TRIGGER_FIRED_FOR_STATEMENT(td->tg_event))
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("tenant_guard.capture() must be an AFTER ... FOR EACH STATEMENT trigger")));

    Relation rel = td->tg_relation;
    bool is_insert = TRIGGER_FIRED_BY_INSERT(td->tg_event);
    bool is_update = TRIGGER_FIRED_BY_UPDATE(td->tg_event);
    bool is_delete = TRIGGER_FIRED_BY_DELETE(td->tg_event);
    RelShape *shape = shape_for(rel, td->tg_trigger);
    verify_trigger(shape, rel, td->tg_trigger,
                   is_insert   ? catalog::trigger_insert
                   : is_update ? catalog::trigger_update
                   : is_delete ? catalog::trigger_delete
                               : "");
    audit::record_weakened_limit(rel, is_insert);
    Tuplestorestate *old_rows = td->tg_oldtable;
    Tuplestorestate *new_rows = td->tg_newtable;
    if ((is_insert && !new_rows) || (is_update && (!old_rows || !new_rows)) || (is_delete && !old_rows))
        ereport(ERROR,
                (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                 errmsg("tenant_guard trigger on \"%s\" lacks its transition tables; re-run tenant_guard.protect()",
                        RelationGetRelationName(rel))));
    // Nothing happened (e.g. a DELETE that matched no row): nothing to log.
    Tuplestorestate *first = is_insert ? new_rows : old_rows;
    if (tuplestore_tuple_count(first) == 0) return PointerGetDatum(nullptr);

    Capture c;
    c.shape = shape;
    c.rel = rel;
    scope::row_guard_begin(&c.guard, is_insert);
    log_writer_begin(&c.w);
    // Entries for inserted and updated rows: a deletion's seq is its
    // tombstone's id (one log row each), and a statement of one row (OLTP)
    // has nothing to group.
    if (!is_delete && tuplestore_tuple_count(first) > 1) log_writer_group_rows(&c.w);
    TupleDesc desc = RelationGetDescr(rel);
    TupleTableSlot *slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
    with_pinned_output(shape, [&] {
        if (is_insert) {
            capture_inserts(&c, new_rows, slot);
        } else if (is_update) {
            TupleTableSlot *new_slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
            capture_updates(&c, old_rows, new_rows, slot, new_slot);
            ExecDropSingleTupleTableSlot(new_slot);
        } else {
            capture_deletes(&c, old_rows, slot);
        }
    });
    scope::row_guard_end(&c.guard);
    ExecDropSingleTupleTableSlot(slot);
    log_writer_end(&c.w);
    return PointerGetDatum(nullptr);
}
