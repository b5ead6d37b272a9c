// Relation shapes for capture and their conversion of rows to jsonb.
// Plain C-like code: it runs per row inside triggers.
#include "extension/shape.hpp"

#include "extension/catalog.hpp"
#include "extension/registration.hpp"

namespace tg {

namespace {

struct ShapeEntry {
    Oid relid;  // hash key
    RelShape *shape;
};

HTAB *shape_cache = nullptr;

void invalidate_shapes(Datum, Oid relid) noexcept {
    if (!shape_cache) return;
    // Only mark: a callback may run while a shape is in use; it is rebuilt
    // (and the old one freed) at the next shape_for(). A composite type the
    // columns hold changes through its own relid (ALTER TYPE ... ATTRIBUTE).
    HASH_SEQ_STATUS seq;
    hash_seq_init(&seq, shape_cache);
    while (auto *e = static_cast<ShapeEntry *>(hash_seq_search(&seq)))
        if (e->shape && (!OidIsValid(relid) || e->relid == relid || list_member_oid(e->shape->row_types, relid)))
            e->shape->valid = false;  // (no shape yet: one is being built)
}

// A cast to json created or dropped changes what to_jsonb writes for a type.
void invalidate_all_shapes(Datum, int, uint32) noexcept { invalidate_shapes((Datum)0, InvalidOid); }

ValueKind kind_of(Oid type) {
    switch (getBaseType(type)) {
        case INT2OID:
            return ValueKind::int2;
        case INT4OID:
            return ValueKind::int4;
        case INT8OID:
            return ValueKind::int8;
        case NUMERICOID:
            return ValueKind::numeric;
        case BOOLOID:
            return ValueKind::boolean;
        case TEXTOID:
        case VARCHAROID:
        case BPCHAROID:
            return ValueKind::text;
        case DATEOID:
        case TIMESTAMPOID:
        case TIMESTAMPTZOID:
            return ValueKind::datetime;
        case JSONBOID:
            return ValueKind::jsonb;
        // to_jsonb writes these as their text output.
        case UUIDOID:
        case BYTEAOID:
        case INETOID:
        case CIDROID:
        case MACADDROID:
        case TIMEOID:
        case TIMETZOID:
        case INTERVALOID:
        case NAMEOID:
        case CHAROID:
            return ValueKind::output_string;
        default:
            return ValueKind::to_jsonb;
    }
}

// What a value of a type holds, as to_jsonb and the output functions see it.
struct TypeScan {
    bool json_cast;   // to_jsonb would write some part of it through a cast to json
    bool names;       // some part is a reg* value, whose output depends on search_path
    List *row_types;  // relids of the composite types met
};

bool is_name_type(Oid type) {
    switch (type) {
        case REGCLASSOID:
        case REGTYPEOID:
        case REGPROCOID:
        case REGPROCEDUREOID:
        case REGOPEROID:
        case REGOPERATOROID:
        case REGCONFIGOID:
        case REGDICTIONARYOID:
        case REGCOLLATIONOID:
            return true;
        default:
            return false;
    }
}

// Follows to_jsonb: through domains, into array elements and composite
// attributes; any other type added after initdb with a cast to json is
// written through that cast. Below an output function (as_text: a range's
// bounds) casts no longer apply, but reg* outputs still do.
void scan_type(Oid type, bool as_text, TypeScan *scan) {
    check_stack_depth();
    Oid base = getBaseType(type);
    if (is_name_type(base)) {
        scan->names = true;
        return;
    }
    Oid element = get_element_type(base);
    if (OidIsValid(element)) {
        scan_type(element, as_text, scan);
        return;
    }
    if (type_is_rowtype(base)) {
        scan->row_types = lappend_oid(scan->row_types, get_typ_typrelid(base));
        TupleDesc desc = lookup_rowtype_tupdesc(base, -1);
        for (int i = 0; i < desc->natts; i++)
            if (!TupleDescAttr(desc, i)->attisdropped) scan_type(TupleDescAttr(desc, i)->atttypid, as_text, scan);
        ReleaseTupleDesc(desc);
        return;
    }
    if (!as_text && base >= FirstNormalObjectId) {
        Oid cast;
        if (find_coercion_pathway(JSONOID, base, COERCION_EXPLICIT, &cast) == COERCION_PATH_FUNC && OidIsValid(cast))
            scan->json_cast = true;
    }
    if (type_is_range(base))
        scan_type(get_range_subtype(base), true, scan);
    else if (type_is_multirange(base))
        scan_type(get_multirange_range(base), true, scan);
}

// Whether some value of type loses something as to_jsonb writes it that its
// text output keeps (nested: inside an array or composite, where a json value
// is parsed and a jsonb JSON null becomes the same null as an SQL NULL).
bool type_may_lose(Oid type, bool nested) {
    check_stack_depth();
    Oid base = getBaseType(type);
    if (base == FLOAT4OID || base == FLOAT8OID) return true;  // -0
    if (base == JSONOID || base == JSONBOID) return nested;
    if (OidIsValid(get_element_type(base))) return true;  // lower bounds
    if (!type_is_rowtype(base)) return false;             // (a range is written as its text)
    TupleDesc desc = lookup_rowtype_tupdesc(base, -1);
    bool may = false;
    for (int i = 0; i < desc->natts && !may; i++)
        may = !TupleDescAttr(desc, i)->attisdropped && type_may_lose(TupleDescAttr(desc, i)->atttypid, true);
    ReleaseTupleDesc(desc);
    return may;
}

bool is_negative_zero(double d) { return d == 0 && __builtin_signbit(d); }

// A jsonb JSON null (not an SQL NULL).
bool is_json_null(Datum value) {
    Jsonb *jb = DatumGetJsonbP(value);
    JsonbValue scalar;
    return JB_ROOT_IS_SCALAR(jb) && JsonbExtractScalar(&jb->root, &scalar) && scalar.type == jbvNull;
}

// Whether to_jsonb would not keep value (of type, inside an array or
// composite, or an array or composite itself) exactly. Only for types
// type_may_lose says may.
bool value_loses(Datum value, Oid type) {
    check_stack_depth();
    Oid base = getBaseType(type);
    switch (base) {
        case FLOAT4OID:
            return is_negative_zero(DatumGetFloat4(value));
        case FLOAT8OID:
            return is_negative_zero(DatumGetFloat8(value));
        case JSONOID:
            return true;  // to_jsonb parses it: spacing, key order and duplicate keys go
        case JSONBOID:
            return is_json_null(value);
        default:
            break;
    }
    Oid element = get_element_type(base);
    if (OidIsValid(element)) {
        ArrayType *array = DatumGetArrayTypeP(value);
        for (int d = 0; d < ARR_NDIM(array); d++)
            if (ARR_LBOUND(array)[d] != 1) return true;
        if (!type_may_lose(element, true)) return false;
        int16 len;
        bool byval;
        char align;
        get_typlenbyvalalign(element, &len, &byval, &align);
        Datum *elements;
        bool *nulls;
        int n;
        deconstruct_array(array, element, len, byval, align, &elements, &nulls, &n);
        for (int i = 0; i < n; i++)
            if (!nulls[i] && value_loses(elements[i], element)) return true;
        return false;
    }
    if (!type_is_rowtype(base)) return false;
    HeapTupleHeader header = DatumGetHeapTupleHeader(value);
    TupleDesc desc = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(header), HeapTupleHeaderGetTypMod(header));
    HeapTupleData tuple;
    tuple.t_len = HeapTupleHeaderGetDatumLength(header);
    ItemPointerSetInvalid(&tuple.t_self);
    tuple.t_tableOid = InvalidOid;
    tuple.t_data = header;
    Datum *values = static_cast<Datum *>(palloc(sizeof(Datum) * desc->natts));
    bool *nulls = static_cast<bool *>(palloc(sizeof(bool) * desc->natts));
    heap_deform_tuple(&tuple, desc, values, nulls);
    bool loses = false;
    for (int i = 0; i < desc->natts && !loses; i++) {
        Form_pg_attribute att = TupleDescAttr(desc, i);
        loses = !att->attisdropped && !nulls[i] && type_may_lose(att->atttypid, true) &&
                value_loses(values[i], att->atttypid);
    }
    ReleaseTupleDesc(desc);
    return loses;
}

// What push_value checks of each value of a column of type, written as kind.
LossCheck loss_check_of(Oid type, ValueKind kind) {
    if (kind == ValueKind::output_string) return LossCheck::none;  // its text already
    Oid base = getBaseType(type);
    if (base == FLOAT4OID) return LossCheck::float4_zero;
    if (base == FLOAT8OID) return LossCheck::float8_zero;
    // A json or jsonb column itself is read back as JSON, not through its text.
    if (exact_text_of(type) != ExactText::none) return LossCheck::none;
    return type_may_lose(type, false) ? LossCheck::nested : LossCheck::none;
}

bool loses(const ColumnShape *col, Datum value) {
    switch (col->loss) {
        case LossCheck::none:
            return false;
        case LossCheck::float4_zero:
            return is_negative_zero(DatumGetFloat4(value));
        case LossCheck::float8_zero:
            return is_negative_zero(DatumGetFloat8(value));
        case LossCheck::nested:
            return value_loses(value, col->type);
    }
    return false;
}

// to_jsonb(anyelement) needs to know its argument's type from the call
// expression: give it a typed Const as argument.
void bind_to_jsonb(FmgrInfo *finfo, Form_pg_attribute att, MemoryContext mcxt) {
    fmgr_info_cxt(F_TO_JSONB, finfo, mcxt);
    MemoryContext old = MemoryContextSwitchTo(mcxt);
    Node *arg = (Node *)makeNullConst(att->atttypid, att->atttypmod, att->attcollation);
    finfo->fn_expr =
        (Node *)makeFuncExpr(F_TO_JSONB, JSONBOID, list_make1(arg), InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);
    MemoryContextSwitchTo(old);
}

[[noreturn]] void refuse_trigger(Relation rel, const Trigger *trigger) {
    ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                    errmsg("trigger \"%s\" on \"%s\" was not installed by tenant_guard.protect()", trigger->tgname,
                           RelationGetRelationName(rel)),
                    errdetail("tenant_guard's trigger functions act only for the triggers protect() installs."),
                    errhint("Drop this trigger; to protect the table use tenant_guard.protect().")));
    pg_unreachable();
}

