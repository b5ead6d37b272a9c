// undelete and rewind never hold locks while waiting long for a writer's:
// the whole operation runs in a subtransaction with a short lock_timeout, and
// when a lock is not granted in time (or the operation is chosen as a
// deadlock victim) the subtransaction is rolled back — releasing every lock
// it took, so the writer it waited for goes on — and the operation starts
// again after a back-off. A writer waits for the operation at most until
// then, and cannot deadlock with it; the caller sees 55P03 only when the
// tenant's rows stay locked by others for the whole retry budget.
//
// The work can also ask to start again (ConcurrentCommit): when it finds that
// a transaction of the tenant committed while it ran, whose changes it may
// have half seen. That is retried a few times, then reported as 40001.
#pragma once
#include <exception>
#include <string>

#include "extension/boundary.hpp"
#include "extension/pg/transaction_calls.hpp"

namespace tg {

constexpr int lock_wait_ms = 20;              // longest wait for one lock while holding others
constexpr int retry_budget_ms = 30 * 1000;    // then give up with 55P03
constexpr int concurrent_commit_retries = 8;  // then give up with 40001 (backing off 2.5 s in all)

// Thrown by the work of without_lock_waits: a transaction of the tenant
// committed while it ran. Outside that loop (a dry run), reported as 40001.
struct ConcurrentCommit : Error {
    explicit ConcurrentCommit(const std::string &what)
        : Error(ERRCODE_T_R_SERIALIZATION_FAILURE, what + ": the tenant's rows changed while it ran",
                "A transaction of the tenant committed meanwhile; nothing was changed.",
                "Retry, best while the tenant's writers are paused.") {}
};

template <typename F>
auto without_lock_waits(const char *what, F &&work) -> decltype(work()) {
    const pg::CallerState caller = pg::caller_state();
    long waited_ms = 0;
    int commits_met = 0;
    for (int backoff_ms = 10;; backoff_ms = backoff_ms < 1000 ? backoff_ms * 2 : 1000) {
        pg::begin_subtransaction();
        pg::restore_caller_memory(caller);
        int level = pg::pin_short_lock_timeout(lock_wait_ms);
        bool retry = false;
        ErrorData *error = nullptr;
        std::exception_ptr cpp_failed;
        decltype(work()) result{};
        try {
            result = work();
            pg::keep_settings(level);
            pg::release_subtransaction();
            pg::restore_caller_state(caller);
            return result;
        } catch (const PgErrorPending &pending) {
            pg::restore_caller_memory(caller);
            error = pending.data ? pending.data : pg::copy_pending_error();
            retry = (pg::error_code(error) == ERRCODE_LOCK_NOT_AVAILABLE ||
                     pg::error_code(error) == ERRCODE_T_R_DEADLOCK_DETECTED) &&
                    waited_ms < retry_budget_ms;
        } catch (const ConcurrentCommit &) {
            retry = ++commits_met <= concurrent_commit_retries;
            if (!retry) cpp_failed = std::current_exception();
        } catch (...) {
            cpp_failed = std::current_exception();
        }
        pg::roll_back_subtransaction();
        pg::restore_caller_state(caller);
        if (cpp_failed) {
            if (commits_met > concurrent_commit_retries)
                throw Error(ERRCODE_T_R_SERIALIZATION_FAILURE,
                            std::string(what) + ": the tenant's rows kept changing while it ran",
                            "Transactions of the tenant committed during each of its " + std::to_string(commits_met) +
                                " attempts; nothing was changed.",
                            "Retry while the tenant's writers are paused.");
            std::rethrow_exception(cpp_failed);
        }
        if (!retry) {
            if (pg::error_code(error) == ERRCODE_LOCK_NOT_AVAILABLE && waited_ms >= retry_budget_ms) {
                pg::free_error(error);
                throw Error(ERRCODE_LOCK_NOT_AVAILABLE,
                            std::string(what) + ": the tenant's rows stayed locked by other transactions",
                            "It retried for " + std::to_string(retry_budget_ms / 1000) +
                                " s, never holding locks while it waited; nothing was changed.",
                            "Retry when the tenant's long-running transactions have ended.");
            }
            throw PgErrorPending{error};
        }
        if (error) pg::free_error(error);  // none when the work asked to start again
        pg::sleep_ms(backoff_ms);
        waited_ms += backoff_ms + lock_wait_ms;
    }
}

}  // namespace tg
