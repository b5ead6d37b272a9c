// The records of guard_audit.hpp, written over SPI by the C++ side
// (guard_audit.cpp) for its PostgreSQL side (guard_audit_pg.cpp): plain
// types only; each reports its errors through PostgreSQL (report_errors).
#pragma once
#include "extension/pg/declarations.hpp"

namespace tg::audit {

// Records statement (the running statement's text, or nullptr), which runs
// with tenant_guard.max_tenants_per_statement weakened to max_tenants, on relid.
void insert_weakened_limit(Oid relid, int max_tenants, const char *statement);

// Opens the record of a TRUNCATE statement allowed by
// tenant_guard.allow_truncate, naming relid; returns its override_id.
int64 insert_truncate(Oid relid, const char *statement);
// Adds relid to the open record override_id.
void add_truncated(int64 override_id, Oid relid);

}  // namespace tg::audit
