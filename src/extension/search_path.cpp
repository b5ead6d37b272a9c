#include "extension/search_path.hpp"

namespace tg {

int pin_search_path() {
    int level = NewGUCNestLevel();
    (void)set_config_option("search_path", pinned_search_path, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
                            false);
    return level;
}

void unpin_search_path(int level, bool ok) { AtEOXact_GUC(ok, level); }

}  // namespace tg
