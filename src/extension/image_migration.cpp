// Images follow ALTER COLUMN ... TYPE and ADD COLUMN (image_migration.hpp).
//
// Each pass reads the table's history with one cursor as the extension
// owner, a batch of rows at a time; for a batch, the values are read back,
// converted and encoded as the table's owner (restricted), and the patches
// (small jsonb objects, merged with ||) written back as the extension owner
// by one UPDATE joined on the rows' keys (tombstone_id; xid and seq, which
// the log segments index).
#include "extension/image_migration.hpp"

#include <memory>

#include "extension/columns.hpp"
#include "extension/history_entries.hpp"
#include "extension/image_migration_pg.hpp"
#include "extension/pg/catalog_calls.hpp"
#include "extension/restore_rights.hpp"
#include "extension/spi.hpp"
#include "extension/tombstone_image.hpp"

namespace tg {

namespace {

namespace impg = image_migration_pg;
using impg::ImageWhere;

constexpr long batch_rows = 1000;

// A memory context for one batch's values, reset after each batch (SPI
// calls switch back to the procedure's context, which lives to the end).
class BatchMemory {
   public:
    BatchMemory() : cxt_(impg::create_batch_memory()) {}
    ~BatchMemory() { impg::delete_memory(cxt_); }
    BatchMemory(const BatchMemory &) = delete;
    BatchMemory &operator=(const BatchMemory &) = delete;
    // f() (guarded calls, a plain result) allocating in the batch's context.
    template <typename F>
    auto run(F &&f) -> decltype(f()) {
        InMemory in(cxt_);
        return f();
    }
    void reset() { impg::reset_memory(cxt_); }

    // memory is the current context for the scope.
    class InMemory {
       public:
        explicit InMemory(MemoryContextData *memory) : old_(impg::switch_memory(memory)) {}
        ~InMemory() { impg::switch_memory(old_); }
        InMemory(const InMemory &) = delete;
        InMemory &operator=(const InMemory &) = delete;

       private:
        MemoryContextData *old_;
    };

   private:
    MemoryContextData *cxt_;
};

// Runs sql, whose parameters are the protected table's id and arg, as a
// cursor of the extension owner, and fn(batch, n) on each batch of its rows
// (a batch's memory is reset after it).
template <typename F>
void for_each_batch(const std::string &sql, int32 table_id, const spi::Arg &arg, BatchMemory &memory, F &&fn) {
    Portal cursor;
    {
        spi::AsExtensionOwner owner;
        cursor = spi::open_cursor(sql, {{INT4OID, datum::from_int32(table_id)}, arg});
    }
    for (;;) {
        SPITupleTable *batch;
        uint64 n;
        {
            spi::AsExtensionOwner owner;
            batch = pg::spi_fetch(cursor, batch_rows, &n);
        }
        if (n == 0) break;
        fn(batch, n);
        pg::spi_free(batch);
        memory.reset();
    }
    pg::spi_close_cursor(cursor);
}

// ---------------------------------------------------------------------------
// The pass over one history table (C++ over SPI).

// A history table as the conversion pass reads and writes it.
struct HistoryTable {
    const char *kind;                   // for messages: "tombstone" | "change"
    int nkeys;                          // leading key columns of the cursor
    std::vector<const char *> images;   // image columns (pk first)
    std::vector<std::string> contexts;  // SQL: the full image each one's columns are read from
    std::string from;                   // FROM ... (alias t), with any LATERAL the contexts need
    std::string where;                  // rows of the table
};

// The key is read with the rest of the tombstone's image, which since 0.6.0
// is the change log's (row_data NULL): this pass runs before the change
// log's, so that image still holds the old values.
HistoryTable tombstone_history() {
    return {"tombstone",
            1,
            {"t.pk", "t.row_data"},
            {"i.image || t.pk", "t.row_data"},
            "tenant_guard.tombstone_data t" + tombstone_image_join("t", "i"),
            "t.table_id = $1"};
}

HistoryTable change_history() {
    // pk is the key of the row's new version (its old one for 'D'); old_row
    // of 'U' holds only the columns that changed: read with the rest of the
    // old row.
    return {"change",
            2,
            {"t.pk", "t.old_row", "t.new_row"},
            {"CASE WHEN t.op = 'D' THEN t.old_row ELSE t.new_row END || t.pk",
             "CASE WHEN t.op = 'U' THEN t.new_row || t.old_row ELSE t.old_row END", "t.new_row"},
            "tenant_guard.change_log_data t",
            "t.table_id = $1"};
}

class RetypePass {
   public:
    RetypePass(const registry::ProtectedTable &table, Oid relid, const impg::ConversionPlan &cv)
        : table_(table), relid_(relid), cv_(cv), rel_(spi::qualified_name(table.relid)) {
        for (int k = 0; k < cv.n; k++) converted_.push_back(cv.converted[k]);
    }

