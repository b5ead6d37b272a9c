// tenant_guard.rewind(tenant, to_time | to_mark, dry_run): puts one tenant's
// rows, in every protected table, back to what a snapshot at that point saw.
//
// The changes to undo are the tenant's change-log rows of the transactions
// that committed after the point (whole transactions: with a mark, those its
// snapshot did not see; with a time, those whose commit timestamp is later, or
// whose last change is later when commit timestamps are not tracked). For each
// row they touched, its state at the point is the "before" image of its
// earliest undone change (absent if that change inserted it). Rows are then
// deleted (children first), updated and re-inserted (parents first) as the
// table's owner, restricted, once the caller's own SELECT, INSERT, UPDATE and
// DELETE on the table are checked (restore_rights.hpp); captured with origin
// 'rewind' (deletions become tombstones, so a rewind can itself be rewound),
// and the tombstones of undone deletions go. Only that tenant's rows are read
// or locked.
#include <array>
#include <limits>
#include <map>

#include "extension/citus.hpp"
#include "extension/history_entries.hpp"
#include "extension/columns.hpp"
#include "extension/change_seq.hpp"
#include "extension/errors.hpp"
#include "extension/fk_order.hpp"
#include "extension/lock_retry.hpp"
#include "extension/capture_scopes.hpp"
#include "extension/pg/catalog_calls.hpp"
#include "extension/pg/function_args.hpp"
#include "extension/restore_rights.hpp"
#include "extension/retryable.hpp"
#include "extension/rewind_pg.hpp"
#include "extension/spi.hpp"
#include "extension/tenant_lock.hpp"
#include "extension/table_counts.hpp"
#include "extension/subtransaction.hpp"

namespace {

using namespace tg;

constexpr int history_too_short = sqlstate::history_too_short;

struct Point {
    bool by_mark = false;
    spi::Arg snapshot{TEXTOID, (Datum)0, true};  // pg_snapshot as text (mark)
    spi::Arg time{TIMESTAMPTZOID, (Datum)0, true};
    std::string described;       // for messages
    int64 own_history_from = 0;  // first seq written in this cluster (history restored from another one)
    int64 writes_from = 0;       // a lower bound of the seqs of the rewind's own changes
    Datum taken_at = (Datum)0;
    bool exact = true;
};

struct Counts {
    Oid relid;
    int64 reinserted = 0, reverted = 0, removed = 0;
};

// One row to put back: its key and its image at the point (empty: absent).
struct Target {
    std::string pk;
    std::string image;    // jsonb text, or empty when the row did not exist
    std::string columns;  // quoted columns present in the image and insertable now
};

// SQL: which change-log rows (alias c) belong to transactions after the point.
// Only changes written in this cluster ($6: the first seq after history from
// another cluster was restored here) are compared: xids and commit times of
// another cluster mean nothing here (check_reach keeps points after that).
std::string after_point(const Point &p) {
    if (p.by_mark)
        return "c.seq >= $6 AND c.xid >= pg_snapshot_xmin($3::pg_snapshot) "
               "AND NOT pg_visible_in_snapshot(c.xid, $3::pg_snapshot)";
    if (p.exact) return "c.seq >= $6 AND pg_xact_commit_timestamp(c.xid::xid) > $4";
    return "c.seq >= $6 AND c.xid IN (SELECT l.xid FROM tenant_guard.change_log_data l WHERE l.tenant = $1 "
           "AND l.seq >= $6 GROUP BY l.xid HAVING max(l.changed_at) > $4)";
}

// How many rows to put back one statement of a step takes. A table with a
// foreign key to itself takes them all at once: a row re-inserted in one
// batch could reference one re-inserted only in a later batch.
constexpr long batch_rows = 2000;
constexpr long all_rows = std::numeric_limits<long>::max();

bool references_itself(const std::vector<columns::ForeignKey> &foreign_keys, Oid relid) {
    for (const auto &fk : foreign_keys)
        if (fk.parent == relid) return true;
    return false;
}

// A scroll cursor of the extension owner over sql, or nullptr when it has no
// row. Each step reads it again from the start, batch by batch, so the rows
// are never all in memory (its sort spills to disk beyond work_mem) and every
// step sees the same rows: those its snapshot saw, before the rewind wrote
// anything (its own deletions are logged after the point too).
Portal open_rows(const std::string &sql, const std::vector<spi::Arg> &args) {
    spi::AsExtensionOwner owner;
    Portal cursor = spi::open_cursor(sql, args, true);
    uint64 n;
    {
        spi::Session probe;
        pg::spi_fetch(cursor, 1, &n);
    }
    if (n == 0) {
        pg::spi_close_cursor(cursor);
        return nullptr;
    }
    pg::spi_rewind_cursor(cursor);
    return cursor;
}

// fn(rows, n) on each batch of cursor's rows from its start; each batch in an
// SPI connection of its own: its rows and what fn builds from them are freed
// after it, not kept to the end of the rewind.
template <typename F>
void for_each_batch(Portal cursor, long rows_per_batch, F &&fn) {
    if (cursor == nullptr) return;
    pg::spi_rewind_cursor(cursor);
    for (;;) {
        spi::Session batch_memory;
        uint64 n;
        SPITupleTable *rows;
        {
            spi::AsExtensionOwner owner;
            rows = pg::spi_fetch(cursor, rows_per_batch, &n);
        }
        if (n == 0) return;
        fn(rows, n);
    }
}

class TableRewind {
   public:
    TableRewind(const registry::ProtectedTable &t, const std::string &tenant, const Point &p)
        : table_(t),
          tenant_(tenant),
          point_(p),
          sql_(t.relid),
          rel_(sql_.rel()),
          pk_match_(sql_.key_match()),
          own_tenant_(columns::tenant_text_is("x." + spi::quote_ident(t.tenant_column), "$2")),
          key_record_(sql_.key_record("u.k::jsonb")),
          foreign_keys_(columns::foreign_keys(t.relid)),
          batch_rows_(references_itself(foreign_keys_, t.relid) ? all_rows : batch_rows) {
        counts_.relid = t.relid;
    }

