// Backend-wide state of the module: GUCs and the origin of the changes being
// captured right now.
#pragma once
#include "extension/pg/declarations.hpp"

namespace tg {

extern char *guc_actor;  // tenant_guard.actor

// Where a captured change comes from; stored as one "char" in the change log.
enum class Origin : char { dml = 'd', undelete = 'u', rewind = 'r', import = 'i' };

// The origin that capture records now: dml unless an extension operation
// (undelete, rewind, import) is writing (capture_scopes.hpp). Reset to dml at
// transaction end.
extern Origin current_origin;

// The deletions a purge is making right now (capture_scopes.hpp), or
// nullptr: they must leave no trace.
struct PurgeSilence;
extern const PurgeSilence *purge_silence;

// Whether a deleted row (tenant as text, primary key as jsonb) is one the
// running purge erases. C++ code (purge_silence.cpp) for the PostgreSQL
// side: it reports its errors with ereport, never by a C++ exception.
bool is_silenced_row(Oid relid, Datum tenant, Datum pk);

}  // namespace tg
