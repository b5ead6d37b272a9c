#define TG_IMPLEMENTS_GUARDED_CALLS
#include "extension/pg.hpp"
#include "extension/pg/catalog_calls.hpp"

#include "extension/catalog.hpp"

extern "C" {
#include "utils/rls.h"
}

namespace tg::pg {

namespace {

OidList oid_list(List *oids) {
    int n = list_length(oids);
    Oid *items = static_cast<Oid *>(palloc(sizeof(Oid) * (n > 0 ? n : 1)));
    int i = 0;
    ListCell *lc;
    foreach (lc, oids) items[i++] = lfirst_oid(lc);
    return OidList{items, n};
}

}  // namespace

Oid extension_schema() {
    return pg_guard([] { return catalog::schema_oid(); });
}

Oid extension_relation(const char *name) {
    return pg_guard([&] { return get_relname_relid(name, catalog::schema_oid()); });
}

bool change_log_has_entries() {
    return pg_guard([&] { return catalog::change_log_has_entries(); });
}

Oid extension_relation_or_error(const char *name) {
    return pg_guard([&] { return catalog::relation_oid(name); });
}

Oid catalog_relation(const char *name) {
    return pg_guard([&] { return get_relname_relid(name, PG_CATALOG_NAMESPACE); });
}

bool relation_exists(Oid relid) {
    return pg_guard([&] { return SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)); });
}

const char *relation_name(Oid relid) {
    return pg_guard([&] { return get_rel_name(relid); });
}

Oid relation_owner(Oid relid) {
    return pg_guard([&] {
        HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
        if (!HeapTupleIsValid(tup)) elog(ERROR, "cache lookup failed for relation %u", relid);
        Oid owner = reinterpret_cast<Form_pg_class>(GETSTRUCT(tup))->relowner;
        ReleaseSysCache(tup);
        return owner;
    });
}

char relation_kind(Oid relid) {
    return pg_guard([&] { return get_rel_relkind(relid); });
}

bool relation_is_unlogged(Oid relid) {
    return pg_guard([&] { return get_rel_persistence(relid) == RELPERSISTENCE_UNLOGGED; });
}

Oid relation_namespace(Oid relid) {
    return pg_guard([&] { return get_rel_namespace(relid); });
}

Oid relation_type(Oid relid) {
    return pg_guard([&] { return get_rel_type_id(relid); });
}

bool owns_relation(Oid relid) {
    return pg_guard([&] { return pg_class_ownercheck(relid, GetUserId()); });
}

OidList all_inheritors(Oid relid, bool lock_exclusive) {
    return pg_guard(
        [&] { return oid_list(find_all_inheritors(relid, lock_exclusive ? AccessExclusiveLock : NoLock, nullptr)); });
}

OidList partition_ancestors(Oid relid) {
    return pg_guard([&] { return oid_list(get_rel_relispartition(relid) ? get_partition_ancestors(relid) : NIL); });
}

OidList plain_tables_of(Oid relid) {
    return pg_guard([&] {
        List *all = find_all_inheritors(relid, AccessShareLock, nullptr);
        List *leaves = NIL;
        ListCell *lc;
        foreach (lc, all)
            if (get_rel_relkind(lfirst_oid(lc)) == RELKIND_RELATION) leaves = lappend_oid(leaves, lfirst_oid(lc));
        return oid_list(leaves);
    });
}

bool has_table_privilege(Oid relid, AclMode mode) {
    return pg_guard([&] { return pg_class_aclcheck(relid, GetUserId(), mode) == ACLCHECK_OK; });
}

bool row_security_applies(Oid relid, Oid user) {
    return pg_guard([&] { return check_enable_rls(relid, user, true) == RLS_ENABLED; });
}

AttrNumber attribute_number(Oid relid, const char *name) {
    return pg_guard([&] { return get_attnum(relid, name); });
}

Oid column_type(Oid relid, const char *column) {
    return pg_guard([&] { return get_atttype(relid, get_attnum(relid, column)); });
}

const char *format_type(Oid type) {
    return pg_guard([&] { return format_type_be(type); });
}

Oid array_type(Oid type) {
    return pg_guard([&] { return get_array_type(type); });
}

Oid default_equality_operator(Oid type) {
    return pg_guard([&] { return lookup_type_cache(type, TYPECACHE_EQ_OPR)->eq_opr; });
}

const char *operator_sql(Oid opr) {
    return pg_guard([&] {
        HeapTuple tup = SearchSysCache1(OPEROID, ObjectIdGetDatum(opr));
        if (!HeapTupleIsValid(tup)) elog(ERROR, "cache lookup failed for operator %u", opr);
        auto *form = reinterpret_cast<Form_pg_operator>(GETSTRUCT(tup));
        const char *sql = psprintf("OPERATOR(%s.%s)", quote_identifier(get_namespace_name(form->oprnamespace)),
                                   NameStr(form->oprname));
        ReleaseSysCache(tup);
        return sql;
    });
}

Bytes varlena_bytes(Datum value) {
    return pg_guard([&] {
        varlena *b = PG_DETOAST_DATUM_PACKED(value);
        return Bytes{VARDATA_ANY(b), (int)VARSIZE_ANY_EXHDR(b)};
    });
}

const char *role_name(Oid role) {
    return pg_guard([&] { return GetUserNameFromId(role, false); });
}

const char *setting_value(const char *name) {
    return pg_guard([&] { return GetConfigOptionByName(name, nullptr, false); });
}

}  // namespace tg::pg
