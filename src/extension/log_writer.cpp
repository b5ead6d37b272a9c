#include "extension/log_writer.hpp"

#include "extension/catalog.hpp"

namespace tg {

struct TableSink {
    Relation rel;
    ResultRelInfo *rri;
    TupleTableSlot *slot;
    BulkInsertState bulk;
};

namespace {

// Column positions, as created by the install script.
enum LogColumn { L_SEQ, L_XID, L_CHANGED_AT, L_TABLE_ID, L_OP, L_ORIGIN, L_TENANT, L_CHANGED_BY, L_ACTOR, L_PK,
                 L_OLD_ROW, L_NEW_ROW, L_NCOLUMNS };
enum TombstoneColumn { T_ID, T_XID, T_DELETED_AT, T_TABLE_ID, T_TENANT, T_DELETED_BY, T_PK, T_ROW, T_NCOLUMNS };

TableSink *open_sink(LogWriter *w, Oid relid, int ncolumns) {
    MemoryContext old = MemoryContextSwitchTo(w->memory);
    auto *sink = static_cast<TableSink *>(palloc0(sizeof(TableSink)));
    sink->rel = table_open(relid, RowExclusiveLock);
    if (RelationGetDescr(sink->rel)->natts != ncolumns)
        elog(ERROR, "tenant_guard table \"%s\" has an unexpected layout", RelationGetRelationName(sink->rel));
    sink->rri = makeNode(ResultRelInfo);
    InitResultRelInfo(sink->rri, sink->rel, 1, nullptr, 0);
    ExecOpenIndices(sink->rri, false);
    sink->slot = MakeSingleTupleTableSlot(RelationGetDescr(sink->rel), &TTSOpsVirtual);
    sink->bulk = GetBulkInsertState();
    MemoryContextSwitchTo(old);
    return sink;
}

void close_sink(TableSink *sink) {
    if (!sink) return;
    ExecDropSingleTupleTableSlot(sink->slot);
    FreeBulkInsertState(sink->bulk);
    ExecCloseIndices(sink->rri);
    table_close(sink->rel, NoLock);
}

// Inserts the row held in sink->slot's values/isnull arrays.
void insert_slot(LogWriter *w, TableSink *sink) {
    TupleTableSlot *slot = sink->slot;
    ExecStoreVirtualTuple(slot);
    table_tuple_insert(sink->rel, slot, w->command_id, 0, sink->bulk);
    if (sink->rri->ri_NumIndices > 0)
        ExecInsertIndexTuples(sink->rri, slot, w->estate, false, false, nullptr, NIL);
    ExecClearTuple(slot);
}

void set(TupleTableSlot *slot, int column, Datum value, bool isnull = false) {
    slot->tts_values[column] = value;
    slot->tts_isnull[column] = isnull;
}

}  // namespace

void log_writer_begin(LogWriter *w) {
    memset(w, 0, sizeof *w);
    w->memory = CurrentMemoryContext;
    w->estate = CreateExecutorState();
    w->log = open_sink(w, catalog::change_log_oid(), L_NCOLUMNS);
    w->change_seq = catalog::change_seq_oid();
    w->command_id = GetCurrentCommandId(true);
    w->xid = FullTransactionIdGetDatum(GetTopFullTransactionId());
    w->changed_at = TimestampTzGetDatum(GetCurrentTimestamp());
    w->changed_by = CStringGetTextDatum(GetUserNameFromId(GetSessionUserId(), false));
    w->actor_null = guc_actor == nullptr || guc_actor[0] == '\0';
    w->actor = w->actor_null ? (Datum)0 : CStringGetTextDatum(guc_actor);
    w->origin = static_cast<char>(current_origin);
}

void log_writer_end(LogWriter *w) {
    close_sink(w->log);
    close_sink(w->tombstones);
    FreeExecutorState(w->estate);
}

int64 log_change(LogWriter *w, int32 table_id, char op, Datum tenant, Datum pk, Datum old_row, Datum new_row) {
    int64 seq = nextval_internal(w->change_seq, false);
    TupleTableSlot *slot = w->log->slot;
    ExecClearTuple(slot);
    set(slot, L_SEQ, Int64GetDatum(seq));
    set(slot, L_XID, w->xid);
    set(slot, L_CHANGED_AT, w->changed_at);
    set(slot, L_TABLE_ID, Int32GetDatum(table_id));
    set(slot, L_OP, CharGetDatum(op));
    set(slot, L_ORIGIN, CharGetDatum(w->origin));
    set(slot, L_TENANT, tenant);
    set(slot, L_CHANGED_BY, w->changed_by);
    set(slot, L_ACTOR, w->actor, w->actor_null);
    set(slot, L_PK, pk);
    set(slot, L_OLD_ROW, old_row, old_row == (Datum)0);
    set(slot, L_NEW_ROW, new_row, new_row == (Datum)0);
    insert_slot(w, w->log);
    return seq;
}

void log_tombstone(LogWriter *w, int64 seq, int32 table_id, Datum tenant, Datum pk, Datum row) {
    if (!w->tombstones) w->tombstones = open_sink(w, catalog::tombstone_oid(), T_NCOLUMNS);
    TupleTableSlot *slot = w->tombstones->slot;
    ExecClearTuple(slot);
    set(slot, T_ID, Int64GetDatum(seq));
    set(slot, T_XID, w->xid);
    set(slot, T_DELETED_AT, w->changed_at);
    set(slot, T_TABLE_ID, Int32GetDatum(table_id));
    set(slot, T_TENANT, tenant);
    set(slot, T_DELETED_BY, w->changed_by);
    set(slot, T_PK, pk);
    set(slot, T_ROW, row);
    insert_slot(w, w->tombstones);
}

}  // namespace tg
