#include "extension/registry.hpp"

#include <cstring>

#include "extension/catalog_names.hpp"
#include "extension/pg/catalog_calls.hpp"
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
    t.active = datum::to_bool(spi::datum(r, 6));
    return t;
}

// The arguments of a pg_trigger.tgargs value (each ends with a NUL byte).
std::vector<std::string> split_tgargs(Datum tgargs) {
    pg::Bytes b = pg::varlena_bytes(tgargs);
    std::string bytes(b.data, b.len);
    std::vector<std::string> out;
    size_t start = 0;
    for (size_t i = 0; i < bytes.size(); i++)
        if (bytes[i] == '\0') {
            out.push_back(bytes.substr(start, i - start));
            start = i + 1;
        }
    return out;
}

// The trigger's tgenabled ('A' = ALWAYS), or '\0' when relid has no such
// trigger. A trigger of that name must run tenant_guard.<function> with args.
char trigger_state(Oid relid, const char *name, const char *function, const std::vector<std::string> &args) {
    uint64 n = spi::exec(
        "SELECT t.tgenabled, p.proname::text = $3 AND p.pronamespace = $4, t.tgargs "
        "  FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid "
        " WHERE t.tgrelid = $1 AND t.tgname = $2",
        {{OIDOID, datum::from_oid(relid)},
         spi::text_arg(name),
         spi::text_arg(function),
         {OIDOID, datum::from_oid(pg::extension_schema())}});
    if (n == 0) return '\0';
    char state = (char)spi::datum(0, 1);  // DatumGetChar
    if (!datum::to_bool(spi::datum(0, 2)) || split_tgargs(spi::datum(0, 3)) != args)
        throw Error(
            ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
            "table " + spi::qualified_name(relid) + " has a trigger \"" + name + "\" that tenant_guard did not create",
            "tenant_guard installs a trigger of that name itself and would otherwise take this one for it.",
            "Drop or rename that trigger, then run tenant_guard.protect() again.");
    return state;
}

std::string flag_type(Oid relid, const std::string &flag_column) {
    uint64 n = spi::exec(
        "SELECT pg_catalog.format_type(atttypid, NULL) FROM pg_catalog.pg_attribute "
        "WHERE attrelid = $1 AND attname = $2 AND NOT attisdropped",
        {{OIDOID, datum::from_oid(relid)}, spi::text_arg(flag_column)});
    return n ? spi::text(0, 1) : std::string();
}

}  // namespace

std::vector<ProtectedTable> active_tables() {
    spi::AsExtensionOwner owner;
    uint64 n =
        spi::exec(std::string(select_columns) +
                  "WHERE unprotected_at IS NULL AND EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = rel) "
                  "ORDER BY table_id");
    std::vector<ProtectedTable> out;
    for (uint64 r = 0; r < n; r++) out.push_back(row_at(r));
    return out;
}

std::optional<ProtectedTable> find(Oid relid) {
    spi::AsExtensionOwner owner;
    uint64 n = spi::exec(std::string(select_columns) + "WHERE rel = $1", {{OIDOID, datum::from_oid(relid)}});
    if (n == 0) return std::nullopt;
    return row_at(0);
}

std::optional<ProtectedTable> covering(Oid relid, const std::vector<ProtectedTable> &active) {
    pg::OidList ancestors = pg::partition_ancestors(relid);
    auto lookup = [&](Oid id) -> std::optional<ProtectedTable> {
        for (const auto &t : active)
            if (t.relid == id) return t;
        return std::nullopt;
    };
    if (auto self = lookup(relid)) return self;
    for (int i = 0; i < ancestors.count; i++)
        if (auto up = lookup(ancestors.items[i])) return up;
    return std::nullopt;
}

