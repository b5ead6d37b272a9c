#define TG_IMPLEMENTS_GUARDED_CALLS
#include "extension/pg.hpp"
#include "extension/pg/catalog_calls_a.hpp"

#include "extension/catalog.hpp"

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

Oid catalog_relation(const char *name) {
    return pg_guard([&] { return get_relname_relid(name, PG_CATALOG_NAMESPACE); });
}

Oid extension_schema() {
    return pg_guard([] { return catalog::schema_oid(); });
}

Oid extension_relation(const char *name) {
    return pg_guard([&] { return get_relname_relid(name, catalog::schema_oid()); });
}

bool relation_exists(Oid relid) {
    return pg_guard([&] { return SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)); });
}

const char *relation_name(Oid relid) {
    return pg_guard([&] { return get_rel_name(relid); });
}

OidList all_inheritors(Oid relid, bool lock_exclusive) {
    return pg_guard(
        [&] { return oid_list(find_all_inheritors(relid, lock_exclusive ? AccessExclusiveLock : NoLock, nullptr)); });
}

OidList partition_ancestors(Oid relid) {
    return pg_guard([&] { return oid_list(get_partition_ancestors(relid)); });
}

const char *role_name(Oid role) {
    return pg_guard([&] { return GetUserNameFromId(role, false); });
}

const char *setting_value(const char *name) {
    return pg_guard([&] { return GetConfigOptionByName(name, nullptr, false); });
}

}  // namespace tg::pg