    // Finds (as the extension owner) the rows to put back and the undone
    // deletions, as cursors the steps below read batch by batch.
    void collect() {
        refuse_key_changes();
        // Each touched row's image before its earliest undone change, with the
        // columns of that image that can be written now.
        targets_ = open_rows(
            "SELECT t.pk, t.image::text, CASE WHEN t.image IS NULL THEN '' ELSE "
            "       array_to_string(ARRAY(SELECT quote_ident(k) FROM jsonb_object_keys(t.image) k "
            "                              WHERE k = ANY ($5) ORDER BY k COLLATE \"C\"), ', ') END "
            "  FROM (SELECT DISTINCT ON (c.pk) c.pk::text AS pk, "
            "               CASE c.op WHEN 'U' THEN c.new_row || c.old_row WHEN 'D' THEN c.old_row END AS image "
            "          FROM " +
                change_rows() +
                " c "
                "         WHERE c.tenant = $1 AND c.table_id = $2 AND " +
                after_point(point_) + "         ORDER BY c.pk, c.seq) AS t",
            args());
        // Deletions are plain log rows (their seq is the tombstone's id),
        // never in entries: read straight from the log.
        deletions_ = open_rows(
            "SELECT c.seq FROM tenant_guard.change_log_data c WHERE c.tenant = $1 AND c.table_id = $2 "
            "AND c.op = 'D' AND " +
                after_point(point_),
            args());
    }

    // Locks the rows it will change before changing any, tables parents
    // first: the order of writers and of PostgreSQL's own cascades, so a
    // writer of the same tenant waits for the rewind or the rewind for it,
    // instead of the two deadlocking (deletions below go children first).
    void lock_rows() {
        for_each_target_batch([&](const std::vector<Target> &batch) {
            lock_referenced_rows(batch);
            std::vector<std::string> keys;
            for (const auto &t : batch) keys.push_back(t.pk);
            AsTableOwner owner(table_.relid);
            spi::exec("SELECT 1 FROM " + rel_ + " AS x, unnest($1::text[]) AS u(k), LATERAL " + key_record_ +
                          " WHERE " + pk_match_ + " AND " + own_tenant_ + " ORDER BY u.k FOR UPDATE OF x",
                      {{TEXTARRAYOID, columns::text_array(keys)}, spi::text_arg(tenant_)});
        });
    }

