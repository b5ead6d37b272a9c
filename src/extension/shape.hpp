// The shape of a protected relation as capture needs it: which column holds
// the tenant, which make the primary key, and how each column becomes a jsonb
// value. Built once per relation from the registry (never from a trigger's
// arguments) and kept until a relcache invalidation (any ALTER TABLE,
// CREATE/DROP TRIGGER) says the relation changed.
//
// The trigger functions act only for the triggers protect() installed: each
// call checks its trigger (verify_trigger) against the shape, so a trigger
// someone else attached (to a temp table, an unprotected table, or as a
// second trigger on a protected one) is refused and cannot change what the
// real ones do.
//
// Row images are jsonb objects equal to to_jsonb(row): fast paths for the
// common types, to_jsonb itself for the rest. jsonb rather than a binary tuple
// image because images must stay readable after ALTER TABLE and pg_dump/restore.
// Images must come back exactly through jsonb_to_record, so three things
// differ from a plain to_jsonb in the writer's session:
//  * a value to_jsonb would write through a type's cast to json (hstore; also
//    inside arrays, composites and domains) is written as its text output, a
//    JSON string: jsonb_to_record reads no JSON object back into such a type;
//  * a value that JSON cannot hold exactly (LossCheck: a float -0, an array
//    whose lower bound is not 1, a json or JSON-null jsonb inside an array or
//    composite) is written as its text output, a JSON string, which
//    jsonb_to_record reads back through the type's input function;
//  * output functions run with the settings they read pinned (pin_output):
//    shortest-exact floats, ISO dates, postgres-style intervals, hex bytea,
//    and reg* names qualified as the readers' pinned search_path resolves
//    them, whatever the session says. timestamptz keeps the session's UTC
//    offset, as to_jsonb writes it (the same instant in any zone); money
//    follows lc_monetary, as in pg_dump.
#pragma once
#include "extension/pg.hpp"
#include "extension/registration.hpp"

namespace tg {

enum class ValueKind : uint8 { int2, int4, int8, numeric, boolean, text, datetime, jsonb, output_string, to_jsonb };

// Which values of a column the encoding of its kind would not keep exactly,
// and are written as their text output instead (value_loses in shape.cpp):
// the sign of a float zero; an array's lower bounds, also inside composites;
// inside arrays and composites, also a json value's text and a jsonb JSON null.
enum class LossCheck : uint8 { none, float4_zero, float8_zero, nested };

// A json or jsonb column, whose exact text a row image keeps beside its
// value (schema_constants.hpp: exact_text_suffix).
enum class ExactText : uint8 { none, json, jsonb };

struct ColumnShape {
    AttrNumber attnum;
    Oid type;  // the column's type (domains included)
    ValueKind kind;
    LossCheck loss;
    bool detoast;    // a TOASTable value that LossCheck or ExactText reads too: detoasted once for all
    JsonbValue key;  // the column name as a jsonb key
    ExactText exact_text;
    JsonbValue text_key;  // json, jsonb: the key of its exact text
    FmgrInfo output;      // type output function (output_string)
    FmgrInfo to_jsonb;    // to_jsonb bound to this column's type (to_jsonb)
};

enum class DeleteMode : char { tombstone = 't', flag = 'f' };

struct RelShape {
    Oid relid;
    bool valid;
    MemoryContext memory;  // owns everything below
    int32 table_id;        // the protected table (the parent for a partition)
    DeleteMode delete_mode;
    AttrNumber tenant_attnum;
    bool tenant_is_text;
    FmgrInfo tenant_output;
    int ncolumns;
    ColumnShape *columns;  // the relation's live columns
    int npk;
    int *pk;                 // indexes into columns
    AttrNumber flag_attnum;  // flag mode: the flag column
    bool flag_is_boolean;
    char table_id_text[16];  // the trigger arguments protect() gives
    NameData tenant_column;
    NameData flag_column;
    int nverified;
    Oid verified[8];     // triggers checked to be the ones protect() installed
    bool qualify_names;  // a column holds reg* values: their output depends on search_path
    List *row_types;     // relids of the composite types the columns hold (their changes invalidate)
};

// The shape of rel, a table protected by tenant_guard or a partition of one.
// Refuses (42501) a relation that no protected table covers.
RelShape *shape_for(Relation rel, const Trigger *trigger);

// The shape of rel as registration reg says (the caller looked it up).
RelShape *shape_registered(Relation rel, const registry::Registration *reg);

// Refuses (42501) unless trigger is the one protect() installs on rel under
// expected_name: that name, the arguments protect() gives it.
void verify_trigger(RelShape *shape, Relation rel, const Trigger *trigger, const char *expected_name);

// A shape of the live attributes of desc alone (no tenant, no key, no
// trigger), in the current memory context: each value encoded as capture
// encodes a column of that type. For migrations (image_migration.hpp), which
// encode values of a column's new type, or of a column added since, with
// columns_image on a slot of desc.
RelShape *columns_shape(TupleDesc desc);

// A row image holds each value exactly (LossCheck, ExactText); a partial one
// (some columns of a row, merged into a row image by readers) also each
// json and jsonb column's text key, null where its value needs none; a key
// image holds each value as to_jsonb writes it, as the SQL that builds keys
// from live rows does (columns.hpp: key_object), so that the two compare
// equal.
enum class ImageKind : uint8 { row, partial, key };

// jsonb of every column (to_jsonb(row)) / of the primary-key columns.
// slot must have all attributes deformed (slot_getallattrs).
Datum row_image(const RelShape *shape, TupleTableSlot *slot);
Datum pk_image(const RelShape *shape, TupleTableSlot *slot);
// jsonb of the columns whose value differs between the two versions of a row,
// with their old values: what an UPDATE's change-log row stores as old_row.
Datum changed_columns_image(const RelShape *shape, TupleTableSlot *old_slot, TupleTableSlot *new_slot);
// jsonb of the columns at indexes which[0..n) of shape->columns.
Datum columns_image(const RelShape *shape, TupleTableSlot *slot, const int *which, int n, ImageKind image);
// An image large enough to be TOASTed, compressed once (lz4) so that the
// change log and the tombstone can both store it without compressing twice.
Datum compress_large_image(Datum image);
// The tenant as text, in its type's output form. Errors on NULL.
Datum tenant_text(const RelShape *shape, TupleTableSlot *slot);

// Whether images write values of type as their text output (a cast to json
// inside), for SQL that builds image values itself (primary-key objects).
bool written_as_text(Oid type);

// Whether a column of type is json or jsonb (under its domains), whose exact
// text row images keep beside its value.
ExactText exact_text_of(Oid type);

// The output settings of images, pinned while they are built (C globals, no
// GUC machinery: once per statement); unpin_output restores the session's.
struct OutputPin {
    int extra_float_digits, date_style, date_order, interval_style, bytea_output;
    bool search_path_pushed;
};
void pin_output(OutputPin *saved, const RelShape *shape);
void unpin_output(const OutputPin *saved);

// fn() with the output settings pinned, restored on every exit, a
// PostgreSQL error included. (PostgreSQL side: fn throws no C++ exception.)
template <typename F>
void with_pinned_output(const RelShape *shape, F &&fn) {
    OutputPin pin;
    pin_output(&pin, shape);
    PG_TRY();
    { fn(); }
    PG_CATCH();
    {
        unpin_output(&pin);
        PG_RE_THROW();
    }
    PG_END_TRY();
    unpin_output(&pin);
}

void register_shape_cache_callbacks();

}  // namespace tg
