#include "extension/citus.hpp"

#include "extension/pg/catalog_calls.hpp"
#include "extension/spi.hpp"

namespace tg::citus {

void refuse_citus_table(Oid relid, const char *operation) {
    bool has_citus = OidIsValid(pg::catalog_relation("pg_dist_partition"));
    if (!has_citus) return;
    uint64 n = spi::exec("SELECT partmethod::text FROM pg_catalog.pg_dist_partition WHERE logicalrelid::oid = $1",
                         {{OIDOID, datum::from_oid(relid)}});
    if (n == 0) return;
    std::string kind = spi::text(0, 1) == "n" ? "a Citus reference or local table" : "a Citus distributed table";
    throw Error(ERRCODE_FEATURE_NOT_SUPPORTED,
                "cannot " + std::string(operation) + " " + spi::qualified_name(relid) + ": it is " + kind,
                "Its rows live on the Citus workers, where tenant_guard installs no triggers: deletes there would "
                "leave no tombstones, and undelete, rewind and purge would not see them.",
                "Keep protected tables local to the coordinator until tenant_guard has a Citus mode.");
}

}  // namespace tg::citus