    // Rows that did not exist at the point go (as tombstones, through capture).
    // A live row may still reference one of them through a foreign key that
    // does not cascade: a child moved after the point to a parent inserted
    // after it, which restore_old_rows moves back. Then the table's removals
    // fail (23503), are undone, and run again after the restores
    // (remove_rows_left), so that rows removed early still free their unique
    // values for the restores everywhere else.
    void remove_new_rows() {
        int64 removed = counts_.removed;
        removals_left_ = !succeeds_unless(ERRCODE_FOREIGN_KEY_VIOLATION, [&] { remove_rows(); });
        if (removals_left_) counts_.removed = removed;
    }

    // Rows that existed get their values back, or come back. In a table with
    // a foreign key to itself (one batch), a row may have been moved after
    // the point away from a parent deleted later, which comes back in the
    // same batch: when the reverts fail (23503), the batch is put back
    // again, re-inserts first.
    void restore_old_rows() {
        if (batch_rows_ != all_rows) {
            for_each_target_batch([&](const std::vector<Target> &batch) { restore_batch(batch, false); });
            return;
        }
        Counts before = counts_;
        if (succeeds_unless(ERRCODE_FOREIGN_KEY_VIOLATION, [&] {
                for_each_target_batch([&](const std::vector<Target> &batch) { restore_batch(batch, false); });
            }))
            return;
        counts_ = before;
        for_each_target_batch([&](const std::vector<Target> &batch) { restore_batch(batch, true); });
    }

    // The removals left for after the restores; the last step that reads the
    // rows to put back.
    void remove_rows_left() {
        if (removals_left_) remove_rows();
        if (targets_ != nullptr) pg::spi_close_cursor(targets_);
        targets_ = nullptr;
    }

    // The tombstones of deletions that were undone: those whose row is live
    // again (checked as the table's owner; the tombstones are the extension
    // owner's).
    void drop_undone_tombstones() {
        for_each_batch(deletions_, batch_rows, [&](SPITupleTable *rows, uint64 n) {
            std::vector<std::string> seqs;
            for (uint64 r = 0; r < n; r++) seqs.push_back(pg::spi_value(rows, r, 1));
            drop_live_again(seqs);
        });
        if (deletions_ != nullptr) pg::spi_close_cursor(deletions_);
        deletions_ = nullptr;
        // And those of rows the rewind itself deleted on the way and then put
        // back: removing a parent inserted after the point cascades (ON DELETE
        // CASCADE) to a child that was moved to it, and the child comes back
        // as it was. Such a tombstone would stand for a live row, and an
        // undelete of the tenant would then fail on it (TG020).
        Portal own = open_rows(
            "SELECT t.tombstone_id FROM tenant_guard.tombstone_data t WHERE t.tombstone_id >= $1 "
            "AND t.tenant = $2 AND t.table_id = $3 AND t.xid = pg_current_xact_id_if_assigned()",
            {{INT8OID, datum::from_int64(point_.writes_from)},
             spi::text_arg(tenant_),
             {INT4OID, datum::from_int32(table_.table_id)}});
        for_each_batch(own, batch_rows, [&](SPITupleTable *rows, uint64 n) {
            std::vector<std::string> seqs;
            for (uint64 r = 0; r < n; r++) seqs.push_back(pg::spi_value(rows, r, 1));
            drop_live_again(seqs);
        });
        if (own != nullptr) pg::spi_close_cursor(own);
    }

