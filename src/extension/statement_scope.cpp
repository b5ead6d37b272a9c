#include "extension/statement_scope.hpp"

#include "extension/catalog.hpp"
#include "extension/errors.hpp"
#include "extension/shape.hpp"

extern "C" {
#include "common/hashfn.h"
}

namespace tg::scope {

int guc_max_tenants = default_max_tenants;
char *guc_tenant = nullptr;

namespace {

ExecutorStart_hook_type previous_start = nullptr;
ExecutorEnd_hook_type previous_end = nullptr;

// The statement being counted.
struct Scope {
    bool active;
    const QueryDesc *query;  // nullptr when started by the BEFORE STATEMENT trigger
    int nest_level;          // subtransaction level it started in
    HTAB *tenants;           // 64-bit hashes of the tenants seen
    int64 count;
    uint64 last_hash;        // the previous row's tenant: the common case
    bool has_last;
    bool override_recorded;  // ran with a weakened limit, and that is on record
} scope;

int trigger_depth() {
    LOCAL_FCINFO(fcinfo, 0);
    InitFunctionCallInfoData(*fcinfo, nullptr, 0, InvalidOid, nullptr, nullptr);
    return DatumGetInt32(pg_trigger_depth(fcinfo));
}

bool limits_tenants(CmdType op) { return op == CMD_UPDATE || op == CMD_DELETE || op == CMD_MERGE; }

void end_scope() {
    if (scope.tenants) hash_destroy(scope.tenants);
    memset(&scope, 0, sizeof scope);
}

void begin_scope(const QueryDesc *query) {
    end_scope();
    if (guc_max_tenants > 0) {  // unlimited: nothing to count (but a statement to record)
        HASHCTL ctl;
        memset(&ctl, 0, sizeof ctl);
        ctl.keysize = sizeof(uint64);
        ctl.entrysize = sizeof(uint64);
        ctl.hcxt = TopTransactionContext;
        scope.tenants = hash_create("tenant_guard statement tenants", 16, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
    }
    scope.active = true;
    scope.query = query;
    scope.nest_level = GetCurrentTransactionNestLevel();
}

void on_executor_start(QueryDesc *query, int eflags) {
    if (previous_start)
        previous_start(query, eflags);
    else
        standard_ExecutorStart(query, eflags);
    if ((eflags & EXEC_FLAG_EXPLAIN_ONLY) == 0 && limits_tenants(query->operation) && !scope.active &&
        trigger_depth() == 0)
        begin_scope(query);
}

void on_executor_end(QueryDesc *query) {
    bool ends = scope.active && (scope.query == query || (scope.query == nullptr && limits_tenants(query->operation) &&
                                                          trigger_depth() == 0));
    if (previous_end)
        previous_end(query);
    else
        standard_ExecutorEnd(query);
    if (ends) end_scope();
}

void on_transaction_end(XactEvent event, void *) {
    if (event == XACT_EVENT_ABORT || event == XACT_EVENT_COMMIT || event == XACT_EVENT_PARALLEL_ABORT ||
        event == XACT_EVENT_PREPARE)
        memset(&scope, 0, sizeof scope);  // its memory goes with the transaction
}

// A statement that failed inside a caught exception never reaches ExecutorEnd.
void on_subtransaction_end(SubXactEvent event, SubTransactionId, SubTransactionId, void *) {
    if (event == SUBXACT_EVENT_ABORT_SUB && scope.active && scope.nest_level >= GetCurrentTransactionNestLevel())
        end_scope();
}

}  // namespace

void define_gucs() {
    DefineCustomIntVariable(
        "tenant_guard.max_tenants_per_statement",
        "Most tenants whose rows one UPDATE, DELETE or MERGE on protected tables may change (0 = unlimited).",
        "Rows changed by the statement's triggers and foreign-key actions count too.", &guc_max_tenants,
        default_max_tenants, 0,
        INT_MAX, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomStringVariable("tenant_guard.tenant",
                               "When set, only rows of this tenant may be inserted, updated or deleted in protected "
                               "tables.",
                               nullptr, &guc_tenant, "", PGC_USERSET, 0, nullptr, nullptr, nullptr);
}

void install_hooks() {
    previous_start = ExecutorStart_hook;
    ExecutorStart_hook = on_executor_start;
    previous_end = ExecutorEnd_hook;
    ExecutorEnd_hook = on_executor_end;
    RegisterXactCallback(on_transaction_end, nullptr);
    RegisterSubXactCallback(on_subtransaction_end, nullptr);
}

void row_guard_begin(RowGuard *g) {
    g->pin = guc_tenant && guc_tenant[0] != '\0';
    g->counting = scope.active && guc_max_tenants > 0 && scope.tenants != nullptr;
    g->over = false;
}

void row_guard_check(RowGuard *g, Datum tenant, Relation rel) {
    text *t = DatumGetTextPP(tenant);
    const char *data = VARDATA_ANY(t);
    int len = VARSIZE_ANY_EXHDR(t);
    if (g->pin && (strlen(guc_tenant) != (size_t)len || memcmp(guc_tenant, data, len) != 0))
        ereport(ERROR, (errcode(sqlstate::wrong_tenant),
                        errmsg("row of tenant \"%.*s\" in \"%s\" is outside tenant_guard.tenant = \"%s\"", len, data,
                               RelationGetRelationName(rel), guc_tenant),
                        errhint("This session may change only rows of tenant \"%s\".", guc_tenant)));
    if (!g->counting) return;
    uint64 h = hash_bytes_extended(reinterpret_cast<const unsigned char *>(data), len, 0);
    if (scope.has_last && scope.last_hash == h) return;
    scope.last_hash = h;
    scope.has_last = true;
    bool found;
    hash_search(scope.tenants, &h, HASH_ENTER, &found);
    if (!found && ++scope.count > guc_max_tenants) g->over = true;
}

bool needs_override_record() {
    return scope.active && !scope.override_recorded && guc_max_tenants != default_max_tenants;
}

void override_recorded() { scope.override_recorded = true; }

void row_guard_end(RowGuard *g) {
    if (!g->over) return;
    ereport(ERROR,
            (errcode(sqlstate::blast_radius),
             errmsg("statement touches rows of %lld tenants; tenant_guard.max_tenants_per_statement is %d",
                    (long long)scope.count, guc_max_tenants),
             errdetail("Nothing of the statement was kept."),
             errhint("Run it once per tenant, or raise the limit for one transaction: SET LOCAL "
                     "tenant_guard.max_tenants_per_statement = %lld (0 = unlimited; needs superuser or GRANT SET ON "
                     "PARAMETER, and is recorded in tenant_guard.guard_overrides).",
                     (long long)scope.count)));
}

}  // namespace tg::scope

// BEFORE UPDATE OR DELETE ... FOR EACH STATEMENT: loads the module (and its
// hooks) before the first row changes, and opens the statement's scope when
// the hook came too late to see it start.
TG_FUNCTION(tg_statement_start) {
    using namespace tg::scope;
    if (!CALLED_AS_TRIGGER(fcinfo))
        throw tg::Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED, "tenant_guard.statement_start() is a trigger");
    auto *td = reinterpret_cast<TriggerData *>(fcinfo->context);
    tg::verify_trigger(tg::shape_for(td->tg_relation, td->tg_trigger), td->tg_relation, td->tg_trigger,
                       tg::catalog::trigger_statement_start);
    if (!scope.active && trigger_depth() == 1) begin_scope(nullptr);
    return PointerGetDatum(nullptr);
}
