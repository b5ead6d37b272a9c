// Runs C++ work inside an internal subtransaction that is always rolled back:
// the dry runs of undelete (and later rewind and purge) do exactly what the
// real operation does, report the counts, and leave nothing behind.
#pragma once
#include <exception>

#include "extension/boundary.hpp"
#include "extension/pg/transaction_calls.hpp"

namespace tg {

template <typename F>
auto run_and_roll_back(F &&work) -> decltype(work()) {
    const pg::CallerState caller = pg::caller_state();
    pg::begin_subtransaction();
    pg::restore_caller_memory(caller);

    decltype(work()) result{};
    ErrorData *error = nullptr;
    std::exception_ptr cpp_failed;
    try {
        result = work();
    } catch (const PgErrorPending &pending) {
        // Still in PostgreSQL's error state, or copied out already (by a
        // retry or a conflict check on the way): taken out once.
        pg::restore_caller_memory(caller);
        error = pending.data ? pending.data : pg::copy_pending_error();
    } catch (...) {
        cpp_failed = std::current_exception();
    }
    // The subtransaction must go before the error travels on: an error that
    // leaves an internal subtransaction open breaks the session.
    pg::roll_back_subtransaction();
    pg::restore_caller_state(caller);
    if (error) throw PgErrorPending{error};
    if (cpp_failed) std::rethrow_exception(cpp_failed);
    return result;
}

}  // namespace tg