    // An UPDATE after the point that changed a row's primary key cannot be
    // undone: it is logged under the new key with an image holding the old
    // one, so two keys' changes would be put back into one row (a unique
    // violation when both fall in one batch, a wrong row when they do not).
    // Refused before anything changes, naming the row.
    void refuse_key_changes() {
        std::vector<std::string> keys;
        for (const auto &c : sql_.insertable())
            if (sql_.in_key(c)) keys.push_back(c);
        if (keys.empty()) return;
        std::vector<spi::Arg> a = args();
        a.push_back({TEXTARRAYOID, columns::text_array(keys)});
        spi::Session step;
        spi::AsExtensionOwner owner;
        uint64 n = spi::exec(
            "SELECT c.pk::text, (SELECT jsonb_object_agg(k, c.old_row -> k) FROM unnest($7::text[]) AS k "
            "                     WHERE c.old_row ? k)::text "
            "  FROM " +
                change_rows() +
                " c "
                " WHERE c.tenant = $1 AND c.table_id = $2 AND c.op = 'U' AND c.old_row ?| $7::text[] AND " +
                after_point(point_) + " ORDER BY c.seq LIMIT 1",
            a);
        if (n)
            throw Error(ERRCODE_FEATURE_NOT_SUPPORTED,
                        "cannot rewind tenant \"" + tenant_ + "\": row " + spi::text(0, 1) + " of " + rel_ +
                            " had its primary key changed after the point (it was " + spi::text(0, 2) + ")",
                        "Rewind puts rows back by their primary key, and cannot follow a row to another key. "
                        "Nothing was changed.",
                        "Rewind to a point after that change, and put that row back by hand.");
    }

    // Something to change in this table: the caller must be allowed to.
    bool has_work() const { return targets_ != nullptr || deletions_ != nullptr; }

    const Counts &counts() const { return counts_; }

   private:
    void remove_rows() {
        for_each_target_batch([&](const std::vector<Target> &batch) {
            std::vector<std::string> keys;
            for (const auto &t : batch)
                if (t.image.empty()) keys.push_back(t.pk);
            if (keys.empty()) return;
            AsTableOwner owner(table_.relid);
            // Only the tenant's: with a global key (id alone, a username) the
            // key may be another tenant's row now, which stays (the
            // attacker's report of 0.12.0: a rewind of A deleted B's row).
            counts_.removed +=
                (int64)spi::exec("DELETE FROM " + rel_ + " AS x USING unnest($1::text[]) AS u(k), LATERAL " +
                                     key_record_ + " WHERE " + pk_match_ + " AND " + own_tenant_,
                                 {{TEXTARRAYOID, columns::text_array(keys)}, spi::text_arg(tenant_)});
        });
    }

    // fn(batch) on each batch of the rows to put back.
    template <typename F>
    void for_each_target_batch(F &&fn) {
        for_each_batch(targets_, batch_rows_, [&](SPITupleTable *rows, uint64 n) {
            std::vector<Target> batch;
            batch.reserve(n);
            for (uint64 r = 0; r < n; r++) {
                const char *image = pg::spi_value(rows, r, 2);
                batch.push_back({pg::spi_value(rows, r, 1), image ? image : "", pg::spi_value(rows, r, 3)});
            }
            pg::spi_free(rows);
            fn(batch);
        });
    }

    // The rows the restored images reference through foreign keys are locked
    // (KEY SHARE, as the foreign-key checks will) before this table's own:
    // a writer deleting such a parent cascades to its children in that order.
    // Each parent is read as its own owner, its key values taken from the
    // images as jsonb and read through the parent's column types.
    void lock_referenced_rows(const std::vector<Target> &batch) {
        std::vector<std::string> images;
        for (const auto &t : batch)
            if (!t.image.empty()) images.push_back(t.image);
        if (images.empty()) return;
        for (const auto &fk : foreign_keys_) {
            std::string parent = spi::qualified_name(fk.parent);
            AsTableOwner owner(fk.parent);
            spi::exec("SELECT 1 FROM " + parent +
                          " AS x WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) AS u(t), "
                          "LATERAL " +
                          fk.referenced_record("u.t::jsonb", "p") + " WHERE " + fk.match() + ") FOR KEY SHARE OF x",
                      {{TEXTARRAYOID, columns::text_array(images)}});
        }
    }

