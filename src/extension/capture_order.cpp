#include "extension/pg.hpp"
#include "extension/capture_order.hpp"
#include "extension/catalog.hpp"
#include "extension/nested_stack.hpp"
#include "extension/owner_spi.hpp"
#include "extension/running_query.hpp"
#include "extension/search_path.hpp"
#include "extension/statement_scope.hpp"

extern "C" {
#include "executor/spi.h"
}

namespace tg::capture_order {

namespace {

ExecutorFinish_hook_type previous_finish = nullptr;

// A statement that is finishing. Its own captures are the calls one trigger
// level below it (its AFTER STATEMENT triggers, and the foreign-key actions'
// ones, queued with them); deeper ones come from statements its triggers ran.
struct Finishing {
    int depth;              // trigger depth it runs at
    int64 own_last;         // the last seq of its own captures (0: none)
    int64 nested_first;     // the first seq a deeper statement logged meanwhile (0: none)
    int64 ran_first;        // the first seq logged while it ran (0: none)
    bool nested_since_own;  // a deeper statement logged after its last own capture
    // Its own captures' seqs, one interval per run of them between deeper
    // ones, in the transaction's memory (grown as needed: a fixed number let
    // deeper changes after the 16th stay in front, the attacker's report of
    // 0.13.0).
    int nown, own_capacity;
    int64 *own_from, *own_to;
};

// Deeper nesting than this is not reordered.
NestedStack<Finishing, 64> finishing;

void note_nested(Finishing *f, int64 first_seq) {
    if (f->nested_first == 0 || first_seq < f->nested_first) f->nested_first = first_seq;
    f->nested_since_own = true;
}

void note_own(Finishing *f, int64 first_seq, int64 last_seq) {
    f->own_last = last_seq;
    if (f->nown > 0 && !f->nested_since_own) {  // nothing deeper between: one interval
        f->own_to[f->nown - 1] = last_seq;
        return;
    }
    f->nested_since_own = false;
    if (f->nown == f->own_capacity) {
        int capacity = f->own_capacity == 0 ? 8 : f->own_capacity * 2;
        auto grown = [&](int64 *old) {
            auto *p = static_cast<int64 *>(MemoryContextAlloc(TopTransactionContext, sizeof(int64) * capacity));
            if (old) memcpy(p, old, sizeof(int64) * f->nown);
            return p;
        };
        f->own_from = grown(f->own_from);
        f->own_to = grown(f->own_to);
        f->own_capacity = capacity;
    }
    f->own_from[f->nown] = first_seq;
    f->own_to[f->nown] = last_seq;
    f->nown++;
}

Datum int8_array(const int64 *values, int n) {
    Datum *elems = static_cast<Datum *>(palloc(sizeof(Datum) * (n > 0 ? n : 1)));
    for (int i = 0; i < n; i++) elems[i] = Int64GetDatum(values[i]);
    return PointerGetDatum(construct_array(elems, n, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

// Gives new seqs, in their order (after every seq taken so far, so after f's
// own), and their tombstones the same ids, to the changes of this
// transaction other than f's own that came after it:
//  * everything logged from f's first nested seq on (its AFTER triggers');
//  * of what was logged while it ran (functions it called, BEFORE triggers),
//    the changes of rows it updated or deleted itself: PostgreSQL refuses such
//    a change before the statement's own (the statement would have failed),
//    so they came after it. A row it inserted is left alone: a BEFORE
//    trigger may have deleted the row of that key before (a function that
//    changed the inserted row later stays in front, see README Limitations).
// As the extension owner, who alone may write the log. Returns the first new
// seq (0: none).
int64 move_nested_after_own(const Finishing *f) {
    Oid types[5] = {XID8OID, INT8OID, INT8ARRAYOID, INT8ARRAYOID, INT8OID};
    const int64 after_run = f->nested_first != 0 ? f->nested_first : PG_INT64_MAX;
    Datum values[5] = {FullTransactionIdGetDatum(GetTopFullTransactionId()), Int64GetDatum(after_run),
                       int8_array(f->own_from, f->nown), int8_array(f->own_to, f->nown),
                       Int64GetDatum(f->ran_first != 0 ? f->ran_first : after_run)};
    return as_extension_owner_in_spi([&] {
        // What may move becomes rows first (its entries are renumbered, or
        // split, by row); f's own entries stay, read row by row (an older
        // schema's log has rows only).
        const bool entries = catalog::change_log_has_entries();
        int rc = entries ? SPI_execute_with_args("SELECT tenant_guard._explode_entries(NULL, NULL, $1, $5, $3, $4)", 5,
                                                 types, values, nullptr, false, 0)
                         : SPI_OK_SELECT;
        if (rc != SPI_OK_SELECT) elog(ERROR, "SPI failed (%d) reordering the change log", rc);
        rc = SPI_execute_with_args(
            psprintf("WITH own AS ("
                     "    SELECT c.table_id, c.pk, c.op FROM tenant_guard.%s AS c, unnest($3, $4) AS o(f, t)"
                     "     WHERE c.xid = $1 AND c.seq BETWEEN o.f AND o.t),"
                     "moved AS ("
                     "    SELECT c.seq AS old_seq, nextval('tenant_guard.change_seq') AS new_seq"
                     "      FROM (SELECT c.seq FROM tenant_guard.change_log_data AS c"
                     "             WHERE c.xid = $1 AND c.seq >= $5"
                     "               AND NOT EXISTS (SELECT 1 FROM unnest($3, $4) AS o(f, t) WHERE c.seq BETWEEN o.f "
                     "AND o.t)"
                     "               AND (c.seq >= $2 OR (c.table_id, c.pk) IN (SELECT w.table_id, w.pk FROM own AS w"
                     "                                                          WHERE w.op <> 'I'))"
                     "             ORDER BY c.seq) AS c),"
                     "log AS (UPDATE tenant_guard.change_log_data AS c SET seq = m.new_seq FROM moved AS m"
                     "         WHERE c.xid = $1 AND c.seq = m.old_seq),"
                     "stones AS (UPDATE tenant_guard.tombstone_data AS t SET tombstone_id = m.new_seq FROM moved AS m"
                     "            WHERE t.xid = $1 AND t.tombstone_id = m.old_seq)"
                     "SELECT coalesce(min(m.new_seq), 0) FROM moved AS m",
                     entries ? "_change_rows" : "change_log_data"),
            5, types, values, nullptr, false, 0);
        if (rc != SPI_OK_SELECT || SPI_processed != 1) elog(ERROR, "SPI failed (%d) reordering the change log", rc);
        bool isnull;
        return DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
    });
}

void on_executor_finish(QueryDesc *query) noexcept {
    const int64 ran_first = running_query::first_logged_while_running(query);
    if (Finishing *f = finishing.push()) {
        f->depth = scope::trigger_depth();
        f->ran_first = ran_first;
    }
    if (previous_finish)
        previous_finish(query);
    else
        standard_ExecutorFinish(query);
    const Finishing *top = finishing.top();
    const Finishing f = top ? *top : Finishing{};
    finishing.pop();
    const bool after_triggers_first = f.nested_first != 0 && f.nested_first < f.own_last;
    if (f.own_last == 0 || (!after_triggers_first && f.ran_first == 0)) return;
    int64 moved_first = move_nested_after_own(&f);
    // For the statements finishing around this one, those are deeper changes.
    if (moved_first != 0)
        for (int i = 0; i < finishing.kept(); i++) note_nested(&finishing[i], moved_first);
}

}  // namespace

void note_logged(int64 first_seq, int64 last_seq) {
    if (first_seq == 0) return;
    running_query::note_logged(first_seq);
    if (finishing.kept() == 0) return;
    int depth = scope::trigger_depth();
    for (int i = 0; i < finishing.kept(); i++) {
        Finishing *f = &finishing[i];
        if (depth == f->depth + 1)
            note_own(f, first_seq, last_seq);
        else if (depth > f->depth + 1)
            note_nested(f, first_seq);
    }
}

void install_hook() {
    previous_finish = ExecutorFinish_hook;
    ExecutorFinish_hook = on_executor_finish;
    finishing.register_resets();
}

}  // namespace tg::capture_order
