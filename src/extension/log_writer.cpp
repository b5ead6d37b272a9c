#include "extension/pg.hpp"
#include "extension/log_writer.hpp"

#include "extension/capture_order.hpp"
#include "extension/catalog.hpp"
#include "extension/owner_spi.hpp"
#include "extension/schema_constants.hpp"
#include "extension/search_path.hpp"

namespace tg {

namespace {

constexpr int batch_rows = 1000;               // rows buffered per table
constexpr Size batch_bytes = 4 * 1024 * 1024;  // or this much row memory
// Rows kept back for entries: a flush writes at most this many per tenant
// in one entry (row memory still bounds them, batch_bytes).
constexpr int pending_rows = 8192;

}  // namespace

struct TableSink {
    Relation rel;
    ResultRelInfo *rri;
    TupleTableSlot *slots[batch_rows];  // the first nslots are made
    int nslots;
    int nbuffered;
    BulkInsertState bulk;  // made for the first flush of more than one row
};

namespace {

// Column positions, as created by the install script.
enum LogColumn {
    L_SEQ,
    L_XID,
    L_CHANGED_AT,
    L_TABLE_ID,
    L_OP,
    L_ORIGIN,
    L_TENANT,
    L_CHANGED_BY,
    L_ACTOR,
    L_PK,
    L_OLD_ROW,
    L_NEW_ROW,
    L_NCOLUMNS_0_13,  // entries came in 0.14.0:
    L_ENTRY_ROWS = L_NCOLUMNS_0_13,
    L_ENTRY_SEQS,
    L_ENTRY_PKS,
    L_ENTRY_OLD,
    L_ENTRY_NEW,
    L_NCOLUMNS
};
enum TombstoneColumn {
    T_ID,
    T_XID,
    T_DELETED_AT,
    T_TABLE_ID,
    T_TENANT,
    T_DELETED_BY,
    T_PK,
    T_ROW,
    T_NCOLUMNS_0_3,  // what identifies the operation came in 0.4.0:
    T_ACTOR = T_NCOLUMNS_0_3,
    T_APPLICATION_NAME,
    T_STATEMENT_ID,
    T_NCOLUMNS
};

// Both tables start with their bigint id; the tenant column differs.
#define TENANT_COLUMN_OF(slot) ((slot)->tts_tupleDescriptor->natts >= L_NCOLUMNS_0_13 ? (int)L_TENANT : (int)T_TENANT)

// ncolumns: the layout written; older_ncolumns: an older version's layout
// also accepted (the module is updated before ALTER EXTENSION ... UPDATE).
TableSink *open_sink(LogWriter *w, Oid relid, int ncolumns, int older_ncolumns = -1) {
    MemoryContext old = MemoryContextSwitchTo(w->memory);
    auto *sink = static_cast<TableSink *>(palloc(sizeof(TableSink)));  // slots past nslots stay unset
    sink->nslots = 0;
    sink->nbuffered = 0;
    sink->bulk = nullptr;
    sink->rel = table_open(relid, RowExclusiveLock);
    int natts = RelationGetDescr(sink->rel)->natts;
    if (natts != ncolumns && natts != older_ncolumns)
        elog(ERROR, "tenant_guard table \"%s\" has an unexpected layout", RelationGetRelationName(sink->rel));
    sink->rri = makeNode(ResultRelInfo);
    InitResultRelInfo(sink->rri, sink->rel, 1, nullptr, 0);
    ExecOpenIndices(sink->rri, false);
    MemoryContextSwitchTo(old);
    return sink;
}

// The next free slot of the sink, cleared.
TupleTableSlot *next_slot(LogWriter *w, TableSink *sink) {
    if (sink->nbuffered == sink->nslots) {
        MemoryContext old = MemoryContextSwitchTo(w->memory);
        sink->slots[sink->nslots++] = MakeSingleTupleTableSlot(RelationGetDescr(sink->rel), &TTSOpsVirtual);
        MemoryContextSwitchTo(old);
    }
    TupleTableSlot *slot = sink->slots[sink->nbuffered];
    ExecClearTuple(slot);
    return slot;
}

// Orders buffered rows by tenant (then seq): consecutive index insertions
// then land on the same leaf pages of the per-tenant indexes, which stay in
// cache, instead of hopping between tenants.
int compare_by_tenant(const void *a, const void *b) {
    auto *x = *static_cast<TupleTableSlot *const *>(a);
    auto *y = *static_cast<TupleTableSlot *const *>(b);
    text *tx = DatumGetTextPP(x->tts_values[TENANT_COLUMN_OF(x)]);
    text *ty = DatumGetTextPP(y->tts_values[TENANT_COLUMN_OF(y)]);
    int lx = VARSIZE_ANY_EXHDR(tx), ly = VARSIZE_ANY_EXHDR(ty);
    int c = memcmp(VARDATA_ANY(tx), VARDATA_ANY(ty), Min(lx, ly));
    if (c != 0) return c;
    if (lx != ly) return lx < ly ? -1 : 1;
    int64 sx = DatumGetInt64(x->tts_values[0]), sy = DatumGetInt64(y->tts_values[0]);
    return sx < sy ? -1 : sx > sy;
}

void flush_sink(LogWriter *w, TableSink *sink) {
    if (!sink || sink->nbuffered == 0) return;
    if (sink->nbuffered > 1) qsort(sink->slots, sink->nbuffered, sizeof(TupleTableSlot *), compare_by_tenant);
    // A bulk-insert state (a ring of buffers, the current page kept pinned)
    // pays for a batch; a statement of one row (OLTP) goes without.
    if (!sink->bulk && sink->nbuffered > 1) {
        MemoryContext old = MemoryContextSwitchTo(w->memory);
        sink->bulk = GetBulkInsertState();
        MemoryContextSwitchTo(old);
    }
    // heap_multi_insert forms a heap tuple from each virtual slot in the
    // current memory context and never frees it: do it in row memory, which
    // is reset after each flush, or a million-row statement keeps a million
    // tuple copies until it ends.
    MemoryContext caller = MemoryContextSwitchTo(w->row_memory);
    table_multi_insert(sink->rel, sink->slots, sink->nbuffered, w->command_id, 0, sink->bulk);
    if (sink->rri->ri_NumIndices > 0)
        for (int i = 0; i < sink->nbuffered; i++) {
            ExecInsertIndexTuples(sink->rri, sink->slots[i], w->estate, false, false, nullptr, NIL);
            ResetPerTupleExprContext(w->estate);
        }
    MemoryContextSwitchTo(caller);
    for (int i = 0; i < sink->nbuffered; i++) ExecClearTuple(sink->slots[i]);
    sink->nbuffered = 0;
}

void write_pending(LogWriter *w);

void flush(LogWriter *w) {
    write_pending(w);
    flush_sink(w, w->log);
    flush_sink(w, w->tombstones);
    MemoryContextReset(w->row_memory);
}

void close_sink(TableSink *sink) {
    if (!sink) return;
    for (int i = 0; i < sink->nslots; i++) ExecDropSingleTupleTableSlot(sink->slots[i]);
    if (sink->bulk) FreeBulkInsertState(sink->bulk);
    ExecCloseIndices(sink->rri);
    table_close(sink->rel, NoLock);
}

void set(TupleTableSlot *slot, int column, Datum value, bool isnull = false) {
    slot->tts_values[column] = value;
    slot->tts_isnull[column] = isnull;
}

// The session user's name, kept for the session user it was looked up for
// until pg_authid changes (a role renamed, dropped or created: a dropped
// role's OID may come back for another role). Each writer takes its own copy.
Oid named_user = InvalidOid;
NameData named_user_name;

void roles_changed(Datum, int, uint32) noexcept { named_user = InvalidOid; }

Datum session_user_name() {
    Oid user = GetSessionUserId();
    if (user != named_user) {
        namestrcpy(&named_user_name, GetUserNameFromId(user, false));
        named_user = user;
    }
    return CStringGetTextDatum(NameStr(named_user_name));
}

}  // namespace

void register_log_writer_callbacks() { CacheRegisterSyscacheCallback(AUTHOID, roles_changed, (Datum)0); }

void log_writer_begin(LogWriter *w) {
    memset(w, 0, sizeof *w);
    w->memory = CurrentMemoryContext;
    w->row_memory = AllocSetContextCreate(w->memory, "tenant_guard rows", ALLOCSET_DEFAULT_SIZES);
    w->estate = CreateExecutorState();
    w->log_partitioned = catalog::change_log_is_partitioned();
    w->change_seq = catalog::change_seq_oid();
    w->command_id = GetCurrentCommandId(true);
    w->xid = FullTransactionIdGetDatum(GetTopFullTransactionId());
    w->changed_at = TimestampTzGetDatum(GetCurrentTimestamp());
    w->changed_by = session_user_name();
    w->actor_null = guc_actor == nullptr || guc_actor[0] == '\0';
    w->actor = w->actor_null ? (Datum)0 : CStringGetTextDatum(guc_actor);
    w->application_name_null = application_name == nullptr || application_name[0] == '\0';
    w->application_name = w->application_name_null ? (Datum)0 : CStringGetTextDatum(application_name);
    w->origin = static_cast<char>(current_origin);
}

// A tick is a snapshot taken every 2^tick_bits changes (schema_constants.hpp)
// by the statement whose changes pass the mark: changes() cuts the stream into
// batches between consecutive ticks (as PgQ's ticker does), so a consumer far
// behind reads bounded batches instead of its whole backlog at each call. The
// snapshot counts the writer's own transaction as running (it has not
// committed yet).
static void write_tick_if_due(LogWriter *w) {
    if (w->last_seq == 0 || (w->last_seq >> schema::tick_bits) == ((w->first_seq - 1) >> schema::tick_bits)) return;
    if (!OidIsValid(get_relname_relid("cdc_tick", catalog::schema_oid()))) return;  // version 0.1.0
    Oid types[1] = {INT8OID};
    Datum values[1] = {Int64GetDatum(w->last_seq)};
    int rc = as_extension_owner_in_spi([&] {
        return SPI_execute_with_args(
            "INSERT INTO tenant_guard.cdc_tick (tick_seq, tick_xmax, snapshot) "
            "SELECT $1, pg_snapshot_xmax(s), s FROM tenant_guard._reader_snapshot() AS s",
            1, types, values, nullptr, false, 0);
    });
    if (rc != SPI_OK_INSERT) elog(ERROR, "SPI failed (%d) writing a tick", rc);
}

void log_writer_close(LogWriter *w) {
    flush(w);
    capture_order::note_logged(w->first_seq, w->last_seq);
    close_sink(w->log);
    close_sink(w->tombstones);
    FreeExecutorState(w->estate);
    MemoryContextDelete(w->row_memory);
    if (w->scratch) MemoryContextDelete(w->scratch);
}

void log_writer_tick(LogWriter *w) { write_tick_if_due(w); }

void log_writer_end(LogWriter *w) {
    log_writer_close(w);
    log_writer_tick(w);
}

void log_writer_group_rows(LogWriter *w) {
    w->group_rows = true;
    w->scratch = AllocSetContextCreate(w->memory, "tenant_guard row building", ALLOCSET_DEFAULT_SIZES);
}

void log_writer_row_done(LogWriter *w) {
    if (w->group_rows) MemoryContextReset(w->scratch);
    bool full = (w->log && w->log->nbuffered == batch_rows) || w->npending == pending_rows ||
                (w->tombstones && w->tombstones->nbuffered == batch_rows) ||
                MemoryContextMemAllocated(w->row_memory, false) > batch_bytes;
    if (full) flush(w);
}

// The change log's table for this seq. Rows go straight to their segment
// (table_multi_insert does no partition routing), so the segment is computed
// from the seq, which prune() moves from one segment to the next.
TableSink *log_sink_for(LogWriter *w, int64 seq) {
    int64 segment = w->log_partitioned ? catalog::segment_of(seq) : 0;
    if (w->log && w->log_segment == segment) return w->log;
    if (w->log) {
        flush_sink(w, w->log);
        close_sink(w->log);
    }
    Oid relid = w->log_partitioned ? catalog::change_log_segment_oid(segment) : catalog::change_log_oid();
    w->log = open_sink(w, relid, L_NCOLUMNS, L_NCOLUMNS_0_13);
    w->log_segment = segment;
    return w->log;
}

namespace {

int64 next_seq(LogWriter *w) {
    int64 seq = nextval_internal(w->change_seq, false);
    if (w->first_seq == 0) w->first_seq = seq;
    w->last_seq = seq;
    return seq;
}

// The next slot of the log's sink for seq, with the entry columns NULL.
TupleTableSlot *log_slot(LogWriter *w, int64 seq) {
    log_sink_for(w, seq);
    if (w->log->nbuffered == batch_rows) flush_sink(w, w->log);
    TupleTableSlot *slot = next_slot(w, w->log);
    for (int c = L_NCOLUMNS_0_13; c < slot->tts_tupleDescriptor->natts; c++) set(slot, c, (Datum)0, true);
    return slot;
}

void set_row_columns(LogWriter *w, TupleTableSlot *slot, int64 seq, int32 table_id, char op, Datum tenant) {
    set(slot, L_SEQ, Int64GetDatum(seq));
    set(slot, L_XID, w->xid);
    set(slot, L_CHANGED_AT, w->changed_at);
    set(slot, L_TABLE_ID, Int32GetDatum(table_id));
    set(slot, L_OP, CharGetDatum(op));
    set(slot, L_ORIGIN, CharGetDatum(w->origin));
    set(slot, L_TENANT, tenant);
    set(slot, L_CHANGED_BY, w->changed_by);
    set(slot, L_ACTOR, w->actor, w->actor_null);
}

void write_row(LogWriter *w, int64 seq, int32 table_id, char op, Datum tenant, Datum pk, Datum old_row, Datum new_row) {
    TupleTableSlot *slot = log_slot(w, seq);
    set_row_columns(w, slot, seq, table_id, op, tenant);
    set(slot, L_PK, pk);
    set(slot, L_OLD_ROW, old_row, old_row == (Datum)0);
    set(slot, L_NEW_ROW, new_row, new_row == (Datum)0);
    ExecStoreVirtualTuple(slot);
    w->log->nbuffered++;
}

}  // namespace

struct PendingChange {
    Datum tenant, pk, old_row, new_row;
    int order;  // of arrival: an entry keeps its rows in it
};

namespace {

int compare_tenant_text(Datum a, Datum b) {
    text *ta = DatumGetTextPP(a), *tb = DatumGetTextPP(b);
    int la = VARSIZE_ANY_EXHDR(ta), lb = VARSIZE_ANY_EXHDR(tb);
    int c = memcmp(VARDATA_ANY(ta), VARDATA_ANY(tb), Min(la, lb));
    if (c != 0) return c;
    return la == lb ? 0 : la < lb ? -1 : 1;
}

int compare_pending(const void *a, const void *b) {
    auto *x = static_cast<const PendingChange *>(a);
    auto *y = static_cast<const PendingChange *>(b);
    int c = compare_tenant_text(x->tenant, y->tenant);
    return c != 0 ? c : x->order - y->order;
}

// (Datum) 0 values are NULL elements.
Datum jsonb_array(Datum *values, int n) {
    auto *nulls = static_cast<bool *>(palloc(n));
    for (int i = 0; i < n; i++) nulls[i] = values[i] == (Datum)0;
    int dims[1] = {n}, lbs[1] = {1};
    return PointerGetDatum(construct_md_array(values, nulls, 1, dims, lbs, JSONBOID, -1, false, TYPALIGN_INT));
}

// One entry: the rows [from, to) of the pending ones, which have the seqs given.
void write_entry(LogWriter *w, const PendingChange *rows, int n, const int64 *seqs) {
    TupleTableSlot *slot = log_slot(w, seqs[n - 1]);
    set_row_columns(w, slot, seqs[n - 1], w->pending_table_id, w->pending_op, rows[0].tenant);
    set(slot, L_PK, (Datum)0, true);
    set(slot, L_OLD_ROW, (Datum)0, true);
    set(slot, L_NEW_ROW, (Datum)0, true);
    auto *values = static_cast<Datum *>(palloc(sizeof(Datum) * n));
    for (int i = 0; i < n; i++) values[i] = Int64GetDatum(seqs[i]);
    set(slot, L_ENTRY_ROWS, Int32GetDatum(n));
    set(slot, L_ENTRY_SEQS,
        PointerGetDatum(construct_array(values, n, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE)));
    auto column = [&](Datum PendingChange::*field) {
        for (int i = 0; i < n; i++) values[i] = rows[i].*field;
        return jsonb_array(values, n);
    };
    set(slot, L_ENTRY_PKS, column(&PendingChange::pk));
    if (w->pending_op == 'U')
        set(slot, L_ENTRY_OLD, column(&PendingChange::old_row));
    else
        set(slot, L_ENTRY_OLD, (Datum)0, true);
    set(slot, L_ENTRY_NEW, column(&PendingChange::new_row));
    ExecStoreVirtualTuple(slot);
    w->log->nbuffered++;
}

// Writes the rows kept back, in row memory: per tenant, one entry per segment
// their seqs fall in (a plain row for a tenant's only row, or where the log
// is older than entries).
void write_pending(LogWriter *w) {
    if (w->npending == 0) return;
    MemoryContext caller = MemoryContextSwitchTo(w->row_memory);
    PendingChange *rows = w->pending;
    qsort(rows, w->npending, sizeof(PendingChange), compare_pending);
    auto *seqs = static_cast<int64 *>(palloc(sizeof(int64) * w->npending));
    for (int from = 0; from < w->npending;) {
        int to = from + 1;
        while (to < w->npending && compare_tenant_text(rows[to].tenant, rows[from].tenant) == 0) to++;
        // The seqs first: other backends take seqs in between, and prune()
        // moves the sequence into the next segment at any time, so an entry
        // ends where the seqs actually taken change segment (an attacker's
        // report of 0.14.0: one guessed from seq + 1 spanned two segments).
        for (int i = from; i < to; i++) seqs[i] = next_seq(w);
        int start = from;  // of the entry being filled
        for (int i = from; i < to; i++) {
            bool last = i + 1 == to;
            bool segment_ends =
                !last && w->log_partitioned && catalog::segment_of(seqs[i]) != catalog::segment_of(seqs[i + 1]);
            if (!last && !segment_ends) continue;
            log_sink_for(w, seqs[start]);
            int n = i + 1 - start;
            if (n == 1 || RelationGetDescr(w->log->rel)->natts < L_NCOLUMNS) {
                for (int r = start; r <= i; r++)
                    write_row(w, seqs[r], w->pending_table_id, w->pending_op, rows[r].tenant, rows[r].pk,
                              rows[r].old_row, rows[r].new_row);
            } else {
                write_entry(w, rows + start, n, seqs + start);
            }
            start = i + 1;
        }
        from = to;
    }
    w->npending = 0;
    MemoryContextSwitchTo(caller);
}

}  // namespace

int64 log_change(LogWriter *w, int32 table_id, char op, Datum tenant, Datum pk, Datum old_row, Datum new_row) {
    if (w->group_rows && op != 'D') {
        if (w->npending == w->pending_capacity) {
            int capacity = w->pending_capacity == 0 ? 256 : w->pending_capacity * 2;
            w->pending = static_cast<PendingChange *>(
                w->pending ? repalloc(w->pending, sizeof(PendingChange) * capacity)
                           : MemoryContextAlloc(w->memory, sizeof(PendingChange) * capacity));
            w->pending_capacity = capacity;
        }
        w->pending_table_id = table_id;
        w->pending_op = op;
        MemoryContext caller = MemoryContextSwitchTo(w->row_memory);
        auto kept = [](Datum v) { return v == (Datum)0 ? v : PointerGetDatum(PG_DETOAST_DATUM_COPY(v)); };
        w->pending[w->npending] = {kept(tenant), kept(pk), kept(old_row), kept(new_row), w->npending};
        MemoryContextSwitchTo(caller);
        w->npending++;
        return 0;
    }
    int64 seq = next_seq(w);
    write_row(w, seq, table_id, op, tenant, pk, old_row, new_row);
    return seq;
}

void log_tombstone(LogWriter *w, int64 seq, int64 statement_id, int32 table_id, Datum tenant, Datum pk, Datum row) {
    if (!w->tombstones) w->tombstones = open_sink(w, catalog::tombstone_oid(), T_NCOLUMNS, T_NCOLUMNS_0_3);
    TupleTableSlot *slot = next_slot(w, w->tombstones);
    set(slot, T_ID, Int64GetDatum(seq));
    set(slot, T_XID, w->xid);
    set(slot, T_DELETED_AT, w->changed_at);
    set(slot, T_TABLE_ID, Int32GetDatum(table_id));
    set(slot, T_TENANT, tenant);
    set(slot, T_DELETED_BY, w->changed_by);
    set(slot, T_PK, pk);
    // The image is the change-log entry's (tombstone_image.hpp); stored here
    // too only while the schema is older than 0.6.0, which requires it.
    bool image_required = TupleDescAttr(slot->tts_tupleDescriptor, T_ROW)->attnotnull;
    set(slot, T_ROW, row, !image_required);
    if (slot->tts_tupleDescriptor->natts == T_NCOLUMNS) {
        set(slot, T_ACTOR, w->actor, w->actor_null);
        set(slot, T_APPLICATION_NAME, w->application_name, w->application_name_null);
        set(slot, T_STATEMENT_ID, Int64GetDatum(statement_id));
    }
    ExecStoreVirtualTuple(slot);
    w->tombstones->nbuffered++;
}

}  // namespace tg
