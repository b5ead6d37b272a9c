#include "extension/table_restore.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <unordered_set>

#include "extension/columns.hpp"
#include "extension/errors.hpp"
#include "extension/capture_scopes.hpp"
#include "extension/restore_rights.hpp"
#include "extension/retryable.hpp"
#include "extension/pg/function_args.hpp"
#include "extension/tombstone_image.hpp"

namespace tg {

namespace {

constexpr long batch_rows = 1000;
constexpr size_t conflicts_named = 5;

// One tombstone of the batch being restored.
struct Tombstone {
    Datum id;
    Datum place;  // its ctid, locked by the cursor (FOR UPDATE): where it is deleted from
    std::string pk_text;
    Datum pk;
    Datum row;
    std::string columns;  // quoted insert column list present in the image
    std::string key_now;  // the key as this session spells it (what RETURNING gives)
    bool taken = false;   // a live row holds the key
    bool older = false;   // a newer tombstone of the batch has an equal key
};

std::string joined_quoted(const std::vector<std::string> &names) {
    std::string out;
    for (const auto &n : names) out += (out.empty() ? "" : ", ") + spi::quote_ident(n);
    return out;
}

}  // namespace

// One foreign key of the table to a protected table: the statement that
// finds the rows of a batch it refuses (check_parents).
struct ParentCheck {
    Oid parent;
    std::string rel;            // the parent, qualified
    std::string refuse_sql[2];  // [skip_conflicts]
};

struct TablePlan {
    TablePlan(const registry::ProtectedTable &table, const std::vector<registry::ProtectedTable> &active)
        : table_id(table.table_id),
          tenant_column(table.tenant_column),
          active(active),
          sql(table.relid),
          rel(sql.rel()) {
        all_columns = joined_quoted(sql.insertable());
        // Per key of a batch: its ordinal, the key as the INSERT's RETURNING
        // spells it in this session (spell_keys), whether a live row holds it,
        // and whether an earlier key of the batch equals it as the primary
        // key compares (numeric 1.0 and 1.00, citext 'Bob' and 'bob': two
        // spellings, one key). (A lateral probe, never an EXISTS in the
        // select list: the planner may hash that one over the whole table.)
        keys_sql = "SELECT u.i, " + sql.key_object("p") +
                   "::text, c.taken IS NOT NULL, u.i <> min(u.i) OVER (PARTITION BY " + sql.key_columns("p") +
                   ") FROM unnest($1::jsonb[]) WITH ORDINALITY AS u(k, i) CROSS JOIN LATERAL " + sql.key_record("u.k") +
                   " LEFT JOIN LATERAL (SELECT true FROM " + rel + " AS x WHERE " + sql.key_match() +
                   " LIMIT 1) AS c(taken) ON true";
        returning = " RETURNING " + sql.key_object("") + "::text, pg_catalog.format('%s', " +
                    spi::quote_ident(table.tenant_column) + ")";
        global_key = !sql.in_key(table.tenant_column);
    }

    // The table's foreign keys to protected tables, read on first use.
    const std::vector<ParentCheck> &parent_checks() {
        if (parents_read) return parents;
        for (const auto &fk : columns::foreign_keys(sql.relid())) {
            auto parent = registry::covering(fk.parent, active);
            if (!parent) continue;
            bool self = parent->table_id == table_id;
            ParentCheck check{fk.parent, spi::qualified_name(fk.parent), {}};
            // The key carries the tenant column to the parent's, of one
            // text: the parent a row references is of its tenant. Only
            // whether it is live is left to check ('skip').
            bool tenant_in_key = fk.pairs_same_text(tenant_column, parent->tenant_column);
            std::string held_by = "EXISTS (SELECT 1 FROM " + check.rel + " AS x, LATERAL " +
                                  fk.referenced_record("u.r", "p") + " WHERE " + fk.match() +
                                  " AND pg_catalog.format('%s', x." + spi::quote_ident(parent->tenant_column) + ")";
            std::string select = "SELECT u.i FROM unnest($1::jsonb[]) WITH ORDINALITY AS u(r, i) WHERE " +
                                 fk.references_a_row("u.r") + " AND ";
            if (!tenant_in_key) check.refuse_sql[0] = select + held_by + " <> $2)";
            check.refuse_sql[1] = self ? check.refuse_sql[0] : select + "NOT " + held_by + " = $2)";
            parents.push_back(std::move(check));
        }
        parents_read = true;
        return parents;
    }