    void run(const HistoryTable &h) {
        for_each_batch(cursor_sql(h), table_.table_id, {TEXTARRAYOID, columns::text_array(converted_)}, memory_,
                       [&](SPITupleTable *batch, uint64 n) { convert_batch(h, batch, n); });
    }

   private:
    // Per row: its key columns, then per image a presence string (one '0'
    // or '1' per conversion: whether the image holds that column; NULL when
    // none) and the input object (the columns the conversions read, from the
    // image's full row, and the converted ones, whose old values are kept;
    // jsonb_to_record reads only the former back).
    std::string cursor_sql(const HistoryTable &h) const {
        std::string keys = h.nkeys == 1 ? "t.tombstone_id" : "t.xid, t.seq";
        std::string select = "SELECT " + keys;
        std::string any;
        for (size_t j = 0; j < h.images.size(); j++) {
            std::string img = h.images[j];
            std::string presence, input;
            for (int k = 0; k < cv_.n; k++)
                presence += (k ? ", " : "") + ("(" + img + " ? " + spi::quote_literal(converted_[k]) + ")::int");
            for (int p = 0; p < cv_.ninputs; p++) {
                std::string name = spi::quote_literal(cv_.input_names[p]);
                input += (p ? ", " : "") + name + ", (" + h.contexts[j] + ") -> " + name;
            }
            select += ", CASE WHEN " + img + " ?| $2 THEN concat(" + presence + ") END";
            select += ", CASE WHEN " + img + " ?| $2 THEN jsonb_build_object(" + input + ") END";
            any += (j ? " OR " : "") + img + " ?| $2";
        }
        return select + " FROM " + h.from + " WHERE " + h.where + " AND (" + any + ")";
    }

    void convert_batch(const HistoryTable &h, SPITupleTable *batch, uint64 n) {
        const int nimg = (int)h.images.size();
        // The images that hold a converted column.
        std::vector<Datum> inputs;
        std::vector<const char *> presence;
        std::vector<bool> row_image;
        std::vector<ImageWhere> where;
        std::vector<std::pair<uint64, int>> at;  // (row, image)
        for (uint64 r = 0; r < n; r++) {
            bool isnull;
            int64 id = datum::to_int64(pg::spi_datum(batch, r, h.nkeys, &isnull));
            for (int j = 0; j < nimg; j++) {
                int col = h.nkeys + 1 + 2 * j;
                const char *p = memory_.run([&] { return pg::spi_value(batch, r, col); });
                if (!p) continue;
                presence.push_back(p);
                inputs.push_back(pg::spi_datum(batch, r, col + 1, &isnull));
                row_image.push_back(j > 0);
                where.push_back({h.kind, id, rel_.c_str(), cv_.names});
                at.emplace_back(r, j);
            }
        }
        int m = (int)inputs.size();
        std::vector<Datum> patches(m + 1), keeps(m + 1);
        if (m > 0) {
            AsTableOwner owner(relid_);
            // (An expression that reads no column, USING NULL say, needs nothing read back.)
            SPITupleTable *typed = cv_.nrefs ? read_back(h, inputs) : nullptr;
            std::unique_ptr<bool[]> rows(new bool[m + 1]);
            for (int i = 0; i < m; i++) rows[i] = row_image[i];
            memory_.run([&] {
                impg::convert_images(cv_.conversions, typed, m, presence.data(), inputs.data(), rows.get(),
                                     where.data(), patches.data(), keeps.data());
            });
            if (typed) pg::spi_free(typed);
        }
        write_back(h, batch, n, at, patches, keeps);
    }

