// Concurrent writers of the same tenant: undelete and rewind check which keys
// are free, then insert; a transaction that inserts one of those keys in
// between makes the insert fail with a unique violation. That is a race, not
// a conflict the caller can resolve: report it as a serialization failure
// (40001), which applications and poolers retry.
#pragma once
#include <algorithm>
#include <string>
#include <vector>

#include "extension/boundary.hpp"
#include "extension/pg/transaction_calls.hpp"

namespace tg {

// keys: the names of the unique constraints whose violation is such a race
// (the primary key's, of the table and its partitions; empty: any). Another
// unique constraint's violation is no race: a live row holds that value, and
// a retry would fail the same way; it stays the unique violation (23505)
// that names the constraint.
template <typename F>
auto unique_violation_is_retryable(const std::string &what, F &&work, const std::vector<std::string> &keys = {})
    -> decltype(work()) {
    try {
        return work();
    } catch (const PgErrorPending &pending) {
        ErrorData *error = pending.data;
        if (!error) {
            if (pg::pending_error_code() != ERRCODE_UNIQUE_VIOLATION) throw;
            error = pg::copy_pending_error();
        } else if (pg::error_code(error) != ERRCODE_UNIQUE_VIOLATION) {
            throw;
        }
        if (!keys.empty() && std::find(keys.begin(), keys.end(), pg::error_constraint(error)) == keys.end())
            throw PgErrorPending{error};
        std::string cause = pg::error_message(error);
        pg::free_error(error);
        throw Error(ERRCODE_T_R_SERIALIZATION_FAILURE, what, "A concurrent transaction inserted the same key: " + cause,
                    "Nothing was changed; retry.");
    }
}

}  // namespace tg
