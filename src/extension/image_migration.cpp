// Images follow ALTER COLUMN ... TYPE and ADD COLUMN (image_migration.hpp).
//
// Each pass reads the table's history with one cursor as the extension
// owner, a batch of rows at a time; for a batch, the values are read back,
// converted and encoded as the table's owner (restricted), and the patches
// (small jsonb objects, merged with ||) written back as the extension owner
// by one UPDATE joined on the rows' keys (tombstone_id; xid and seq, which
// the log segments index).
#include "extension/unwalled.hpp"  // TRANSITIONAL: not yet split at the wall
#include "extension/image_migration.hpp"

#include <cstring>
#include <memory>

#include "extension/columns.hpp"
#include "extension/restore_rights.hpp"
#include "extension/search_path.hpp"
#include "extension/shape.hpp"
#include "extension/spi.hpp"

extern "C" {
#include "access/sysattr.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_collate.h"
#include "parser/parse_expr.h"
#include "parser/parse_relation.h"
#include "rewrite/rewriteHandler.h"
#include "tcop/deparse_utility.h"
}

namespace tg {

namespace {

constexpr long batch_rows = 1000;

// A memory context for one batch's values, reset after each batch (SPI
// calls switch back to the procedure's context, which lives to the end).
class BatchMemory {
   public:
    BatchMemory()
        : cxt_(pg_guard([] {
              return AllocSetContextCreate(CurrentMemoryContext, "tenant_guard image batch", ALLOCSET_DEFAULT_SIZES);
          })) {}
    ~BatchMemory() { MemoryContextDelete(cxt_); }
    BatchMemory(const BatchMemory &) = delete;
    BatchMemory &operator=(const BatchMemory &) = delete;
    // f() (PostgreSQL calls, a plain result) allocating in the batch's context.
    template <typename F>
    auto run(F &&f) -> decltype(f()) {
        MemoryContext cxt = cxt_;
        return pg_guard([&] {
            MemoryContext old = MemoryContextSwitchTo(cxt);
            auto result = f();
            MemoryContextSwitchTo(old);
            return result;
        });
    }
    void reset() { MemoryContextReset(cxt_); }