    // The images' inputs read back in the old types, as undelete reads
    // images: one row per input, in order (as the table's owner, in the
    // settings images are read with).
    SPITupleTable *read_back(const HistoryTable &h, const std::vector<Datum> &inputs) {
        std::unique_ptr<bool[]> nulls(new bool[inputs.size() + 1]());
        Datum array =
            memory_.run([&] { return pg::array_datum(inputs.data(), nulls.get(), (int)inputs.size(), JSONBOID); });
        spi::PinnedOutputSettings settings;
        ImageWhere where{h.kind, 0, rel_.c_str(), cv_.names};
        std::string sql = std::string("SELECT ") + cv_.read_refs +
                          " FROM unnest($1::jsonb[]) WITH ORDINALITY AS u(j, i), "
                          "LATERAL jsonb_to_record(u.j) AS x(" +
                          cv_.typed_refs + ") ORDER BY u.i";
        return impg::read_back(sql.c_str(), array, (int)inputs.size(), &where);
    }

    // One UPDATE for the batch's rows that changed, as the extension owner.
    void write_back(const HistoryTable &h, SPITupleTable *batch, uint64 n,
                    const std::vector<std::pair<uint64, int>> &at, const std::vector<Datum> &patches,
                    const std::vector<Datum> &keeps) {
        const int nimg = (int)h.images.size();
        // Per row: its keys, and per image a patch and a kept object (or NULL).
        std::vector<std::vector<Datum>> cols(h.nkeys + 2 * nimg);
        std::vector<std::vector<bool>> nulls(h.nkeys + 2 * nimg);
        std::vector<int> slot_of(n, -1);
        int rows = 0;
        for (size_t i = 0; i < at.size(); i++) {
            uint64 r = at[i].first;
            if (slot_of[r] < 0) {
                slot_of[r] = rows++;
                for (int c = 0; c < h.nkeys; c++) {
                    bool isnull;
                    cols[c].push_back(pg::spi_datum(batch, r, c + 1, &isnull));
                    nulls[c].push_back(false);
                }
                for (int c = h.nkeys; c < h.nkeys + 2 * nimg; c++) {
                    cols[c].push_back((Datum)0);
                    nulls[c].push_back(true);
                }
            }
            int s = slot_of[r], j = at[i].second;
            if (patches[i]) {
                cols[h.nkeys + 2 * j][s] = patches[i];
                nulls[h.nkeys + 2 * j][s] = false;
            }
            if (keeps[i]) {
                cols[h.nkeys + 2 * j + 1][s] = keeps[i];
                nulls[h.nkeys + 2 * j + 1][s] = false;
            }
        }
        if (rows == 0) return;
        std::vector<spi::Arg> args;
        std::vector<Oid> key_types = h.nkeys == 1 ? std::vector<Oid>{INT8OID} : std::vector<Oid>{XID8OID, INT8OID};
        for (size_t c = 0; c < cols.size(); c++) {
            Oid type = (int)c < h.nkeys ? key_types[c] : JSONBOID;
            std::unique_ptr<bool[]> nn(new bool[rows + 1]);
            for (int i = 0; i < rows; i++) nn[i] = nulls[c][i];
            Datum array = memory_.run([&] { return pg::array_datum(cols[c].data(), nn.get(), rows, type); });
            args.push_back({pg::array_type(type), array});
        }
        std::string set, names = h.nkeys == 1 ? "id" : "x, s";
        std::string unnest = h.nkeys == 1 ? "$1::bigint[]" : "$1::xid8[], $2::bigint[]";
        for (int j = 0; j < nimg; j++) {
            std::string column = std::string(h.images[j]).substr(2);  // "t.pk" -> "pk"
            std::string p = "p" + std::to_string(j), k = "k" + std::to_string(j);
            names += ", " + p + ", " + k;
            unnest += ", $" + std::to_string(h.nkeys + 2 * j + 1) + "::jsonb[], $" +
                      std::to_string(h.nkeys + 2 * j + 2) + "::jsonb[]";
            // A value kept from an earlier change of the same type is kept as it was.
            set += (j ? ", " : "") + column + " = CASE WHEN u." + p + " IS NULL THEN t." + column +
                   " ELSE coalesce(u." + k + ", '{}'::jsonb) || t." + column + " || u." + p + " END";
        }
        std::string match = h.nkeys == 1 ? "t.tombstone_id = u.id" : "t.xid = u.x AND t.seq = u.s";
        std::string table = h.nkeys == 1 ? "tenant_guard.tombstone_data" : "tenant_guard.change_log_data";
        spi::AsExtensionOwner owner;
        spi::exec(
            "UPDATE " + table + " t SET " + set + " FROM unnest(" + unnest + ") AS u(" + names + ") WHERE " + match,
            args);
    }

