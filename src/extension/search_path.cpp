#include "extension/pg.hpp"
#include "extension/search_path.hpp"

namespace tg {

namespace {

// name = value at the current GUC nesting level: popping the level restores it.
void set_at_level(const char *name, const char *value) {
    (void)set_config_option(name, value, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
}

}  // namespace

int pin_setting(const char *name, const char *value) {
    int level = NewGUCNestLevel();
    set_at_level(name, value);
    return level;
}

int pin_search_path() { return pin_setting("search_path", pinned_search_path); }

// As REFRESH MATERIALIZED VIEW does after running an owner's code: "commit"
// would keep a plain SET made at this level, and hand it to the caller.
void unpin_search_path(int level) { AtEOXact_GUC(false, level); }

int pin_output_settings() {
    static const char *const settings[][2] = {
        {"extra_float_digits", "1"}, {"DateStyle", "ISO, MDY"}, {"IntervalStyle", "postgres"},
        {"bytea_output", "hex"},     {"xmloption", "content"},  {"array_nulls", "on"},
    };
    int level = NewGUCNestLevel();
    for (const auto &s : settings) set_at_level(s[0], s[1]);
    return level;
}

}  // namespace tg
