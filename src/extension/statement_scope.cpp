#include "extension/pg.hpp"
#include "extension/statement_scope.hpp"

#include "extension/catalog.hpp"
#include "extension/errors.hpp"
#include "extension/merge_guard.hpp"
#include "extension/shape.hpp"

extern "C" {
#include "common/hashfn.h"
#include "utils/guc_tables.h"
}

namespace tg::scope {

int guc_max_tenants = default_max_tenants;
char *guc_tenant = nullptr;

namespace {
bool tenant_pin_refused = false;
}

int trigger_depth() {
    LOCAL_FCINFO(fcinfo, 0);
    InitFunctionCallInfoData(*fcinfo, nullptr, 0, InvalidOid, nullptr, nullptr);
    return DatumGetInt32(pg_trigger_depth(fcinfo));
}

namespace {

ExecutorStart_hook_type previous_start = nullptr;
ExecutorEnd_hook_type previous_end = nullptr;

// One statement being counted. Statements nest: a statement run by a
// function at the same trigger depth (a DELETE inside a function called from
// another statement's WHERE) is a statement of its own; one run inside a
// trigger of a counted statement belongs to that statement.
struct Scope {
    const QueryDesc *query;  // nullptr when opened by the BEFORE STATEMENT trigger
    int depth;               // trigger depth it runs at
    int nest_level;          // subtransaction level it started in
    bool counts_inserts;     // an UPDATE, DELETE or MERGE: the rows its triggers insert count
    HTAB *tenants;           // 64-bit hashes of the tenants seen (made at the second tenant: until then
                             // every counted row was of last_hash's)
    int64 count;
    uint64 last_hash;  // the previous row's tenant: the common case
    bool has_last;
    bool override_recorded;  // ran with a weakened limit, and that is on record
    int64 first_seq;         // of the first change logged inside it (0: none yet)
};

// Deeper nesting than this is counted with the innermost scope kept.
constexpr int max_scopes = 64;
Scope scopes[max_scopes];
int nscopes = 0;

Scope *top() { return nscopes > 0 ? &scopes[nscopes - 1] : nullptr; }

void pop_scope() {
    Scope *s = top();
    if (s->tenants) hash_destroy(s->tenants);
    nscopes--;
}

void push_scope(const QueryDesc *query, int depth, bool counts_inserts) {
    if (nscopes == max_scopes) return;
    Scope *s = &scopes[nscopes++];
    memset(s, 0, sizeof *s);
    s->query = query;
    s->depth = depth;
    s->nest_level = GetCurrentTransactionNestLevel();
    s->counts_inserts = counts_inserts;
}

bool limits_tenants(CmdType op) { return op == CMD_UPDATE || op == CMD_DELETE || op == CMD_MERGE; }

// Statements whose rows can be updated or deleted: UPDATE, DELETE, MERGE, and
// INSERT (ON CONFLICT DO UPDATE, writable CTEs, its triggers) or SELECT with
// a writable CTE, whose own inserted rows are not limited.
bool opens_scope(const QueryDesc *query) {
    if (limits_tenants(query->operation) || query->operation == CMD_INSERT) return true;
    return query->operation == CMD_SELECT && query->plannedstmt && query->plannedstmt->hasModifyingCTE;
}

void on_executor_start(QueryDesc *query, int eflags) noexcept {
    if (previous_start)
        previous_start(query, eflags);
    else
        standard_ExecutorStart(query, eflags);
    if ((eflags & EXEC_FLAG_EXPLAIN_ONLY) != 0) return;
    merge_guard::refuse_unrecorded_moves(query);
    if (!opens_scope(query)) return;
    int depth = trigger_depth();
    Scope *s = top();
    if (!s || s->depth == depth) push_scope(query, depth, limits_tenants(query->operation));
}

void on_executor_end(QueryDesc *query) noexcept {
    // The session's first statement started before the module was loaded.
    if (query->estate && (query->estate->es_top_eflags & EXEC_FLAG_EXPLAIN_ONLY) == 0)
        merge_guard::refuse_unrecorded_moves(query);
    Scope *s = top();
    bool ends = s && (s->query == query || (s->query == nullptr && trigger_depth() == s->depth));
    if (previous_end)
        previous_end(query);
    else
        standard_ExecutorEnd(query);
    if (ends && top() == s) pop_scope();
}

void on_transaction_end(XactEvent event, void *) noexcept {
    if (event == XACT_EVENT_ABORT || event == XACT_EVENT_COMMIT || event == XACT_EVENT_PARALLEL_ABORT ||
        event == XACT_EVENT_PREPARE)
        nscopes = 0;  // their memory goes with the transaction
}

// A statement that failed inside a caught exception never reaches ExecutorEnd.
void on_subtransaction_end(SubXactEvent event, SubTransactionId, SubTransactionId, void *) noexcept {
    if (event != SUBXACT_EVENT_ABORT_SUB) return;
    while (top() && top()->nest_level >= GetCurrentTransactionNestLevel()) pop_scope();
}

// Where the session-wide (reset) value of a parameter came from, as the
// GUC machinery holds it now (a placeholder's, before the module defines it).
struct PlaceholderSource {
    bool found = false;
    int source = PGC_S_DEFAULT;
};

PlaceholderSource placeholder_reset_source(const char *name) {
    PlaceholderSource s;
#if PG_VERSION_NUM >= 160000
    struct config_generic *var = find_option(name, false, true, ERROR);
    if (var) {
        s.found = true;
        s.source = var->reset_source;
    }
#else
    struct config_generic **vars = get_guc_variables();
    int n = GetNumConfigOptions();
    for (int i = 0; i < n; i++)
        if (strcmp(vars[i]->name, name) == 0) {
            s.found = true;
            s.source = vars[i]->reset_source;
            break;
        }
#endif
    return s;
}

}  // namespace

void define_gucs() {
    DefineCustomIntVariable(
        "tenant_guard.max_tenants_per_statement",
        "Most tenants whose rows one UPDATE, DELETE or MERGE on protected tables may change (0 = unlimited).",
        "Rows changed by the statement's triggers and foreign-key actions count too.", &guc_max_tenants,
        default_max_tenants, 0, INT_MAX, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    // PGC_SUSET, with SET granted to PUBLIC by the install script: every role
    // may pin its session, and a DBA who wants a pin a role cannot change
    // revokes that grant and pins the role with ALTER ROLE ... SET.
    //
    // Until the module is loaded, tenant_guard.tenant is a placeholder that
    // any role may set; defining it, PostgreSQL re-applies the placeholder's
    // values with the privileges of the roles that gave them and discards
    // (with a WARNING) those given without. A value discarded from the
    // stack falls back to the session's value below it (a DBA's ALTER ROLE
    // pin: binding). But a session-wide value given at connection (PGC_S_CLIENT)
    // has replaced the role's pin already, so discarding it would leave
    // the session unpinned: note that, and fail closed (pin_refused()).
    PlaceholderSource before = placeholder_reset_source("tenant_guard.tenant");
    DefineCustomStringVariable("tenant_guard.tenant",
                               "When set, only rows of this tenant may be inserted, updated or deleted in protected "
                               "tables.",
                               nullptr, &guc_tenant, "", PGC_SUSET, 0, nullptr, nullptr, nullptr);
    PlaceholderSource after = placeholder_reset_source("tenant_guard.tenant");
    tenant_pin_refused = before.found && before.source > PGC_S_DEFAULT && after.source != before.source;
}

const char *pinned_tenant() {
    if (tenant_pin_refused || !guc_tenant || guc_tenant[0] == '\0') return nullptr;
    return guc_tenant;
}

bool pin_refused() { return tenant_pin_refused; }

void refuse_unknown_pin(const char *what) {
    if (!tenant_pin_refused) return;
    ereport(ERROR,
            (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE), errmsg("%s: this session's tenant_guard.tenant is unknown", what),
             errdetail("A role that may not set tenant_guard.tenant gave it for the session before tenant_guard "
                       "was loaded, and PostgreSQL discarded it (with a WARNING), together with the tenant the "
                       "role is pinned to."),
             errhint("Connect without setting tenant_guard.tenant (PGOPTIONS, options=-c ...): the role's pin "
                     "(ALTER ROLE ... SET tenant_guard.tenant) then applies.")));
}

void install_hooks() {
    previous_start = ExecutorStart_hook;
    ExecutorStart_hook = on_executor_start;
    previous_end = ExecutorEnd_hook;
    ExecutorEnd_hook = on_executor_end;
    RegisterXactCallback(on_transaction_end, nullptr);
    RegisterSubXactCallback(on_subtransaction_end, nullptr);
}

void row_guard_begin(RowGuard *g, bool inserts) {
    refuse_unknown_pin("tenant_guard refuses changes to protected tables");
    Scope *s = top();
    g->pin = guc_tenant && guc_tenant[0] != '\0';
    g->counting = s && guc_max_tenants > 0 && (!inserts || s->counts_inserts);
    g->over = false;
}

namespace {

void make_tenant_set(Scope *s) {
    HASHCTL ctl;
    memset(&ctl, 0, sizeof ctl);
    ctl.keysize = sizeof(uint64);
    ctl.entrysize = sizeof(uint64);
    ctl.hcxt = TopTransactionContext;
    s->tenants = hash_create("tenant_guard statement tenants", 16, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
    if (s->has_last) hash_search(s->tenants, &s->last_hash, HASH_ENTER, nullptr);
}

}  // namespace

void row_guard_check(RowGuard *g, Datum tenant, Relation rel) {
    text *t = DatumGetTextPP(tenant);
    const char *data = VARDATA_ANY(t);
    int len = VARSIZE_ANY_EXHDR(t);
    if (g->pin && (strlen(guc_tenant) != (size_t)len || memcmp(guc_tenant, data, len) != 0))
        ereport(ERROR, (errcode(sqlstate::wrong_tenant),
                        errmsg("row of tenant \"%.*s\" in %s is outside tenant_guard.tenant = \"%s\"", len, data,
                               catalog::qualified_rel_name(RelationGetRelid(rel)), guc_tenant),
                        errhint("This session may change only rows of tenant \"%s\": change the other tenant's rows "
                                "in a session pinned to it (or, where this role may, RESET tenant_guard.tenant).",
                                guc_tenant)));
    if (!g->counting) return;
    Scope *s = top();
    uint64 h = hash_bytes_extended(reinterpret_cast<const unsigned char *>(data), len, 0);
    if (s->has_last && s->last_hash == h) return;
    // One tenant so far (a single-row statement): no set needed yet.
    bool found = false;
    if (s->has_last && !s->tenants) make_tenant_set(s);
    if (s->tenants) hash_search(s->tenants, &h, HASH_ENTER, &found);
    s->last_hash = h;
    s->has_last = true;
    if (!found && ++s->count > guc_max_tenants && !g->over) {
        g->over = true;
        g->over_rel = RelationGetRelid(rel);
        int kept = Min(len, (int)sizeof g->over_tenant - 1);
        memcpy(g->over_tenant, data, kept);
        g->over_tenant[kept] = '\0';
        g->over_tenant_cut = kept < len;
    }
}

bool needs_override_record(bool inserts) {
    Scope *s = top();
    return s && !s->override_recorded && (!inserts || s->counts_inserts) && guc_max_tenants != default_max_tenants;
}

void override_recorded() { top()->override_recorded = true; }

int64 statement_id(int64 seq) {
    Scope *s = top();
    if (!s) return seq;
    if (s->first_seq == 0) s->first_seq = seq;
    return s->first_seq;
}

void row_guard_end(RowGuard *g) {
    if (!g->over) return;
    long long count = (long long)top()->count;
    ereport(ERROR,
            (errcode(sqlstate::blast_radius),
             errmsg("statement touches rows of %lld tenants; tenant_guard.max_tenants_per_statement is %d (the first "
                    "tenant over the limit: \"%s%s\" in %s)",
                    count, guc_max_tenants, g->over_tenant, g->over_tenant_cut ? "..." : "",
                    catalog::qualified_rel_name(g->over_rel)),
             errdetail("Nothing of the statement was kept."),
             errhint("Run it once per tenant, or raise the limit for one transaction: SET LOCAL "
                     "tenant_guard.max_tenants_per_statement = %lld (0 = unlimited; needs superuser or GRANT SET ON "
                     "PARAMETER, and is recorded in tenant_guard.guard_overrides).",
                     count)));
}

// The module was loaded by this trigger, too late for the executor hook to
// see the statement start (a session's first statement): a scope for
// everything until the top-level statement ends, so nothing of it (rows a
// cascade from an unprotected table changes, say) is missed.
void open_late_scope() {
    if (!top()) push_scope(nullptr, 0, true);
}

}  // namespace tg::scope

// BEFORE UPDATE OR DELETE ... FOR EACH STATEMENT: loads the module (and its
// hooks) before the first row changes, and opens a scope when the hook came
// too late to see the statement start.
TG_PG_FUNCTION(tg_statement_start) {
    using namespace tg::scope;
    if (!CALLED_AS_TRIGGER(fcinfo))
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("tenant_guard.statement_start() is a trigger")));
    auto *td = reinterpret_cast<TriggerData *>(fcinfo->context);
    tg::verify_trigger(tg::shape_for(td->tg_relation, td->tg_trigger), td->tg_relation, td->tg_trigger,
                       tg::catalog::trigger_statement_start);
    open_late_scope();
    return PointerGetDatum(nullptr);
}

// tenant_guard._pinned_tenant(): the tenant this session is pinned to, NULL
// when it is not (or its pin is unknown). What tenant_guard.trash filters
// by: calling a function of the module loads it, so PostgreSQL has checked
// the placeholder values a role gave tenant_guard.tenant before (discarding
// those it may not set) by the time the view reads the pin.
TG_PG_FUNCTION(tg_pinned_tenant) {
    const char *pin = tg::scope::pinned_tenant();
    if (!pin) PG_RETURN_NULL();
    PG_RETURN_TEXT_P(cstring_to_text(pin));
}