   private:
    MemoryContext cxt_;
};

// ---------------------------------------------------------------------------
// Plain PostgreSQL helpers (call inside pg_guard).

// An SPI cursor opened with the search_path pinned (as spi::exec runs).
Portal open_cursor(const char *sql, int nargs, Oid *types, Datum *values, const char *nulls) {
    return with_pinned_search_path(
        [&] { return SPI_cursor_open_with_args(nullptr, sql, nargs, types, values, nulls, false, 0); });
}

// Runs sql, whose parameters are the protected table's id and arg, as a
// cursor of the extension owner, and fn(batch, n) on each batch of its rows
// (a batch's memory is reset after it).
template <typename F>
void for_each_batch(const std::string &sql, int32 table_id, const spi::Arg &arg, BatchMemory &memory, F &&fn) {
    Portal cursor;
    {
        spi::AsExtensionOwner owner;
        Oid types[] = {INT4OID, arg.type};
        Datum values[] = {Int32GetDatum(table_id), arg.value};
        const char *q = sql.c_str();
        cursor = pg_guard([&] { return open_cursor(q, 2, types, values, "  "); });
    }
    for (;;) {
        SPITupleTable *batch;
        uint64 n;
        {
            spi::AsExtensionOwner owner;
            pg_guard([&] { SPI_cursor_fetch(cursor, true, batch_rows); });
            batch = SPI_tuptable;
            n = SPI_processed;
        }
        if (n == 0) break;
        fn(batch, n);
        SPI_freetuptable(batch);
        memory.reset();
    }
    pg_guard([&] { SPI_cursor_close(cursor); });
}

// Where an error met while converting an image happened (errcontext).
struct ImageWhere {
    const char *kind;  // "tombstone" | "change"
    int64 id;          // tombstone_id | seq
    const char *rel;
    const char *columns;
};

void image_context(void *arg) {
    auto *w = static_cast<ImageWhere *>(arg);
    if (w->id)
        errcontext("tenant_guard: converting %s %lld of protected table %s (column %s) to the column's new type",
                   w->kind, (long long)w->id, w->rel, w->columns);
    else
        errcontext("tenant_guard: reading the %ss of protected table %s (column %s) in the column's old type", w->kind,
                   w->rel, w->columns);
}

const char *const conversion_hint =
    "A tombstone or a change in tenant_guard's history holds this value; a live row holding it would make the "
    "command fail too. Convert with a USING expression that takes every value the column ever held, or erase the "
    "rows that hold it with tenant_guard.purge() first.";

// Runs fn with image_context pushed; a PostgreSQL error gets conversion_hint
// (unless it has a hint) and goes on.
template <typename F>
void in_image_context(ImageWhere *where, F &&fn) {
    ErrorContextCallback callback;
    callback.callback = image_context;
    callback.arg = where;
    callback.previous = error_context_stack;
    error_context_stack = &callback;
    MemoryContext mcxt = CurrentMemoryContext;
    PG_TRY();
    { fn(); }
    PG_CATCH();
    {
        error_context_stack = callback.previous;
        MemoryContextSwitchTo(mcxt);
        ErrorData *edata = CopyErrorData();
        FlushErrorState();
        if (!edata->hint) edata->hint = pstrdup(conversion_hint);
        ReThrowError(edata);
    }
    PG_END_TRY();
    error_context_stack = callback.previous;
}

// ---------------------------------------------------------------------------
// ALTER COLUMN ... TYPE. Plain C-like data, built and used as the table's owner.

struct Conversion {
    AttrNumber attnum;  // in the table's descriptor before the command
    char *name;
    ExprState *state;  // the row before the command (scan tuple) -> the value in the new type
    bool keep;         // the old value stays in row images, under kept_key
    char *kept_key;
};

struct Conversions {
    int n = 0;
    Conversion *items = nullptr;
    bool refused = false;  // PostgreSQL refuses the command itself (no cast): leave everything
    const char *volatile_column = nullptr;
    bool reads_system_column = false;
    TupleDesc old_desc = nullptr;   // the table's, before the command
    TupleTableSlot *row = nullptr;  // an image as if it were the row (old_desc)
    EState *estate = nullptr;
    int nrefs = 0;
    AttrNumber *refs = nullptr;  // the columns the conversions read, in attnum order
    char **ref_names = nullptr;
    int ninputs = 0;               // the keys of an image's input object: refs, then the
    char **input_names = nullptr;  // converted columns they lack (whose old values are kept)
    char *typed_refs = nullptr;    // "a integer, b text" over refs (jsonb_to_record), names qualified
    char *names = nullptr;         // the converted columns, for messages
    TupleDesc new_desc = nullptr;  // one attribute per conversion, of its new type
    RelShape *new_shape = nullptr;
    TupleTableSlot *value = nullptr;  // new_desc
};

// Whether every value keeps its image: no USING, and the same type with the
// same or no typmod, or a widening whose values are written alike
// (int2 -> int4 -> int8 -> numeric, varchar <-> text without a length).
// (float4 -> float8 keeps values but not their spelling: it is converted.)
bool image_unchanged(Oid old_type, int32 old_typmod, Oid new_type, int32 new_typmod) {
    if (old_type == new_type) return new_typmod == old_typmod || new_typmod == -1;
    static const Oid alike[][2] = {{INT2OID, INT4OID},    {INT2OID, INT8OID},    {INT2OID, NUMERICOID},
                                   {INT4OID, INT8OID},    {INT4OID, NUMERICOID}, {INT8OID, NUMERICOID},
                                   {VARCHAROID, TEXTOID}, {TEXTOID, VARCHAROID}};
    for (const auto &a : alike)
        if (a[0] == old_type && a[1] == new_type && new_typmod == -1) return true;
    return false;
}

// The conversion ALTER TABLE applies (ATPrepAlterColumnType): the USING
// expression, parsed against the table as transformAlterTableStmt parses it
// (the caller's search_path, as PostgreSQL resolves it), or the column
// itself, coerced to the new type by assignment. Returns false when images
// stay as they are; sets cv->refused when PostgreSQL will refuse the command.
bool build_one(Relation rel, AlterTableCmd *cmd, bool keep, Conversions *cv, Conversion *out, Bitmapset **refs) {
    Oid relid = RelationGetRelid(rel);
    auto *def = castNode(ColumnDef, cmd->def);
    AttrNumber attnum = get_attnum(relid, cmd->name);
    if (attnum <= 0) {
        cv->refused = true;  // no such column
        return false;
    }
    Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), attnum - 1);
    Oid new_type;
    int32 new_typmod;
    typenameTypeIdAndMod(nullptr, def->typeName, &new_type, &new_typmod);
    if (!def->raw_default && image_unchanged(att->atttypid, att->atttypmod, new_type, new_typmod)) return false;
    ParseState *pstate = make_parsestate(nullptr);
    Node *transform;
    if (def->raw_default) {
        ParseNamespaceItem *nsitem = addRangeTableEntryForRelation(pstate, rel, AccessShareLock, nullptr, false, true);
        addNSItemToQuery(pstate, nsitem, false, true, true);
        transform =
            transformExpr(pstate, static_cast<Node *>(copyObjectImpl(def->raw_default)), EXPR_KIND_ALTER_COL_TRANSFORM);
    } else {
        transform = reinterpret_cast<Node *>(makeVar(1, attnum, att->atttypid, att->atttypmod, att->attcollation, 0));
    }
    transform = coerce_to_target_type(pstate, transform, exprType(transform), new_type, new_typmod, COERCION_ASSIGNMENT,
                                      COERCE_IMPLICIT_CAST, -1);
    if (!transform) {
        cv->refused = true;  // "cannot be cast automatically": PostgreSQL's own error follows
        return false;
    }
    assign_expr_collations(pstate, transform);
    Expr *expr = expression_planner(reinterpret_cast<Expr *>(transform));
    free_parsestate(pstate);
    if (contain_volatile_functions(reinterpret_cast<Node *>(expr)) && !cv->volatile_column)
        cv->volatile_column = pstrdup(cmd->name);
    pull_varattnos(reinterpret_cast<Node *>(expr), 1, refs);

