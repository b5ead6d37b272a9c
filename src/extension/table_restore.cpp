#include "extension/table_restore.hpp"

#include <map>
#include <unordered_set>

#include "extension/columns.hpp"
#include "extension/errors.hpp"
#include "extension/module.hpp"
#include "extension/restore_rights.hpp"
#include "extension/retryable.hpp"
#include "extension/search_path.hpp"

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
};

class TableRestore {
   public:
    TableRestore(const registry::ProtectedTable &table, const RestoreOptions &options,
                 const std::vector<registry::ProtectedTable> &active)
        : table_(table), options_(options), active_(active) {
        counts_.relid = table.relid;
        rel_ = spi::qualified_name(table.relid);
        insertable_ = columns::names(table.relid, columns::insertable, false);
        std::string match = columns::primary_key_match(table.relid);
        conflict_sql_ = "SELECT u.i FROM unnest($1::jsonb[]) WITH ORDINALITY AS u(k, i), "
                        "LATERAL jsonb_populate_record(NULL::" + rel_ + ", u.k) AS p "
                        "WHERE EXISTS (SELECT 1 FROM " + rel_ + " AS x WHERE " + match + ")";
    }

    TableCounts run() {
        Portal cursor = open_tombstones();
        for (;;) {
            pg_guard([&] { SPI_cursor_fetch(cursor, true, batch_rows); });
            SPITupleTable *batch = SPI_tuptable;
            uint64 n = SPI_processed;
            if (n == 0) break;
            // Checked only where there is something to restore: an operator
            // needs no privilege on tables the tenant has no tombstones in.
            if (!privilege_checked_) {
                require_privileges(table_.relid, ACL_INSERT | ACL_SELECT, options_.caller);
                privilege_checked_ = true;
            }
            restore_batch(batch, n);
            SPI_freetuptable(batch);
        }
        pg_guard([&] { SPI_cursor_close(cursor); });
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
        std::vector<spi::Arg> args = {{INT4OID, Int32GetDatum(table_.table_id)},
                                      spi::text_arg(options_.tenant),
                                      {TEXTARRAYOID, columns::text_array(insertable_)},
                                      options_.ids};
        for (const auto &a : options_.filter.args()) args.push_back(a);
        std::vector<Oid> types;
        std::vector<Datum> values;
        std::vector<char> nulls;
        for (const auto &a : args) {
            types.push_back(a.type);
            values.push_back(a.value);
            nulls.push_back(a.is_null ? 'n' : ' ');
        }
        return pg_guard([&] {
            return with_pinned_search_path([&] {
                return SPI_cursor_open_with_args(nullptr, sql.c_str(), (int)args.size(), types.data(), values.data(),
                                                 nulls.data(), false, 0);
            });
        });
    }

