// Catalog lookups for the C++ side: relations, partitions, roles, settings
// (pg/spi_calls.hpp has qualified names and quoting).
#pragma once
#include "extension/pg/guarded.hpp"

namespace tg::pg {

// Oids in the current memory context (palloc'd).
struct OidList {
    const Oid *items;
    int count;
    const Oid *begin() const { return items; }
    const Oid *end() const { return items + count; }
};

// The relation called name in schema pg_catalog, or InvalidOid.
Oid catalog_relation(const char *name);
// The extension's schema, and its relation called name (InvalidOid if none).
Oid extension_schema();
Oid extension_relation(const char *name);

bool relation_exists(Oid relid);
// relid's own name (unqualified, palloc'd); nullptr when it does not exist.
const char *relation_name(Oid relid);

// relid and every partition or inheritance child below it (find_all_inheritors);
// lock_exclusive: each locked AccessExclusive, otherwise none locked.
OidList all_inheritors(Oid relid, bool lock_exclusive);
// The partition ancestors of relid, nearest first (none unless a partition).
OidList partition_ancestors(Oid relid);

// The name of role (an error when it does not exist).
const char *role_name(Oid role);
// The current value of setting name, in its output form.
const char *setting_value(const char *name);

}  // namespace tg::pg
