#include "extension/lock_retry.hpp"

extern "C" {
#include "storage/proc.h"
}

namespace tg {

int pin_short_lock_timeout() {
    int level = NewGUCNestLevel();
    int ms = lock_wait_ms;
    if (LockTimeout > 0 && LockTimeout < ms) ms = LockTimeout;
    char value[32];
    snprintf(value, sizeof value, "%dms", ms);
    (void)set_config_option("lock_timeout", value, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
    return level;
}

}  // namespace tg
