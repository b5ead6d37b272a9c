// What the token functions (tokens.cpp) ask of PostgreSQL.
#pragma once
#include "extension/pg/guarded.hpp"

namespace tg::pg {

// "<system identifier>/<database name>" of this database (palloc'd).
const char *database_id();
// The current time (GetCurrentTimestamp) in seconds since the Unix epoch.
int64 now_unix_seconds() noexcept;
// A jsonb argument in its text form (palloc'd).
const char *arg_jsonb_text(FunctionCallInfo fcinfo, int n);

}  // namespace tg::pg