    // Whether the table (or a partition) has a BEFORE INSERT row trigger,
    // which may change a row's key; and the names of its primary keys (of
    // the table and its partitions). Read on first use.
    bool before_insert_triggers() {
        read_triggers_and_keys();
        return before_insert_triggers_;
    }
    const std::vector<std::string> &primary_keys() {
        read_triggers_and_keys();
        return primary_keys_;
    }
    void read_triggers_and_keys() {
        if (triggers_read_) return;
        spi::Arg relid{OIDOID, datum::from_oid(sql.relid())};
        const std::string tree =
            "(SELECT $1::regclass UNION SELECT t.relid FROM pg_catalog.pg_partition_tree($1::regclass) AS t)";
        uint64 n = spi::exec("SELECT EXISTS (SELECT FROM pg_catalog.pg_trigger g WHERE g.tgrelid IN " + tree +
                                 " AND NOT g.tgisinternal AND g.tgtype::int & 7 = 7)",  // ROW | BEFORE | INSERT
                             {relid});
        before_insert_triggers_ = n == 1 && spi::text(0, 1) == "t";
        n = spi::exec(
            "SELECT c.relname::text FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c "
            "ON c.oid = i.indexrelid WHERE i.indisprimary AND i.indrelid IN " +
                tree,
            {relid});
        for (uint64 r = 0; r < n; r++) primary_keys_.push_back(spi::text(r, 1));
        triggers_read_ = true;
    }

    // The table's deferrable constraints (make_constraints_immediate), read on first use.
    const DeferrableConstraints &constraints() {
        if (!constraints_read) constraints_ = deferrable_constraints(sql.relid());
        constraints_read = true;
        return constraints_;
    }

    // The INSERT of images holding the quoted columns (a list from the tombstones' cursor).
    const std::string &insert_sql(const std::string &columns) {
        auto it = inserts.find(columns);
        if (it != inserts.end()) return it->second;
        std::string insert = columns.empty()
                                 ? "INSERT INTO " + rel + " SELECT FROM unnest($1::jsonb[])"
                                 : "INSERT INTO " + rel + " (" + columns + ") OVERRIDING SYSTEM VALUE SELECT " +
                                       sql.values(columns, "u.r", "p") +
                                       " FROM unnest($1::jsonb[]) AS u(r), LATERAL jsonb_to_record(u.r) AS p(" +
                                       sql.typed(columns) + ")";
        return inserts.emplace(columns, std::move(insert)).first->second;
    }

    int32 table_id;
    std::string tenant_column;
    const std::vector<registry::ProtectedTable> &active;
    columns::TableSql sql;
    std::string rel;          // sql.rel()
    std::string all_columns;  // the quoted insertable columns: what an image holding all of them inserts
    std::string keys_sql;
    std::string returning;
    std::vector<ParentCheck> parents;
    bool parents_read = false;
    std::map<std::string, std::string> inserts;  // by quoted column list
    DeferrableConstraints constraints_;
    bool constraints_read = false;
    // Counting (count_only) tenant after tenant in one call, where a key is
    // global (the primary key lacks the tenant column): the hashes of the
    // keys the tenants counted so far would restore, sorted. A later
    // tenant's row with such a key conflicts with the row restored before it.
    bool global_key = false;
    std::vector<size_t> restored_keys;
    bool triggers_read_ = false;
    bool before_insert_triggers_ = false;
    std::vector<std::string> primary_keys_;
};

RestorePlans::RestorePlans() = default;
RestorePlans::~RestorePlans() = default;

TablePlan &RestorePlans::of(const registry::ProtectedTable &table,
                            const std::vector<registry::ProtectedTable> &active) {
    auto it = plans_.find(table.relid);
    if (it == plans_.end()) it = plans_.emplace(table.relid, std::make_unique<TablePlan>(table, active)).first;
    return *it->second;
}

namespace {

class TableRestore {
   public:
    TableRestore(const registry::ProtectedTable &table, const RestoreOptions &options, TablePlan &plan)
        : table_(table), options_(options), plan_(plan), sql_(plan.sql), rel_(plan.rel) {
        counts_.relid = table.relid;
    }