// The columns of desc (its live attributes), each encoded as capture encodes
// a value of its type; in shape->memory.
void add_columns(RelShape *shape, TupleDesc desc) {
    MemoryContext mcxt = shape->memory;
    shape->columns = static_cast<ColumnShape *>(MemoryContextAllocZero(mcxt, sizeof(ColumnShape) * (desc->natts + 1)));
    shape->ncolumns = 0;
    for (int i = 0; i < desc->natts; i++) {
        Form_pg_attribute att = TupleDescAttr(desc, i);
        if (att->attisdropped) continue;
        ColumnShape *col = &shape->columns[shape->ncolumns++];
        col->attnum = att->attnum;
        col->type = att->atttypid;
        col->kind = kind_of(att->atttypid);
        TypeScan scan;
        memset(&scan, 0, sizeof scan);
        MemoryContext old = MemoryContextSwitchTo(mcxt);
        scan_type(att->atttypid, false, &scan);
        shape->row_types = list_concat(shape->row_types, scan.row_types);
        MemoryContextSwitchTo(old);
        // jsonb_to_record reads no JSON object back into such a type; its text it does.
        if (scan.json_cast) col->kind = ValueKind::output_string;
        shape->qualify_names |= scan.names;
        col->key.type = jbvString;
        col->key.val.string.val = MemoryContextStrdup(mcxt, NameStr(att->attname));
        col->key.val.string.len = (int)strlen(NameStr(att->attname));
        col->loss = loss_check_of(att->atttypid, col->kind);
        col->exact_text = exact_text_of(att->atttypid);
        if (col->exact_text != ExactText::none) {
            MemoryContext was = MemoryContextSwitchTo(mcxt);
            col->text_key.type = jbvString;
            col->text_key.val.string.val = psprintf("%s%s", NameStr(att->attname), schema::exact_text_suffix);
            col->text_key.val.string.len = (int)strlen(col->text_key.val.string.val);
            MemoryContextSwitchTo(was);
        }
        col->detoast = att->attlen == -1 && (col->loss != LossCheck::none || col->exact_text != ExactText::none);
        Oid outfunc;
        bool varlena;
        getTypeOutputInfo(att->atttypid, &outfunc, &varlena);
        fmgr_info_cxt(outfunc, &col->output, mcxt);
        if (col->kind == ValueKind::to_jsonb) bind_to_jsonb(&col->to_jsonb, att, mcxt);
    }
}

