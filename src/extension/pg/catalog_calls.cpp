#define TG_IMPLEMENTS_GUARDED_CALLS
#include "extension/pg.hpp"
#include "extension/pg/catalog_calls.hpp"

#include "extension/catalog.hpp"

extern "C" {
#include "utils/rls.h"
}

namespace tg::pg {

Oid extension_relation(const char *name) {
    return pg_guard([&] { return get_relname_relid(name, catalog::schema_oid()); });
}

Oid column_type(Oid relid, const char *column) {
    return pg_guard([&] { return get_atttype(relid, get_attnum(relid, column)); });
}

bool readable_without_rls(Oid relid) {
    return pg_guard([&] {
        return pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) == ACLCHECK_OK &&
               check_enable_rls(relid, InvalidOid, true) != RLS_ENABLED;
    });
}

}  // namespace tg::pg
