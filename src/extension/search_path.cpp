#include "extension/search_path.hpp"

namespace tg {

int pin_search_path() {
    int level = NewGUCNestLevel();
    (void)set_config_option("search_path", pinned_search_path, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
                            false);
    return level;
}

// As REFRESH MATERIALIZED VIEW does after running an owner's code: "commit"
// would keep a plain SET made at this level, and hand it to the caller.
void unpin_search_path(int level) { AtEOXact_GUC(false, level); }

}  // namespace tg