    TableCounts run() {
        Portal cursor = open_tombstones();
        for (;;) {
            uint64 n;
            SPITupleTable *batch = pg::spi_fetch(cursor, batch_rows, &n);
            if (n == 0) break;
            // Checked only where there is something to restore: an operator
            // needs no privilege on tables the tenant has no tombstones in.
            if (!privilege_checked_) {
                require_privileges(table_.relid, options_.count_only ? ACL_SELECT : ACL_INSERT | ACL_SELECT,
                                   options_.caller);
                privilege_checked_ = true;
                if (!options_.count_only) deferred_ = make_constraints_immediate(plan_.constraints());
            }
            {
                // A connection of its own per batch: what the batch's queries
                // return and the arrays and text built for them live in its
                // memory, freed when it closes, not at the end of the whole
                // call (undelete_where of every tenant: 850 MB for 1M rows).
                spi::Session batch_memory;
                restore_batch(batch, n);
            }
            pg::spi_free(batch);
        }
        pg::spi_close_cursor(cursor);
        defer_again(deferred_);
        if (!tenant_keys_.empty()) {
            std::sort(tenant_keys_.begin(), tenant_keys_.end());
            size_t earlier = plan_.restored_keys.size();
            plan_.restored_keys.insert(plan_.restored_keys.end(), tenant_keys_.begin(), tenant_keys_.end());
            std::inplace_merge(plan_.restored_keys.begin(), plan_.restored_keys.begin() + (long)earlier,
                               plan_.restored_keys.end());
        }
        return counts_;
    }

   private:
    // The cursor stays open while the table owners' code runs (the key
    // checks, the INSERT's triggers and defaults): spi::open_cursor makes it
    // one that code cannot find, fetch from or close.
    // Counting needs the images only for the parent checks.
    bool reads_images() { return !options_.count_only || !plan_.parent_checks().empty(); }

    Portal open_tombstones() {
        // Counting locks nothing.
        bool images = reads_images();
        spi::AsExtensionOwner owner;
        std::string sql =
            // Sorted and locked before the images are looked up: the sort
            // then holds no image. The lateral join is a nested loop over the
            // sorted tombstones, so the rows come newest first (a LockRows
            // result is not known sorted to the planner: an outer ORDER BY
            // would sort the images again).
            std::string("SELECT t.tombstone_id, t.pk::text, t.pk, ") +
            (images ? "i.image, "
                      "CASE WHEN i.image OPERATOR(pg_catalog.?&) $3 THEN NULL "  // every column: plan_.all_columns
                      "ELSE array_to_string(ARRAY(SELECT quote_ident(k) FROM jsonb_object_keys(i.image) AS k "
                      "                           WHERE k = ANY ($3) ORDER BY k COLLATE \"C\"), ', ') END, "
                    : "NULL::jsonb, NULL::text, ") +
            "t.ctid FROM (SELECT t.tombstone_id, t.xid, t.pk, t.row_data, t.ctid FROM tenant_guard.tombstone_data t "
            "         WHERE t.table_id = $1 AND t.tenant = $2 AND ($4::bigint[] IS NULL OR t.tombstone_id = ANY ($4)) "
            "           AND " +
            DeletionFilter::condition("t", 5) + "         ORDER BY t.tombstone_id DESC" +
            (options_.count_only ? "" : " FOR UPDATE") + ") AS t" + (images ? tombstone_image_join("t", "i") : "");
        std::vector<spi::Arg> args = {{INT4OID, datum::from_int32(table_.table_id)},
                                      spi::text_arg(options_.tenant),
                                      {TEXTARRAYOID, columns::text_array(sql_.insertable())},
                                      options_.ids};
        for (const auto &a : options_.filter.args()) args.push_back(a);
        return spi::open_cursor(sql, args);
    }