    out->attnum = attnum;
    out->name = pstrdup(cmd->name);
    out->state = ExecPrepareExpr(expr, cv->estate);
    out->keep = keep;
    if (keep) {
        char *old_type =
            with_pinned_search_path([&] { return format_type_with_typemod(att->atttypid, att->atttypmod); });
        out->kept_key = psprintf("%s#%s", cmd->name, old_type);
    }
    Oid collation = GetColumnDefCollation(nullptr, def, new_type);
    int k = cv->n;
    TupleDescInitEntry(cv->new_desc, (AttrNumber)(k + 1), cmd->name, new_type, new_typmod, 0);
    TupleDescInitEntryCollation(cv->new_desc, (AttrNumber)(k + 1), collation);
    return true;
}

void build_conversions(Oid relid, AlterTableCmd **cmds, const bool *keeps, int ncmds, Conversions *cv) {
    Relation rel = relation_open(relid, NoLock);
    cv->old_desc = CreateTupleDescCopy(RelationGetDescr(rel));
    cv->estate = CreateExecutorState();
    cv->items = static_cast<Conversion *>(palloc0(sizeof(Conversion) * (ncmds + 1)));
    cv->new_desc = CreateTemplateTupleDesc(ncmds);
    Bitmapset *refs = nullptr;
    for (int i = 0; i < ncmds && !cv->refused; i++)
        if (build_one(rel, cmds[i], keeps[i], cv, &cv->items[cv->n], &refs)) cv->n++;
    relation_close(rel, NoLock);
    if (cv->refused || cv->n == 0) return;
    cv->new_desc->natts = cv->n;  // the entries that were used
    cv->new_shape = columns_shape(cv->new_desc);
    cv->value = MakeSingleTupleTableSlot(cv->new_desc, &TTSOpsVirtual);
    cv->row = MakeSingleTupleTableSlot(cv->old_desc, &TTSOpsVirtual);

    // The columns read: those the expressions name (all of them for a
    // whole-row reference), in attnum order.
    bool whole_row = false;
    int x = -1;
    while ((x = bms_next_member(refs, x)) >= 0) {
        int a = x + FirstLowInvalidHeapAttributeNumber;
        if (a == InvalidAttrNumber) whole_row = true;
        if (a < 0) cv->reads_system_column = true;
    }
    cv->refs = static_cast<AttrNumber *>(palloc(sizeof(AttrNumber) * (cv->old_desc->natts + 1)));
    cv->ref_names = static_cast<char **>(palloc(sizeof(char *) * (cv->old_desc->natts + 1)));
    StringInfoData typed;
    initStringInfo(&typed);
    for (int i = 0; i < cv->old_desc->natts; i++) {
        Form_pg_attribute att = TupleDescAttr(cv->old_desc, i);
        if (att->attisdropped) continue;
        if (!whole_row && !bms_is_member(att->attnum - FirstLowInvalidHeapAttributeNumber, refs)) continue;
        char *type = with_pinned_search_path([&] { return format_type_with_typemod(att->atttypid, att->atttypmod); });
        appendStringInfo(&typed, "%s%s %s", cv->nrefs ? ", " : "", quote_identifier(NameStr(att->attname)), type);
        cv->ref_names[cv->nrefs] = pstrdup(NameStr(att->attname));
        cv->refs[cv->nrefs++] = att->attnum;
    }
    cv->typed_refs = typed.data;
    cv->input_names = static_cast<char **>(palloc(sizeof(char *) * (cv->nrefs + cv->n + 1)));
    for (int p = 0; p < cv->nrefs; p++) cv->input_names[cv->ninputs++] = cv->ref_names[p];
    for (int k = 0; k < cv->n; k++) {
        bool listed = false;
        for (int p = 0; p < cv->nrefs && !listed; p++) listed = cv->refs[p] == cv->items[k].attnum;
        if (!listed) cv->input_names[cv->ninputs++] = cv->items[k].name;
    }
    StringInfoData names;
    initStringInfo(&names);
    for (int k = 0; k < cv->n; k++)
        appendStringInfo(&names, "%s%s", k ? ", " : "", quote_identifier(cv->items[k].name));
    cv->names = names.data;
}

