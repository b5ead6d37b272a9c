#include "extension/registry.hpp"

#include "extension/catalog.hpp"
#include "extension/spi.hpp"

namespace tg::registry {

bool own_ddl_running = false;

namespace {

const char *const select_columns =
    "SELECT table_id, rel::oid, tenant_column::text, delete_mode, flag_column::text, unprotected_at IS NULL "
    "FROM tenant_guard.protected_table ";

ProtectedTable row_at(uint64 r) {
    ProtectedTable t;
    t.table_id = (int32)spi::int64_at(r, 1);
    t.relid = (Oid)spi::int64_at(r, 2);
    t.tenant_column = spi::text(r, 3);
    t.delete_mode = spi::text(r, 4);
    t.flag_column = spi::text(r, 5);
    t.active = DatumGetBool(spi::datum(r, 6));
    return t;
}

bool has_trigger(Oid relid, const char *name) {
    return spi::exec("SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = $1 AND tgname = $2",
                     {{OIDOID, ObjectIdGetDatum(relid)}, spi::text_arg(name)}) > 0;
}

}  // namespace

std::vector<ProtectedTable> active_tables() {
    spi::AsExtensionOwner owner;
    uint64 n = spi::exec(std::string(select_columns) +
                             "WHERE unprotected_at IS NULL AND EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = rel) "
                             "ORDER BY table_id");
    std::vector<ProtectedTable> out;
    for (uint64 r = 0; r < n; r++) out.push_back(row_at(r));
    return out;
}

std::optional<ProtectedTable> find(Oid relid) {
    spi::AsExtensionOwner owner;
    uint64 n = spi::exec(std::string(select_columns) + "WHERE rel = $1", {{OIDOID, ObjectIdGetDatum(relid)}});
    if (n == 0) return std::nullopt;
    return row_at(0);
}

std::optional<ProtectedTable> covering(Oid relid, const std::vector<ProtectedTable> &active) {
    List *ancestors = pg_guard([&] { return get_rel_relispartition(relid) ? get_partition_ancestors(relid) : NIL; });
    auto lookup = [&](Oid id) -> std::optional<ProtectedTable> {
        for (const auto &t : active)
            if (t.relid == id) return t;
        return std::nullopt;
    };
    if (auto self = lookup(relid)) return self;
    ListCell *lc;
    foreach (lc, ancestors)
        if (auto up = lookup(lfirst_oid(lc))) return up;
    return std::nullopt;
}

void install_triggers(const ProtectedTable &table, Oid target) {
    struct Event {
        const char *name, *event, *referencing;
    };
    const Event events[] = {
        {catalog::trigger_insert, "INSERT", "NEW TABLE AS tg_new_rows"},
        {catalog::trigger_update, "UPDATE", "OLD TABLE AS tg_old_rows NEW TABLE AS tg_new_rows"},
        {catalog::trigger_delete, "DELETE", "OLD TABLE AS tg_old_rows"},
    };
    std::string rel = spi::qualified_name(target);
    std::string args = spi::quote_literal(std::to_string(table.table_id)) + ", " +
                       spi::quote_literal(table.tenant_column) + ", " + spi::quote_literal(table.delete_mode);
    struct OwnDdl {
        bool saved = own_ddl_running;
        OwnDdl() { own_ddl_running = true; }
        ~OwnDdl() { own_ddl_running = saved; }
    } own_ddl;
    spi::AsExtensionOwner owner;
    for (const Event &e : events) {
        if (has_trigger(target, e.name)) continue;
        spi::exec(std::string("CREATE TRIGGER ") + e.name + " AFTER " + e.event + " ON " + rel + " REFERENCING " +
                  e.referencing + " FOR EACH STATEMENT EXECUTE FUNCTION tenant_guard.capture(" + args + ")");
        // ALWAYS: capture must not stop under session_replication_role = replica.
        spi::exec("ALTER TABLE " + rel + " ENABLE ALWAYS TRIGGER " + e.name);
    }
}

}  // namespace tg::registry