    void restore_batch(SPITupleTable *batch, uint64 n) {
        const bool with_images = reads_images();
        std::vector<Tombstone> fetched;
        for (uint64 r = 0; r < n; r++) {
            bool isnull;
            Tombstone t;
            t.id = pg::spi_datum(batch, r, 1, &isnull);
            t.pk_text = pg::spi_value(batch, r, 2);
            t.pk = pg::spi_datum(batch, r, 3, &isnull);
            t.row = pg::spi_datum(batch, r, 4, &isnull);
            // Neither its own image nor its deletion's entry in the log: the
            // history that held it was removed. Refused, not restored empty.
            if (with_images && isnull)
                throw Error(ERRCODE_DATA_CORRUPTED,
                            "the tombstone of " + rel_ + " row " + t.pk_text + " (tenant \"" + options_.tenant +
                                "\") has no image",
                            "Neither the tombstone nor the change log holds the row's values any more. "
                            "Nothing was restored.",
                            "Restore the row from a backup; tenant_guard.purge() with a signed token for its "
                            "key removes the tombstone.");
            const char *columns = pg::spi_value(batch, r, 5);
            t.columns = columns ? columns : plan_.all_columns;
            t.place = pg::spi_datum(batch, r, 6, &isnull);
            fetched.push_back(std::move(t));
        }
        spell_keys_now(fetched);
        std::vector<Tombstone> rows;
        for (auto &t : fetched) {
            // Newest first: an older tombstone of the same key stays tombstoned.
            if (!seen_.insert(t.key_now).second || t.older) {
                counts_.skipped++;
                continue;
            }
            rows.push_back(std::move(t));
        }
        drop_conflicts(rows);
        check_parents(rows);
        if (options_.count_only) {
            if (plan_.global_key) count_keys_of_earlier_tenants(rows);
            return;
        }
        if (rows.empty()) return;
        std::unordered_set<std::string> inserted = insert_rows(rows);
        std::vector<Datum> ids, places;
        for (const auto &t : rows)
            if (!options_.skip_conflicts || inserted.count(t.key_now)) {
                ids.push_back(t.id);
                places.push_back(t.place);
            } else {
                counts_.skipped++;  // its key was taken meanwhile by a concurrent insert, or a trigger skipped it
            }
        // By the places the cursor locked, a TID scan: the planner prices
        // each place as a random page read and scans every tombstone instead
        // (once per batch: quadratic in the tombstones of the operation)
        // until the table is some 4,000 pages, by place or by id.
        spi::AsExtensionOwner owner;
        spi::PinnedSetting tid_scan("enable_seqscan", "off");
        uint64 deleted =
            spi::exec("DELETE FROM tenant_guard.tombstone_data WHERE ctid = ANY ($1) AND tombstone_id = ANY ($2)",
                      {{TIDARRAYOID, spi::array_of(places, TIDOID)}, {INT8ARRAYOID, spi::array_of(ids, INT8OID)}});
        if (deleted != ids.size())
            throw Error(ERRCODE_INTERNAL_ERROR,
                        "undelete of tenant \"" + options_.tenant + "\" in " + rel_ + " removed " +
                            std::to_string(deleted) + " of the " + std::to_string(ids.size()) +
                            " tombstones of the rows it restored",
                        "Nothing was restored.", "Report this as a bug of tenant_guard.");
        counts_.restored += (int64)ids.size();
    }

