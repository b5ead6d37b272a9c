// Tombstones and change-log images follow the table's migrations as if the
// rows they hold had stayed live in the table (SPEC, "Row images are
// exact"). Renames and dropped columns re-key images (column_history.hpp);
// this file converts and completes them:
//
//  * ALTER COLUMN ... TYPE (ddl_command_start, before the table's rows are
//    converted): every image holding the column (tombstones' row_data and
//    pk, change-log pk, old_row and new_row) gets the value converted as the
//    table's rows will be: the old value read back in the old type (as
//    undelete reads images), the command's conversion applied to it (the
//    USING expression over the image as if it were the row, else the
//    assignment cast), and the result encoded as capture encodes the new
//    type. A value that cannot be converted fails the command with the
//    conversion's own SQLSTATE, before anything changed. When the values may
//    change (anything but an exact widening), every row image also keeps the
//    old value under retyped_column_key(), as a dropped column's values keep
//    theirs: no DDL a table owner issues destroys a tombstone's value.
//  * ALTER TABLE ... ADD COLUMN (ddl_command_end): every full image that
//    lacks the column (tombstones' row_data; change-log old_row of 'D',
//    new_row of 'I' and 'U') gets the value the live rows got:
//    PostgreSQL's missing value for a non-volatile default (or the
//    domain's), NULL without one. A volatile default or an identity column
//    gives each row its own value: images of a row that is live get that
//    row's value; images of a row that is not get the default evaluated at
//    the command, once per primary key (every image of one row agrees).
//    Generated columns are left out: undelete and rewind recompute them from
//    the restored row, which is the value the live rows got.
//
// Both are one pass over the table's history, in the command's transaction.
// Roles: the extension's tables are read and written as the extension owner;
// everything that evaluates values of the table's types (input, casts, the
// USING expression, defaults, output) runs as the table's owner under
// SECURITY_RESTRICTED_OPERATION (restore_rights.hpp); never both in one
// statement. C++ over SPI: call inside spi::Session.
#pragma once
#include <string>
#include <vector>

#include "extension/registry.hpp"

struct AlterTableCmd;  // PostgreSQL's (nodes/parsenodes.h), handed on from the DDL guard

namespace tg {

// One ALTER COLUMN ... TYPE of a protected table.
struct ColumnRetype {
    AlterTableCmd *cmd;      // AT_AlterColumnType: the column, its new type, USING
    bool values_may_change;  // not an exact widening: old values are kept in row images
};

// Takes the lock the command takes (ACCESS EXCLUSIVE on relid and every
// partition) now, at ddl_command_start: nothing is written to the table, its
// tombstones or its history between the passes below and the command.
// Only for the table's owner (PostgreSQL refuses the others right after).
void lock_for_migration(Oid relid);

// ddl_command_start of ALTER TABLE relid, the protected table itself.
// Does nothing unless the current user owns relid (PostgreSQL refuses the
// command then); refuses (0A000) a volatile conversion or one that reads a
// system column.
void convert_retyped_columns(const registry::ProtectedTable &table, Oid relid,
                             const std::vector<ColumnRetype> &retypes);

// ddl_command_end: the columns the ALTER TABLE commands of this event added
// to protected tables (pg_event_trigger_ddl_commands()), filled into the
// images that lack them.
void fill_added_columns();

// The key under which row images keep a retyped column's value from before
// the change: "<name>#<old type>", e.g. "price#numeric(8,2)".
std::string retyped_column_key(const std::string &name, const std::string &old_type);

}  // namespace tg
