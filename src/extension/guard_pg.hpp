// What the DDL guard's ddl_command_start event trigger (guard.cpp) reads of
// the statement's parse tree, and the lookups of what the tree names
// (PostgreSQL side, guard_pg.cpp). The names a statement gives (RangeVar,
// name lists) and an ALTER TABLE subcommand stay PostgreSQL's, opaque here,
// and are looked up only when a check reaches them: errors come in the order
// the checks meet them, and a name no check needs is never looked up.
#pragma once
#include "extension/pg/guarded.hpp"

struct AlterTableCmd;  // PostgreSQL's (nodes/parsenodes.h, nodes/primnodes.h, nodes/pg_list.h)
struct List;
struct RangeVar;

namespace tg::pg {

template <typename T>
struct Items {  // palloc'd, in the current memory context
    const T *items;
    int count;
    const T *begin() const { return items; }
    const T *end() const { return items + count; }
};

// The kinds of ALTER TABLE subcommand (AlterTableType) the guard tells apart.
enum class Subcommand {
    other,
    add_column,
    drop_column,
    alter_column_type,
    drop_not_null,
    drop_constraint,
    add_inherit,
    attach_partition,
    detach_partition,  // DETACH PARTITION [CONCURRENTLY | FINALIZE]
    set_unlogged,
    add_of,
    disable_trigger,
    disable_trigger_all,
    disable_trigger_user,
    enable_trigger,
    enable_replica_trigger,
    enable_always_trigger,
    enable_trigger_all,
    enable_trigger_user,
};

struct AlterTableSubcommand {
    Subcommand kind;
    const char *name;        // the column, constraint or trigger it names, or nullptr
    const char *new_column;  // add_column: the new column's name, or nullptr
    RangeVar *relation;      // add_inherit: the parent; attach_partition: the partition
    AlterTableCmd *cmd;      // for ColumnRetype (image_migration.hpp) and retype_keeps_values
};

// CREATE [FOREIGN] TABLE, also as an element of CREATE SCHEMA.
struct CreateTable {
    bool partition;             // PARTITION OF
    bool foreign;               // CREATE FOREIGN TABLE
    bool unlogged;              // CREATE UNLOGGED TABLE
    Items<RangeVar *> parents;  // INHERITS, or PARTITION OF's parent
};

// relation: a table, view, index ... itself (purge and unprotect tokens name
// tables); schema: a schema (old_name is its name).
enum class Renamed { other, attribute, trigger, column, relation, schema };
enum class Dropped { other, extension, table, trigger };

struct DropObject {
    const char *name;  // extension: its name; trigger: the trigger's
    List *relation;    // table: its (qualified) name; trigger: its table's
};

enum class DdlStatement { other, alter_table, rename, set_schema, replace_view, drop, create_tables, alter_enum };

struct DdlCommandStart {
    bool is_event_trigger;  // called as an event trigger at all
    DdlStatement statement;
    // alter_table (ALTER TABLE, VIEW, FOREIGN TABLE ...): the relation;
    // rename: the relation, or nullptr (a rename of something else);
    // set_schema (ALTER TABLE, VIEW ... SET SCHEMA): the relation;
    // replace_view (CREATE OR REPLACE VIEW): the view.
    RangeVar *relation;
    Items<AlterTableSubcommand> subcommands;  // alter_table
    Renamed renamed;                          // rename: what, its old and new name
    const char *old_name, *new_name;
    Dropped dropped;  // drop: what, and each object
    Items<DropObject> objects;
    Items<CreateTable> creates;  // create_tables: CREATE [FOREIGN] TABLE, CREATE SCHEMA's tables
    List *enum_type;             // alter_enum: the type's name
    bool renames_value;          // alter_enum: RENAME VALUE (not ADD VALUE)
};
DdlCommandStart ddl_command_start(FunctionCallInfo fcinfo);

// The relation a name of the statement denotes (RangeVarGetRelid, missing_ok):
// InvalidOid when none.
Oid relation_of(RangeVar *name);
Oid relation_of_names(List *qualified_name);
// The type an ALTER TYPE names: an error when it does not exist.
Oid type_of_names(List *qualified_name);

// Whether ALTER COLUMN ... TYPE cmd of relid keeps every value of the column
// as it is: no USING, and the same type with the same or no typmod, or a
// widening that converts every value exactly (int2 -> int4 -> int8 ->
// numeric, float4 -> float8, varchar <-> text without a length). Any other
// change may change values, which the guard records first.
bool retype_keeps_values(Oid relid, AlterTableCmd *cmd);

// The type whose values relid's column holds as a tenant: its base type
// (domains looked through), or its elements' base type when it is an array.
Oid tenant_value_type(Oid relid, const char *column);

}  // namespace tg::pg