    // The keys as the INSERT's RETURNING spells them in this session: an
    // image's key is spelled as the deleting session wrote it (a timestamptz
    // in its TimeZone), so comparing that text with what RETURNING gives
    // counted rows that came back as skipped (and kept their tombstones), and
    // two tombstones of one key written in different time zones were two
    // keys. Read through the table's types, as the table's owner, in the
    // statement that finds the keys a live row holds (drop_conflicts).
    void spell_keys_now(std::vector<Tombstone> &rows) {
        std::vector<Datum> keys;
        for (const auto &t : rows) keys.push_back(t.pk);
        AsTableOwner owner(table_.relid);
        uint64 n = spi::exec(plan_.keys_sql, {{JSONBARRAYOID, spi::array_of(keys, JSONBOID)}});
        for (uint64 r = 0; r < n; r++) {
            Tombstone &t = rows[spi::int64_at(r, 1) - 1];
            t.key_now = spi::text(r, 2);
            t.taken = spi::text(r, 3) == "t";
            t.older = spi::text(r, 4) == "t";
        }
    }

    // Rows whose primary key a live row holds again: an error, or skipped.
    void drop_conflicts(std::vector<Tombstone> &rows) {
        if (rows.empty()) return;
        uint64 n = 0;
        std::vector<bool> conflict(rows.size(), false);
        for (size_t i = 0; i < rows.size(); i++)
            if (rows[i].taken) {
                conflict[i] = true;
                n++;
            }
        if (n == 0) return;
        counts_.conflicts += (int64)n;
        if (!options_.skip_conflicts && !options_.count_only) {
            std::string named;
            size_t shown = 0;
            for (size_t i = 0; i < rows.size() && shown < conflicts_named; i++)
                if (conflict[i]) named += std::string(shown++ ? ", " : "") + rows[i].pk_text;
            throw Error(sqlstate::undelete_conflict,
                        "cannot undelete " + std::to_string(n) + " row(s) of tenant \"" + options_.tenant + "\" in " +
                            rel_ + ": their primary key is taken by a live row",
                        "First conflicts: " + named + ". Nothing was restored.",
                        "Pass on_conflict => 'skip' to restore the other rows and leave these tombstoned.");
        }
        std::vector<Tombstone> kept;
        for (size_t i = 0; i < rows.size(); i++)
            if (!conflict[i]) kept.push_back(std::move(rows[i]));
        counts_.skipped += (int64)(rows.size() - kept.size());
        rows = std::move(kept);
    }

    // Counting: rows whose global key a tenant counted before in this call
    // would restore are conflicts (undelete_where restores tenants in that
    // order, and the earlier one's row then holds the key); the others'
    // keys are this tenant's.
    void count_keys_of_earlier_tenants(const std::vector<Tombstone> &rows) {
        std::hash<std::string> hash;
        for (const auto &t : rows) {
            size_t h = hash(t.key_now);
            if (std::binary_search(plan_.restored_keys.begin(), plan_.restored_keys.end(), h))
                counts_.conflicts++;
            else
                tenant_keys_.push_back(h);
        }
    }

