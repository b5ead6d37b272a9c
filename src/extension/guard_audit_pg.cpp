#include "extension/pg.hpp"
#include "extension/guard_audit.hpp"

#include "extension/catalog.hpp"
#include "extension/guard_audit_records.hpp"
#include "extension/statement_scope.hpp"

extern "C" {
#include "tcop/tcopprot.h"
}

namespace tg::audit {

namespace {

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
    // Not before version 0.3.0.
    if (!OidIsValid(get_relname_relid("guard_override_data", catalog::schema_oid()))) return;
    insert_weakened_limit(RelationGetRelid(rel), scope::guc_max_tenants, debug_query_string);
}

void record_truncate(Relation rel, MemoryContext statement_context) {
    if (truncating.statement == statement_context) {
        add_truncated(truncating.override_id, RelationGetRelid(rel));
        return;
    }
    int64 id = insert_truncate(RelationGetRelid(rel), debug_query_string);
    auto *callback =
        static_cast<MemoryContextCallback *>(MemoryContextAlloc(statement_context, sizeof(MemoryContextCallback)));
    callback->func = end_of_truncate;
    callback->arg = statement_context;
    MemoryContextRegisterResetCallback(statement_context, callback);
    truncating.statement = statement_context;
    truncating.override_id = id;
}

void install_permission_hint() {
    previous_emit_log = emit_log_hook;
    emit_log_hook = add_permission_hint;
}

}  // namespace tg::audit
