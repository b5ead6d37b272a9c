// Runs C++ work inside an internal subtransaction: run_and_roll_back always
// rolls it back (the dry runs of undelete, rewind and purge do exactly what
// the real operation does, report the counts, and leave nothing behind);
// succeeds_unless keeps it unless it failed in one expected way.
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

// true when work succeeded (kept); false when it failed with sqlstate, and
// then nothing of it stays. Any other error travels on, after the rollback.
template <typename F>
bool succeeds_unless(int sqlstate, F &&work) {
    const pg::CallerState caller = pg::caller_state();
    pg::begin_subtransaction();
    pg::restore_caller_memory(caller);
    ErrorData *error = nullptr;
    std::exception_ptr cpp_failed;
    try {
        work();
        pg::release_subtransaction();
        pg::restore_caller_state(caller);
        return true;
    } catch (const PgErrorPending &pending) {
        pg::restore_caller_memory(caller);
        error = pending.data ? pending.data : pg::copy_pending_error();
    } catch (...) {
        cpp_failed = std::current_exception();
    }
    pg::roll_back_subtransaction();
    pg::restore_caller_state(caller);
    if (cpp_failed) std::rethrow_exception(cpp_failed);
    if (pg::error_code(error) != sqlstate) throw PgErrorPending{error};
    pg::free_error(error);
    return false;
}

}  // namespace tg
