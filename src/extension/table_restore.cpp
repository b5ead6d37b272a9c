#include "extension/table_restore.hpp"

#include <map>
#include <unordered_set>

#include "extension/columns.hpp"
#include "extension/errors.hpp"
#include "extension/capture_scopes.hpp"
#include "extension/restore_rights.hpp"
#include "extension/retryable.hpp"
#include "extension/pg/function_args.hpp"

namespace tg {

namespace {

constexpr long batch_rows = 1000;
constexpr size_t conflicts_named = 5;

// One tombstone of the batch being restored.
struct Tombstone {
    Datum id;
    std::string pk_text;
    Datum pk;
    Datum row;
    std::string columns;  // quoted insert column list present in the image
    std::string key_now;  // the key as this session spells it (what RETURNING gives)
};

class TableRestore {
   public:
    TableRestore(const registry::ProtectedTable &table, const RestoreOptions &options,
                 const std::vector<registry::ProtectedTable> &active)
        : table_(table), options_(options), active_(active), sql_(table.relid), rel_(sql_.rel()) {
        counts_.relid = table.relid;
        conflict_sql_ = "SELECT u.i FROM unnest($1::jsonb[]) WITH ORDINALITY AS u(k, i), LATERAL " +
                        sql_.key_record("u.k") + " WHERE EXISTS (SELECT 1 FROM " + rel_ + " AS x WHERE " +
                        sql_.key_match() + ")";
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
                require_privileges(table_.relid, ACL_INSERT | ACL_SELECT, options_.caller);
                privilege_checked_ = true;
                deferred_ = make_constraints_immediate(table_.relid);
            }
            restore_batch(batch, n);
            pg::spi_free(batch);
        }
        pg::spi_close_cursor(cursor);
        defer_again(deferred_);
        return counts_;
    }

   private:
    Portal open_tombstones() {
        spi::AsExtensionOwner owner;
        std::string sql =
            "SELECT t.tombstone_id, t.pk::text, t.pk, t.row_data, "
            "       array_to_string(ARRAY(SELECT quote_ident(k) FROM jsonb_object_keys(t.row_data) AS k "
            "                              WHERE k = ANY ($3) ORDER BY k COLLATE \"C\"), ', ') "
            "  FROM tenant_guard.tombstone_data t "
            " WHERE t.table_id = $1 AND t.tenant = $2 AND ($4::bigint[] IS NULL OR t.tombstone_id = ANY ($4)) AND " +
            DeletionFilter::condition("t", 5) + " ORDER BY t.tombstone_id DESC FOR UPDATE";
        std::vector<spi::Arg> args = {{INT4OID, datum::from_int32(table_.table_id)},
                                      spi::text_arg(options_.tenant),
                                      {TEXTARRAYOID, columns::text_array(sql_.insertable())},
                                      options_.ids};
        for (const auto &a : options_.filter.args()) args.push_back(a);
        return spi::open_cursor(sql, args);
    }

    void restore_batch(SPITupleTable *batch, uint64 n) {
        std::vector<Tombstone> fetched;
        for (uint64 r = 0; r < n; r++) {
            bool isnull;
            Tombstone t;
            t.id = pg::spi_datum(batch, r, 1, &isnull);
            t.pk_text = pg::spi_value(batch, r, 2);
            t.pk = pg::spi_datum(batch, r, 3, &isnull);
            t.row = pg::spi_datum(batch, r, 4, &isnull);
            const char *columns = pg::spi_value(batch, r, 5);
            t.columns = columns ? columns : "";
            fetched.push_back(std::move(t));
        }
        spell_keys_now(fetched);
        std::vector<Tombstone> rows;
        for (auto &t : fetched) {
            // Newest first: an older tombstone of the same key stays tombstoned.
            if (!seen_.insert(t.key_now).second) {
                counts_.skipped++;
                continue;
            }
            rows.push_back(std::move(t));
        }
        drop_conflicts(rows);
        check_parents(rows);
        if (rows.empty()) return;
        std::unordered_set<std::string> inserted = insert_rows(rows);
        std::vector<Datum> ids;
        for (const auto &t : rows)
            if (!options_.skip_conflicts || inserted.count(t.key_now))
                ids.push_back(t.id);
            else
                counts_.skipped++;  // its key was taken meanwhile by a concurrent insert, or a trigger skipped it
        spi::AsExtensionOwner owner;
        spi::exec("DELETE FROM tenant_guard.tombstone_data WHERE tombstone_id = ANY ($1)",
                  {{INT8ARRAYOID, spi::array_of(ids, INT8OID)}});
        counts_.restored += (int64)ids.size();
    }

