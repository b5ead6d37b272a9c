// Catalog lookups for the C++ side: the extension's schema and relations,
// relations and their partitions, owners and privileges, attributes, types,
// operators, roles and settings. Results are plain values (palloc'd strings
// and arrays in the current memory context); the C++ side copies what it
// keeps. (pg/spi_calls.hpp has qualified names and quoting.)
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

// The extension's schema (catalog::schema_oid): an error when it is missing.
Oid extension_schema();
// The extension's relation called name, or InvalidOid when it has none (an
// older schema, before ALTER EXTENSION ... UPDATE).
Oid extension_relation(const char *name);
// A relation the extension must have (catalog::relation_oid): an error when missing.
Oid extension_relation_or_error(const char *name);
// The relation called name in schema pg_catalog, or InvalidOid.
Oid catalog_relation(const char *name);

// catalog::change_log_has_entries: the log's schema has entries (0.14.0 and later).
bool change_log_has_entries();

bool relation_exists(Oid relid);
// relid's own name (unqualified, palloc'd); nullptr when it does not exist.
const char *relation_name(Oid relid);
// pg_class.relowner of relid; an error when it does not exist.
Oid relation_owner(Oid relid);
// pg_class.relkind (RELKIND_*), relnamespace and reltype of relid; '\0' and
// InvalidOid when it does not exist.
char relation_kind(Oid relid);
bool relation_is_unlogged(Oid relid);
Oid relation_namespace(Oid relid);
Oid relation_type(Oid relid);
// Whether the current user owns relid (or is a superuser): pg_class_ownercheck.
bool owns_relation(Oid relid);

// relid and every partition or inheritance child below it (find_all_inheritors);
// lock_exclusive: each locked AccessExclusive, otherwise none locked.
OidList all_inheritors(Oid relid, bool lock_exclusive);
// The partition ancestors of relid, nearest first; none unless relid is a partition.
OidList partition_ancestors(Oid relid);
// The plain tables that hold relid's rows: relid itself, or its leaf
// partitions; every inheritor is locked in AccessShareLock.
OidList plain_tables_of(Oid relid);

// Whether the current user holds privilege mode (one ACL_* bit) on relid.
bool has_table_privilege(Oid relid, AclMode mode);
// Whether row-level security applies to user (InvalidOid: the current user)
// on relid (check_enable_rls says RLS_ENABLED).
bool row_security_applies(Oid relid, Oid user);

// attnum of relid's column name, or 0 (InvalidAttrNumber) when none.
AttrNumber attribute_number(Oid relid, const char *name);
// The type of relid's column named column (InvalidOid: no such column).
Oid column_type(Oid relid, const char *column);
// format_type_be of type.
const char *format_type(Oid type);
// The array type of type (get_array_type), or InvalidOid.
Oid array_type(Oid type);
// The default equality operator of type (its btree opclass's), or InvalidOid.
Oid default_equality_operator(Oid type);
// OPERATOR(schema.name) of operator opr, for SQL text.
const char *operator_sql(Oid opr);

// The bytes of a bytea or text value (detoasted; not NUL-terminated).
struct Bytes {
    const char *data;
    int len;
};
Bytes varlena_bytes(Datum value);

// The name of role (an error when it does not exist).
const char *role_name(Oid role);
// The current value of setting name, in its output form.
const char *setting_value(const char *name);

}  // namespace tg::pg
