#define TG_IMPLEMENTS_GUARDED_CALLS
#include "extension/pg.hpp"
#include "extension/pg/catalog_calls_b.hpp"

#include "extension/catalog.hpp"

extern "C" {
#include "utils/rls.h"
}

namespace tg::pg {

namespace {

Oids oids_of(List *list) {
    Oids out{nullptr, list_length(list)};
    Oid *items = static_cast<Oid *>(palloc(sizeof(Oid) * (out.count + 1)));
    int i = 0;
    ListCell *lc;
    foreach (lc, list) items[i++] = lfirst_oid(lc);
    out.items = items;
    return out;
}

}  // namespace

Oid extension_schema_oid() {
    return pg_guard([] { return catalog::schema_oid(); });
}

Oid extension_relation_or_invalid(const char *name) {
    return pg_guard([&] { return get_relname_relid(name, catalog::schema_oid()); });
}

Oid extension_relation_oid(const char *name) {
    return pg_guard([&] { return catalog::relation_oid(name); });
}

Oids partition_ancestors(Oid relid) {
    return pg_guard([&] { return oids_of(get_rel_relispartition(relid) ? get_partition_ancestors(relid) : NIL); });
}

Oids plain_tables_of(Oid relid) {
    return pg_guard([&] {
        List *all = find_all_inheritors(relid, AccessShareLock, nullptr);
        List *leaves = NIL;
        ListCell *lc;
        foreach (lc, all)
            if (get_rel_relkind(lfirst_oid(lc)) == RELKIND_RELATION) leaves = lappend_oid(leaves, lfirst_oid(lc));
        return oids_of(leaves);
    });
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

bool has_table_privilege(Oid relid, AclMode mode) {
    return pg_guard([&] { return pg_class_aclcheck(relid, GetUserId(), mode) == ACLCHECK_OK; });
}

bool row_security_applies(Oid relid, Oid user) {
    return pg_guard([&] { return check_enable_rls(relid, user, true) == RLS_ENABLED; });
}

AttrNumber attribute_number(Oid relid, const char *name) {
    return pg_guard([&] { return get_attnum(relid, name); });
}

const char *format_type(Oid type) {
    return pg_guard([&] { return format_type_be(type); });
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

Bytes bytea_bytes(Datum value) {
    return pg_guard([&] {
        bytea *b = DatumGetByteaPP(value);
        return Bytes{VARDATA_ANY(b), (int)VARSIZE_ANY_EXHDR(b)};
    });
}

}  // namespace tg::pg
