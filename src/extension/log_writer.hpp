// Writes change-log and tombstone rows straight through the table AM: no SQL,
// no plan, no permission check (application roles have no privilege on the
// extension's tables), indexes maintained as the executor would.
//
// Rows are buffered and written with table_multi_insert, as COPY does: one WAL
// record per page instead of one per row. Values given to log_change /
// log_tombstone must live in row_memory(), which is reset after each flush.
// One LogWriter serves one trigger invocation (one statement's rows).
//
// A writer that groups rows (log_writer_group_rows) keeps inserted and
// updated rows back until it flushes, then writes the rows of each tenant as
// one entry of the log (20_change_log.sql), with seqs taken then, in a row:
// one heap tuple and one entry per index for up to a flush's rows, instead of
// one each per row (issue 15, item 5). A tenant with one row gets a plain row.
#pragma once
#include "extension/module.hpp"

namespace tg {

struct TableSink;  // one target table with its indexes and buffered rows

struct LogWriter {
    MemoryContext memory;      // lives as long as the writer
    MemoryContext row_memory;  // the buffered rows' values; reset per flush
    MemoryContext scratch;     // of a writer that groups rows: one row's building; reset per row
    EState *estate;
    TableSink *log;         // the change-log segment being written (opened on first use)
    int64 log_segment;      // its segment number
    bool log_partitioned;   // false: version 0.1.0's single log table
    TableSink *tombstones;  // opened on first use
    Oid change_seq;
    int64 first_seq, last_seq;  // of this statement's changes (0: none yet)
    CommandId command_id;
    // Per-statement values shared by every row written.
    Datum xid;
    Datum changed_at;
    Datum changed_by;
    Datum actor;
    bool actor_null;
    Datum application_name;
    bool application_name_null;
    char origin;
    // Rows kept back for entries (log_writer_group_rows); their values are in row_memory.
    bool group_rows;
    struct PendingChange *pending;
    int npending, pending_capacity;
    int32 pending_table_id;
    char pending_op;
};

void log_writer_begin(LogWriter *w);
// Makes the writer keep the I and U changes of one table back and write them
// as entries per tenant (their seqs are then taken when they are written:
// log_change returns 0 for them).
void log_writer_group_rows(LogWriter *w);
// Registers the invalidation callback of what the writer keeps between
// statements (the session user's name), from _PG_init.
void register_log_writer_callbacks();
// Writes what is buffered and closes the tables: log_writer_close (plain
// PostgreSQL calls) then log_writer_tick (C++ over SPI, which throws: never
// inside pg_guard).
void log_writer_end(LogWriter *w);
void log_writer_close(LogWriter *w);
void log_writer_tick(LogWriter *w);

// The context to build row values in (switch to it before building them).
// A writer that groups rows keeps only copies of the values it is handed (the
// garbage of building an image is many times its size): it hands out a
// scratch context, reset at each log_writer_row_done.
inline MemoryContext row_memory(LogWriter *w) { return w->group_rows ? w->scratch : w->row_memory; }

// Appends a change; returns its seq (0 for one kept back for an entry).
// old_row / new_row may be (Datum) 0 for none.
int64 log_change(LogWriter *w, int32 table_id, char op, Datum tenant, Datum pk, Datum old_row, Datum new_row);

// Keeps a deleted row as a tombstone whose id is the seq of its deletion;
// statement_id says which statement deleted it (scope::statement_id).
void log_tombstone(LogWriter *w, int64 seq, int64 statement_id, int32 table_id, Datum tenant, Datum pk, Datum row);

// Flushes when the buffers are full; call after each row's values are handed over.
void log_writer_row_done(LogWriter *w);

}  // namespace tg