void install_triggers(const ProtectedTable &table, Oid target) {
    struct Trigger {
        const char *name, *timing_and_events, *referencing, *function;
        bool row_level = false;
        char state = 'A';  // ALWAYS: protection must not stop under session_replication_role = replica
        bool flag_arguments = false;
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
        triggers.push_back({catalog::trigger_flag_delete, "BEFORE DELETE", "", "flag_delete", true, 'A', true});
    // REPLICA: it fires only where session_replication_role = replica, that
    // is in logical replication's apply worker, which fires no statement
    // triggers; everywhere else the statement-level capture records the rows.
    triggers.push_back(
        {catalog::trigger_capture_applied, "AFTER INSERT OR UPDATE OR DELETE", "", "capture_applied", true, 'R'});
    std::string rel = spi::qualified_name(target);
    std::vector<std::string> args = {std::to_string(table.table_id), table.tenant_column, table.delete_mode};
    std::vector<std::string> flag_args;
    if (table.delete_mode == "flag") flag_args = {table.flag_column, flag_type(target, table.flag_column)};
    auto sql_list = [](const std::vector<std::string> &items) {
        std::string out;
        for (const auto &i : items) out += (out.empty() ? "" : ", ") + spi::quote_literal(i);
        return out;
    };
    registry::OwnDdlScope own_ddl;
    spi::AsExtensionOwner owner;
    for (const Trigger &t : triggers) {
        // An older version's schema, before ALTER EXTENSION UPDATE, lacks the
        // functions of triggers added since: those come with the update.
        if (!spi::exec("SELECT 1 FROM pg_catalog.pg_proc WHERE proname = $1 AND pronamespace = $2",
                       {spi::text_arg(t.function), {OIDOID, datum::from_oid(pg::extension_schema())}}))
            continue;
        const auto &targs = t.flag_arguments ? flag_args : args;
        char state = trigger_state(target, t.name, t.function, targs);  // row triggers are cloned
        if (state == '\0')
            spi::exec(std::string("CREATE TRIGGER ") + t.name + " " + t.timing_and_events + " ON " + rel + " " +
                      t.referencing + (t.row_level ? " FOR EACH ROW" : " FOR EACH STATEMENT") +
                      " EXECUTE FUNCTION tenant_guard." + t.function + "(" + sql_list(targs) + ")");
        if (state != t.state)
            spi::exec("ALTER TABLE " + rel + (t.state == 'R' ? " ENABLE REPLICA TRIGGER " : " ENABLE ALWAYS TRIGGER ") +
                      t.name);
    }
}

bool find_registration(Oid relid, Registration *out) {
    spi::Session session;
    auto table = covering(relid, active_tables());
    if (!table) return false;
    std::memset(out, 0, sizeof *out);
    out->table_id = table->table_id;
    out->flag_mode = table->delete_mode == "flag";
    // As namestrcpy: at most name_bytes - 1 bytes, the rest zero.
    std::strncpy(out->tenant_column, table->tenant_column.c_str(), name_bytes - 1);
    std::strncpy(out->flag_column, table->flag_column.c_str(), name_bytes - 1);
    return true;
}

bool registration_of(Oid relid, Registration *out) {
    return report_errors([&] { return find_registration(relid, out); });
}

bool is_extension_trigger(Oid relid, const char *name) {
    if (!name) return false;
    bool installs_it = false;  // a trigger protect() installs has one of these names
    for (const char *own :
         {catalog::trigger_insert, catalog::trigger_update, catalog::trigger_delete, catalog::trigger_statement_start,
          catalog::trigger_no_truncate, catalog::trigger_flag_delete, catalog::trigger_capture_applied})
        installs_it |= strcmp(name, own) == 0;
    if (!installs_it) return false;
    uint64 n = spi::exec(
        "SELECT 1 FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid "
        "WHERE t.tgrelid = $1 AND t.tgname = $2 AND p.pronamespace = $3",
        {{OIDOID, datum::from_oid(relid)}, spi::text_arg(name), {OIDOID, datum::from_oid(pg::extension_schema())}});
    return n > 0;
}

}  // namespace tg::registry
