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

// The trigger's tgenabled ('A' = ALWAYS), or '\0' when relid has no such trigger.
char trigger_state(Oid relid, const char *name) {
    uint64 n = spi::exec("SELECT tgenabled FROM pg_catalog.pg_trigger WHERE tgrelid = $1 AND tgname = $2",
                         {{OIDOID, ObjectIdGetDatum(relid)}, spi::text_arg(name)});
    return n ? DatumGetChar(spi::datum(0, 1)) : '\0';
}

std::string flag_type(Oid relid, const std::string &flag_column) {
    uint64 n = spi::exec("SELECT format_type(atttypid, NULL) FROM pg_catalog.pg_attribute "
                         "WHERE attrelid = $1 AND attname = $2 AND NOT attisdropped",
                         {{OIDOID, ObjectIdGetDatum(relid)}, spi::text_arg(flag_column)});
    return n ? spi::text(0, 1) : std::string();
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
    struct Trigger {
        const char *name, *timing_and_events, *referencing, *function;
        bool row_level = false;
    };
    std::vector<Trigger> triggers = {
        {catalog::trigger_insert, "AFTER INSERT", "REFERENCING NEW TABLE AS tg_new_rows", "capture"},
        {catalog::trigger_update, "AFTER UPDATE", "REFERENCING OLD TABLE AS tg_old_rows NEW TABLE AS tg_new_rows",
         "capture"},
        {catalog::trigger_delete, "AFTER DELETE", "REFERENCING OLD TABLE AS tg_old_rows", "capture"},
        {catalog::trigger_statement_start, "BEFORE UPDATE OR DELETE", "", "statement_start"},
        {catalog::trigger_no_truncate, "BEFORE TRUNCATE", "", "refuse_truncate"},
    };
    if (table.delete_mode == "flag")
        triggers.push_back({catalog::trigger_flag_delete, "BEFORE DELETE", "", "flag_delete", true});
    std::string rel = spi::qualified_name(target);
    std::string args = spi::quote_literal(std::to_string(table.table_id)) + ", " +
                       spi::quote_literal(table.tenant_column) + ", " + spi::quote_literal(table.delete_mode);
    std::string flag_args = table.delete_mode == "flag" ? spi::quote_literal(table.flag_column) + ", " +
                                                              spi::quote_literal(flag_type(target, table.flag_column))
                                                        : std::string();
    registry::OwnDdlScope own_ddl;
    spi::AsExtensionOwner owner;
    for (const Trigger &t : triggers) {
        char state = trigger_state(target, t.name);  // row triggers are cloned to partitions
        if (state == '\0')
            spi::exec(std::string("CREATE TRIGGER ") + t.name + " " + t.timing_and_events + " ON " + rel + " " +
                      t.referencing + (t.row_level ? " FOR EACH ROW" : " FOR EACH STATEMENT") +
                      " EXECUTE FUNCTION tenant_guard." + t.function + "(" + (t.row_level ? flag_args : args) + ")");
        // ALWAYS: protection must not stop under session_replication_role = replica.
        if (state != 'A') spi::exec("ALTER TABLE " + rel + " ENABLE ALWAYS TRIGGER " + t.name);
    }
}

}  // namespace tg::registry