// A column named as another's exact-text key would overwrite it in images.
void refuse_text_key_columns(const RelShape *shape, Relation rel) {
    for (int c = 0; c < shape->ncolumns; c++) {
        const ColumnShape *col = &shape->columns[c];
        if (col->exact_text == ExactText::none) continue;
        for (int o = 0; o < shape->ncolumns; o++)
            if (strcmp(shape->columns[o].key.val.string.val, col->text_key.val.string.val) == 0)
                ereport(ERROR,
                        (errcode(ERRCODE_DUPLICATE_COLUMN),
                         errmsg("column \"%s\" of protected table \"%s\" has the name under which row images keep "
                                "the exact text of column \"%s\"",
                                col->text_key.val.string.val, RelationGetRelationName(rel), col->key.val.string.val),
                         errhint("Rename column \"%s\".", col->text_key.val.string.val)));
    }
}

void build_shape(RelShape *shape, Relation rel, const registry::Registration *reg) {
    MemoryContext mcxt = shape->memory;
    TupleDesc desc = RelationGetDescr(rel);

    shape->table_id = reg->table_id;
    const char *tenant_column = reg->tenant_column;
    shape->delete_mode = reg->flag_mode ? DeleteMode::flag : DeleteMode::tombstone;
    snprintf(shape->table_id_text, sizeof shape->table_id_text, "%d", reg->table_id);
    static_assert(sizeof reg->tenant_column == NAMEDATALEN && sizeof reg->flag_column == NAMEDATALEN);
    namestrcpy(&shape->tenant_column, reg->tenant_column);
    namestrcpy(&shape->flag_column, reg->flag_column);

    add_columns(shape, desc);
    refuse_text_key_columns(shape, rel);
    shape->tenant_attnum = InvalidAttrNumber;
    for (int c = 0; c < shape->ncolumns; c++) {
        Form_pg_attribute att = TupleDescAttr(desc, shape->columns[c].attnum - 1);
        if (reg->flag_mode && strcmp(NameStr(att->attname), reg->flag_column) == 0) {
            shape->flag_attnum = att->attnum;
            shape->flag_is_boolean = att->atttypid == BOOLOID;
        }
        if (strcmp(NameStr(att->attname), tenant_column) == 0) {
            shape->tenant_attnum = att->attnum;
            shape->tenant_is_text = getBaseType(att->atttypid) == TEXTOID;
            fmgr_info_cxt(shape->columns[c].output.fn_oid, &shape->tenant_output, mcxt);
        }
    }
    if (shape->tenant_attnum == InvalidAttrNumber)
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_COLUMN),
                        errmsg("tenant column \"%s\" of protected table \"%s\" does not exist", tenant_column,
                               RelationGetRelationName(rel))));

    Oid pk_index = RelationGetPrimaryKeyIndex(rel);
    if (!OidIsValid(pk_index))
        ereport(ERROR, (errcode(ERRCODE_INVALID_TABLE_DEFINITION),
                        errmsg("protected table \"%s\" has no primary key", RelationGetRelationName(rel))));
    Relation index = index_open(pk_index, AccessShareLock);
    int nkeys = index->rd_index->indnkeyatts;
    shape->pk = static_cast<int *>(MemoryContextAlloc(mcxt, sizeof(int) * nkeys));
    shape->npk = 0;
    for (int k = 0; k < nkeys; k++) {
        AttrNumber attnum = index->rd_index->indkey.values[k];
        for (int c = 0; c < shape->ncolumns; c++)
            if (shape->columns[c].attnum == attnum) shape->pk[shape->npk++] = c;
    }
    index_close(index, AccessShareLock);
}