// The old values of the conversions present in an image, under their kept
// keys, from the image's input object (0 when none is kept).
Datum kept_values(const Conversions *cv, const char *presence, Datum input) {
    Jsonb *in = DatumGetJsonbP(input);
    JsonbParseState *state = nullptr;
    pushJsonbValue(&state, WJB_BEGIN_OBJECT, nullptr);
    int kept = 0;
    for (int k = 0; k < cv->n; k++) {
        const Conversion *c = &cv->items[k];
        if (presence[k] != '1' || !c->keep) continue;
        JsonbValue *v = getKeyJsonValueFromContainer(&in->root, c->name, (int)strlen(c->name), nullptr);
        if (!v) continue;
        JsonbValue key;
        key.type = jbvString;
        key.val.string.val = c->kept_key;
        key.val.string.len = (int)strlen(c->kept_key);
        pushJsonbValue(&state, WJB_KEY, &key);
        pushJsonbValue(&state, WJB_VALUE, v);
        kept++;
    }
    JsonbValue *result = pushJsonbValue(&state, WJB_END_OBJECT, nullptr);
    return kept ? JsonbPGetDatum(JsonbValueToJsonb(result)) : (Datum)0;
}

// One batch's images: typed holds each one's input read back in the old
// types (a row per image, columns cv->refs; none when the conversions read
// no column); presence[i][k] says whether
// conversion k applies. Fills patches[i] (the converted values, encoded as
// capture encodes the new types) and, for row images, keeps[i].
void convert_images(Conversions *cv, SPITupleTable *typed, int n, char **presence, const Datum *inputs,
                    const bool *row_image, const ImageWhere *where, Datum *patches, Datum *keeps) {
    int K = cv->n;
    auto *values = static_cast<Datum *>(palloc0(sizeof(Datum) * n * K + 1));
    auto *nulls = static_cast<bool *>(palloc0(sizeof(bool) * n * K + 1));
    ExprContext *econtext = GetPerTupleExprContext(cv->estate);
    // Converted in the session's own settings, as the table's rows are.
    for (int i = 0; i < n; i++) {
        ImageWhere here = where[i];
        in_image_context(&here, [&] {
            TupleTableSlot *row = cv->row;
            ExecClearTuple(row);
            for (int a = 0; a < cv->old_desc->natts; a++) {
                row->tts_values[a] = (Datum)0;
                row->tts_isnull[a] = true;
            }
            for (int p = 0; typed && p < cv->nrefs; p++) {
                bool isnull;
                Datum d = SPI_getbinval(typed->vals[i], typed->tupdesc, p + 1, &isnull);
                row->tts_values[cv->refs[p] - 1] = d;
                row->tts_isnull[cv->refs[p] - 1] = isnull;
            }
            ExecStoreVirtualTuple(row);
            econtext->ecxt_scantuple = row;
            for (int k = 0; k < K; k++) {
                if (presence[i][k] != '1') continue;
                bool isnull;
                Datum v = ExecEvalExpr(cv->items[k].state, econtext, &isnull);
                Form_pg_attribute att = TupleDescAttr(cv->new_desc, k);
                nulls[i * K + k] = isnull;
                values[i * K + k] = isnull ? (Datum)0 : datumCopy(v, att->attbyval, att->attlen);
            }
            ResetExprContext(econtext);
        });
    }
    // Encoded in the settings of images.
    int *which = static_cast<int *>(palloc(sizeof(int) * (K + 1)));
    with_pinned_output(cv->new_shape, [&] {
        for (int i = 0; i < n; i++) {
            TupleTableSlot *slot = cv->value;
            ExecClearTuple(slot);
            int m = 0;
            for (int k = 0; k < K; k++) {
                slot->tts_values[k] = values[i * K + k];
                slot->tts_isnull[k] = presence[i][k] == '1' ? nulls[i * K + k] : true;
                if (presence[i][k] == '1') which[m++] = k;
            }
            ExecStoreVirtualTuple(slot);
            patches[i] = m ? columns_image(cv->new_shape, slot, which, m) : (Datum)0;
            keeps[i] = m && row_image[i] ? kept_values(cv, presence[i], inputs[i]) : (Datum)0;
        }
    });
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

HistoryTable tombstone_history() {
    return {"tombstone",
            1,
            {"t.pk", "t.row_data"},
            {"t.row_data || t.pk", "t.row_data"},
            "tenant_guard.tombstone_data t",
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
    RetypePass(const registry::ProtectedTable &table, Oid relid, Conversions *cv)
        : table_(table), relid_(relid), cv_(cv), rel_(spi::qualified_name(table.relid)) {
        for (int k = 0; k < cv->n; k++) converted_.push_back(cv->items[k].name);
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
            for (int k = 0; k < cv_->n; k++)
                presence += (k ? ", " : "") + ("(" + img + " ? " + spi::quote_literal(converted_[k]) + ")::int");
            for (int p = 0; p < cv_->ninputs; p++) {
                std::string name = spi::quote_literal(cv_->input_names[p]);
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
        std::vector<char *> presence;
        std::vector<bool> row_image;
        std::vector<ImageWhere> where;
        std::vector<std::pair<uint64, int>> at;  // (row, image)
        for (uint64 r = 0; r < n; r++) {
            HeapTuple tup = batch->vals[r];
            bool isnull;
            int64 id = DatumGetInt64(SPI_getbinval(tup, batch->tupdesc, h.nkeys, &isnull));
            for (int j = 0; j < nimg; j++) {
                int col = h.nkeys + 1 + 2 * j;
                Datum p = SPI_getbinval(tup, batch->tupdesc, col, &isnull);
                if (isnull) continue;
                presence.push_back(memory_.run([&] { return TextDatumGetCString(p); }));
                inputs.push_back(SPI_getbinval(tup, batch->tupdesc, col + 1, &isnull));
                row_image.push_back(j > 0);
                where.push_back({h.kind, id, rel_.c_str(), cv_->names});
                at.emplace_back(r, j);
            }
        }
        int m = (int)inputs.size();
        std::vector<Datum> patches(m + 1), keeps(m + 1);
        if (m > 0) {
            AsTableOwner owner(relid_);
            // (An expression that reads no column, USING NULL say, needs nothing read back.)
            SPITupleTable *typed = cv_->nrefs ? read_back(h, inputs) : nullptr;
            std::unique_ptr<bool[]> rows(new bool[m + 1]);
            for (int i = 0; i < m; i++) rows[i] = row_image[i];
            memory_.run([&] {
                convert_images(cv_, typed, m, presence.data(), inputs.data(), rows.get(), where.data(), patches.data(),
                               keeps.data());
                return 0;
            });
            if (typed) SPI_freetuptable(typed);
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
        ImageWhere where{h.kind, 0, rel_.c_str(), cv_->names};
        std::string sql = std::string(
                              "SELECT x.* FROM unnest($1::jsonb[]) WITH ORDINALITY AS u(j, i), "
                              "LATERAL jsonb_to_record(u.j) AS x(") +
                          cv_->typed_refs + ") ORDER BY u.i";
        const char *q = sql.c_str();
        pg_guard([&] {
            in_image_context(&where, [&] {
                Oid types[] = {JSONBARRAYOID};
                Datum values[] = {array};
                int rc = with_pinned_search_path(
                    [&] { return SPI_execute_with_args(q, 1, types, values, nullptr, false, 0); });
                if (rc != SPI_OK_SELECT || SPI_processed != inputs.size())
                    elog(ERROR, "tenant_guard: reading images back returned %d rows for %d", (int)SPI_processed,
                         (int)inputs.size());
            });
        });
        return SPI_tuptable;
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
                    cols[c].push_back(SPI_getbinval(batch->vals[r], batch->tupdesc, c + 1, &isnull));
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
            Oid array_type = pg_guard([&] { return get_array_type(type); });
            args.push_back({array_type, array});
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
    Conversions *cv_;
    std::string rel_;
    std::vector<std::string> converted_;
    BatchMemory memory_;
};

// ---------------------------------------------------------------------------
// ADD COLUMN. Plain C-like data, built and used as the table's owner.

enum class Fill { none, constant, per_row };

struct AddedColumn {
    Fill fill = Fill::none;
    char *name = nullptr;
    Datum patch = (Datum)0;    // constant: {name: the value}
    TupleDesc desc = nullptr;  // per_row: the column alone
    RelShape *shape = nullptr;
    TupleTableSlot *slot = nullptr;
    ExprState *state = nullptr;  // the default (or identity) of the protected table
    EState *estate = nullptr;
};

// {name: value} as capture encodes the column's values.
Datum encode_value(AddedColumn *c, Datum value, bool isnull) {
    Datum result = (Datum)0;
    with_pinned_output(c->shape, [&] {
        ExecClearTuple(c->slot);
        c->slot->tts_values[0] = value;
        c->slot->tts_isnull[0] = isnull;
        ExecStoreVirtualTuple(c->slot);
        int first = 0;
        result = columns_image(c->shape, c->slot, &first, 1);
    });
    return result;
}

// The value every live row got for a non-volatile default: PostgreSQL's
// missing value (a partition's: the parent stores none); else a live row's
// (the table was rewritten, by another subcommand or for a domain's
// constraints); else, the table being empty, the default evaluated now (NULL
// without one, through the domain's constraints as PostgreSQL puts it).
void constant_value(Relation rel, AttrNumber attnum, Datum *value, bool *isnull) {
    Oid relid = RelationGetRelid(rel);
    Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), attnum - 1);
    const char *name = NameStr(att->attname);
    List *members = find_all_inheritors(relid, NoLock, nullptr);
    ListCell *lc;
    foreach (lc, members) {  // the missing value
        Oid leaf = lfirst_oid(lc);
        if (get_rel_relkind(leaf) != RELKIND_RELATION) continue;
        Relation r = relation_open(leaf, NoLock);
        AttrNumber a = get_attnum(leaf, name);
        bool found = a > 0 && TupleDescAttr(RelationGetDescr(r), a - 1)->atthasmissing;
        if (found) {
            Datum d = getmissingattr(RelationGetDescr(r), a, isnull);
            *value = *isnull ? (Datum)0 : datumCopy(d, att->attbyval, att->attlen);
        }
        relation_close(r, NoLock);
        if (found) return;
    }
    Snapshot snapshot = RegisterSnapshot(GetLatestSnapshot());
    bool found = false;
    foreach (lc, members) {  // a live row's
        Oid leaf = lfirst_oid(lc);
        if (get_rel_relkind(leaf) != RELKIND_RELATION) continue;
        Relation r = relation_open(leaf, NoLock);
        AttrNumber a = get_attnum(leaf, name);
        TupleTableSlot *slot = table_slot_create(r, nullptr);
        TableScanDesc scan = table_beginscan(r, snapshot, 0, nullptr);
        if (a > 0 && table_scan_getnextslot(scan, ForwardScanDirection, slot)) {
            Datum d = slot_getattr(slot, a, isnull);
            *value = *isnull ? (Datum)0 : datumCopy(d, att->attbyval, att->attlen);
            found = true;
        }
        table_endscan(scan);
        ExecDropSingleTupleTableSlot(slot);
        relation_close(r, NoLock);
        if (found) break;
    }
    UnregisterSnapshot(snapshot);
    if (found) return;
    Node *expr = build_column_default(rel, attnum);
    if (!expr && DomainHasConstraints(att->atttypid)) {
        int32 base_typmod = att->atttypmod;
        Oid base = getBaseTypeAndTypmod(att->atttypid, &base_typmod);
        expr = reinterpret_cast<Node *>(makeNullConst(base, base_typmod, get_typcollation(base)));
        expr = coerce_to_target_type(nullptr, expr, base, att->atttypid, att->atttypmod, COERCION_ASSIGNMENT,
                                     COERCE_IMPLICIT_CAST, -1);
    }
    if (!expr) {
        *value = (Datum)0;
        *isnull = true;
        return;
    }
    EState *estate = CreateExecutorState();
    ExprState *state = ExecPrepareExpr(reinterpret_cast<Expr *>(expr), estate);
    Datum d = ExecEvalExprSwitchContext(state, GetPerTupleExprContext(estate), isnull);
    *value = *isnull ? (Datum)0 : datumCopy(d, att->attbyval, att->attlen);
    FreeExecutorState(estate);
}

void build_added(Oid relid, AttrNumber attnum, AddedColumn *c) {
    Relation rel = relation_open(relid, NoLock);
    TupleDesc desc = RelationGetDescr(rel);
    Form_pg_attribute att = TupleDescAttr(desc, attnum - 1);
    c->name = pstrdup(NameStr(att->attname));
    if (att->attisdropped || att->attgenerated) {  // recomputed from the restored row
        relation_close(rel, NoLock);
        return;
    }
    c->desc = CreateTemplateTupleDesc(1);
    TupleDescCopyEntry(c->desc, 1, desc, attnum);
    c->shape = columns_shape(c->desc);
    c->slot = MakeSingleTupleTableSlot(c->desc, &TTSOpsVirtual);
    Node *def = build_column_default(rel, attnum);  // identity: nextval of its sequence
    if (att->attidentity || (def && contain_volatile_functions(def))) {
        c->fill = Fill::per_row;
        c->estate = CreateExecutorState();
        c->state = ExecPrepareExpr(reinterpret_cast<Expr *>(def), c->estate);
    } else {
        c->fill = Fill::constant;
        Datum value;
        bool isnull;
        constant_value(rel, attnum, &value, &isnull);
        c->patch = encode_value(c, value, isnull);
    }
    relation_close(rel, NoLock);
}

// Per row: the value of each key's live row, or the default evaluated once
// per key (the cursor orders images by key, so a key's images are together).
class PerRowFill {
   public:
    PerRowFill(const registry::ProtectedTable &table, Oid relid, AddedColumn *c) : table_(table), relid_(relid), c_(c) {
        rel_ = spi::qualified_name(relid);
        std::string pk_columns;
        for (const auto &k : columns::names(relid, columns::primary_key, true))
            pk_columns += (pk_columns.empty() ? "" : ", ") + k;
        lookup_sql_ = "SELECT u.i, x." + spi::quote_ident(c->name) +
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
        for_each_batch(sql, table_.table_id, spi::text_arg(c_->name), memory_,
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
                Datum v = SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 2, &isnull);
                patch[i] = memory_.run([&] { return encode_value(c_, v, isnull); });
            }
            SPI_freetuptable(SPI_tuptable);
            for (size_t i = 0; i < keys.size(); i++) {
                if (patch[i]) continue;
                if (keys[i] == carried_key_) {
                    patch[i] = carried_patch_;
                    continue;
                }
                patch[i] = memory_.run([&] {
                    bool isnull;
                    Datum v = ExecEvalExprSwitchContext(c_->state, GetPerTupleExprContext(c_->estate), &isnull);
                    Datum image = encode_value(c_, v, isnull);
                    ResetExprContext(GetPerTupleExprContext(c_->estate));
                    return image;
                });
            }
        }
        // The last key's value, for its images in the next batch (outlives the batch).
        carried_key_ = keys.back();
        Datum last = patch.back();
        carried_patch_ = pg_guard([&] {
            MemoryContext old = MemoryContextSwitchTo(carried_cxt_);
            Datum copy = datumCopy(last, false, -1);
            MemoryContextSwitchTo(old);
            return copy;
        });
        std::vector<Datum> ids, id_patches, xids, seqs, seq_patches;
        for (uint64 r = 0; r < n; r++) {
            bool isnull;
            Datum id = SPI_getbinval(batch->vals[r], batch->tupdesc, 2, &isnull);
            if (is_tombstone[r]) {
                ids.push_back(id);
                id_patches.push_back(patch[key_of[r]]);
            } else {
                xids.push_back(SPI_getbinval(batch->vals[r], batch->tupdesc, 3, &isnull));
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
    AddedColumn *c_;
    std::string rel_, lookup_sql_;
    std::string carried_key_;
    Datum carried_patch_ = (Datum)0;
    MemoryContext carried_cxt_ = CurrentMemoryContext;
    BatchMemory memory_;
};

// Fills the column into every full image of table's history that lacks it.
void fill_added(const registry::ProtectedTable &table, Oid relid, AttrNumber attnum) {
    AddedColumn *c = pg_guard([] { return static_cast<AddedColumn *>(palloc0(sizeof(AddedColumn))); });
    new (c) AddedColumn();
    {
        AsTableOwner owner(relid);
        pg_guard([&] { build_added(relid, attnum, c); });
    }
    if (c->fill == Fill::none) return;
    if (c->fill == Fill::per_row) {
        PerRowFill(table, relid, c).run();
        return;
    }
    std::vector<spi::Arg> args = {
        {INT4OID, Int32GetDatum(table.table_id)}, {JSONBOID, c->patch}, spi::text_arg(c->name)};
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

bool owns(Oid relid) {
    return pg_guard([&] { return pg_class_ownercheck(relid, GetUserId()); });
}

}  // namespace

std::string retyped_column_key(const std::string &name, const std::string &old_type) { return name + "#" + old_type; }

void lock_for_migration(Oid relid) {
    if (!owns(relid)) return;
    pg_guard([&] {
        LockRelationOid(relid, AccessExclusiveLock);
        (void)find_all_inheritors(relid, AccessExclusiveLock, nullptr);
    });
}

void convert_retyped_columns(const registry::ProtectedTable &table, Oid relid,
                             const std::vector<ColumnRetype> &retypes) {
    if (retypes.empty() || relid != table.relid || !owns(relid)) return;
    std::vector<AlterTableCmd *> cmds;
    std::unique_ptr<bool[]> keeps(new bool[retypes.size() + 1]);
    for (size_t i = 0; i < retypes.size(); i++) {
        cmds.push_back(retypes[i].cmd);
        keeps[i] = retypes[i].values_may_change;
    }
    Conversions *cv = pg_guard([] { return static_cast<Conversions *>(palloc0(sizeof(Conversions))); });
    new (cv) Conversions();
    {
        // The command's expressions and the types' code are the owner's.
        AsTableOwner owner(relid);
        pg_guard([&] { build_conversions(relid, cmds.data(), keeps.get(), (int)cmds.size(), cv); });
    }
    if (cv->refused || cv->n == 0) return;
    std::string rel = spi::qualified_name(relid);
    if (cv->volatile_column)
        throw Error(ERRCODE_FEATURE_NOT_SUPPORTED,
                    "cannot change the type of column \"" + std::string(cv->volatile_column) +
                        "\" of protected table " + rel + " with a volatile conversion",
                    "tenant_guard converts the column's values in every tombstone and change of the table's history "
                    "as the command converts the live rows; a volatile expression would give the images of one row "
                    "other values than the row got.",
                    "Add a new column, fill it with UPDATE (recorded), then drop the old column.");
    if (cv->reads_system_column)
        throw Error(ERRCODE_FEATURE_NOT_SUPPORTED,
                    "cannot change the type of a column of protected table " + rel +
                        " with an expression that reads a system column",
                    "Tombstones and history images hold no system columns.");
    RetypePass pass(table, relid, cv);
    pass.run(tombstone_history());
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
    for (uint64 r = 0; r < n; r++) {
        auto *cmd = reinterpret_cast<CollectedCommand *>(DatumGetPointer(spi::datum(r, 1)));
        if (!cmd || cmd->type != SCT_AlterTable) continue;
        ListCell *lc;
        foreach (lc, cmd->d.alterTable.subcmds) {
            auto *sub = static_cast<CollectedATSubcmd *>(lfirst(lc));
            auto *at = reinterpret_cast<AlterTableCmd *>(sub->parsetree);
            bool adds = at->subtype == AT_AddColumn;
#if PG_VERSION_NUM < 160000
            adds |= at->subtype == AT_AddColumnRecurse;
#endif
            // ADD COLUMN IF NOT EXISTS of a column that exists: no address.
            if (adds && sub->address.classId == RelationRelationId && sub->address.objectSubId > 0)
                added.emplace_back(sub->address.objectId, (AttrNumber)sub->address.objectSubId);
        }
    }
    for (const auto &[relid, attnum] : added) {
        auto table = registry::covering(relid, active);
        if (!table || table->relid != relid) continue;
        fill_added(*table, relid, attnum);
    }
}

}  // namespace tg