    void restore_batch(SPITupleTable *batch, uint64 n) {
        std::vector<Tombstone> rows;
        for (uint64 r = 0; r < n; r++) {
            HeapTuple tup = batch->vals[r];
            TupleDesc desc = batch->tupdesc;
            bool isnull;
            Tombstone t;
            t.id = SPI_getbinval(tup, desc, 1, &isnull);
            t.pk_text = pg_guard([&] { return SPI_getvalue(tup, desc, 2); });
            t.pk = SPI_getbinval(tup, desc, 3, &isnull);
            t.row = SPI_getbinval(tup, desc, 4, &isnull);
            t.columns = pg_guard([&] { return SPI_getvalue(tup, desc, 5); });
            // Newest first: an older tombstone of the same key stays tombstoned.
            if (!seen_.insert(t.pk_text).second) {
                counts_.skipped++;
                continue;
            }
            rows.push_back(std::move(t));
        }
        drop_conflicts(rows);
        if (options_.skip_conflicts) drop_orphans(rows);
        if (rows.empty()) return;
        std::unordered_set<std::string> inserted = insert_rows(rows);
        std::vector<Datum> ids;
        for (const auto &t : rows)
            if (!options_.skip_conflicts || inserted.count(t.pk_text))
                ids.push_back(t.id);
            else
                counts_.skipped++;  // its key was taken meanwhile by a concurrent insert
        spi::AsExtensionOwner owner;
        spi::exec("DELETE FROM tenant_guard.tombstone_data WHERE tombstone_id = ANY ($1)",
                  {{INT8ARRAYOID, spi::array_of(ids, INT8OID)}});
        counts_.restored += (int64)ids.size();
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

    // With 'skip', a row whose parent (in a protected table) stays tombstoned
    // is skipped too: its parent's key may now be held by another tenant's
    // live row (global keys, as Django and Rails make them), and the row must
    // never be restored against it. A reference counts when a live row of the
    // same tenant holds the key. (A reference to the table itself is left to
    // the foreign key: its parent may be in the same batch.)
    void drop_orphans(std::vector<Tombstone> &rows) {
        if (rows.empty()) return;
        std::vector<bool> orphan(rows.size(), false);
        std::vector<Datum> images;
        for (const auto &t : rows) images.push_back(t.row);
        for (const auto &fk : columns::foreign_keys(table_.relid)) {
            auto parent = registry::covering(fk.parent, active_);
            if (!parent || fk.parent == table_.relid) continue;
            std::string rel = spi::qualified_name(fk.parent);
            AsTableOwner owner(fk.parent);
            uint64 n = spi::exec(
                "SELECT u.i FROM unnest($1::jsonb[]) WITH ORDINALITY AS u(r, i) WHERE " + fk.references_a_row("u.r") +
                    " AND NOT EXISTS (SELECT 1 FROM " + rel + " AS x, LATERAL jsonb_populate_record(NULL::" + rel +
                    ", " + fk.referenced_key("u.r") + ") AS p WHERE " + fk.match() + " AND pg_catalog.format('%s', x." +
                    spi::quote_ident(parent->tenant_column) + ") = $2)",
                {{JSONBARRAYOID, spi::array_of(images, JSONBOID)}, spi::text_arg(options_.tenant)});
            for (uint64 r = 0; r < n; r++) orphan[spi::int64_at(r, 1) - 1] = true;
        }
        std::vector<Tombstone> kept;
        for (size_t i = 0; i < rows.size(); i++)
            if (!orphan[i]) kept.push_back(std::move(rows[i]));
        counts_.skipped += (int64)(rows.size() - kept.size());
        rows = std::move(kept);
    }

    // One INSERT per set of columns present in the images: columns added since
    // the deletion are left to their defaults, dropped ones are ignored. With
    // skip_conflicts, a key that a concurrent transaction took after the
    // conflict check is skipped too (ON CONFLICT DO NOTHING); returns the keys
    // inserted then. Without, such a race is a retryable 40001.
    std::unordered_set<std::string> insert_rows(const std::vector<Tombstone> &rows) {
        std::unordered_set<std::string> inserted;
        std::string on_conflict =
            options_.skip_conflicts ? " ON CONFLICT DO NOTHING RETURNING " + returned_key() : std::string();
        auto insert = [&](const std::string &sql, const std::vector<Datum> &images) {
            uint64 n = unique_violation_is_retryable("rows of " + rel_ + " were inserted while undelete ran", [&] {
                return spi::exec(sql + on_conflict, {{JSONBARRAYOID, spi::array_of(images, JSONBOID)}});
            });
            if (options_.skip_conflicts)
                for (uint64 r = 0; r < n; r++) inserted.insert(spi::text(r, 1));
        };
        std::vector<bool> done(rows.size(), false);
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
            insert("INSERT INTO " + rel_ + " (" + columns + ") OVERRIDING SYSTEM VALUE SELECT p.* FROM "
                   "unnest($1::jsonb[]) AS u(r), LATERAL jsonb_to_record(u.r) AS p(" + typed_columns(columns) + ")",
                   images);
        }
        return inserted;
    }

    // The inserted row's primary key as the tombstone keeps it (jsonb text).
    std::string returned_key() {
        return columns::primary_key_object(table_.relid, "") + "::text";
    }

    // "a, b" -> "a <type of a>, b <type of b>" for jsonb_to_record, cached.
    std::string typed_columns(const std::string &columns) {
        auto it = typed_cache_.find(columns);
        if (it != typed_cache_.end()) return it->second;
        return typed_cache_.emplace(columns, columns::typed(table_.relid, columns)).first->second;
    }

    const registry::ProtectedTable &table_;
    const RestoreOptions &options_;
    const std::vector<registry::ProtectedTable> &active_;
    TableCounts counts_;
    std::string rel_;
    std::vector<std::string> insertable_;
    std::string conflict_sql_;
    std::unordered_set<std::string> seen_;
    bool privilege_checked_ = false;
    std::map<std::string, std::string> typed_cache_;
};

}  // namespace

TableCounts restore_table(const registry::ProtectedTable &table, const RestoreOptions &options,
                          const std::vector<registry::ProtectedTable> &active) {
    return TableRestore(table, options, active).run();
}

bool skip_conflicts_argument(FunctionCallInfo fcinfo, int n) {
    std::string on_conflict =
        PG_ARGISNULL(n) ? "error" : pg_guard([&] { return text_to_cstring(PG_GETARG_TEXT_PP(n)); });
    if (on_conflict != "error" && on_conflict != "skip")
        throw Error(ERRCODE_INVALID_PARAMETER_VALUE, "unknown on_conflict \"" + on_conflict + "\"", "",
                    "Use 'error' (nothing is restored if any row conflicts) or 'skip' (conflicting rows stay "
                    "tombstoned).");
    return on_conflict == "skip";
}

}  // namespace tg