    void restore_batch(const std::vector<Target> &batch, bool inserts_first) {
        AsTableOwner owner(table_.relid);
        std::map<std::string, std::vector<Datum>> by_columns;  // the images as text, by their columns
        for (const auto &t : batch)
            if (!t.image.empty() && !t.columns.empty()) by_columns[t.columns].push_back(spi::text_arg(t.image).value);
        for (const auto &entry : by_columns) {
            const std::string &column_list = entry.first;
            const std::string &typed = sql_.typed(column_list);
            // Each image parsed once, for the record and the exact texts, and
            // row by row (OFFSET 0 keeps the cast in its own per-row scan): a
            // cast of the whole array to jsonb[] keeps every element's parse
            // garbage until the statement ends (5 kB a row, 520 MB for 100,000).
            std::string source =
                "unnest($1::text[]) AS s(t), LATERAL (SELECT s.t::jsonb OFFSET 0) AS u(j), "
                "LATERAL jsonb_to_record(u.j) AS p(" +
                typed + ")";
            std::vector<spi::Arg> args = {{TEXTARRAYOID, spi::array_of(entry.second, TEXTOID)}};
            std::string set_list, old_values, new_values;
            for (const auto &c : columns::split_list(column_list)) {
                std::string value = sql_.value(c, "u.j", "p");
                set_list += (set_list.empty() ? "" : ", ") + c + " = " + value;
                old_values += (old_values.empty() ? "" : ", ") + ("x." + c);
                new_values += (new_values.empty() ? "" : ", ") + value;
            }
            auto revert = [&] {
                counts_.reverted += (int64)spi::exec("UPDATE " + rel_ + " AS x SET " + set_list + " FROM " + source +
                                                         " WHERE " + pk_match_ + " AND ROW(" + old_values +
                                                         ")::text IS DISTINCT FROM ROW(" + new_values + ")::text",
                                                     args);
            };
            auto reinsert = [&] {
                counts_.reinserted +=
                    (int64)unique_violation_is_retryable("rows of " + rel_ + " changed while the rewind ran", [&] {
                        return spi::exec("INSERT INTO " + rel_ + " (" + column_list +
                                             ") OVERRIDING SYSTEM VALUE SELECT " + new_values + " FROM " + source +
                                             " WHERE NOT EXISTS (SELECT 1 FROM " + rel_ + " AS x WHERE " + pk_match_ +
                                             ")",
                                         args);
                    });
            };
            if (inserts_first) {
                reinsert();
                revert();
            } else {
                revert();
                reinsert();
            }
        }
    }

    // Drops the tombstones of the deletions (change-log seqs) whose row is live again.
    void drop_live_again(const std::vector<std::string> &seqs) {
        std::vector<std::string> ids, keys;
        {
            spi::AsExtensionOwner owner;
            uint64 n = spi::exec(
                "SELECT t.tombstone_id, t.pk::text FROM tenant_guard.tombstone_data t "
                "WHERE t.tombstone_id = ANY ($1::text[]::bigint[]) ORDER BY 1",
                {{TEXTARRAYOID, columns::text_array(seqs)}});
            for (uint64 r = 0; r < n; r++) {
                ids.push_back(spi::text(r, 1));
                keys.push_back(spi::text(r, 2));
            }
        }
        if (ids.empty()) return;
        std::vector<std::string> live_again;
        {
            AsTableOwner owner(table_.relid);
            uint64 n = spi::exec(
                "SELECT u.i FROM unnest($1::text[]) WITH ORDINALITY AS u(k, i), "
                "LATERAL " +
                    key_record_ + " WHERE EXISTS (SELECT 1 FROM " + rel_ + " AS x WHERE " + pk_match_ + ")",
                {{TEXTARRAYOID, columns::text_array(keys)}});
            for (uint64 r = 0; r < n; r++) live_again.push_back(ids[spi::int64_at(r, 1) - 1]);
        }
        if (live_again.empty()) return;
        spi::AsExtensionOwner owner;
        spi::exec("DELETE FROM tenant_guard.tombstone_data t WHERE t.tombstone_id = ANY ($1::text[]::bigint[])",
                  {{TEXTARRAYOID, columns::text_array(live_again)}});
    }

    std::vector<spi::Arg> args() const {
        return {spi::text_arg(tenant_),
                {INT4OID, datum::from_int32(table_.table_id)},
                point_.snapshot,
                point_.time,
                {TEXTARRAYOID, columns::text_array(sql_.insertable())},
                {INT8OID, datum::from_int64(point_.own_history_from)}};
    }

