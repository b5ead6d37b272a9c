// One tenant's recovery operations (undelete, undelete_where, undelete_row,
// undelete_trash, rewind, purge) run one at a time: each takes a
// transaction-level lock on the tenant first. Two of them inserting and
// deleting the same keys in different orders would otherwise deadlock;
// writers of the tenant are not affected (row locks).
//
// The lock is an advisory lock tag that no SQL function can take: its class
// (field 4) is 0x7467 ("tg"), where pg_advisory_lock() and its kin only ever
// use 1 (one bigint key) and 2 (two int keys). With the two-int key space
// (29799, hashtext(tenant)) that earlier versions used, any role that may
// connect could hold a tenant's lock with pg_advisory_lock() for as long as
// it liked, and every undelete, rewind and purge of that tenant waited for
// it, then failed. pg_locks shows it as locktype advisory, classid 0, objid
// the tenant's hash, objsubid 29799.
#pragma once
#include <string>

#include "extension/boundary.hpp"
#include "extension/pg/transaction_calls.hpp"

namespace tg {

constexpr uint16 tenant_lock_class = 0x7467;

inline void lock_tenant(const std::string &tenant) {
    pg::lock_tenant_key(tenant.data(), (int)tenant.size(), tenant_lock_class);
}

// The tenant's lock if no other transaction holds it (prune()'s tombstone
// expiry, which must not run beside a recovery operation of the tenant).
inline bool try_lock_tenant(const std::string &tenant) {
    return pg::try_lock_tenant_key(tenant.data(), (int)tenant.size(), tenant_lock_class);
}

}  // namespace tg
