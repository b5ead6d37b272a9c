#include "extension/unwalled.hpp"  // TRANSITIONAL: not yet split at the wall
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

// The TRUNCATE statement whose record is open: later relations of the same
// statement are added to it.
struct TruncateRecord {
    MemoryContext statement = nullptr;
    int64 override_id = 0;
};
TruncateRecord truncating;

// The statement's context goes (or is reset): its record is complete. A
// context left over from a statement that failed may go later than a newer
// statement's starts, so only its own record is closed.
void end_of_truncate(void *statement) noexcept {
    if (truncating.statement == statement) truncating.statement = nullptr;
}

std::string running_statement() {
    std::string statement = debug_query_string ? debug_query_string : "";
    if (statement.size() > (size_t)statement_chars) statement = statement.substr(0, statement_chars) + "...";
    return statement;
}

void add_permission_hint(ErrorData *edata) noexcept {
    if (edata->elevel >= ERROR && edata->sqlerrcode == ERRCODE_INSUFFICIENT_PRIVILEGE && edata->hint == nullptr &&
        edata->message_id && strcmp(edata->message_id, "permission denied to set parameter \"%s\"") == 0 &&
        edata->message && strstr(edata->message, "\"tenant_guard.") != nullptr) {
        MemoryContext old = MemoryContextSwitchTo(edata->assoc_context ? edata->assoc_context : ErrorContext);
        if (strstr(edata->message, "\"tenant_guard.tenant\"") != nullptr)
            edata->hint = pstrdup(
                "The DBA has made tenant pins binding (SET on tenant_guard.tenant is revoked from PUBLIC): this "
                "role's pin is the one ALTER ROLE ... SET tenant_guard.tenant gives it.");
        else
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
    std::string statement = running_statement();
    std::string acting = pg_guard([] { return GetUserNameFromId(GetUserId(), false); });
    spi::Session session;
    spi::AsExtensionOwner owner;
    spi::exec(
        "INSERT INTO tenant_guard.guard_override_data (acting_role, setting, value, rel, statement) "
        "VALUES ($1, 'tenant_guard.max_tenants_per_statement', $2, $3, $4)",
        {spi::text_arg(acting),
         spi::text_arg(std::to_string(scope::guc_max_tenants)),
         {OIDOID, ObjectIdGetDatum(RelationGetRelid(rel))},
         spi::text_arg(statement)});
}

void record_truncate(Relation rel, MemoryContext statement_context) {
    spi::Arg relid{OIDOID, ObjectIdGetDatum(RelationGetRelid(rel))};
    std::string acting = pg_guard([] { return GetUserNameFromId(GetUserId(), false); });
    spi::Session session;
    spi::AsExtensionOwner owner;
    if (truncating.statement == statement_context) {
        spi::exec(
            "UPDATE tenant_guard.guard_override_data SET rels = rels || $2::pg_catalog.regclass "
            "WHERE override_id = $1",
            {{INT8OID, Int64GetDatum(truncating.override_id)}, relid});
        return;
    }
    std::string value = pg_guard([] { return GetConfigOptionByName("tenant_guard.allow_truncate", nullptr, false); });
    spi::exec(
        "INSERT INTO tenant_guard.guard_override_data (acting_role, setting, value, rel, rels, statement) "
        "VALUES ($1, 'tenant_guard.allow_truncate', $2, $3, ARRAY[$3::pg_catalog.regclass], $4) "
        "RETURNING override_id",
        {spi::text_arg(acting), spi::text_arg(value), relid, spi::text_arg(running_statement())});
    int64 id = spi::int64_at(0, 1);
    pg_guard([&] {
        auto *callback =
            static_cast<MemoryContextCallback *>(MemoryContextAlloc(statement_context, sizeof(MemoryContextCallback)));
        callback->func = end_of_truncate;
        callback->arg = statement_context;
        MemoryContextRegisterResetCallback(statement_context, callback);
    });
    truncating.statement = statement_context;
    truncating.override_id = id;
}

void install_permission_hint() {
    previous_emit_log = emit_log_hook;
    emit_log_hook = add_permission_hint;
}

}  // namespace tg::audit
