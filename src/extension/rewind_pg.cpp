#define TG_IMPLEMENTS_GUARDED_CALLS
#include "extension/pg.hpp"
#include "extension/rewind_pg.hpp"

namespace tg::rewind_pg {

bool commit_times_exact() {
    return pg_guard([] {
        bool exact = strcmp(GetConfigOption("track_commit_timestamp", false, false), "on") == 0;
        if (!exact)
            ereport(NOTICE, (errmsg("track_commit_timestamp is off: commit times are approximated by the time "
                                    "of each transaction's last change"),
                             errhint("Set track_commit_timestamp = on for exact rewinds to a time, or use marks.")));
        return exact;
    });
}

}  // namespace tg::rewind_pg
