// Rows written by logical replication's apply worker: it fires row-level
// triggers only (enabled REPLICA or ALWAYS), so the statement-level capture
// never sees them. protect() installs this AFTER ... FOR EACH ROW trigger,
// enabled REPLICA, and it records each applied row as the statement-level
// capture records ordinary DML: a change-log row, and a tombstone for a
// delete in tombstone mode. It acts only for the apply worker's own row
// changes (trigger depth 1): SQL run inside the worker (a flag-mode update,
// a subscriber's own trigger) fires the statement-level capture as usual.
// The blast-radius limit and the tenant pin belong to the publisher's
// statements and are not applied here.
#include "extension/pg.hpp"
#include "extension/catalog.hpp"
#include "extension/log_writer.hpp"
#include "extension/module.hpp"
#include "extension/shape.hpp"
#include "extension/statement_scope.hpp"

extern "C" {
#include "catalog/pg_subscription_rel.h"
#include "replication/logicalworker.h"
#include "replication/worker_internal.h"
}

namespace {

using namespace tg;

// One applied row's change (and tombstone), in the writer's row memory.
void log_row(LogWriter *w, const RelShape *shape, TriggerData *td) {
    MemoryContext old = MemoryContextSwitchTo(row_memory(w));
    TupleTableSlot *before = td->tg_trigslot, *after = td->tg_newslot;
    if (TRIGGER_FIRED_BY_INSERT(td->tg_event)) {
        slot_getallattrs(before);  // an insert's new row is the trigger slot
        log_change(w, shape->table_id, 'I', tenant_text(shape, before), pk_image(shape, before), (Datum)0,
                   row_image(shape, before));
    } else if (TRIGGER_FIRED_BY_UPDATE(td->tg_event)) {
        slot_getallattrs(before);
        slot_getallattrs(after);
        log_change(w, shape->table_id, 'U', tenant_text(shape, after), pk_image(shape, after),
                   changed_columns_image(shape, before, after), row_image(shape, after));
    } else {
        slot_getallattrs(before);
        Datum tenant = tenant_text(shape, before), pk = pk_image(shape, before);
        Datum image = compress_large_image(row_image(shape, before));
        int64 seq = log_change(w, shape->table_id, 'D', tenant, pk, image, (Datum)0);
        if (shape->delete_mode == DeleteMode::tombstone)
            log_tombstone(w, seq, scope::statement_id(seq), shape->table_id, tenant, pk, image);
    }
    MemoryContextSwitchTo(old);
}

void capture_row(const RelShape *shape, TriggerData *td) {
    LogWriter w;
    log_writer_begin(&w);
    with_pinned_output(shape, [&] { log_row(&w, shape, td); });
    log_writer_row_done(&w);
    log_writer_end(&w);
}

}  // namespace

TG_PG_FUNCTION(tg_capture_applied) {
    auto *td = reinterpret_cast<TriggerData *>(fcinfo->context);
    if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(td->tg_event) || !TRIGGER_FIRED_FOR_ROW(td->tg_event))
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("tenant_guard.capture_applied() must be an AFTER ... FOR EACH ROW trigger")));
    RelShape *shape = shape_for(td->tg_relation, td->tg_trigger);
    verify_trigger(shape, td->tg_relation, td->tg_trigger, catalog::trigger_capture_applied);
    if (!IsLogicalWorker() || scope::trigger_depth() != 1) return PointerGetDatum(nullptr);
    // A table-sync worker's initial COPY fires the statement-level capture;
    // the changes it applies afterwards to catch up are rows again.
    if (am_tablesync_worker() && MyLogicalRepWorker->relstate == SUBREL_STATE_DATASYNC) return PointerGetDatum(nullptr);
    capture_row(shape, td);
    return PointerGetDatum(nullptr);
}
