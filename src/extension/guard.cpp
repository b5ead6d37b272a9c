// No hard delete by a back door: TRUNCATE, DROP, disabling or dropping the
// capture triggers, dropping or retyping the tenant column or the primary key,
// detaching a partition, inheritance or attachment under an unprotected
// parent, SET UNLOGGED, renaming a tenant enum's values, DROP EXTENSION while
// tables are protected — each is refused with TG003, before it happens where
// the parse tree tells (ddl_command_start, for every command tag: ALTER VIEW,
// ALTER FOREIGN TABLE ... reach tables too) and otherwise when the drop is
// known (sql_drop, e.g. DROP SCHEMA ... CASCADE, DROP OWNED, DROP TYPE ...
// CASCADE reaching a protected table's columns).
//
// The event triggers and the TRUNCATE trigger are enabled ALWAYS, so
// session_replication_role = replica does not silence them. A superuser can
// still disable them on purpose (ALTER EVENT TRIGGER ... DISABLE): the threat
// model is mistakes and application roles.
//
// Test databases (test suites flush with TRUNCATE): under
// tenant_guard.allow_truncate, a PGC_SUSET setting a superuser grants with
// GRANT SET ON PARAMETER, TRUNCATE is allowed, recorded in guard_overrides
// (one record per statement, every table it truncates), and takes the
// truncated tables' tombstones and history with it.
//
// This file is the C++ side: the checks, over the facts guard_pg.hpp reads
// of the statement. guard_pg.cpp is the PostgreSQL side: the parse tree, the
// setting and the TRUNCATE trigger.
#include "extension/boundary.hpp"
#include "extension/guard_truncate.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "extension/catalog_names.hpp"
#include "extension/column_history.hpp"
#include "extension/columns.hpp"
#include "extension/errors.hpp"
#include "extension/guard_pg.hpp"
#include "extension/image_migration.hpp"
#include "extension/pg/catalog_calls.hpp"
#include "extension/pg/function_args.hpp"
#include "extension/registry.hpp"
#include "extension/renames.hpp"
#include "extension/spi.hpp"