// Appends one column's value to the object being built.
void push_value(JsonbParseState **state, const ColumnShape *col, Datum value, bool isnull, ImageKind image) {
    JsonbValue v;
    if (isnull) {
        v.type = jbvNull;
        pushJsonbValue(state, WJB_VALUE, &v);
        return;
    }
    ValueKind kind = col->kind;
    if (image != ImageKind::key && loses(col, value)) kind = ValueKind::output_string;
    switch (kind) {
        case ValueKind::int2:
            v.type = jbvNumeric;
            v.val.numeric = int64_to_numeric(DatumGetInt16(value));
            break;
        case ValueKind::int4:
            v.type = jbvNumeric;
            v.val.numeric = int64_to_numeric(DatumGetInt32(value));
            break;
        case ValueKind::int8:
            v.type = jbvNumeric;
            v.val.numeric = int64_to_numeric(DatumGetInt64(value));
            break;
        case ValueKind::numeric: {
            Numeric n = DatumGetNumeric(value);
            if (numeric_is_nan(n) || numeric_is_inf(n)) {
                // JSON has no NaN or Infinity: to_jsonb writes them as strings.
                char *s = OutputFunctionCall(const_cast<FmgrInfo *>(&col->output), value);
                v.type = jbvString;
                v.val.string.val = s;
                v.val.string.len = (int)strlen(s);
            } else {
                v.type = jbvNumeric;
                v.val.numeric = n;
            }
            break;
        }
        case ValueKind::boolean:
            v.type = jbvBool;
            v.val.boolean = DatumGetBool(value);
            break;
        case ValueKind::text: {
            text *t = DatumGetTextPP(value);
            v.type = jbvString;
            v.val.string.val = VARDATA_ANY(t);
            v.val.string.len = (int)VARSIZE_ANY_EXHDR(t);
            break;
        }
        case ValueKind::datetime: {
            char buf[129];  // MAXDATELEN + 1 (utils/datetime.h clashes with C++ names)
            JsonEncodeDateTime(buf, value, getBaseType(col->type), nullptr);
            v.type = jbvString;
            v.val.string.val = pstrdup(buf);
            v.val.string.len = (int)strlen(buf);
            break;
        }
        case ValueKind::output_string: {
            char *s = OutputFunctionCall(const_cast<FmgrInfo *>(&col->output), value);
            v.type = jbvString;
            v.val.string.val = s;
            v.val.string.len = (int)strlen(s);
            break;
        }
        case ValueKind::jsonb:
        case ValueKind::to_jsonb: {
            Jsonb *jb = kind == ValueKind::jsonb
                            ? DatumGetJsonbP(value)
                            : DatumGetJsonbP(FunctionCall1(const_cast<FmgrInfo *>(&col->to_jsonb), value));
            if (JB_ROOT_IS_SCALAR(jb)) {
                JsonbExtractScalar(&jb->root, &v);
            } else {
                // pushJsonbValue unpacks a binary container given as a value.
                v.type = jbvBinary;
                v.val.binary.data = &jb->root;
                v.val.binary.len = (int)VARSIZE(jb) - VARHDRSZ;
            }
            break;
        }
    }
    pushJsonbValue(state, WJB_VALUE, &v);
}

