// undelete and rewind never hold locks while waiting long for a writer's:
// the whole operation runs in a subtransaction with a short lock_timeout, and
// when a lock is not granted in time (or the operation is chosen as a
// deadlock victim) the subtransaction is rolled back — releasing every lock
// it took, so the writer it waited for goes on — and the operation starts
// again after a back-off. A writer waits for the operation at most until
// then, and cannot deadlock with it; the caller sees 55P03 only when the
// tenant's rows stay locked by others for the whole retry budget.
#pragma once
#include <exception>

#include "extension/pg.hpp"

namespace tg {

constexpr int lock_wait_ms = 20;            // longest wait for one lock while holding others
constexpr int retry_budget_ms = 30 * 1000;  // then give up with 55P03

// Pushes a GUC level with lock_timeout = lock_wait_ms (or the caller's, if
// shorter); returns the level for AtEOXact_GUC.
int pin_short_lock_timeout();

template <typename F>
auto without_lock_waits(const char *what, F &&work) -> decltype(work()) {
    MemoryContext caller_memory = CurrentMemoryContext;
    ResourceOwner caller_owner = CurrentResourceOwner;
    long waited_ms = 0;
    for (int backoff_ms = 10;; backoff_ms = backoff_ms < 1000 ? backoff_ms * 2 : 1000) {
        pg_guard([] { BeginInternalSubTransaction(nullptr); });
        MemoryContextSwitchTo(caller_memory);
        int level = pg_guard([] { return pin_short_lock_timeout(); });
        bool retry = false;
        ErrorData *error = nullptr;
        std::exception_ptr cpp_failed;
        decltype(work()) result{};
        try {
            result = work();
            pg_guard([&] {
                AtEOXact_GUC(true, level);
                ReleaseCurrentSubTransaction();
            });
            MemoryContextSwitchTo(caller_memory);
            CurrentResourceOwner = caller_owner;
            return result;
        } catch (const PgErrorPending &pending) {
            MemoryContextSwitchTo(caller_memory);
            error = pending.data ? pending.data : copy_pending_error();
            retry = (error->sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE ||
                     error->sqlerrcode == ERRCODE_T_R_DEADLOCK_DETECTED) &&
                    waited_ms < retry_budget_ms;
        } catch (...) {
            cpp_failed = std::current_exception();
        }
        pg_guard([] { RollbackAndReleaseCurrentSubTransaction(); });
        MemoryContextSwitchTo(caller_memory);
        CurrentResourceOwner = caller_owner;
        if (cpp_failed) std::rethrow_exception(cpp_failed);
        if (!retry) {
            if (error->sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE && waited_ms >= retry_budget_ms) {
                FreeErrorData(error);
                throw Error(ERRCODE_LOCK_NOT_AVAILABLE,
                            std::string(what) + ": the tenant's rows stayed locked by other transactions",
                            "It retried for " + std::to_string(retry_budget_ms / 1000) +
                                " s, never holding locks while it waited; nothing was changed.",
                            "Retry when the tenant's long-running transactions have ended.");
            }
            throw PgErrorPending{error};
        }
        FreeErrorData(error);
        pg_guard([&] {
            pg_usleep(backoff_ms * 1000L);
            CHECK_FOR_INTERRUPTS();
        });
        waited_ms += backoff_ms + lock_wait_ms;
    }
}

}  // namespace tg
