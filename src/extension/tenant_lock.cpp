// tenant_guard._try_lock_tenant(tenant): the tenant's lock (tenant_lock.hpp)
// if no other transaction holds it, else false at once. For prune()'s
// tombstone expiry (70_retention.sql), which must not run beside an undelete,
// rewind or purge of a tenant whose tombstones it expires. EXECUTE is the
// extension owner's alone (90_privileges.sql), so it is no way for other
// roles to hold a tenant's lock.
#include "extension/boundary.hpp"
#include "extension/pg/function_args.hpp"
#include "extension/tenant_lock.hpp"

using namespace tg;

TG_FUNCTION(tg_try_lock_tenant) {
    if (pg::arg_is_null(fcinfo, 0)) throw Error(ERRCODE_NULL_VALUE_NOT_ALLOWED, "tenant must not be NULL");
    return datum::from_bool(try_lock_tenant(pg::arg_text(fcinfo, 0)));
}
