// Per-statement guard rails, checked on every captured row:
//  * tenant_guard.max_tenants_per_statement (TG001): an UPDATE, DELETE or MERGE
//    that changes rows of more tenants than allowed fails; rows changed by its
//    triggers and foreign-key actions count toward it.
//  * tenant_guard.tenant (TG002): with it set, rows of any other tenant cannot
//    be inserted, updated or deleted.
//
// A "statement" is each UPDATE / DELETE / MERGE (and each INSERT, whose own
// rows are not limited but whose ON CONFLICT updates, writable CTEs and
// triggers' changes are) that does not run inside a trigger of a statement
// being counted: at top level, inside a function or DO block (also one called
// by another statement), in a trigger of an INSERT, in a deferred trigger at
// commit. Everything that runs inside its triggers belongs to it. Executor
// hooks mark its start and end; a BEFORE STATEMENT trigger opens a scope
// when the module was loaded too late for the hook (the session's first
// statement), up to the end of the top-level statement.
#pragma once
#include "extension/pg.hpp"

namespace tg::scope {

// tenant_guard.max_tenants_per_statement: PGC_SUSET, a role raises it only
// with GRANT SET ON PARAMETER; each statement that runs with another value
// than this default is recorded (guard_audit.hpp).
constexpr int default_max_tenants = 1;
extern int guc_max_tenants;
extern char *guc_tenant;  // tenant_guard.tenant

void define_gucs();

// The tenant this session is pinned to (tenant_guard.tenant), or nullptr when
// it is not pinned or its pin is unknown (pin_refused()).
const char *pinned_tenant();

// Whether PostgreSQL discarded this session's value of tenant_guard.tenant
// when the module loaded: a role without the privilege to set it gave it
// for the whole session (PGOPTIONS, a connection's options) before the
// module was loaded, and the value a DBA pinned the role to with ALTER ROLE
// ... SET, which that value had replaced, is gone with it. Such a session
// changes no protected table and has no trash (refuse_unknown_pin()).
bool pin_refused();
// Throws 42501 when pin_refused(); what names the refused operation.
void refuse_unknown_pin(const char *what);

// How deeply trigger functions are nested right now (pg_trigger_depth()).
int trigger_depth();
void install_hooks();

// Checks done per row during one capture call.
struct RowGuard {
    bool pin;       // tenant_guard.tenant is set
    bool counting;  // inside a statement with a tenant limit
    bool over;      // the limit was passed during this call
    // Where it was passed, for the message: the table and the first tenant
    // over the limit (cut to fit).
    Oid over_rel;
    bool over_tenant_cut;
    char over_tenant[128];
};

// inserts: the call captures inserted rows, which only an UPDATE, DELETE or
// MERGE statement's scope counts (INSERT is not limited).
void row_guard_begin(RowGuard *g, bool inserts);
// tenant: the row's tenant as text. Raises TG002 at once; TG001 is raised by
// row_guard_end, once the whole call's tenants are counted.
void row_guard_check(RowGuard *g, Datum tenant, Relation rel);
void row_guard_end(RowGuard *g);

// The id of the statement a deletion belongs to, shown by tombstones and used
// by undelete_row to find what its foreign-key cascades deleted with a row:
// the seq of the first change the statement (its triggers and FK actions
// included) logged, so unique in the cluster. seq is the change being logged
// now; outside every scope (an apply worker's row trigger) it is its own id.
int64 statement_id(int64 seq);

// The statement being counted runs with a weakened limit and is not on
// record yet; override_recorded() says it is now.
bool needs_override_record(bool inserts);
void override_recorded();

}  // namespace tg::scope
