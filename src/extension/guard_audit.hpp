// Settings that weaken a guard are a privilege (PGC_SUSET plus GRANT SET ON
// PARAMETER), and every statement that ran with one weakened is recorded in
// tenant_guard.guard_override_data (view tenant_guard.guard_overrides), in
// the statement's transaction: who, which setting, which value, what ran.
// PostgreSQL side (guard_audit_pg.cpp); the records are written by the C++
// side (guard_audit_records.hpp).
#pragma once
#include "extension/pg.hpp"

namespace tg::audit {

// Called by capture for each call: records the running statement once when
// it runs with tenant_guard.max_tenants_per_statement weakened.
void record_weakened_limit(Relation rel, bool inserts);

// Called by the TRUNCATE trigger under tenant_guard.allow_truncate for each
// relation it fires on: one record per TRUNCATE statement, naming every
// protected table and partition the statement truncates (rels). The
// statement is told by statement_context, the memory context the trigger was
// called in: PostgreSQL calls every BEFORE TRUNCATE trigger of one statement
// in that statement's own per-tuple context, which lives until the
// statement ends (a reset callback on it closes the record).
void record_truncate(Relation rel, MemoryContext statement_context);

// The hint PostgreSQL's "permission denied to set parameter" lacks, added to
// that error for tenant_guard's own parameters.
void install_permission_hint();

}  // namespace tg::audit
