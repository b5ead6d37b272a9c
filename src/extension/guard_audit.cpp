#include "extension/guard_audit.hpp"

#include "extension/catalog.hpp"
#include "extension/spi.hpp"
#include "extension/statement_scope.hpp"

extern "C" {
#include "tcop/tcopprot.h"
}

namespace tg::audit {

namespace {

constexpr int statement_chars = 4000;  // of the statement text kept per record

emit_log_hook_type previous_emit_log = nullptr;

void add_permission_hint(ErrorData *edata) {
    if (edata->elevel >= ERROR && edata->sqlerrcode == ERRCODE_INSUFFICIENT_PRIVILEGE && edata->hint == nullptr &&
        edata->message_id && strcmp(edata->message_id, "permission denied to set parameter \"%s\"") == 0 &&
        edata->message && strstr(edata->message, "\"tenant_guard.") != nullptr) {
        MemoryContext old = MemoryContextSwitchTo(edata->assoc_context ? edata->assoc_context : ErrorContext);
        edata->hint = pstrdup(
            "Weakening a tenant_guard guard is a privilege: a superuser grants it with GRANT SET ON PARAMETER "
            "<name> TO <role>; every statement that runs with it is recorded in tenant_guard.guard_overrides.");
        MemoryContextSwitchTo(old);
    }
    if (previous_emit_log) previous_emit_log(edata);
}

}  // namespace

void record_weakened_limit(Relation rel, bool inserts) {
    if (!scope::needs_override_record(inserts)) return;
    scope::override_recorded();
    bool has_table = pg_guard([] {  // not before version 0.3.0
        return OidIsValid(get_relname_relid("guard_override_data", catalog::schema_oid()));
    });
    if (!has_table) return;
    std::string statement = debug_query_string ? debug_query_string : "";
    if (statement.size() > (size_t)statement_chars) statement = statement.substr(0, statement_chars) + "...";
    std::string acting = pg_guard([] { return GetUserNameFromId(GetUserId(), false); });
    spi::Session session;
    spi::AsExtensionOwner owner;
    spi::exec("INSERT INTO tenant_guard.guard_override_data (acting_role, setting, value, rel, statement) "
              "VALUES ($1, 'tenant_guard.max_tenants_per_statement', $2, $3, $4)",
              {spi::text_arg(acting), spi::text_arg(std::to_string(scope::guc_max_tenants)),
               {OIDOID, ObjectIdGetDatum(RelationGetRelid(rel))}, spi::text_arg(statement)});
}

void install_permission_hint() {
    previous_emit_log = emit_log_hook;
    emit_log_hook = add_permission_hint;
}

}  // namespace tg::audit