namespace {

using namespace tg;
using pg::Subcommand;

const char *const what_instead =
    "Delete rows with DELETE (they are kept as tombstones, see tenant_guard.undelete), erase them with "
    "tenant_guard.purge() and a signed token, or unprotect the table with tenant_guard.unprotect() and a "
    "signed token first.";

// For the structure protection relies on: triggers, tenant column, primary key.
const char *const unprotect_first =
    "To make this change, unprotect the table first with tenant_guard.unprotect() and a signed token (its "
    "tombstones and history stay).";

constexpr const char *unlogged_loses_rows =
    "An unlogged table is emptied by a crash or a failover, with no record of its rows.";

[[noreturn]] void refuse(const std::string &message, const std::string &detail = {},
                         const std::string &hint = what_instead) {
    throw Error(sqlstate::hard_delete, message, detail, hint);
}

// One of tenant_guard's triggers on relid: recognised by its function, not
// its name (a table owner's own trigger called tenant_guard_x is its own).
bool is_capture_trigger(Oid relid, const char *name) { return registry::is_extension_trigger(relid, name); }

std::string rel_name(Oid relid) { return spi::qualified_name(relid); }

// The protected table covering relid (itself or a partition ancestor), if any.
std::optional<registry::ProtectedTable> covering(Oid relid) {
    if (!OidIsValid(relid)) return std::nullopt;
    return registry::covering(relid, registry::active_tables());
}

std::string primary_key_name(Oid relid) {
    uint64 n = spi::exec("SELECT conname::text FROM pg_catalog.pg_constraint WHERE conrelid = $1 AND contype = 'p'",
                         {{OIDOID, datum::from_oid(relid)}});
    return n ? spi::text(0, 1) : std::string();
}

bool is_primary_key_column(Oid relid, const char *column) {
    if (!column) return false;
    for (const auto &c : columns::names(relid, columns::primary_key, false))
        if (c == column) return true;
    return false;
}

// Inheritance and attachment, which can put a protected table's rows under a
// parent that deletes them without a trace (statements on an inheritance
// parent fire only the parent's statement triggers; an unprotected
// partitioned parent has none of tenant_guard's).
void check_hierarchy(Oid relid, const pg::AlterTableSubcommand &cmd) {
    if (cmd.kind == Subcommand::add_inherit) {
        Oid parent = pg::relation_of(cmd.relation);
        if (covering(relid))
            refuse("cannot make protected table " + rel_name(relid) + " inherit from " + rel_name(parent),
                   "Statements on the parent would change its rows without tenant_guard's triggers.",
                   "tenant_guard supports declarative partitioning: attach the table as a partition of a protected "
                   "partitioned table instead.");
        if (covering(parent))
            refuse("cannot make " + rel_name(relid) + " inherit from protected table " + rel_name(parent),
                   "tenant_guard supports declarative partitioning, not inheritance.",
                   "Make the protected table partitioned and attach " + rel_name(relid) + " as a partition instead.");
    }
    if (cmd.kind == Subcommand::attach_partition) {
        Oid child = pg::relation_of(cmd.relation);
        // The table attached and, when it is partitioned itself, every
        // partition below it (an unlogged leaf of an attached sub-partitioned
        // table lost its rows in a crash: the attacker's report of the 0.11.0
        // fix).
        // Locked first (as the ATTACH itself will), with its partitions: a
        // partition another transaction is creating under it is then
        // committed and seen, or gone (the attacker's report of 0.12.0).
        const bool under_protected = OidIsValid(child) && covering(relid);
        if (under_protected) spi::exec("LOCK TABLE " + rel_name(child) + " IN ACCESS EXCLUSIVE MODE");
        if (under_protected)
            for (Oid member : pg::all_inheritors(child, false)) {
                std::string which =
                    member == child ? rel_name(child) : rel_name(member) + " (a partition of " + rel_name(child) + ")";
                if (pg::relation_kind(member) == RELKIND_FOREIGN_TABLE)
                    refuse("cannot attach foreign table " + which + " to protected table " + rel_name(relid),
                           "Its rows live on another server, where tenant_guard keeps no tombstones.",
                           "Keep foreign tables out of protected partitioned tables.");
                if (pg::relation_is_unlogged(member))
                    refuse("cannot attach unlogged table " + which + " to protected table " + rel_name(relid),
                           unlogged_loses_rows, "ALTER TABLE " + rel_name(member) + " SET LOGGED first.");
            }
        if (OidIsValid(child) && covering(child) && !under_protected)
            refuse("cannot attach protected table " + rel_name(child) + " to unprotected " + rel_name(relid),
                   "Statements on the parent would change its rows without tenant_guard's triggers.",
                   "Protect " + rel_name(relid) + " first (its partitions are then covered), or keep the table apart.");
    }
}

// The extension's own tables keep their triggers (history_merge.cpp):
// pg_restore --data-only --disable-triggers would otherwise mix histories.
void check_own_table(Oid relid, const pg::DdlCommandStart &command) {
    if (pg::relation_namespace(relid) != pg::extension_schema()) return;
    for (const auto &cmd : command.subcommands) {
        switch (cmd.kind) {
            case Subcommand::disable_trigger:
            case Subcommand::disable_trigger_all:
            case Subcommand::disable_trigger_user:
            case Subcommand::enable_trigger:
            case Subcommand::enable_replica_trigger:
                refuse("cannot change the triggers of tenant_guard's table " + rel_name(relid),
                       "They keep a data-only restore from mixing two histories.",
                       "Restore the whole database into a new database instead.");
            default:
                break;
        }
    }
}

// The protected table (if any) whose rows hold values of one of types: a
// column of the type itself or of any type built on it, however deep
// (arrays, domains, composites and the row types of tables, ranges and
// multiranges of it, and so on), or a typed table; with tenant_column_only,
// one whose tenant column holds them. held_type: which of types it holds.
struct TypeHolder {
    std::string table;  // empty: none
    Oid held_type = InvalidOid;
};
TypeHolder protected_holder_of_types(const std::vector<Oid> &types, bool tenant_column_only = false) {
    std::vector<Datum> items;
    for (Oid t : types) items.push_back(datum::from_oid(t));
    spi::AsExtensionOwner owner;
    uint64 n = spi::exec(
        "WITH RECURSIVE built_on(inner_type, outer_type) AS ("
        "    SELECT t.typelem, t.oid FROM pg_catalog.pg_type t WHERE t.typcategory = 'A' AND t.typelem <> 0 "
        "    UNION ALL SELECT t.typbasetype, t.oid FROM pg_catalog.pg_type t WHERE t.typtype = 'd' "
        "    UNION ALL SELECT a.atttypid, c.reltype FROM pg_catalog.pg_attribute a "
        "      JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
        "     WHERE c.reltype <> 0 AND a.attnum > 0 AND NOT a.attisdropped "
        "    UNION ALL SELECT r.rngsubtype, r.rngtypid FROM pg_catalog.pg_range r "
        "    UNION ALL SELECT r.rngtypid, r.rngmultitypid FROM pg_catalog.pg_range r), "
        "holders(type, held) AS (SELECT t, t FROM pg_catalog.unnest($1::pg_catalog.oid[]) AS t "
        "    UNION SELECT b.outer_type, h.held FROM built_on b JOIN holders h ON b.inner_type = h.type) "
        "SELECT p.rel::pg_catalog.text, h.held FROM tenant_guard.protected_table p "
        "  JOIN pg_catalog.pg_attribute a ON a.attrelid = p.rel AND a.attnum > 0 AND NOT a.attisdropped "
        "  JOIN holders h ON h.type = a.atttypid WHERE p.unprotected_at IS NULL "
        "   AND (NOT $2 OR a.attname = p.tenant_column) "
        "UNION ALL "
        "SELECT p.rel::pg_catalog.text, h.held FROM tenant_guard.protected_table p "
        "  JOIN pg_catalog.pg_class c ON c.oid = p.rel "
        "  JOIN holders h ON h.type = c.reloftype WHERE p.unprotected_at IS NULL AND NOT $2 "
        " ORDER BY 1 LIMIT 1",
        {{OIDARRAYOID, spi::array_of(items, OIDOID)}, {BOOLOID, datum::from_bool(tenant_column_only)}});
    if (n == 0) return {};
    return {spi::text(0, 1), (Oid)spi::int64_at(0, 2)};
}

std::string protected_holder_of_type(Oid type, bool tenant_column_only = false) {
    return protected_holder_of_types({type}, tenant_column_only).table;
}

// ALTER TYPE <composite> DROP | ALTER | RENAME ATTRIBUTE changes the values
// of every protected row that holds the type, with no record (and an image
// taken before a rename no longer matches the attribute).
void check_composite(Oid composite, const char *what) {
    std::string user = protected_holder_of_type(pg::relation_type(composite));
    if (!user.empty())
        refuse(std::string("cannot ") + what + " of type " + rel_name(composite) + ": protected table " + user +
                   " holds values of it",
               "Its rows, tombstones and history would change or stop matching, with no record.",
               "Add a new column of a new type, copy the values with UPDATE (recorded), then drop the old column.");
}

// ALTER TYPE <composite> ADD ATTRIBUTE changes the text of every value, so
// of every tenant a tenant column of the type holds: each row would move to
// another tenant with no record, its history and tombstones left under the
// old one (the attacker's report of the 0.11.0 fix).
void check_composite_tenant(Oid composite) {
    std::string user = protected_holder_of_type(pg::relation_type(composite), true);
    if (!user.empty())
        refuse("cannot add an attribute to type " + rel_name(composite) + ": the tenant column of protected table " +
                   user + " holds values of it",
               "Every tenant's text would change, moving its rows to another tenant with no record.",
               "Tenants are compared as text: keep the tenant type as it is.");
}

// A table's row type is a composite too: a column of a protected table may
// hold it, and ALTER TABLE ... DROP | ALTER | ADD | RENAME COLUMN changes its
// values as ALTER TYPE changes a composite's (the attacker's report of
// 0.12.0). The table's own rows are the DDL guard's as usual.
// The change reaches the partitions and inheritance children of relid too,
// and with them their row types (the attacker's report of 0.12.0).
void check_row_type(Oid relid, const char *what, bool adds) {
    pg::OidList members = pg::all_inheritors(relid, false);
    std::vector<Oid> row_types;
    for (Oid member : members) row_types.push_back(pg::relation_type(member));
    TypeHolder found = protected_holder_of_types(row_types, adds);  // one walk for the whole tree
    const std::string &user = found.table;
    std::string holder = "its row type";
    for (Oid member : members)
        if (member != relid && pg::relation_type(member) == found.held_type)
            holder = "the row type of " + rel_name(member);
    if (!user.empty())
        refuse(std::string("cannot ") + what + " " + rel_name(relid) + ": " + (adds ? "the tenant column of " : "") +
                   "protected table " + user + " holds values of " + holder,
               adds ? "Every tenant's text would change, moving its rows to another tenant with no record."
                    : "Its rows, tombstones and history would change or stop matching, with no record.",
               "Keep the row type as it is, or give the protected table's column a type of its own.");
}

void check_alter_table(const pg::DdlCommandStart &command) {
    // Whatever the command says the relation is (ALTER VIEW, ALTER FOREIGN
    // TABLE and ALTER MATERIALIZED VIEW accept a table too).
    Oid relid = pg::relation_of(command.relation);
    if (!OidIsValid(relid)) return;
    check_own_table(relid, command);
    bool composite = pg::relation_kind(relid) == RELKIND_COMPOSITE_TYPE;
    for (const auto &cmd : command.subcommands)
        if (cmd.kind == Subcommand::drop_column || cmd.kind == Subcommand::alter_column_type)
            composite ? check_composite(relid, "drop or change an attribute")
                      : check_row_type(relid, "drop or retype a column of", false);
        else if (cmd.kind == Subcommand::add_column)
            composite ? check_composite_tenant(relid) : check_row_type(relid, "add a column to", true);
    if (composite) return;
    for (const auto &cmd : command.subcommands) check_hierarchy(relid, cmd);
    auto table = covering(relid);
    if (!table) return;
    std::string rel = rel_name(relid);
    std::vector<std::string> record;    // columns whose values this command destroys or may change
    std::vector<ColumnRetype> retypes;  // the images of these follow the change (image_migration.hpp)
    for (const auto &cmd : command.subcommands) {
        const char *name = cmd.name;
        switch (cmd.kind) {
            case Subcommand::disable_trigger:
            case Subcommand::enable_trigger:
            case Subcommand::enable_replica_trigger:
            case Subcommand::enable_always_trigger: {
                // Each of tenant_guard's triggers keeps the state protect()
                // gives it (pg_dump writes that very state back).
                bool replica_only = name && strcmp(name, catalog::trigger_capture_applied) == 0;
                Subcommand kept = replica_only ? Subcommand::enable_replica_trigger : Subcommand::enable_always_trigger;
                if (cmd.kind != kept && is_capture_trigger(relid, name))
                    refuse(
                        "cannot change how trigger \"" + std::string(name) + "\" of protected table " + rel + " fires",
                        replica_only ? "It fires only in logical replication's apply worker (REPLICA), where it "
                                       "records the rows a subscription writes."
                                     : "tenant_guard's triggers fire ALWAYS; without them deletes would be lost "
                                       "for good.",
                        unprotect_first);
                break;
            }
            case Subcommand::disable_trigger_all:
            case Subcommand::disable_trigger_user:
            case Subcommand::enable_trigger_all:
            case Subcommand::enable_trigger_user:
                refuse("cannot enable or disable all triggers of protected table " + rel,
                       "That would change tenant_guard's triggers too.",
                       "Name the table's own triggers one by one: ALTER TABLE ... DISABLE TRIGGER <name>.");
            case Subcommand::add_column:
                if (cmd.new_column) refuse_kept_key(*table, cmd.new_column);
                break;
            case Subcommand::drop_column:
                if (name && table->tenant_column == name)
                    refuse("cannot drop tenant column \"" + std::string(name) + "\" of protected table " + rel,
                           "Tombstones and history are kept per tenant.", unprotect_first);
                if (is_primary_key_column(relid, name))
                    refuse("cannot drop primary-key column \"" + std::string(name) + "\" of protected table " + rel,
                           "Tombstones and history identify rows by their primary key.", unprotect_first);
                if (name && pg::attribute_number(relid, name) != 0) record.push_back(name);
                break;
            case Subcommand::alter_column_type:
                if (name && table->tenant_column == name)
                    refuse("cannot change the type of tenant column \"" + std::string(name) + "\" of protected table " +
                               rel,
                           "Tombstones and history are kept under the tenant's text form.", unprotect_first);
                // A column that does not exist: PostgreSQL says so (42703) when it runs the command.
                if (name && pg::attribute_number(relid, name) != 0) {
                    bool keeps = pg::retype_keeps_values(relid, cmd.cmd);
                    if (!keeps) record.push_back(name);
                    retypes.push_back({cmd.cmd, !keeps});
                }
                break;
            case Subcommand::drop_not_null:
                if (name && table->tenant_column == name)
                    refuse(
                        "cannot drop NOT NULL on tenant column \"" + std::string(name) + "\" of protected table " + rel,
                        "Every row must belong to a tenant.", unprotect_first);
                break;
            case Subcommand::drop_constraint:
                if (name && primary_key_name(relid) == name)
                    refuse("cannot drop the primary key of protected table " + rel,
                           "Tombstones and history identify rows by their primary key.", unprotect_first);
                break;
            case Subcommand::detach_partition:
                refuse("cannot detach a partition of protected table " + rel,
                       "A detached partition would leave the protected table with its rows.", unprotect_first);
            case Subcommand::set_unlogged:
                refuse("cannot make protected table " + rel + " unlogged", unlogged_loses_rows, unprotect_first);
            case Subcommand::add_of:
                refuse("cannot make protected table " + rel + " a typed table",
                       "ALTER TYPE ... DROP ATTRIBUTE ... CASCADE would then drop its columns with no record.",
                       unprotect_first);
            default:
                break;
        }
    }
    // Nothing refused: the values go to the change log before the command
    // runs (under the command's own lock, taken now: nothing is written to
    // the table in between); then every image of the retyped columns, those
    // records included, is converted as the rows will be.
    std::sort(record.begin(), record.end());
    record.erase(std::unique(record.begin(), record.end()), record.end());
    if (!record.empty() || !retypes.empty()) lock_for_migration(relid);
    record_column_values(*table, relid, record);
    convert_retyped_columns(*table, relid, retypes);
    // A dropped column's values stay in the history, under a key no column
    // added later can have: they never come back into an unrelated column.
    for (const auto &cmd : command.subcommands) {
        if (cmd.kind != Subcommand::drop_column || !cmd.name) continue;
        AttrNumber attnum = pg::attribute_number(relid, cmd.name);
        if (attnum != 0) rename_image_key(*table, cmd.name, dropped_column_key(cmd.name, attnum));
    }
}

void check_rename(const pg::DdlCommandStart &command) {
    if (command.renamed == pg::Renamed::schema) renames::record_schema(command.old_name);
    if (!command.relation) return;
    Oid relid = pg::relation_of(command.relation);
    if (command.renamed == pg::Renamed::relation && OidIsValid(relid)) renames::record_relation(relid);
    if (command.renamed == pg::Renamed::attribute && OidIsValid(relid)) {
        check_composite(relid, "rename an attribute");
        return;
    }
    if (command.renamed == pg::Renamed::column && OidIsValid(relid) &&
        pg::relation_kind(relid) != RELKIND_COMPOSITE_TYPE)
        check_row_type(relid, "rename a column of", false);
    auto table = covering(relid);
    if (!table) return;
    const char *old_name = command.old_name, *new_name = command.new_name;
    if (command.renamed == pg::Renamed::trigger && is_capture_trigger(relid, old_name))
        refuse("cannot rename trigger \"" + std::string(old_name) + "\" of protected table " + rel_name(relid),
               "tenant_guard recognises its triggers by name.", unprotect_first);
    if (command.renamed == pg::Renamed::column && old_name && table->tenant_column == old_name)
        throw Error(ERRCODE_FEATURE_NOT_SUPPORTED, "cannot rename tenant column \"" + std::string(old_name) +
                                                       "\" of protected table " + rel_name(relid));
    // The value follows its column: the table's images (tombstones, history)
    // are keyed by column name, and take the new one.
    if (command.renamed == pg::Renamed::column && old_name && new_name) {
        refuse_kept_key(*table, new_name);
        rename_image_key(*table, old_name, new_name);
    }
}

// CREATE TABLE ... INHERITS (protected table).
void check_create(const pg::CreateTable &create) {
    if (create.partition) {  // a new partition: covered by its parent (ddl_command_end) unless foreign
        Oid parent = create.parents.count ? pg::relation_of(create.parents.items[0]) : InvalidOid;
        if (create.foreign && covering(parent))
            refuse("cannot create a foreign table as a partition of protected table " + rel_name(parent),
                   "Its rows would live on another server, where tenant_guard keeps no tombstones.",
                   "Keep foreign tables out of protected partitioned tables.");
        if (create.unlogged && covering(parent))
            refuse("cannot create an unlogged partition of protected table " + rel_name(parent), unlogged_loses_rows,
                   "Create the partition without UNLOGGED.");
        return;
    }
    for (RangeVar *name : create.parents) {
        Oid parent = pg::relation_of(name);
        if (covering(parent))
            refuse("cannot create a table inheriting from protected table " + rel_name(parent),
                   "tenant_guard supports declarative partitioning, not inheritance.",
                   "Create a partition (CREATE TABLE ... PARTITION OF) of a partitioned protected table instead.");
    }
}

// ALTER TYPE <enum> RENAME VALUE 'a' TO 'b' would move every row of tenant
// 'a' of a table whose tenant column has that enum type to tenant 'b'.
void check_alter_enum(const pg::DdlCommandStart &command) {
    if (!command.renames_value) return;  // ADD VALUE changes no row
    Oid type = pg::type_of_names(command.enum_type);
    for (const auto &t : registry::active_tables()) {
        if (pg::tenant_value_type(t.relid, t.tenant_column.c_str()) == type)
            refuse("cannot rename a value of enum type " + std::string(pg::format_type(type)) +
                       ": it is the tenant type of protected table " + rel_name(t.relid),
                   "Renaming the value would move every row, tombstone and change of that tenant to another tenant.",
                   "To rename a tenant, add the new value (ALTER TYPE ... ADD VALUE), insert copies of its rows under "
                   "it and delete the old ones.");
    }
    // Any other column holding the enum: its rows would change value with no
    // record, and tombstones and history would hold a label that is no more.
    std::string holder = protected_holder_of_type(type);
    if (!holder.empty())
        refuse("cannot rename a value of enum type " + std::string(pg::format_type(type)) + ": protected table " +
                   holder + " holds values of it",
               "Its rows would change value with no record, and its tombstones and history would hold a label "
               "that no longer exists.",
               "Add the new value (ALTER TYPE ... ADD VALUE) and UPDATE the rows to it (recorded) instead.");
}

void check_drop(const pg::DdlCommandStart &command) {
    for (const auto &object : command.objects) {
        switch (command.dropped) {
            case pg::Dropped::extension:
                if (strcmp(object.name, "tenant_guard") == 0 && !registry::active_tables().empty())
                    refuse("cannot drop extension tenant_guard while tables are protected",
                           "See tenant_guard.protected_tables.",
                           "Unprotect every table first, with tenant_guard.unprotect() and a signed token per table.");
                break;
            case pg::Dropped::table: {
                Oid relid = pg::relation_of_names(object.relation);
                if (covering(relid)) refuse("cannot drop protected table " + rel_name(relid));
                break;
            }
            case pg::Dropped::trigger: {
                Oid relid = pg::relation_of_names(object.relation);
                if (covering(relid) && is_capture_trigger(relid, object.name))
                    refuse("cannot drop trigger \"" + std::string(object.name) + "\" of protected table " +
                               rel_name(relid),
                           "Without it deletes would be lost for good.", unprotect_first);
                break;
            }
            case pg::Dropped::other:
                break;
        }
    }
}

}  // namespace

