// The PostgreSQL side of the DDL guard (guard.cpp): what the ddl_command_start
// event trigger reads of the statement and looks up of what it names
// (guard_pg.hpp, guarded calls for the C++ side), the
// tenant_guard.allow_truncate setting and the TRUNCATE trigger (PostgreSQL-side
// code: ereport, and no guarded call; the C++ side's part of it runs under
// report_errors, guard_truncate.hpp).
#define TG_IMPLEMENTS_GUARDED_CALLS
#include "extension/pg.hpp"
#include "extension/guard_pg.hpp"

#include "extension/catalog.hpp"
#include "extension/errors.hpp"
#include "extension/guard_audit.hpp"
#include "extension/guard_truncate.hpp"
#include "extension/shape.hpp"

namespace tg::pg {

namespace {

template <typename T>
T *new_items(int n) {  // zeroed: kinds other, names nullptr
    return static_cast<T *>(palloc0(sizeof(T) * (n > 0 ? n : 1)));
}

Subcommand subcommand_kind(AlterTableType type) {
    switch (type) {
        case AT_AddColumn:
            return Subcommand::add_column;
        case AT_DropColumn:
            return Subcommand::drop_column;
        case AT_AlterColumnType:
            return Subcommand::alter_column_type;
        case AT_DropNotNull:
            return Subcommand::drop_not_null;
        case AT_DropConstraint:
            return Subcommand::drop_constraint;
        case AT_AddInherit:
            return Subcommand::add_inherit;
        case AT_AttachPartition:
            return Subcommand::attach_partition;
        case AT_DetachPartition:
        case AT_DetachPartitionFinalize:
            return Subcommand::detach_partition;
        case AT_SetUnLogged:
            return Subcommand::set_unlogged;
        case AT_AddOf:
            return Subcommand::add_of;
        case AT_DisableTrig:
            return Subcommand::disable_trigger;
        case AT_DisableTrigAll:
            return Subcommand::disable_trigger_all;
        case AT_DisableTrigUser:
            return Subcommand::disable_trigger_user;
        case AT_EnableTrig:
            return Subcommand::enable_trigger;
        case AT_EnableReplicaTrig:
            return Subcommand::enable_replica_trigger;
        case AT_EnableAlwaysTrig:
            return Subcommand::enable_always_trigger;
        case AT_EnableTrigAll:
            return Subcommand::enable_trigger_all;
        case AT_EnableTrigUser:
            return Subcommand::enable_trigger_user;
        default:
            return Subcommand::other;
    }
}

Items<AlterTableSubcommand> subcommands(AlterTableStmt *stmt) {
    auto *out = new_items<AlterTableSubcommand>(list_length(stmt->cmds));
    int n = 0;
    ListCell *lc;
    foreach (lc, stmt->cmds) {
        auto *cmd = static_cast<AlterTableCmd *>(lfirst(lc));
        AlterTableSubcommand *s = &out[n++];
        s->kind = subcommand_kind(cmd->subtype);
        s->name = cmd->name;
        s->cmd = cmd;
        if (cmd->subtype == AT_AddColumn) s->new_column = castNode(ColumnDef, cmd->def)->colname;
        if (cmd->subtype == AT_AddInherit) s->relation = castNode(RangeVar, cmd->def);
        if (cmd->subtype == AT_AttachPartition) s->relation = castNode(PartitionCmd, cmd->def)->name;
    }
    return {out, n};
}

CreateTable create_table(CreateStmt *stmt) {
    CreateTable c{};
    c.partition = stmt->partbound != nullptr;
    c.foreign = IsA(stmt, CreateForeignTableStmt);
    c.unlogged = stmt->relation && stmt->relation->relpersistence == RELPERSISTENCE_UNLOGGED;
    auto *parents = new_items<RangeVar *>(list_length(stmt->inhRelations));
    ListCell *lc;
    foreach (lc, stmt->inhRelations) parents[c.parents.count++] = static_cast<RangeVar *>(lfirst(lc));
    c.parents.items = parents;
    return c;
}

Items<CreateTable> create_tables(Node *parsetree) {
    if (!IsA(parsetree, CreateSchemaStmt)) {
        auto *one = new_items<CreateTable>(1);
        *one = create_table(reinterpret_cast<CreateStmt *>(parsetree));  // CreateForeignTableStmt starts with one
        return {one, 1};
    }
    // A CREATE SCHEMA's elements fire no event trigger of their own.
    List *elements = castNode(CreateSchemaStmt, parsetree)->schemaElts;
    auto *out = new_items<CreateTable>(list_length(elements));
    int n = 0;
    ListCell *lc;
    foreach (lc, elements)
        if (IsA(lfirst(lc), CreateStmt)) out[n++] = create_table(static_cast<CreateStmt *>(lfirst(lc)));
    return {out, n};
}

Renamed renamed(ObjectType type) {
    switch (type) {
        case OBJECT_ATTRIBUTE:
            return Renamed::attribute;
        case OBJECT_TRIGGER:
            return Renamed::trigger;
        case OBJECT_COLUMN:
            return Renamed::column;
        case OBJECT_TABLE:
        case OBJECT_VIEW:
        case OBJECT_MATVIEW:
        case OBJECT_INDEX:
        case OBJECT_SEQUENCE:
        case OBJECT_FOREIGN_TABLE:
            return Renamed::relation;
        case OBJECT_SCHEMA:
            return Renamed::schema;
        default:
            return Renamed::other;
    }
}

Dropped dropped(ObjectType type) {
    switch (type) {
        case OBJECT_EXTENSION:
            return Dropped::extension;
        case OBJECT_TABLE:
            return Dropped::table;
        case OBJECT_TRIGGER:
            return Dropped::trigger;
        default:
            return Dropped::other;
    }
}

Items<DropObject> drop_objects(DropStmt *stmt, Dropped what) {
    auto *out = new_items<DropObject>(list_length(stmt->objects));
    int n = 0;
    ListCell *lc;
    foreach (lc, stmt->objects) {
        DropObject *o = &out[n++];
        if (what == Dropped::extension) {
            o->name = strVal(lfirst(lc));
        } else if (what == Dropped::table) {
            o->relation = static_cast<List *>(lfirst(lc));
        } else if (what == Dropped::trigger) {  // its table's name, then its own
            List *names = static_cast<List *>(lfirst(lc));
            o->name = strVal(llast(names));
            o->relation = list_copy_head(names, list_length(names) - 1);
        }
    }
    return {out, n};
}

}  // namespace

DdlCommandStart ddl_command_start(FunctionCallInfo fcinfo) {
    DdlCommandStart d{};
    d.is_event_trigger = CALLED_AS_EVENT_TRIGGER(fcinfo);
    if (!d.is_event_trigger) return d;
    Node *parsetree = reinterpret_cast<EventTriggerData *>(fcinfo->context)->parsetree;
    return pg_guard([&] {  // palloc only
        switch (nodeTag(parsetree)) {
            case T_AlterTableStmt: {
                auto *stmt = castNode(AlterTableStmt, parsetree);
                d.statement = DdlStatement::alter_table;
                d.relation = stmt->relation;
                d.subcommands = subcommands(stmt);
                break;
            }
            case T_RenameStmt: {
                auto *stmt = castNode(RenameStmt, parsetree);
                d.statement = DdlStatement::rename;
                d.relation = stmt->relation;
                d.renamed = renamed(stmt->renameType);
                d.old_name = stmt->subname;
                d.new_name = stmt->newname;
                break;
            }
            case T_ViewStmt: {
                auto *stmt = castNode(ViewStmt, parsetree);
                if (!stmt->replace) break;
                d.statement = DdlStatement::replace_view;
                d.relation = stmt->view;
                break;
            }
            case T_AlterObjectSchemaStmt: {
                auto *stmt = castNode(AlterObjectSchemaStmt, parsetree);
                if (!stmt->relation) break;  // a type, function ...: not a table
                d.statement = DdlStatement::set_schema;
                d.relation = stmt->relation;
                break;
            }
            case T_DropStmt: {
                auto *stmt = castNode(DropStmt, parsetree);
                d.statement = DdlStatement::drop;
                d.dropped = dropped(stmt->removeType);
                d.objects = drop_objects(stmt, d.dropped);
                break;
            }
            case T_CreateStmt:
            case T_CreateForeignTableStmt:
            case T_CreateSchemaStmt:
                d.statement = DdlStatement::create_tables;
                d.creates = create_tables(parsetree);
                break;
            case T_AlterEnumStmt: {
                auto *stmt = castNode(AlterEnumStmt, parsetree);
                d.statement = DdlStatement::alter_enum;
                d.enum_type = stmt->typeName;
                d.renames_value = stmt->oldVal != nullptr;
                break;
            }
            default:
                break;
        }
        return d;
    });
}

Oid relation_of(RangeVar *name) {
    return pg_guard([&] { return RangeVarGetRelid(name, NoLock, true); });
}

Oid relation_of_names(List *qualified_name) {
    return pg_guard([&] { return RangeVarGetRelid(makeRangeVarFromNameList(qualified_name), NoLock, true); });
}

Oid type_of_names(List *qualified_name) {
    return pg_guard([&] { return typenameTypeId(nullptr, makeTypeNameFromNameList(qualified_name)); });
}

bool retype_keeps_values(Oid relid, AlterTableCmd *cmd) {
    return pg_guard([&] {
        auto *def = castNode(ColumnDef, cmd->def);
        if (def->raw_default) return false;  // USING
        Oid old_type, collation, new_type;
        int32 old_typmod, new_typmod;
        get_atttypetypmodcoll(relid, get_attnum(relid, cmd->name), &old_type, &old_typmod, &collation);
        typenameTypeIdAndMod(nullptr, def->typeName, &new_type, &new_typmod);
        if (new_type == old_type) return new_typmod == old_typmod || new_typmod == -1;
        // Not "binary-coercible" in general: int4 -> oid reads the same bits as
        // another value, and storing into varchar(n) cuts trailing spaces.
        static const Oid widening[][2] = {{INT2OID, INT4OID},     {INT2OID, INT8OID},    {INT2OID, NUMERICOID},
                                          {INT4OID, INT8OID},     {INT4OID, NUMERICOID}, {INT8OID, NUMERICOID},
                                          {FLOAT4OID, FLOAT8OID}, {VARCHAROID, TEXTOID}, {TEXTOID, VARCHAROID}};
        for (const auto &w : widening)
            if (w[0] == old_type && w[1] == new_type && new_typmod == -1) return true;
        return false;
    });
}

Oid tenant_value_type(Oid relid, const char *column) {
    return pg_guard([&] {
        Oid base = getBaseType(get_atttype(relid, get_attnum(relid, column)));
        Oid element = get_element_type(base);  // an array of the type
        return OidIsValid(element) ? getBaseType(element) : base;
    });
}

}  // namespace tg::pg

