// Catalog lookups for the C++ side: names, types and privileges of
// relations, and the extension's own objects.
#pragma once
#include "extension/pg/guarded.hpp"

namespace tg::pg {

// A relation of the extension's schema by name; InvalidOid if there is none
// (an older schema, before ALTER EXTENSION ... UPDATE).
Oid extension_relation(const char *name);

// The type of relid's column named column (InvalidOid: no such column).
Oid column_type(Oid relid, const char *column);

// Whether the current user may SELECT from relid and row-level security
// does not apply to it there (what tenant_guard.trash shows it).
bool readable_without_rls(Oid relid);

}  // namespace tg::pg