TG_FUNCTION(tg_on_ddl_command_start) {
    pg::DdlCommandStart command = pg::ddl_command_start(fcinfo);
    if (!command.is_event_trigger)
        throw Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED,
                    "tenant_guard.on_ddl_command_start() is an event trigger");
    if (registry::own_ddl_running) return (Datum)0;
    spi::Session spi;
    switch (command.statement) {
        case pg::DdlStatement::alter_table:
            check_alter_table(command);
            break;
        case pg::DdlStatement::rename:
            check_rename(command);
            break;
        case pg::DdlStatement::replace_view:
            // It may add columns at the end, as ADD COLUMN does to a table.
            if (Oid relid = pg::relation_of(command.relation); OidIsValid(relid))
                check_row_type(relid, "replace view", true);
            break;
        case pg::DdlStatement::set_schema:
            if (Oid relid = pg::relation_of(command.relation); OidIsValid(relid)) renames::record_relation(relid);
            break;
        case pg::DdlStatement::drop:
            check_drop(command);
            break;
        case pg::DdlStatement::create_tables:
            for (const auto &create : command.creates) check_create(create);
            break;
        case pg::DdlStatement::alter_enum:
            check_alter_enum(command);
            break;
        case pg::DdlStatement::other:
            break;
    }
    return (Datum)0;
}