// Appends a json or jsonb column's exact text under its text key: always
// for a json value, "null" for a jsonb JSON null; in a partial image a null
// for the others.
void push_exact_text(JsonbParseState **state, const ColumnShape *col, Datum value, bool isnull, ImageKind image) {
    JsonbValue v;
    v.type = jbvNull;
    if (!isnull && col->exact_text == ExactText::json) {
        text *t = DatumGetTextPP(value);
        v.type = jbvString;
        v.val.string.val = VARDATA_ANY(t);
        v.val.string.len = (int)VARSIZE_ANY_EXHDR(t);
    } else if (!isnull && is_json_null(value)) {
        v.type = jbvString;
        v.val.string.val = const_cast<char *>("null");
        v.val.string.len = 4;
    }
    if (v.type == jbvNull && image != ImageKind::partial) return;
    pushJsonbValue(state, WJB_KEY, const_cast<JsonbValue *>(&col->text_key));
    pushJsonbValue(state, WJB_VALUE, &v);
}

Datum object_of(const RelShape *shape, TupleTableSlot *slot, const int *which, int n, ImageKind image) {
    JsonbParseState *state = nullptr;
    pushJsonbValue(&state, WJB_BEGIN_OBJECT, nullptr);
    for (int i = 0; i < n; i++) {
        const ColumnShape *col = &shape->columns[which ? which[i] : i];
        pushJsonbValue(&state, WJB_KEY, const_cast<JsonbValue *>(&col->key));
        int a = col->attnum - 1;
        Datum value = slot->tts_values[a];
        bool isnull = slot->tts_isnull[a];
        // Detoasted once, for the check, the encoding and the exact text.
        if (col->detoast && !isnull) value = PointerGetDatum(PG_DETOAST_DATUM(value));
        push_value(&state, col, value, isnull, image);
        if (image != ImageKind::key && col->exact_text != ExactText::none)
            push_exact_text(&state, col, value, isnull, image);
    }
    JsonbValue *result = pushJsonbValue(&state, WJB_END_OBJECT, nullptr);
    return JsonbPGetDatum(JsonbValueToJsonb(result));
}

