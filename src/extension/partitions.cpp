// Future partitions of a protected table: statement-level triggers are not
// cloned to partitions, and a statement aimed straight at a partition fires
// only the partition's own triggers. So every partition gets the capture
// triggers of its protected ancestor, at CREATE TABLE ... PARTITION OF and
// ALTER TABLE ... ATTACH PARTITION (ddl_command_end). Other commands are left
// alone: pg_restore, for one, creates the triggers itself after the data.
// Columns an ALTER TABLE adds to a protected table are filled into its
// images here too (image_migration.hpp).
#include "extension/unwalled.hpp"  // TRANSITIONAL: not yet split at the wall
#include "extension/image_migration.hpp"
#include "extension/registry.hpp"
#include "extension/spi.hpp"

namespace {

bool adds_partition(Node *parsetree) {
    if (IsA(parsetree, CreateStmt)) return castNode(CreateStmt, parsetree)->partbound != nullptr;
    if (IsA(parsetree, CreateSchemaStmt)) {  // CREATE SCHEMA s CREATE TABLE ... PARTITION OF ...
        ListCell *lc;
        foreach (lc, castNode(CreateSchemaStmt, parsetree)->schemaElts)
            if (adds_partition(static_cast<Node *>(lfirst(lc)))) return true;
        return false;
    }
    if (!IsA(parsetree, AlterTableStmt)) return false;
    ListCell *lc;
    foreach (lc, castNode(AlterTableStmt, parsetree)->cmds)
        if (static_cast<AlterTableCmd *>(lfirst(lc))->subtype == AT_AttachPartition) return true;
    return false;
}

bool adds_column(Node *parsetree) {
    if (!IsA(parsetree, AlterTableStmt)) return false;
    ListCell *lc;
    foreach (lc, castNode(AlterTableStmt, parsetree)->cmds)
        if (static_cast<AlterTableCmd *>(lfirst(lc))->subtype == AT_AddColumn) return true;
    return false;
}

}  // namespace

TG_FUNCTION(tg_on_ddl_command_end) {
    using namespace tg;
    if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
        throw Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED, "tenant_guard.on_ddl_command_end() is an event trigger");
    if (registry::own_ddl_running) return (Datum)0;
    Node *parsetree = reinterpret_cast<EventTriggerData *>(fcinfo->context)->parsetree;
    if (adds_column(parsetree)) fill_added_columns();
    if (!adds_partition(parsetree)) return (Datum)0;

    spi::Session spi;
    auto active = registry::active_tables();
    if (active.empty()) return (Datum)0;
    uint64 n = spi::exec(
        "SELECT DISTINCT objid FROM pg_catalog.pg_event_trigger_ddl_commands() "
        " WHERE classid = 'pg_catalog.pg_class'::regclass AND object_type IN ('table', 'table column')",
        {});
    std::vector<Oid> touched;
    for (uint64 r = 0; r < n; r++) touched.push_back((Oid)spi::int64_at(r, 1));

    for (Oid relid : touched) {
        bool exists = pg_guard([&] { return SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)); });
        if (!exists) continue;
        List *members = pg_guard([&] { return find_all_inheritors(relid, NoLock, nullptr); });
        ListCell *lc;
        foreach (lc, members) {
            Oid member = lfirst_oid(lc);
            if (auto table = registry::covering(member, active)) registry::install_triggers(*table, member);
        }
    }
    return (Datum)0;
}