// What ddl_command_start cannot see (DROP SCHEMA ... CASCADE, DROP OWNED,
// DROP ... CASCADE reaching a protected table): refused once the drop is known.
TG_FUNCTION(tg_on_sql_drop) {
    if (!pg::event_trigger_call(fcinfo))
        throw Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED, "tenant_guard.on_sql_drop() is an event trigger");
    if (registry::own_ddl_running) return (Datum)0;
    spi::Session spi;
    spi::AsExtensionOwner owner;
    uint64 n = spi::exec(
        "SELECT d.object_identity FROM pg_catalog.pg_event_trigger_dropped_objects() d "
        " WHERE (d.object_type = 'table' AND EXISTS (SELECT 1 FROM tenant_guard.protected_table p "
        "                                            WHERE p.rel = d.objid AND p.unprotected_at IS NULL)) "
        " ORDER BY 1 LIMIT 1");
    if (n > 0) refuse("cannot drop " + spi::text(0, 1) + ": it belongs to a table protected by tenant_guard");
    // Columns or the primary key of a protected table dropped by a cascade
    // (DROP TYPE | DOMAIN | COLLATION ... CASCADE): their values would be
    // gone with no record.
    n = spi::exec(
        "SELECT d.object_identity FROM pg_catalog.pg_event_trigger_dropped_objects() d "
        "  JOIN tenant_guard.protected_table p ON p.rel = d.objid AND p.unprotected_at IS NULL "
        " WHERE d.object_type = 'table column' AND NOT d.original "
        "UNION ALL "  // the primary key went (DROP INDEX | OPERATOR CLASS ... CASCADE)
        "SELECT p.rel::pg_catalog.text || ' primary key' FROM tenant_guard.protected_table p "
        " WHERE p.unprotected_at IS NULL AND EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = p.rel) "
        "   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conrelid = p.rel AND k.contype = 'p') "
        " ORDER BY 1 LIMIT 1");
    if (n > 0)
        refuse("cannot drop " + spi::text(0, 1) + ": it belongs to a table protected by tenant_guard",
               "The drop cascades to a protected table; its values would be lost for good.",
               "Change the protected table first with ALTER TABLE (dropped values are recorded), or unprotect it with "
               "tenant_guard.unprotect() and a signed token.");
    // A trigger gone by another path than DROP TRIGGER (DROP FUNCTION ...
    // CASCADE): refused when a protected table now lacks one of its own.
    n = spi::exec(
        "SELECT DISTINCT c.oid FROM pg_catalog.pg_event_trigger_dropped_objects() d "
        "  JOIN pg_catalog.pg_namespace s ON s.nspname = d.address_names[1] "
        "  JOIN pg_catalog.pg_class c ON c.relnamespace = s.oid AND c.relname = d.address_names[2] "
        " WHERE d.object_type = 'trigger'");
    std::vector<Oid> tables;
    for (uint64 r = 0; r < n; r++) tables.push_back((Oid)spi::int64_at(r, 1));
    auto active = registry::active_tables();
    for (Oid relid : tables)
        if (auto table = registry::covering(relid, active))
            for (const char *name : {catalog::trigger_insert, catalog::trigger_update, catalog::trigger_delete,
                                     catalog::trigger_statement_start, catalog::trigger_no_truncate})
                if (!is_capture_trigger(relid, name))
                    refuse("cannot drop trigger \"" + std::string(name) + "\" of protected table " + rel_name(relid),
                           "Without it deletes would be lost for good.", unprotect_first);
    return (Datum)0;
}

// A TRUNCATE allowed by tenant_guard.allow_truncate discards on purpose: a
// protected table truncated whole takes its tombstones and history with it,
// so that table, tombstones and history agree (a test suite that flushes
// between tests starts each test clean). A partition truncated on its own
// leaves them (they are kept per protected table, not per partition). Either
// way rewinds of the table cannot reach back before the truncation (TG021):
// its rows went without a record.
namespace tg {

void discard_truncated_history(Oid relid) {
    report_errors([&] {
        spi::Session spi;
        auto table = covering(relid);
        if (!table) return;
        spi::AsExtensionOwner owner;
        spi::Arg table_id{INT4OID, datum::from_int32(table->table_id)};
        if (table->relid == relid) {
            spi::exec("DELETE FROM tenant_guard.tombstone_data WHERE table_id = $1", {table_id});
            spi::exec("DELETE FROM tenant_guard.change_log_data WHERE table_id = $1", {table_id});
        }
        spi::exec(
            "UPDATE tenant_guard.protected_table SET truncated_at = clock_timestamp(), "
            "       truncated_xid = pg_current_xact_id() WHERE table_id = $1",
            {table_id});
    });
}

}  // namespace tg
