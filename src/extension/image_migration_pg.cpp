#define TG_IMPLEMENTS_GUARDED_CALLS
#include "extension/pg.hpp"
#include "extension/image_migration_pg.hpp"

#include "extension/schema_constants.hpp"
#include "extension/search_path.hpp"
#include "extension/shape.hpp"

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

namespace tg::image_migration_pg {

MemoryContextData *create_batch_memory() {
    return pg_guard(
        [] { return AllocSetContextCreate(CurrentMemoryContext, "tenant_guard image batch", ALLOCSET_DEFAULT_SIZES); });
}

void reset_memory(MemoryContextData *memory) noexcept { MemoryContextReset(memory); }

void delete_memory(MemoryContextData *memory) noexcept { MemoryContextDelete(memory); }

MemoryContextData *current_memory() noexcept { return CurrentMemoryContext; }

MemoryContextData *switch_memory(MemoryContextData *memory) noexcept { return MemoryContextSwitchTo(memory); }

Datum copy_jsonb(Datum value) {
    return pg_guard([&] { return datumCopy(value, false, -1); });
}

namespace {

// Where an error met while converting an image happened (ImageWhere).
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
void in_image_context(const ImageWhere *where, F &&fn) {
    ErrorContextCallback callback;
    callback.callback = image_context;
    callback.arg = const_cast<ImageWhere *>(where);
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

}  // namespace

// ---------------------------------------------------------------------------
// ALTER COLUMN ... TYPE. Plain C-like data, built and used as the table's owner.

struct Conversion {
    AttrNumber attnum;  // in the table's descriptor before the command
    char *name;
    ExprState *state;  // the row before the command (scan tuple) -> the value in the new type
    bool keep;         // the old value stays in row images, under kept_key
    char *kept_key;
};

// palloc0'd: everything starts 0, false or nullptr.
struct Conversions {
    int n;
    Conversion *items;
    bool refused;  // PostgreSQL refuses the command itself (no cast): leave everything
    const char *volatile_column;
    bool reads_system_column;
    TupleDesc old_desc;   // the table's, before the command
    TupleTableSlot *row;  // an image as if it were the row (old_desc)
    EState *estate;
    int nrefs;
    AttrNumber *refs;  // the columns the conversions read, in attnum order
    char **ref_names;
    int ninputs;         // the keys of an image's input object: refs, then the
    char **input_names;  // converted columns they lack (whose old values are kept)
    char *typed_refs;    // "a integer, b text" over refs (jsonb_to_record), names qualified
    char *read_refs;     // "x.a, coalesce((u.j ->> 'b#:text')::json, x.b)": refs read from x and input u.j
    char *names;         // the converted columns, for messages
    TupleDesc new_desc;  // one attribute per conversion, of its new type
    RelShape *new_shape;
    TupleTableSlot *value;  // new_desc
};

namespace {

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

void build_all(Oid relid, AlterTableCmd *const *cmds, const bool *keeps, int ncmds, Conversions *cv) {
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
    // A json or jsonb column is read from the exact text its image keeps
    // beside it (schema_constants.hpp), which its input object then holds too.
    char **text_keys = static_cast<char **>(palloc(sizeof(char *) * (cv->old_desc->natts + 1)));
    int ntext_keys = 0;
    StringInfoData typed, read;
    initStringInfo(&typed);
    initStringInfo(&read);
    for (int i = 0; i < cv->old_desc->natts; i++) {
        Form_pg_attribute att = TupleDescAttr(cv->old_desc, i);
        if (att->attisdropped) continue;
        if (!whole_row && !bms_is_member(att->attnum - FirstLowInvalidHeapAttributeNumber, refs)) continue;
        char *type = with_pinned_search_path([&] { return format_type_with_typemod(att->atttypid, att->atttypmod); });
        const char *name = quote_identifier(NameStr(att->attname));
        appendStringInfo(&typed, "%s%s %s", cv->nrefs ? ", " : "", name, type);
        if (exact_text_of(att->atttypid) != ExactText::none) {
            char *key = psprintf("%s%s", NameStr(att->attname), schema::exact_text_suffix);
            text_keys[ntext_keys++] = key;
            appendStringInfo(&read, "%scoalesce((u.j ->> %s)::%s, x.%s)", cv->nrefs ? ", " : "",
                             quote_literal_cstr(key), type, name);
        } else {
            appendStringInfo(&read, "%sx.%s", cv->nrefs ? ", " : "", name);
        }
        cv->ref_names[cv->nrefs] = pstrdup(NameStr(att->attname));
        cv->refs[cv->nrefs++] = att->attnum;
    }
    cv->typed_refs = typed.data;
    cv->read_refs = read.data;
    cv->input_names = static_cast<char **>(palloc(sizeof(char *) * (cv->nrefs + ntext_keys + cv->n + 1)));
    for (int p = 0; p < cv->nrefs; p++) cv->input_names[cv->ninputs++] = cv->ref_names[p];
    for (int t = 0; t < ntext_keys; t++) cv->input_names[cv->ninputs++] = text_keys[t];
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

// convert_images (image_migration_pg.hpp); typed's columns are cv->refs.
void convert_all(Conversions *cv, const SPITupleTable *typed, int n, const char *const *presence, const Datum *inputs,
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
            // A key image keeps its keys' encoding (shape.hpp: ImageKind).
            ImageKind image = row_image[i] ? ImageKind::partial : ImageKind::key;
            patches[i] = m ? columns_image(cv->new_shape, slot, which, m, image) : (Datum)0;
            keeps[i] = m && row_image[i] ? kept_values(cv, presence[i], inputs[i]) : (Datum)0;
        }
    });
}

}  // namespace

