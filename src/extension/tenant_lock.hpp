// One tenant's recovery operations (undelete, rewind, purge) run one at a
// time: each takes a transaction-level advisory lock on the tenant first.
// Two of them inserting and deleting the same keys in different orders would
// otherwise deadlock; writers of the tenant are not affected (row locks).
// Key: (0x7467 "tg", hashtext(tenant)), the two-integer advisory lock space.
#pragma once
#include <string>

#include "extension/spi.hpp"

namespace tg {

inline void lock_tenant(const std::string &tenant) {
    spi::exec("SELECT pg_advisory_xact_lock(29799, hashtext($1))", {spi::text_arg(tenant)});
}

}  // namespace tg
