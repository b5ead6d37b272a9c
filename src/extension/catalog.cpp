#include "extension/unwalled.hpp"  // TRANSITIONAL: not yet split at the wall
#include "extension/catalog.hpp"

namespace tg::catalog {

Oid schema_oid() {
    Oid nsp = get_namespace_oid(schema_name, true);
    if (!OidIsValid(nsp))
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_SCHEMA), errmsg("schema \"tenant_guard\" does not exist"),
                        errhint("Run CREATE EXTENSION tenant_guard.")));
    return nsp;
}

Oid relation_oid(const char *name) {
    Oid relid = get_relname_relid(name, schema_oid());
    if (!OidIsValid(relid))
        ereport(ERROR,
                (errcode(ERRCODE_UNDEFINED_TABLE), errmsg("tenant_guard.%s is missing; the extension is damaged", name),
                 errhint("Reinstall the extension with ALTER EXTENSION tenant_guard UPDATE.")));
    return relid;
}

bool change_log_is_partitioned() { return get_rel_relkind(change_log_oid()) == RELKIND_PARTITIONED_TABLE; }

Oid change_log_segment_oid(int64 segment) {
    char name[NAMEDATALEN];
    snprintf(name, sizeof name, "change_log_%0*lld", schema::segment_digits, (long long)segment);
    return relation_oid(name);
}

const char *qualified_rel_name(Oid relid) {
    char *nsp = get_namespace_name(get_rel_namespace(relid));
    char *rel = get_rel_name(relid);
    if (!nsp || !rel) return psprintf("relation %u", relid);
    return quote_qualified_identifier(nsp, rel);
}

Oid extension_owner() {
    HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(registry_oid()));
    if (!HeapTupleIsValid(tup)) elog(ERROR, "cache lookup failed for tenant_guard.protected_table");
    Oid owner = ((Form_pg_class)GETSTRUCT(tup))->relowner;
    ReleaseSysCache(tup);
    return owner;
}

}  // namespace tg::catalog
