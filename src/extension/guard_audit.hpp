// Settings that weaken a guard are a privilege (PGC_SUSET plus GRANT SET ON
// PARAMETER), and every statement that ran with one weakened is recorded in
// tenant_guard.guard_override_data (view tenant_guard.guard_overrides), in
// the statement's transaction: who, which setting, which value, what ran.
#pragma once
#include "extension/pg.hpp"

namespace tg::audit {

// Called by capture for each call: records the running statement once when
// it runs with tenant_guard.max_tenants_per_statement weakened.
void record_weakened_limit(Relation rel, bool inserts);

// The hint PostgreSQL's "permission denied to set parameter" lacks, added to
// that error for tenant_guard's own parameters.
void install_permission_hint();

}  // namespace tg::audit
