// Future partitions of a protected table: statement-level triggers are not
// cloned to partitions, and a statement aimed straight at a partition fires
// only the partition's own triggers. So every partition gets the capture
// triggers of its protected ancestor, at CREATE TABLE ... PARTITION OF and
// ALTER TABLE ... ATTACH PARTITION (ddl_command_end). Other commands are left
// alone: pg_restore, for one, creates the triggers itself after the data.
// Columns an ALTER TABLE adds to a protected table are filled into its
// images here too (image_migration.hpp).
#include "extension/boundary.hpp"
#include "extension/image_migration.hpp"
#include "extension/partitions_pg.hpp"
#include "extension/pg/catalog_calls.hpp"
#include "extension/registry.hpp"
#include "extension/spi.hpp"

TG_FUNCTION(tg_on_ddl_command_end) {
    using namespace tg;
    pg::DdlCommandEnd command = pg::ddl_command_end(fcinfo);
    if (!command.is_event_trigger)
        throw Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED, "tenant_guard.on_ddl_command_end() is an event trigger");
    if (registry::own_ddl_running) return (Datum)0;
    if (command.adds_column) fill_added_columns();
    if (!command.adds_partition) return (Datum)0;

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
        if (!pg::relation_exists(relid)) continue;
        for (Oid member : pg::all_inheritors(relid, false)) {
            if (auto table = registry::covering(member, active)) registry::install_triggers(*table, member);
        }
    }
    return (Datum)0;
}
