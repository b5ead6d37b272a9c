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

// Whether catalog (pg_class, pg_type) has a row whose namespace column is ns.
static bool namespace_holds(Oid catalog, AttrNumber namespace_column, Oid ns) {
    Relation rel = table_open(catalog, AccessShareLock);
    ScanKeyData key;
    ScanKeyInit(&key, namespace_column, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(ns));
    SysScanDesc scan = systable_beginscan(rel, InvalidOid, false, nullptr, 1, &key);
    bool found = HeapTupleIsValid(systable_getnext(scan));
    systable_endscan(scan);
    table_close(rel, AccessShareLock);
    return found;
}

void refuse_temp_objects(const char *operation, Oid caller, Oid owner) {
    if (has_privs_of_role(caller, owner)) return;  // superusers too
    Oid temp, temp_toast;
    GetTempNamespaceState(&temp, &temp_toast);
    if (!OidIsValid(temp)) return;  // the session never made a temporary object
    if (!namespace_holds(RelationRelationId, Anum_pg_class_relnamespace, temp) &&
        !namespace_holds(TypeRelationId, Anum_pg_type_typnamespace, temp))
        return;
    ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                    errmsg("cannot %s in a session that has temporary tables or types", operation),
                    errdetail("It runs the table owner's code as the owner, and a name that code uses without a "
                              "schema would find this session's temporary objects first."),
                    errhint("Run DISCARD TEMP first, or use a session without temporary objects.")));
}

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
