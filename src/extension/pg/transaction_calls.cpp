#define TG_IMPLEMENTS_GUARDED_CALLS
#include "extension/pg.hpp"
#include "extension/pg/transaction_calls.hpp"

extern "C" {
#include "common/hashfn.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "storage/proc.h"
}

namespace tg::pg {

CallerState caller_state() noexcept { return {CurrentMemoryContext, CurrentResourceOwner}; }

void restore_caller_state(CallerState s) noexcept {
    MemoryContextSwitchTo(static_cast<MemoryContext>(s.memory));
    CurrentResourceOwner = static_cast<ResourceOwner>(s.owner);
}

void restore_caller_memory(CallerState s) noexcept { MemoryContextSwitchTo(static_cast<MemoryContext>(s.memory)); }

void begin_subtransaction() {
    pg_guard([] { BeginInternalSubTransaction(nullptr); });
}

void release_subtransaction() {
    pg_guard([] { ReleaseCurrentSubTransaction(); });
}

void roll_back_subtransaction() {
    pg_guard([] { RollbackAndReleaseCurrentSubTransaction(); });
}

int pin_short_lock_timeout(int longest_wait_ms) {
    return pg_guard([&] {
        int level = NewGUCNestLevel();
        int ms = longest_wait_ms;
        if (LockTimeout > 0 && LockTimeout < ms) ms = LockTimeout;
        char value[32];
        snprintf(value, sizeof value, "%dms", ms);
        (void)set_config_option("lock_timeout", value, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
        return level;
    });
}

void keep_settings(int level) {
    pg_guard([&] { AtEOXact_GUC(true, level); });
}

void sleep_ms(int ms) {
    pg_guard([&] {
        pg_usleep(ms * 1000L);
        CHECK_FOR_INTERRUPTS();
    });
}

namespace {

LockAcquireResult acquire_tenant_key(const char *data, int len, uint16 lock_class, bool dont_wait) {
    uint32 hash = hash_bytes(reinterpret_cast<const unsigned char *>(data), len);
    LOCKTAG tag;
    SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, 0, hash, lock_class);
    return LockAcquire(&tag, ExclusiveLock, false, dont_wait);
}

}  // namespace

void lock_tenant_key(const char *data, int len, uint16 lock_class) {
    pg_guard([&] { (void)acquire_tenant_key(data, len, lock_class, false); });
}

bool try_lock_tenant_key(const char *data, int len, uint16 lock_class) {
    bool got = false;
    pg_guard([&] { got = acquire_tenant_key(data, len, lock_class, true) != LOCKACQUIRE_NOT_AVAIL; });
    return got;
}

void lock_for_writing(Oid relid) {
    pg_guard([&] { LockRelationOid(relid, RowExclusiveLock); });
}

ErrorData *copy_pending_error() { return tg::copy_pending_error(); }

int error_code(const ErrorData *error) noexcept { return error->sqlerrcode; }

const char *error_message(const ErrorData *error) noexcept { return error->message ? error->message : ""; }

const char *error_constraint(const ErrorData *error) noexcept {
    return error->constraint_name ? error->constraint_name : "";
}

int pending_error_code() noexcept { return geterrcode(); }

void free_error(ErrorData *error) noexcept { FreeErrorData(error); }

}  // namespace tg::pg