    const registry::ProtectedTable &table_;
    const std::string &tenant_;
    const Point &point_;
    Counts counts_;
    columns::TableSql sql_;
    std::string rel_, pk_match_;                     // copies: TableRewind lives in a vector and moves
    std::string own_tenant_;                         // row x is of the tenant ($2)
    std::string key_record_;                         // "jsonb_to_record(u.k::jsonb) AS p(<key columns>)"
    std::vector<columns::ForeignKey> foreign_keys_;  // declared on the table
    long batch_rows_;
    bool removals_left_ = false;  // remove_new_rows was undone: remove_rows_left does it
    Portal targets_ = nullptr;    // the rows to put back (pk, image, columns), or nullptr: none
    Portal deletions_ = nullptr;  // the undone deletions (seq), or nullptr: none
};

Point resolve_point(FunctionCallInfo fcinfo) {
    bool has_time = !pg::arg_is_null(fcinfo, 1), has_mark = !pg::arg_is_null(fcinfo, 2);
    if (has_time == has_mark) throw Error(ERRCODE_INVALID_PARAMETER_VALUE, "give exactly one of to_time and to_mark");
    Point p;
    spi::AsExtensionOwner owner;
    if (has_mark) {
        std::string name = pg::arg_text(fcinfo, 2);
        uint64 n = spi::exec("SELECT snapshot::text, marked_at FROM tenant_guard.mark_data WHERE name = $1",
                             {spi::text_arg(name)});
        if (n == 0)
            throw Error(ERRCODE_UNDEFINED_OBJECT, "mark \"" + name + "\" does not exist", "",
                        "See tenant_guard.marks.");
        p.by_mark = true;
        p.snapshot = spi::text_arg(spi::text(0, 1));
        p.taken_at = spi::datum(0, 2);
        p.described = "mark \"" + name + "\"";
    } else {
        p.time = {TIMESTAMPTZOID, pg::arg_datum(fcinfo, 1)};
        p.taken_at = pg::arg_datum(fcinfo, 1);
        p.described = "that time";
        p.exact = rewind_pg::commit_times_exact();
    }
    return p;
}

// History must reach back to the point in every table: no table protected
// or truncated (tenant_guard.allow_truncate: its rows went unrecorded) after
// it, and nothing after it pruned (old segments dropped, or this tenant's
// tombstones expired with the history of their rows).
void check_reach(Point &p, const std::string &tenant) {
    spi::AsExtensionOwner owner;
    std::string refused = "cannot rewind tenant \"" + tenant + "\" to " + p.described;
    uint64 n = spi::exec(
        "SELECT rel::regclass::text, (SELECT max(protected_at) FROM tenant_guard.protected_table "
        "                             WHERE unprotected_at IS NULL) "
        "  FROM tenant_guard.protected_table WHERE unprotected_at IS NULL AND protected_at > $1 "
        " ORDER BY protected_at DESC, table_id LIMIT 1",
        {{TIMESTAMPTZOID, p.taken_at}});
    if (n)
        throw Error(history_too_short, refused + ": table " + spi::text(0, 1) + " was protected after it",
                    "Its history starts there; the earliest point that can be reached is " + spi::text(0, 2) + ".",
                    "Rewind to a later time or mark.");
    bool has_retention = OidIsValid(pg::extension_relation("log_segment"));
    if (!has_retention) return;  // version 0.1.0: nothing is ever pruned
    spi::exec("SELECT tenant_guard._adopt_history()");
    n = spi::exec(
        "SELECT coalesce(max(adopted_seq), 0) FROM tenant_guard.history_cluster "
        "WHERE system_id = tenant_guard._system_id()");
    p.own_history_from = spi::int64_at(0, 1);
    bool has_truncations =  // version 0.3.0
        pg::attribute_number(pg::extension_relation_or_error("protected_table"), "truncated_at") != 0;
    if (has_truncations) {
        // After the point: later than it, or (a truncation of this cluster,
        // not one restored from another) unseen by the mark, or committed
        // later than the time when commit times are known.
        std::string own =
            "truncated_at > coalesce((SELECT max(h.adopted_at) FROM tenant_guard.history_cluster h "
            "WHERE h.system_id = tenant_guard._system_id() AND h.adopted_seq > 0), '-infinity')";
        std::string after = p.by_mark ? "(truncated_at > $1 OR (" + own +
                                            " AND NOT pg_visible_in_snapshot(truncated_xid, $2::pg_snapshot)))"
                            : p.exact ? "(truncated_at > $1 OR (" + own +
                                            " AND coalesce(pg_xact_commit_timestamp(truncated_xid::xid) > $1, false)))"
                                      : "truncated_at > $1";
        n = spi::exec(
            "SELECT rel::regclass::text, (SELECT max(truncated_at) FROM tenant_guard.protected_table "
            "                             WHERE unprotected_at IS NULL) "
            "  FROM tenant_guard.protected_table WHERE unprotected_at IS NULL AND truncated_xid IS NOT NULL "
            "   AND " +
                after + " ORDER BY truncated_at DESC, table_id LIMIT 1",
            {{TIMESTAMPTZOID, p.taken_at}, p.snapshot});
        if (n)
            throw Error(history_too_short, refused + ": table " + spi::text(0, 1) + " was truncated after it",
                        "A TRUNCATE with tenant_guard.allow_truncate erases the table's history; the earliest point "
                        "that can be reached is " +
                            spi::text(0, 2) + ".",
                        "Rewind to a later time or mark.");
    }
    // A mark must see every pruned transaction and be no older than the
    // horizon's time (a mark restored from another cluster has foreign xids).
    n = spi::exec(
        "SELECT r.reach_from FROM tenant_guard._reach($1) r WHERE $3 < r.reach_from OR "
        "($2 IS NOT NULL AND NOT tenant_guard._sees_all_before($2::pg_snapshot, r.reach_xmax))",
        {spi::text_arg(tenant), p.snapshot, {TIMESTAMPTZOID, p.taken_at}});
    if (n)
        throw Error(history_too_short, refused + ": the history does not reach back to it",
                    "History before it was pruned; the earliest point that can be reached is " + spi::text(0, 1) + ".",
                    "Rewind to a later time or mark.");
}

// The snapshot the collecting starts from (after the tenant's lock: a
// recovery operation of the tenant that held it has committed).
std::string current_snapshot() {
    spi::exec("SELECT pg_current_snapshot()::text");
    return spi::text(0, 1);
}

// Every seq handed out from now on is at least this (the change log's
// sequence is not cached).
// Each table's rows are collected in a snapshot of its own, then locked: a
// transaction of the tenant that committed in between could be undone in one
// table and not in another, or have deleted a row that the rewind put back
// while the deletion's tombstone stays. Once every row the rewind changes is
// locked, what commits later is ordered after the rewind; a change committed
// before, unseen by the snapshot the collecting started from, makes the rewind
// start again (without_lock_waits). Own history only (seq from $3): xids of
// history restored from another cluster mean nothing here. Two ranges around
// the rewind's own xid, so that its own logging is not read.
void restart_if_tenant_changed(const std::string &tenant, const std::string &collected_from, int64 own_history_from) {
    spi::AsExtensionOwner owner;
    const std::string unseen =
        "SELECT 1 FROM tenant_guard.change_log_data c WHERE c.tenant = $1 AND c.seq >= $3 "
        "AND NOT pg_visible_in_snapshot(c.xid, $2::pg_snapshot) AND ";
    uint64 n = spi::exec(
        "WITH own AS (SELECT coalesce(pg_current_xact_id_if_assigned(), '0'::xid8) AS xid) "
        "(" +
            unseen +
            "c.xid >= pg_snapshot_xmin($2::pg_snapshot) AND c.xid < (SELECT xid FROM own) LIMIT 1) "
            "UNION ALL (" +
            unseen +
            "c.xid > (SELECT xid FROM own) "
            "AND c.xid >= pg_snapshot_xmin($2::pg_snapshot) LIMIT 1) LIMIT 1",
        {spi::text_arg(tenant), spi::text_arg(collected_from), {INT8OID, datum::from_int64(own_history_from)}});
    if (n) throw ConcurrentCommit("rewind");
}

std::vector<Counts> rewind(FunctionCallInfo fcinfo, const std::string &tenant) {
    spi::Session spi;
    lock_tenant(tenant);
    Point point = resolve_point(fcinfo);
    auto active = registry::active_tables();
    check_reach(point, tenant);
    auto order = parents_first(active);
    // Each table's columns are read next, and its rows written last: a
    // migration committed in between would have the rewind put rows back in
    // the old layout (renamed, added or retyped columns), over the images it
    // converted. Locked as their writers lock them (parents first, within
    // the 20 ms lock wait), a migration waits for the rewind.
    for (const auto &t : order) pg::lock_for_writing(t.relid);
    std::vector<TableRewind> tables;
    for (const auto &t : order) tables.emplace_back(t, tenant, point);
    const std::string collected_from = current_snapshot();
    point.writes_from = next_change_seq();
    for (auto &t : tables) t.collect();
    for (const auto &t : tables)
        if (t.has_work()) citus::refuse_citus_table(t.counts().relid, "rewind rows of");
    for (const auto &t : tables)
        if (t.has_work())
            require_privileges(t.counts().relid, ACL_SELECT | ACL_INSERT | ACL_UPDATE | ACL_DELETE, "rewind");
    std::vector<std::string> deferred;
    for (const auto &t : tables)
        if (t.has_work())
            for (auto &c : make_constraints_immediate(t.counts().relid)) deferred.push_back(std::move(c));
    for (auto &t : tables) t.lock_rows();  // parents first
    {
        OriginScope origin(Origin::rewind);
        for (auto it = tables.rbegin(); it != tables.rend(); ++it) it->remove_new_rows();   // children first
        for (auto &t : tables) t.restore_old_rows();                                        // parents first
        for (auto it = tables.rbegin(); it != tables.rend(); ++it) it->remove_rows_left();  // children first
        for (auto &t : tables) t.drop_undone_tombstones();
    }
    restart_if_tenant_changed(tenant, collected_from, point.own_history_from);
    defer_again(deferred);
    std::vector<Counts> out;
    for (auto &t : tables) {
        const Counts &c = t.counts();
        if (c.reinserted + c.reverted + c.removed > 0) out.push_back(c);
    }
    return out;
}

}  // namespace