namespace tg {

namespace {

bool allow_truncate = false;  // tenant_guard.allow_truncate

const char *const truncate_instead =
    "Delete rows with DELETE (they are kept as tombstones) or erase a tenant with tenant_guard.purge() and a "
    "signed token. In a test database, SET tenant_guard.allow_truncate = on (a superuser grants it: GRANT SET ON "
    "PARAMETER tenant_guard.allow_truncate TO <role>).";

}  // namespace

void define_truncate_guc() {
    DefineCustomBoolVariable(
        "tenant_guard.allow_truncate",
        "Allows TRUNCATE of protected tables (test databases): recorded in tenant_guard.guard_overrides.",
        "A TRUNCATE of a protected table also erases its tombstones and change-log history.", &allow_truncate, false,
        PGC_SUSET, 0, nullptr, nullptr, nullptr);
}

}  // namespace tg

// BEFORE TRUNCATE on every protected table and partition.
TG_PG_FUNCTION(tg_refuse_truncate) {
    using namespace tg;
    // PostgreSQL calls the BEFORE TRUNCATE triggers of one statement in that
    // statement's per-tuple context: it tells the statement (guard_audit.hpp).
    MemoryContext statement_context = CurrentMemoryContext;
    if (!CALLED_AS_TRIGGER(fcinfo))
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("tenant_guard.refuse_truncate() is a trigger")));
    auto *td = reinterpret_cast<TriggerData *>(fcinfo->context);
    verify_trigger(shape_for(td->tg_relation, td->tg_trigger), td->tg_relation, td->tg_trigger,
                   catalog::trigger_no_truncate);
    Oid relid = RelationGetRelid(td->tg_relation);
    if (!allow_truncate)
        ereport(ERROR,
                (errcode(sqlstate::hard_delete),
                 errmsg("cannot TRUNCATE protected table %s", catalog::qualified_rel_name(relid)),
                 errdetail("TRUNCATE would delete every tenant's rows for good."), errhint("%s", truncate_instead)));
    // Version 0.3.0: overrides are recorded, truncations kept.
    if (get_attnum(catalog::registry_oid(), "truncated_at") == InvalidAttrNumber)
        ereport(ERROR, (errcode(sqlstate::hard_delete),
                        errmsg("cannot TRUNCATE protected table %s: tenant_guard.allow_truncate needs version 0.3.0",
                               catalog::qualified_rel_name(relid)),
                        errdetail("This database has an older version of the extension, which cannot record the "
                                  "truncation."),
                        errhint("Run ALTER EXTENSION tenant_guard UPDATE.")));
    audit::record_truncate(td->tg_relation, statement_context);
    discard_truncated_history(relid);
    return PointerGetDatum(nullptr);
}