    const registry::ProtectedTable &table_;
    Oid relid_;
    const impg::ConversionPlan cv_;
    std::string rel_;
    std::vector<std::string> converted_;
    BatchMemory memory_;
};

// ---------------------------------------------------------------------------
// The ADD COLUMN pass (C++ over SPI; the value is image_migration_pg's).

// Per row: the value of each key's live row, or the default evaluated once
// per key (the cursor orders images by key, so a key's images are together).
class PerRowFill {
   public:
    PerRowFill(const registry::ProtectedTable &table, Oid relid, const impg::AddedPlan &c)
        : table_(table), relid_(relid), c_(c) {
        rel_ = spi::qualified_name(relid);
        std::string pk_columns;
        for (const auto &k : columns::names(relid, columns::primary_key, true))
            pk_columns += (pk_columns.empty() ? "" : ", ") + k;
        lookup_sql_ = "SELECT u.i, x." + spi::quote_ident(c.name) +
                      " FROM unnest($1::text[]) WITH ORDINALITY AS u(k, i) "
                      "CROSS JOIN LATERAL jsonb_to_record(u.k::jsonb) AS p(" +
                      columns::typed(relid, pk_columns) + ") JOIN " + rel_ + " AS x ON " +
                      columns::primary_key_match(relid);
    }

    void run() {
        refuse_forced_row_security(relid_, "add a column with a volatile default or an identity to");
        const std::string sql =
            "SELECT h.kind, h.id, h.xid, h.pk FROM ("
            "  SELECT 't' AS kind, t.tombstone_id AS id, NULL::xid8 AS xid, t.pk::text AS pk "
            "    FROM tenant_guard.tombstone_data t WHERE t.table_id = $1 AND NOT t.row_data ? $2 "
            "  UNION ALL "
            "  SELECT 'c', t.seq, t.xid, t.pk::text FROM tenant_guard.change_log_data t "
            "   WHERE t.table_id = $1 AND CASE WHEN t.op = 'D' THEN NOT t.old_row ? $2 ELSE NOT t.new_row ? $2 END"
            ") AS h ORDER BY h.pk COLLATE \"C\", h.kind, h.id";
        for_each_batch(sql, table_.table_id, spi::text_arg(c_.name), memory_,
                       [&](SPITupleTable *batch, uint64 n) { fill_batch(batch, n); });
    }