// ---------------------------------------------------------------------------
// ADD COLUMN. Plain C-like data, built and used as the table's owner.

// palloc0'd: Fill::none, nullptr, 0.
struct AddedColumn {
    Fill fill;
    char *name;
    Datum patch;     // constant: {name: the value}
    TupleDesc desc;  // per_row: the column alone
    RelShape *shape;
    TupleTableSlot *slot;
    ExprState *state;  // the default (or identity) of the protected table
    EState *estate;
};

namespace {

// {name: value} as capture encodes the column's values.
Datum encode(AddedColumn *c, Datum value, bool isnull) {
    Datum result = (Datum)0;
    with_pinned_output(c->shape, [&] {
        ExecClearTuple(c->slot);
        c->slot->tts_values[0] = value;
        c->slot->tts_isnull[0] = isnull;
        ExecStoreVirtualTuple(c->slot);
        int first = 0;
        result = columns_image(c->shape, c->slot, &first, 1, ImageKind::partial);
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

void build_added_column(Oid relid, AttrNumber attnum, AddedColumn *c) {
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
        c->patch = encode(c, value, isnull);
    }
    relation_close(rel, NoLock);
}

}  // namespace

ConversionPlan build_conversions(Oid relid, AlterTableCmd *const *cmds, const bool *keeps, int ncmds) {
    return pg_guard([&] {
        auto *cv = static_cast<Conversions *>(palloc0(sizeof(Conversions)));
        build_all(relid, cmds, keeps, ncmds, cv);
        auto **converted = static_cast<const char **>(palloc(sizeof(char *) * (cv->n + 1)));
        for (int k = 0; k < cv->n; k++) converted[k] = cv->items[k].name;
        return ConversionPlan{
            cv,        cv->refused,    cv->n,         converted,   cv->volatile_column, cv->reads_system_column,
            cv->nrefs, cv->typed_refs, cv->read_refs, cv->ninputs, cv->input_names,     cv->names};
    });
}

SPITupleTable *read_back(const char *sql, Datum inputs, int n, const ImageWhere *where) {
    return pg_guard([&] {
        in_image_context(where, [&] {
            Oid types[] = {JSONBARRAYOID};
            Datum values[] = {inputs};
            int rc = with_pinned_search_path(
                [&] { return SPI_execute_with_args(sql, 1, types, values, nullptr, false, 0); });
            if (rc != SPI_OK_SELECT || SPI_processed != (uint64)n)
                elog(ERROR, "tenant_guard: reading images back returned %d rows for %d", (int)SPI_processed, n);
        });
        return SPI_tuptable;
    });
}

void convert_images(Conversions *cv, const SPITupleTable *typed, int n, const char *const *presence,
                    const Datum *inputs, const bool *row_image, const ImageWhere *where, Datum *patches, Datum *keeps) {
    pg_guard([&] { convert_all(cv, typed, n, presence, inputs, row_image, where, patches, keeps); });
}

ColumnAddresses columns_added(Datum command) {
    return pg_guard([&] {
        ColumnAddresses none{nullptr, 0};
        auto *cmd = reinterpret_cast<CollectedCommand *>(DatumGetPointer(command));
        if (!cmd || cmd->type != SCT_AlterTable) return none;
        auto *items =
            static_cast<ColumnAddress *>(palloc(sizeof(ColumnAddress) * (list_length(cmd->d.alterTable.subcmds) + 1)));
        int count = 0;
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
                items[count++] = ColumnAddress{sub->address.objectId, (AttrNumber)sub->address.objectSubId};
        }
        return ColumnAddresses{items, count};
    });
}

AddedPlan build_added(Oid relid, AttrNumber attnum) {
    return pg_guard([&] {
        auto *c = static_cast<AddedColumn *>(palloc0(sizeof(AddedColumn)));
        build_added_column(relid, attnum, c);
        return AddedPlan{c, c->fill, c->name, c->patch};
    });
}

Datum encode_value(AddedColumn *c, Datum value, bool isnull) {
    return pg_guard([&] { return encode(c, value, isnull); });
}

Datum evaluate_default(AddedColumn *c) {
    return pg_guard([&] {
        bool isnull;
        Datum v = ExecEvalExprSwitchContext(c->state, GetPerTupleExprContext(c->estate), &isnull);
        Datum image = encode(c, v, isnull);
        ResetExprContext(GetPerTupleExprContext(c->estate));
        return image;
    });
}

void lock_with_partitions(Oid relid) {
    pg_guard([&] {
        LockRelationOid(relid, AccessExclusiveLock);
        (void)find_all_inheritors(relid, AccessExclusiveLock, nullptr);
    });
}

}  // namespace tg::image_migration_pg