    // The keys as the INSERT's RETURNING spells them in this session: an
    // image's key is spelled as the deleting session wrote it (a timestamptz
    // in its TimeZone), so comparing that text with what RETURNING gives
    // counted rows that came back as skipped (and kept their tombstones), and
    // two tombstones of one key written in different time zones were two
    // keys. Read through the table's types, as the table's owner.
    void spell_keys_now(std::vector<Tombstone> &rows) {
        std::vector<Datum> keys;
        for (const auto &t : rows) keys.push_back(t.pk);
        AsTableOwner owner(table_.relid);
        uint64 n = spi::exec("SELECT u.i, " + sql_.key_object("p") +
                                 "::text FROM unnest($1::jsonb[]) WITH ORDINALITY AS u(k, i), LATERAL " +
                                 sql_.key_record("u.k"),
                             {{JSONBARRAYOID, spi::array_of(keys, JSONBOID)}});
        for (uint64 r = 0; r < n; r++) rows[spi::int64_at(r, 1) - 1].key_now = spi::text(r, 2);
    }

    // Rows whose primary key a live row holds again: an error, or skipped.
    void drop_conflicts(std::vector<Tombstone> &rows) {
        if (rows.empty()) return;
        std::vector<Datum> keys;
        for (const auto &t : rows) keys.push_back(t.pk);
        uint64 n;
        {
            AsTableOwner owner(table_.relid);
            n = spi::exec(conflict_sql_, {{JSONBARRAYOID, spi::array_of(keys, JSONBOID)}});
        }
        if (n == 0) return;
        std::vector<bool> conflict(rows.size(), false);
        for (uint64 r = 0; r < n; r++) conflict[spi::int64_at(r, 1) - 1] = true;
        if (!options_.skip_conflicts) {
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

    // A row is never restored against another tenant's row. With global
    // keys (id alone, as Django and Rails make them) the key a row references
    // in a protected table may now be held by another tenant's live row (the
    // tenant's own parent was deleted and its key taken since), and the
    // foreign key would be satisfied by it: such a row is a conflict, TG020
    // or, with 'skip', left tombstoned and counted. With 'skip', a row whose
    // parent stays tombstoned (no live row of the tenant holds the key) is
    // skipped too, except through a reference to its own table, where the
    // parent may come later in the same restore (the foreign key checks it).
    void check_parents(std::vector<Tombstone> &rows) {
        if (rows.empty()) return;
        std::vector<bool> refused(rows.size(), false);
        std::vector<Datum> images;
        for (const auto &t : rows) images.push_back(t.row);
        std::string refused_parent;
        for (const auto &fk : columns::foreign_keys(table_.relid)) {
            auto parent = registry::covering(fk.parent, active_);
            if (!parent) continue;
            bool self = parent->table_id == table_.table_id;
            std::string rel = spi::qualified_name(fk.parent);
            std::string held_by = "EXISTS (SELECT 1 FROM " + rel + " AS x, LATERAL " +
                                  fk.referenced_record("u.r", "p") + " WHERE " + fk.match() +
                                  " AND pg_catalog.format('%s', x." + spi::quote_ident(parent->tenant_column) + ")";
            std::string refuse = options_.skip_conflicts && !self ? "NOT " + held_by + " = $2)" : held_by + " <> $2)";
            AsTableOwner owner(fk.parent);
            uint64 n = spi::exec("SELECT u.i FROM unnest($1::jsonb[]) WITH ORDINALITY AS u(r, i) WHERE " +
                                     fk.references_a_row("u.r") + " AND " + refuse,
                                 {{JSONBARRAYOID, spi::array_of(images, JSONBOID)}, spi::text_arg(options_.tenant)});
            for (uint64 r = 0; r < n; r++) refused[spi::int64_at(r, 1) - 1] = true;
            if (n > 0 && refused_parent.empty()) refused_parent = rel;
        }
        std::vector<Tombstone> kept;
        std::string named;
        size_t shown = 0;
        for (size_t i = 0; i < rows.size(); i++)
            if (!refused[i])
                kept.push_back(std::move(rows[i]));
            else if (shown < conflicts_named)
                named += std::string(shown++ ? ", " : "") + rows[i].pk_text;
        if (!options_.skip_conflicts && kept.size() < rows.size())
            throw Error(sqlstate::undelete_conflict,
                        "cannot undelete " + std::to_string(rows.size() - kept.size()) + " row(s) of tenant \"" +
                            options_.tenant + "\" in " + rel_ + ": they reference a row of another tenant",
                        "The key they reference in " + refused_parent +
                            " is held by a live row of another tenant now. First rows: " + named +
                            ". Nothing was restored.",
                        "Restore their parent first, or pass on_conflict => 'skip' to restore the other rows and "
                        "leave these tombstoned.");
        counts_.skipped += (int64)(rows.size() - kept.size());
        rows = std::move(kept);
    }

    // One INSERT per set of columns present in the images: columns added since
    // the deletion are left to their defaults, dropped ones are ignored. Every
    // row must come back as it was, of the same tenant: a tombstone goes
    // only for a row its INSERT returned. A row a BEFORE INSERT trigger of
    // the table skipped (RETURN NULL) is a conflict, TG020 or skipped with
    // 'skip'; one it moved to another tenant is refused (TG002); a rule that
    // rewrites the INSERT fails it (RETURNING). With skip_conflicts, a key
    // that a concurrent transaction took after the conflict check is skipped
    // too (ON CONFLICT DO NOTHING); returns the keys inserted then. Without,
    // such a race is a retryable 40001.
    std::unordered_set<std::string> insert_rows(const std::vector<Tombstone> &rows) {
        std::unordered_set<std::string> inserted;
        std::string on_conflict = options_.skip_conflicts ? " ON CONFLICT DO NOTHING" : "";
        std::string returning = " RETURNING " + returned_key() + ", pg_catalog.format('%s', " +
                                spi::quote_ident(table_.tenant_column) + ")";
        uint64 returned = 0;
        auto insert = [&](const std::string &sql, const std::vector<Datum> &images) {
            uint64 n = unique_violation_is_retryable("rows of " + rel_ + " were inserted while undelete ran", [&] {
                return spi::exec(sql + on_conflict + returning, {{JSONBARRAYOID, spi::array_of(images, JSONBOID)}});
            });
            for (uint64 r = 0; r < n; r++) {
                if (spi::text(r, 2) != options_.tenant)
                    throw Error(sqlstate::wrong_tenant,
                                "cannot undelete rows of tenant \"" + options_.tenant + "\" in " + rel_ +
                                    ": a trigger of the table moved one to another tenant",
                                "The row " + spi::text(r, 1) + " came back as a row of tenant \"" + spi::text(r, 2) +
                                    "\". Nothing was restored.",
                                "A BEFORE INSERT trigger of the table changes its tenant column; restore with it "
                                "disabled, or fix it.");
                inserted.insert(spi::text(r, 1));
            }
            returned += n;
        };
        std::vector<bool> done(rows.size(), false);
        {
            AsTableOwner owner(table_.relid);
            OriginScope origin(Origin::undelete);
            for (size_t i = 0; i < rows.size(); i++) {
                if (done[i]) continue;
                const std::string &columns = rows[i].columns;
                std::vector<Datum> images;
                for (size_t j = i; j < rows.size(); j++)
                    if (!done[j] && rows[j].columns == columns) {
                        images.push_back(rows[j].row);
                        done[j] = true;
                    }
                if (columns.empty()) {
                    insert("INSERT INTO " + rel_ + " SELECT FROM unnest($1::jsonb[])", images);
                    continue;
                }
                insert("INSERT INTO " + rel_ + " (" + columns +
                           ") OVERRIDING SYSTEM VALUE SELECT p.* FROM "
                           "unnest($1::jsonb[]) AS u(r), LATERAL jsonb_to_record(u.r) AS p(" +
                           sql_.typed(columns) + ")",
                       images);
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

    // The inserted row's primary key as the tombstone keeps it (jsonb text).
    std::string returned_key() { return sql_.key_object("") + "::text"; }

    const registry::ProtectedTable &table_;
    const RestoreOptions &options_;
    const std::vector<registry::ProtectedTable> &active_;
    TableCounts counts_;
    columns::TableSql sql_;
    std::string rel_;  // sql_.rel()
    std::string conflict_sql_;
    std::unordered_set<std::string> seen_;
    bool privilege_checked_ = false;
    std::vector<std::string> deferred_;  // constraints made immediate for the restore, declared deferred
};

}  // namespace

TableCounts restore_table(const registry::ProtectedTable &table, const RestoreOptions &options,
                          const std::vector<registry::ProtectedTable> &active) {
    return TableRestore(table, options, active).run();
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