   private:
    void fill_batch(SPITupleTable *batch, uint64 n) {
        std::vector<std::string> keys;  // distinct, in order
        std::vector<int> key_of(n);
        std::vector<bool> is_tombstone(n);
        for (uint64 r = 0; r < n; r++) {
            std::string k = spi::text(r, 4);
            is_tombstone[r] = spi::text(r, 1) == "t";
            if (keys.empty() || keys.back() != k) keys.push_back(k);
            key_of[r] = (int)keys.size() - 1;
        }
        std::vector<Datum> patch(keys.size(), (Datum)0);
        {
            AsTableOwner owner(relid_);
            uint64 found = spi::exec(lookup_sql_, {{TEXTARRAYOID, columns::text_array(keys)}});
            for (uint64 r = 0; r < found; r++) {
                bool isnull;
                int i = (int)spi::int64_at(r, 1) - 1;
                Datum v = pg::spi_datum(pg::spi_result(), r, 2, &isnull);
                patch[i] = memory_.run([&] { return impg::encode_value(c_.column, v, isnull); });
            }
            pg::spi_free(pg::spi_result());
            for (size_t i = 0; i < keys.size(); i++) {
                if (patch[i]) continue;
                if (keys[i] == carried_key_) {
                    patch[i] = carried_patch_;
                    continue;
                }
                patch[i] = memory_.run([&] { return impg::evaluate_default(c_.column); });
            }
        }
        // The last key's value, for its images in the next batch (outlives the batch).
        carried_key_ = keys.back();
        Datum last = patch.back();
        {
            BatchMemory::InMemory in(carried_cxt_);
            carried_patch_ = impg::copy_jsonb(last);
        }
        std::vector<Datum> ids, id_patches, xids, seqs, seq_patches;
        for (uint64 r = 0; r < n; r++) {
            bool isnull;
            Datum id = pg::spi_datum(batch, r, 2, &isnull);
            if (is_tombstone[r]) {
                ids.push_back(id);
                id_patches.push_back(patch[key_of[r]]);
            } else {
                xids.push_back(pg::spi_datum(batch, r, 3, &isnull));
                seqs.push_back(id);
                seq_patches.push_back(patch[key_of[r]]);
            }
        }
        auto array = [&](const std::vector<Datum> &v, Oid type) {
            std::unique_ptr<bool[]> nulls(new bool[v.size() + 1]());
            return memory_.run([&] { return pg::array_datum(v.data(), nulls.get(), (int)v.size(), type); });
        };
        spi::AsExtensionOwner owner;
        if (!ids.empty())
            spi::exec(
                "UPDATE tenant_guard.tombstone_data t SET row_data = t.row_data || u.v "
                "FROM unnest($1::bigint[], $2::jsonb[]) AS u(id, v) WHERE t.tombstone_id = u.id",
                {{INT8ARRAYOID, array(ids, INT8OID)}, {JSONBARRAYOID, array(id_patches, JSONBOID)}});
        if (!seqs.empty())
            spi::exec(
                "UPDATE tenant_guard.change_log_data t "
                "   SET old_row = CASE WHEN t.op = 'D' THEN t.old_row || u.v ELSE t.old_row END, "
                "       new_row = CASE WHEN t.op = 'D' THEN t.new_row ELSE t.new_row || u.v END "
                "  FROM unnest($1::xid8[], $2::bigint[], $3::jsonb[]) AS u(x, s, v) "
                " WHERE t.xid = u.x AND t.seq = u.s",
                {{XID8ARRAYOID, array(xids, XID8OID)},
                 {INT8ARRAYOID, array(seqs, INT8OID)},
                 {JSONBARRAYOID, array(seq_patches, JSONBOID)}});
    }