    // A row is never restored against another tenant's row. With global
    // keys (id alone, as Django and Rails make them) the key a row references
    // in a protected table may now be held by another tenant's live row (the
    // tenant's own parent was deleted and its key taken since), and the
    // foreign key would be satisfied by it: such a row is a conflict, TG020
    // or, with 'skip', left tombstoned and counted. With 'skip', a row whose
    // parent stays tombstoned (no live row of the tenant holds the key) is
    // skipped too, except through a reference to its own table, where the
    // parent may come later in the same restore (the foreign key checks it).
    // Counting checks as 'error' does: a parent that stays tombstoned is
    // the foreign key's error at the INSERT, which only a restore meets.
    void check_parents(std::vector<Tombstone> &rows) {
        if (rows.empty()) return;
        std::vector<bool> refused(rows.size(), false);
        std::vector<Datum> images;
        for (const auto &t : rows) images.push_back(t.row);
        std::string refused_parent;
        for (const auto &check : plan_.parent_checks()) {
            // What the count says of the parent is the caller's to read (a
            // restore's INSERT is checked against it by the foreign key).
            if (options_.count_only && checked_parents_.insert(check.parent).second)
                require_privileges(check.parent, ACL_SELECT, options_.caller);
            const std::string &refuse_sql = check.refuse_sql[options_.skip_conflicts ? 1 : 0];
            if (refuse_sql.empty()) continue;  // nothing it could refuse
            AsTableOwner owner(check.parent);
            uint64 n = spi::exec(refuse_sql,
                                 {{JSONBARRAYOID, spi::array_of(images, JSONBOID)}, spi::text_arg(options_.tenant)});
            for (uint64 r = 0; r < n; r++) refused[spi::int64_at(r, 1) - 1] = true;
            if (n > 0 && refused_parent.empty()) refused_parent = check.rel;
        }
        std::vector<Tombstone> kept;
        std::string named;
        size_t shown = 0;
        for (size_t i = 0; i < rows.size(); i++)
            if (!refused[i])
                kept.push_back(std::move(rows[i]));
            else if (shown < conflicts_named)
                named += std::string(shown++ ? ", " : "") + rows[i].pk_text;
        if (!options_.skip_conflicts && !options_.count_only && kept.size() < rows.size())
            throw Error(sqlstate::undelete_conflict,
                        "cannot undelete " + std::to_string(rows.size() - kept.size()) + " row(s) of tenant \"" +
                            options_.tenant + "\" in " + rel_ + ": they reference a row of another tenant",
                        "The key they reference in " + refused_parent +
                            " is held by a live row of another tenant now. First rows: " + named +
                            ". Nothing was restored.",
                        "Restore their parent first, or pass on_conflict => 'skip' to restore the other rows and "
                        "leave these tombstoned.");
        counts_.skipped += (int64)(rows.size() - kept.size());
        counts_.conflicts += (int64)(rows.size() - kept.size());
        rows = std::move(kept);
    }

