#include "extension/pg.hpp"
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

int pin_output_settings() {
    static const char *const settings[][2] = {
        {"extra_float_digits", "1"}, {"DateStyle", "ISO, MDY"}, {"IntervalStyle", "postgres"},
        {"bytea_output", "hex"},     {"xmloption", "content"},  {"array_nulls", "on"},
    };
    int level = NewGUCNestLevel();
    for (const auto &s : settings)
        (void)set_config_option(s[0], s[1], PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
    return level;
}

int pin_planner_setting(const char *name, const char *value) {
    int level = NewGUCNestLevel();
    (void)set_config_option(name, value, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
    return level;
}

}  // namespace tg