    const registry::ProtectedTable &table_;
    Oid relid_;
    const impg::AddedPlan c_;
    std::string rel_, lookup_sql_;
    std::string carried_key_;
    Datum carried_patch_ = (Datum)0;
    MemoryContextData *carried_cxt_ = impg::current_memory();
    BatchMemory memory_;
};

// Fills the column into every full image of table's history that lacks it.
void fill_added(const registry::ProtectedTable &table, Oid relid, AttrNumber attnum) {
    impg::AddedPlan c;
    {
        AsTableOwner owner(relid);
        c = impg::build_added(relid, attnum);
    }
    if (c.fill == impg::Fill::none) return;
    explode_entries(table);
    if (c.fill == impg::Fill::per_row) {
        PerRowFill(table, relid, c).run();
        return;
    }
    std::vector<spi::Arg> args = {
        {INT4OID, datum::from_int32(table.table_id)}, {JSONBOID, c.patch}, spi::text_arg(c.name)};
    spi::AsExtensionOwner owner;
    spi::exec(
        "UPDATE tenant_guard.tombstone_data t SET row_data = t.row_data || $2 "
        " WHERE t.table_id = $1 AND NOT t.row_data ? $3",
        args);
    spi::exec(
        "UPDATE tenant_guard.change_log_data t "
        "   SET old_row = CASE WHEN t.op = 'D' THEN t.old_row || $2 ELSE t.old_row END, "
        "       new_row = CASE WHEN t.op = 'D' THEN t.new_row ELSE t.new_row || $2 END "
        " WHERE t.table_id = $1 AND CASE WHEN t.op = 'D' THEN NOT t.old_row ? $3 ELSE NOT t.new_row ? $3 END",
        args);
}

}  // namespace

std::string retyped_column_key(const std::string &name, const std::string &old_type) { return name + "#" + old_type; }

void lock_for_migration(Oid relid) {
    if (!pg::owns_relation(relid)) return;
    impg::lock_with_partitions(relid);
}

void convert_retyped_columns(const registry::ProtectedTable &table, Oid relid,
                             const std::vector<ColumnRetype> &retypes) {
    if (retypes.empty() || relid != table.relid || !pg::owns_relation(relid)) return;
    std::vector<AlterTableCmd *> cmds;
    std::unique_ptr<bool[]> keeps(new bool[retypes.size() + 1]);
    for (size_t i = 0; i < retypes.size(); i++) {
        cmds.push_back(retypes[i].cmd);
        keeps[i] = retypes[i].values_may_change;
    }
    impg::ConversionPlan cv;
    {
        // The command's expressions and the types' code are the owner's.
        AsTableOwner owner(relid);
        cv = impg::build_conversions(relid, cmds.data(), keeps.get(), (int)cmds.size());
    }
    if (cv.refused || cv.n == 0) return;
    std::string rel = spi::qualified_name(relid);
    if (cv.volatile_column)
        throw Error(ERRCODE_FEATURE_NOT_SUPPORTED,
                    "cannot change the type of column \"" + std::string(cv.volatile_column) + "\" of protected table " +
                        rel + " with a volatile conversion",
                    "tenant_guard converts the column's values in every tombstone and change of the table's history "
                    "as the command converts the live rows; a volatile expression would give the images of one row "
                    "other values than the row got.",
                    "Add a new column, fill it with UPDATE (recorded), then drop the old column.");
    if (cv.reads_system_column)
        throw Error(ERRCODE_FEATURE_NOT_SUPPORTED,
                    "cannot change the type of a column of protected table " + rel +
                        " with an expression that reads a system column",
                    "Tombstones and history images hold no system columns.");
    explode_entries(table);
    RetypePass pass(table, relid, cv);
    pass.run(tombstone_history());  // first: it reads the change log's images unconverted (tombstone_history)
    pass.run(change_history());
}

void fill_added_columns() {
    spi::Session session;
    auto active = registry::active_tables();
    if (active.empty()) return;
    uint64 n = spi::exec(
        "SELECT command FROM pg_catalog.pg_event_trigger_ddl_commands() "
        " WHERE command_tag = 'ALTER TABLE' AND object_type = 'table'");
    // (relid, attnum) of every column an ALTER TABLE of this event added.
    std::vector<std::pair<Oid, AttrNumber>> added;
    for (uint64 r = 0; r < n; r++)
        for (const auto &a : impg::columns_added(spi::datum(r, 1))) added.emplace_back(a.relid, a.attnum);
    for (const auto &[relid, attnum] : added) {
        auto table = registry::covering(relid, active);
        if (!table || table->relid != relid) continue;
        fill_added(*table, relid, attnum);
    }
}

}  // namespace tg
