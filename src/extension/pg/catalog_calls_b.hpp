// Catalog lookups for the C++ side: the extension's schema, relations and
// their partitions, owners and privileges, attributes, types and operators.
// Results are plain values (palloc'd strings and arrays in the current memory
// context); the C++ side copies what it keeps.
#pragma once
#include "extension/pg/guarded.hpp"

namespace tg::pg {

// The extension's schema (catalog::schema_oid): an error when it is missing.
Oid extension_schema_oid();
// The relation name of the extension's schema, or InvalidOid when it has none.
Oid extension_relation_or_invalid(const char *name);
// A relation the extension must have (catalog::relation_oid): an error when missing.
Oid extension_relation_oid(const char *name);

// An array of Oids (palloc'd).
struct Oids {
    const Oid *items;
    int count;
};
// The partition ancestors of relid, nearest first; none unless relid is a partition.
Oids partition_ancestors(Oid relid);
// The plain tables that hold relid's rows: relid itself, or its leaf
// partitions; every inheritor is locked in AccessShareLock.
Oids plain_tables_of(Oid relid);

// pg_class.relowner of relid; an error when it does not exist.
Oid relation_owner(Oid relid);
// Whether the current user holds privilege mode (one ACL_* bit) on relid.
bool has_table_privilege(Oid relid, AclMode mode);
// Whether row-level security applies to user (InvalidOid: the current user)
// on relid (check_enable_rls says RLS_ENABLED).
bool row_security_applies(Oid relid, Oid user);

// attnum of relid's column name, or 0 (InvalidAttrNumber) when none.
AttrNumber attribute_number(Oid relid, const char *name);
// format_type_be of type.
const char *format_type(Oid type);
// The default equality operator of type (its btree opclass's), or InvalidOid.
Oid default_equality_operator(Oid type);
// OPERATOR(schema.name) of operator opr, for SQL text.
const char *operator_sql(Oid opr);

// The bytes of a bytea value (detoasted; not NUL-terminated).
struct Bytes {
    const char *data;
    int len;
};
Bytes bytea_bytes(Datum value);

}  // namespace tg::pg