    // One INSERT per set of columns present in the images: columns added since
    // the deletion are left to their defaults, dropped ones are ignored. Every
    // row must come back as it was, of the same tenant: a tombstone goes
    // only for a row its INSERT returned. A row a BEFORE INSERT trigger of
    // the table skipped (RETURN NULL) is a conflict, TG020 or skipped with
    // 'skip'; one it moved to another tenant is refused (TG002), one whose
    // key it changed too (TG020: its tombstone would stay, and the row come
    // back twice); a rule that rewrites the INSERT fails it (RETURNING). With
    // 'skip' and a BEFORE INSERT trigger, rows go in one by one: a row left
    // out then is known for sure, and which row came back under which key
    // (several at once, a trigger turning key 2 into 3 while 3 was left out
    // would have cost 3's tombstone, and 2 come back twice). With skip_conflicts, a key
    // that a concurrent transaction took after the conflict check is skipped
    // too (ON CONFLICT DO NOTHING); returns the keys inserted then. Without,
    // such a race is a retryable 40001.
    std::unordered_set<std::string> insert_rows(const std::vector<Tombstone> &rows) {
        std::unordered_set<std::string> inserted;
        std::string on_conflict = options_.skip_conflicts ? " ON CONFLICT DO NOTHING" : "";
        const std::string &returning = plan_.returning;
        std::unordered_set<std::string> keys;
        for (const auto &t : rows) keys.insert(t.key_now);
        uint64 returned = 0;
        // own_key: the key of the one row inserted, for one by one.
        auto insert = [&](const std::string &sql, const std::vector<Datum> &images, const std::string *own_key) {
            uint64 n = unique_violation_is_retryable(
                "rows of " + rel_ + " were inserted while undelete ran",
                [&] {
                    return spi::exec(sql + on_conflict + returning, {{JSONBARRAYOID, spi::array_of(images, JSONBOID)}});
                },
                plan_.primary_keys());
            for (uint64 r = 0; r < n; r++) {
                if (spi::text(r, 2) != options_.tenant)
                    throw Error(sqlstate::wrong_tenant,
                                "cannot undelete rows of tenant \"" + options_.tenant + "\" in " + rel_ +
                                    ": a trigger of the table moved one to another tenant",
                                "The row " + spi::text(r, 1) + " came back as a row of tenant \"" + spi::text(r, 2) +
                                    "\". Nothing was restored.",
                                "A BEFORE INSERT trigger of the table changes its tenant column; restore with it "
                                "disabled, or fix it.");
                if (own_key ? spi::text(r, 1) != *own_key : !keys.count(spi::text(r, 1)))
                    throw Error(sqlstate::undelete_conflict,
                                "cannot undelete rows of tenant \"" + options_.tenant + "\" in " + rel_ +
                                    ": a trigger of the table changed the primary key of one",
                                "A row came back with the key " + spi::text(r, 1) +
                                    ", which none of its tombstones holds. Nothing was restored.",
                                "A BEFORE INSERT trigger of the table changes the key; restore with it disabled, or "
                                "fix it.");
                inserted.insert(spi::text(r, 1));
            }
            returned += n;
        };
        std::vector<bool> done(rows.size(), false);
        const bool one_by_one = options_.skip_conflicts && plan_.before_insert_triggers();
        {
            AsTableOwner owner(table_.relid);
            OriginScope origin(Origin::undelete);
            for (size_t i = 0; i < rows.size(); i++) {
                if (done[i]) continue;
                const std::string &columns = rows[i].columns;
                if (one_by_one) {
                    insert(plan_.insert_sql(columns), {rows[i].row}, &rows[i].key_now);
                    done[i] = true;
                    continue;
                }
                std::vector<Datum> images;
                for (size_t j = i; j < rows.size(); j++)
                    if (!done[j] && rows[j].columns == columns) {
                        images.push_back(rows[j].row);
                        done[j] = true;
                    }
                insert(plan_.insert_sql(columns), images, nullptr);
            }
        }
        if (!options_.skip_conflicts && returned < rows.size())
            throw Error(sqlstate::undelete_conflict,
                        "cannot undelete " + std::to_string(rows.size() - returned) + " row(s) of tenant \"" +
                            options_.tenant + "\" in " + rel_ + ": the table's triggers did not insert them",
                        "A BEFORE INSERT trigger of the table skipped them (it returned NULL). Nothing was restored.",
                        "Restore with the trigger disabled, or pass on_conflict => 'skip' to restore the other rows "
                        "and leave these tombstoned.");
        return inserted;
    }

    const registry::ProtectedTable &table_;
    const RestoreOptions &options_;
    TablePlan &plan_;
    columns::TableSql &sql_;
    const std::string &rel_;  // sql_.rel()
    TableCounts counts_;
    std::unordered_set<std::string> seen_;
    std::unordered_set<Oid> checked_parents_;  // count_only: parents whose SELECT the caller was checked for
    std::vector<size_t> tenant_keys_;          // count_only, global key: hashes of the keys this tenant would restore
    bool privilege_checked_ = false;
    std::vector<std::string> deferred_;  // constraints made immediate for the restore, declared deferred
};

}  // namespace

TableCounts restore_table(const registry::ProtectedTable &table, const RestoreOptions &options,
                          const std::vector<registry::ProtectedTable> &active, RestorePlans &plans) {
    return TableRestore(table, options, plans.of(table, active)).run();
}

TableCounts restore_table(const registry::ProtectedTable &table, const RestoreOptions &options,
                          const std::vector<registry::ProtectedTable> &active) {
    RestorePlans plans;
    return restore_table(table, options, active, plans);
}

bool skip_conflicts_argument(FunctionCallInfo fcinfo, int n) {
    std::string on_conflict = pg::arg_is_null(fcinfo, n) ? "error" : pg::arg_text(fcinfo, n);
    if (on_conflict != "error" && on_conflict != "skip")
        throw Error(ERRCODE_INVALID_PARAMETER_VALUE, "unknown on_conflict \"" + on_conflict + "\"", "",
                    "Use 'error' (nothing is restored if any row conflicts) or 'skip' (conflicting rows stay "
                    "tombstoned).");
    return on_conflict == "skip";
}

}  // namespace tg
