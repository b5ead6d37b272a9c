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
#pragma once
#include "extension/pg.hpp"

namespace tg {

enum class ValueKind : uint8 { int2, int4, int8, numeric, boolean, text, datetime, jsonb, output_string, to_jsonb };

struct ColumnShape {
    AttrNumber attnum;
    Oid type;  // the column's type (domains included)
    ValueKind kind;
    JsonbValue key;     // the column name as a jsonb key
    FmgrInfo output;    // type output function (output_string)
    FmgrInfo to_jsonb;  // to_jsonb bound to this column's type (to_jsonb)
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
    int *pk;  // indexes into columns
    AttrNumber flag_attnum;  // flag mode: the flag column
    bool flag_is_boolean;
    char table_id_text[16];     // the trigger arguments protect() gives
    NameData tenant_column;
    NameData flag_column;
    int nverified;
    Oid verified[8];  // triggers checked to be the ones protect() installed
};

// The shape of rel, a table protected by tenant_guard or a partition of one.
// Refuses (42501) a relation that no protected table covers.
RelShape *shape_for(Relation rel, const Trigger *trigger);

// Refuses (42501) unless trigger is the one protect() installs on rel under
// expected_name: that name, the arguments protect() gives it.
void verify_trigger(RelShape *shape, Relation rel, const Trigger *trigger, const char *expected_name);

// jsonb of every column (to_jsonb(row)) / of the primary-key columns.
// slot must have all attributes deformed (slot_getallattrs).
Datum row_image(const RelShape *shape, TupleTableSlot *slot);
Datum pk_image(const RelShape *shape, TupleTableSlot *slot);
// jsonb of the columns whose value differs between the two versions of a row,
// with their old values: what an UPDATE's change-log row stores as old_row.
Datum changed_columns_image(const RelShape *shape, TupleTableSlot *old_slot, TupleTableSlot *new_slot);
// An image large enough to be TOASTed, compressed once (lz4) so that the
// change log and the tombstone can both store it without compressing twice.
Datum compress_large_image(Datum image);
// The tenant as text, in its type's output form. Errors on NULL.
Datum tenant_text(const RelShape *shape, TupleTableSlot *slot);

void register_shape_cache_callbacks();

}  // namespace tg
