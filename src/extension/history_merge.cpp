// pg_dump --data-only restored into a database whose tables are protected
// already would mix two histories: the dump's table ids and seqs collide with
// this database's, and its change-log rows and tombstones would be read as
// rows of other tables (an undelete then inserted an orders row into items).
// A BEFORE INSERT ... FOR EACH STATEMENT trigger on the registry, the
// tombstones and every change-log segment refuses SQL inserts (COPY included)
// into a table that holds rows already. A full pg_restore into a new database
// writes each of them once, into the empty tables CREATE EXTENSION made; the
// extension itself writes its history through the table AM, not SQL, and its
// registry rows under its own-DDL scope. Disabling these triggers is refused
// by the DDL guard.
#include "extension/pg/function_args.hpp"
#include "extension/registry.hpp"
#include "extension/spi.hpp"

TG_FUNCTION(tg_refuse_history_merge) {
    using namespace tg;
    const pg::TriggerCall call = pg::trigger_call(fcinfo);
    if (!call.is_trigger || !call.before || !call.for_statement || !call.by_insert)
        throw Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED,
                    "tenant_guard.refuse_history_merge() must be a BEFORE INSERT ... FOR EACH STATEMENT trigger");
    if (registry::own_ddl_running) return (Datum)0;
    Oid relid = call.relid;
    spi::Session spi;
    spi::AsExtensionOwner owner;
    if (spi::exec("SELECT 1 FROM ONLY " + spi::qualified_name(relid) + " LIMIT 1") == 0) return (Datum)0;
    throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                "cannot add rows to " + spi::qualified_name(relid) + ": it holds tenant_guard history already",
                "A data-only restore (pg_dump --data-only) into a database with protected tables would mix two "
                "histories: table ids and change numbers of the dump collide with this database's.",
                "Restore the whole database (pg_dump and pg_restore without --data-only) into a new database, or move "
                "single tenants with tenant-guard export and import.");
}