// A rewind reads the log and the tables under the caller's snapshot. Under
// REPEATABLE READ or SERIALIZABLE that is the transaction's first one, which
// sees no change committed after it: the rewind would leave such a change in
// place, and its check for changes committed meanwhile reads with the same
// snapshot (the attacker's report of the 0.11.0 release: a later edit kept,
// a tombstone of a live row left). Refused, dry runs too.
void require_read_committed() {
    spi::Session spi;
    spi::exec("SELECT pg_catalog.current_setting('transaction_isolation')");
    std::string level = spi::text(0, 1);
    if (level != "read committed")
        throw Error(ERRCODE_FEATURE_NOT_SUPPORTED, "rewind needs READ COMMITTED isolation, not " + level,
                    "Its snapshot would not see changes committed after the transaction began, and would leave "
                    "them in place.",
                    "Run the rewind in a READ COMMITTED transaction (the default).");
}

TG_FUNCTION(tg_rewind) {
    spi::PinnedOutputSettings output;  // values compared and read as the images spell them
    require_read_committed();
    if (pg::arg_is_null(fcinfo, 0)) throw Error(ERRCODE_NULL_VALUE_NOT_ALLOWED, "tenant must not be NULL");
    std::string tenant = pg::arg_text(fcinfo, 0);
    bool dry_run = !pg::arg_is_null(fcinfo, 3) && pg::arg_bool(fcinfo, 3);
    std::vector<Counts> results = dry_run ? run_and_roll_back([&] { return rewind(fcinfo, tenant); })
                                          : without_lock_waits("rewind", [&] { return rewind(fcinfo, tenant); });
    std::vector<TableCountRow<3>> rows;
    for (const auto &c : results) rows.push_back({c.relid, {c.reinserted, c.reverted, c.removed}});
    return_table_counts(fcinfo, rows);
    return (Datum)0;
}