RelShape *cached_shape(Oid relid) {
    if (!shape_cache) return nullptr;
    auto *cached = static_cast<ShapeEntry *>(hash_search(shape_cache, &relid, HASH_FIND, nullptr));
    return cached && cached->shape->valid ? cached->shape : nullptr;
}

}  // namespace

RelShape *shape_for(Relation rel, const Trigger *trigger) {
    if (RelShape *shape = cached_shape(RelationGetRelid(rel))) return shape;
    // What the registry says, read before the shape is built: it is C++ over
    // SPI, and no C++ exception may cross the PG_TRY below.
    registry::Registration reg;
    if (!registry::registration_of(RelationGetRelid(rel), &reg)) refuse_trigger(rel, trigger);
    return shape_registered(rel, &reg);
}

RelShape *shape_registered(Relation rel, const registry::Registration *reg) {
    Oid relid = RelationGetRelid(rel);
    if (RelShape *shape = cached_shape(relid)) return shape;
    if (!shape_cache) {
        HASHCTL ctl;
        memset(&ctl, 0, sizeof ctl);
        ctl.keysize = sizeof(Oid);
        ctl.entrysize = sizeof(ShapeEntry);
        ctl.hcxt = CacheMemoryContext;
        shape_cache = hash_create("tenant_guard shapes", 64, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
    }
    bool found;
    auto *entry = static_cast<ShapeEntry *>(hash_search(shape_cache, &relid, HASH_ENTER, &found));
    if (found && entry->shape->valid) return entry->shape;
    if (found) {
        MemoryContextDelete(entry->shape->memory);
        entry->shape = nullptr;
    }
    MemoryContext mcxt = AllocSetContextCreate(CacheMemoryContext, "tenant_guard shape", ALLOCSET_SMALL_SIZES);
    auto *shape = static_cast<RelShape *>(MemoryContextAllocZero(mcxt, sizeof(RelShape)));
    shape->relid = relid;
    shape->memory = mcxt;
    PG_TRY();
    { build_shape(shape, rel, reg); }
    PG_CATCH();
    {
        hash_search(shape_cache, &relid, HASH_REMOVE, nullptr);
        MemoryContextDelete(mcxt);
        PG_RE_THROW();
    }
    PG_END_TRY();
    shape->valid = true;
    entry->shape = shape;
    return shape;
}

void verify_trigger(RelShape *shape, Relation rel, const Trigger *trigger, const char *expected_name) {
    for (int i = 0; i < shape->nverified; i++)
        if (shape->verified[i] == trigger->tgoid) return;
    bool row_level = strcmp(expected_name, catalog::trigger_flag_delete) == 0;
    bool ok = strcmp(trigger->tgname, expected_name) == 0;
    if (ok && row_level)
        ok = shape->delete_mode == DeleteMode::flag && shape->flag_attnum != InvalidAttrNumber &&
             trigger->tgnargs == 2 && strcmp(trigger->tgargs[0], NameStr(shape->flag_column)) == 0;
    else if (ok)
        ok = trigger->tgnargs == 3 && strcmp(trigger->tgargs[0], shape->table_id_text) == 0 &&
             strcmp(trigger->tgargs[1], NameStr(shape->tenant_column)) == 0 &&
             strcmp(trigger->tgargs[2], shape->delete_mode == DeleteMode::flag ? "flag" : "tombstone") == 0;
    if (!ok) refuse_trigger(rel, trigger);
    if (shape->nverified < (int)lengthof(shape->verified)) shape->verified[shape->nverified++] = trigger->tgoid;
}

RelShape *columns_shape(TupleDesc desc) {
    auto *shape = static_cast<RelShape *>(palloc0(sizeof(RelShape)));
    shape->relid = InvalidOid;
    shape->memory = CurrentMemoryContext;
    add_columns(shape, desc);
    shape->valid = true;
    return shape;
}

Datum row_image(const RelShape *shape, TupleTableSlot *slot) {
    return object_of(shape, slot, nullptr, shape->ncolumns, ImageKind::row);
}

Datum pk_image(const RelShape *shape, TupleTableSlot *slot) {
    return object_of(shape, slot, shape->pk, shape->npk, ImageKind::key);
}

Datum changed_columns_image(const RelShape *shape, TupleTableSlot *old_slot, TupleTableSlot *new_slot) {
    int *changed = static_cast<int *>(palloc(sizeof(int) * (shape->ncolumns + 1)));
    int n = 0;
    TupleDesc desc = old_slot->tts_tupleDescriptor;
    for (int c = 0; c < shape->ncolumns; c++) {
        int a = shape->columns[c].attnum - 1;
        bool old_null = old_slot->tts_isnull[a], new_null = new_slot->tts_isnull[a];
        if (old_null && new_null) continue;
        Form_pg_attribute att = TupleDescAttr(desc, a);
        // Binary comparison: an unchanged TOASTed value keeps its pointer, so it
        // compares equal without being fetched.
        if (old_null != new_null ||
            !datumIsEqual(old_slot->tts_values[a], new_slot->tts_values[a], att->attbyval, att->attlen))
            changed[n++] = c;
    }
    return object_of(shape, old_slot, changed, n, ImageKind::partial);
}

Datum columns_image(const RelShape *shape, TupleTableSlot *slot, const int *which, int n, ImageKind image) {
    return object_of(shape, slot, which, n, image);
}

ExactText exact_text_of(Oid type) {
    Oid base = getBaseType(type);
    return base == JSONOID ? ExactText::json : base == JSONBOID ? ExactText::jsonb : ExactText::none;
}

bool written_as_text(Oid type) {
    TypeScan scan;
    memset(&scan, 0, sizeof scan);
    scan_type(type, false, &scan);
    return scan.json_cast;
}

void pin_output(OutputPin *saved, const RelShape *shape) {
    saved->search_path_pushed = shape->qualify_names;
    if (saved->search_path_pushed) {
        // reg* values are named by schema unless pg_catalog holds them: the
        // readers resolve names with search_path = pg_catalog, pg_temp.
        OverrideSearchPath path;
        memset(&path, 0, sizeof path);
        path.addCatalog = true;
        PushOverrideSearchPath(&path);
    }
    saved->extra_float_digits = extra_float_digits;
    saved->date_style = DateStyle;
    saved->date_order = DateOrder;
    saved->interval_style = IntervalStyle;
    saved->bytea_output = bytea_output;
    extra_float_digits = 1;  // shortest exact (the default)
    DateStyle = USE_ISO_DATES;
    DateOrder = DATEORDER_MDY;
    IntervalStyle = INTSTYLE_POSTGRES;  // explicit signs: read back alike under every IntervalStyle
    bytea_output = BYTEA_OUTPUT_HEX;
}

void unpin_output(const OutputPin *saved) {
    extra_float_digits = saved->extra_float_digits;
    DateStyle = saved->date_style;
    DateOrder = saved->date_order;
    IntervalStyle = saved->interval_style;
    bytea_output = saved->bytea_output;
    if (saved->search_path_pushed) PopOverrideSearchPath();
}

Datum compress_large_image(Datum image) {
    if (VARSIZE_ANY(DatumGetPointer(image)) <= TOAST_TUPLE_THRESHOLD / 2) return image;
    Datum compressed = toast_compress_datum(image, TOAST_LZ4_COMPRESSION);
    return compressed != (Datum)0 ? compressed : image;
}

Datum tenant_text(const RelShape *shape, TupleTableSlot *slot) {
    int a = shape->tenant_attnum - 1;
    if (slot->tts_isnull[a])
        ereport(ERROR, (errcode(ERRCODE_NOT_NULL_VIOLATION), errmsg("tenant column of a protected row is NULL")));
    Datum value = slot->tts_values[a];
    // A copy: the slot's next tuple replaces the value, and rows are buffered.
    if (shape->tenant_is_text) return PointerGetDatum(PG_DETOAST_DATUM_COPY(value));
    return CStringGetTextDatum(OutputFunctionCall(const_cast<FmgrInfo *>(&shape->tenant_output), value));
}

void register_shape_cache_callbacks() {
    CacheRegisterRelcacheCallback(invalidate_shapes, (Datum)0);
    CacheRegisterSyscacheCallback(CASTSOURCETARGET, invalidate_all_shapes, (Datum)0);
}

}  // namespace tg
