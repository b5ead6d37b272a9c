// What image_migration.cpp (the passes over the history, the SQL) asks of the
// PostgreSQL side (image_migration_pg.cpp): a batch's memory, the command's
// conversions and the added column's value, built and evaluated as plain
// C-like data behind opaque handles.
#pragma once
#include "extension/pg/guarded.hpp"

struct MemoryContextData;  // PostgreSQL's (utils/memutils.h)
struct AlterTableCmd;      // PostgreSQL's (nodes/parsenodes.h)

namespace tg::image_migration_pg {

// ---------------------------------------------------------------------------
// Memory.

// A memory context for one batch's values, under the current one; reset
// after each batch (SPI calls switch back to the procedure's context, which
// lives to the end).
MemoryContextData *create_batch_memory();
void reset_memory(MemoryContextData *memory) noexcept;
void delete_memory(MemoryContextData *memory) noexcept;
MemoryContextData *current_memory() noexcept;
// Makes memory the current context; returns the one it was.
MemoryContextData *switch_memory(MemoryContextData *memory) noexcept;
// A copy of a jsonb (varlena) value in the current memory context.
Datum copy_jsonb(Datum value);

// ---------------------------------------------------------------------------
// Images.

// Where an error met while converting an image happened (errcontext).
struct ImageWhere {
    const char *kind;  // "tombstone" | "change"
    int64 id;          // tombstone_id | seq; 0 while reading a batch's images back
    const char *rel;
    const char *columns;
};

// ---------------------------------------------------------------------------
// ALTER COLUMN ... TYPE.

struct Conversions;  // the command's conversions (image_migration_pg.cpp)

// What the passes need of the conversions, in plain values.
struct ConversionPlan {
    Conversions *conversions;
    bool refused;                  // PostgreSQL refuses the command itself (no cast): leave everything
    int n;                         // conversions that change images (none: leave everything)
    const char *const *converted;  // their columns' names, n
    const char *volatile_column;   // the first whose conversion is volatile, or nullptr
    bool reads_system_column;
    int nrefs;                       // the columns the conversions read
    const char *typed_refs;          // "a integer, b text" over them (jsonb_to_record), names qualified
    const char *read_refs;           // the select list reading them from x (columns.hpp: TableSql::value)
    int ninputs;                     // the keys of an image's input object: the columns read, then the
    const char *const *input_names;  // converted columns they lack (whose old values are kept)
    const char *names;               // the converted columns, for messages
};

// The conversions ALTER TABLE relid applies for cmds[0..ncmds) (each an
// AT_AlterColumnType; keeps[i]: the old values stay in row images), in the
// current memory context. Call as the table's owner: the command's
// expressions and the types' code are the owner's.
ConversionPlan build_conversions(Oid relid, AlterTableCmd *const *cmds, const bool *keeps, int ncmds);

// The images' inputs (a jsonb[] of n objects) read back in the old types by
// sql (one row per input, in order; columns as plan.typed_refs says, read
// as plan.read_refs says: a json or jsonb column from its exact text), errors
// in where's context with the conversion hint; the rows, SPI's.
SPITupleTable *read_back(const char *sql, Datum inputs, int n, const ImageWhere *where);

// One batch's images: typed holds each one's input read back in the old
// types (a row per image, columns the conversions read; none when they read
// no column); presence[i][k] says whether conversion k applies ('1').
// Fills patches[i] (the converted values, encoded as capture encodes the new
// types) and, for row images, keeps[i] (the old values under their kept
// keys, or 0). In the current memory context.
void convert_images(Conversions *cv, const SPITupleTable *typed, int n, const char *const *presence,
                    const Datum *inputs, const bool *row_image, const ImageWhere *where, Datum *patches, Datum *keeps);

// ---------------------------------------------------------------------------
// ADD COLUMN.

// A column an ALTER TABLE added.
struct ColumnAddress {
    Oid relid;
    AttrNumber attnum;
};
struct ColumnAddresses {
    const ColumnAddress *items;
    int count;
    const ColumnAddress *begin() const { return items; }
    const ColumnAddress *end() const { return items + count; }
};
// The columns added by command, a pg_ddl_command of
// pg_event_trigger_ddl_commands() (none for another command).
ColumnAddresses columns_added(Datum command);

struct AddedColumn;  // the column's value as capture encodes it (image_migration_pg.cpp)

enum class Fill { none, constant, per_row };

struct AddedPlan {
    AddedColumn *column;
    Fill fill;
    const char *name;
    Datum patch;  // constant: {name: the value}
};

// The column attnum of relid, added by the command, in the current memory
// context. Call as the table's owner.
AddedPlan build_added(Oid relid, AttrNumber attnum);

// per_row: {name: value} as capture encodes the column's values, and the
// same of the default (or identity) evaluated now.
Datum encode_value(AddedColumn *c, Datum value, bool isnull);
Datum evaluate_default(AddedColumn *c);

// Locks relid and every partition ACCESS EXCLUSIVE (image_migration.hpp's
// lock_for_migration).
void lock_with_partitions(Oid relid);

}  // namespace tg::image_migration_pg
