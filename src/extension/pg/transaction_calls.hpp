// Subtransactions, locks and errors for the C++ side (subtransaction.hpp,
// lock_retry.hpp, retryable.hpp and tenant_lock.hpp build on these).
#pragma once
#include "extension/pg/guarded.hpp"

namespace tg::pg {

// The caller's memory context and resource owner, which a subtransaction
// changes and its end must give back.
struct CallerState {
    void *memory;
    void *owner;
};
CallerState caller_state() noexcept;
void restore_caller_state(CallerState s) noexcept;
void restore_caller_memory(CallerState s) noexcept;  // the memory context only

void begin_subtransaction();
void release_subtransaction();
void roll_back_subtransaction();

// Settings: lock_timeout pinned short at a new level (lock_retry.hpp), and
// keeping what was set at a level when it ends well.
int pin_short_lock_timeout(int longest_wait_ms);
void keep_settings(int level);

void sleep_ms(int ms);  // and a check for interrupts (cancel, terminate)

// tenant_lock.hpp: the transaction-level advisory lock of a tenant.
void lock_tenant_key(const char *data, int len, uint16 lock_class);
// The same lock without waiting: false when another transaction holds it.
bool try_lock_tenant_key(const char *data, int len, uint16 lock_class);

// A relation locked ROW EXCLUSIVE (what its writers take) to the end of the
// transaction: DDL on it waits for the transaction, or it for the DDL.
void lock_for_writing(Oid relid);

// The error copied out of PostgreSQL (copy_pending_error) or still pending.
ErrorData *copy_pending_error();
int error_code(const ErrorData *error) noexcept;
const char *error_message(const ErrorData *error) noexcept;     // never nullptr
const char *error_constraint(const ErrorData *error) noexcept;  // the constraint it names, or ""
int pending_error_code() noexcept;
void free_error(ErrorData *error) noexcept;

}  // namespace tg::pg
