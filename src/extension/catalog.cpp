#include "extension/pg.hpp"
#include "extension/catalog.hpp"

namespace tg::catalog {

namespace {

// What capture looks up for every statement: kept between statements (and
// transactions) instead of several syscache lookups each time. Every field
// is valid only while valid is true; a relation not yet looked up is
// InvalidOid.
struct Kept {
    bool valid;
    Oid schema;
    Oid change_log, tombstones, change_seq, registry;
    bool partitioned_known, partitioned;
    int64 segment;  // the segment whose OID is segment_oid
    Oid segment_oid;
};
Kept kept;

void forget() { memset(&kept, 0, sizeof kept); }

bool is_kept(Oid relid) {
    return relid == kept.change_log || relid == kept.tombstones || relid == kept.change_seq || relid == kept.registry ||
           relid == kept.segment_oid;
}

// Relcache invalidation: InvalidOid for all relations. (Called between
// statements or when a lock is taken, never in the middle of a lookup here.)
void relation_changed(Datum, Oid relid) noexcept {
    if (kept.valid && (!OidIsValid(relid) || is_kept(relid))) forget();
}

// A schema created, renamed or dropped (pg_namespace changed).
void schema_changed(Datum, int, uint32) noexcept { forget(); }

Kept *current() {
    if (!kept.valid) {
        Oid nsp = get_namespace_oid(schema_name, true);
        if (!OidIsValid(nsp))
            ereport(ERROR, (errcode(ERRCODE_UNDEFINED_SCHEMA), errmsg("schema \"tenant_guard\" does not exist"),
                            errhint("Run CREATE EXTENSION tenant_guard.")));
        forget();
        kept.schema = nsp;
        kept.valid = true;
    }
    return &kept;
}

// The relation's OID, kept in *slot once found. The lookup may process
// invalidations (and so clear every slot): the value is stored only while
// the cache it was found through is still valid.
Oid kept_relation(Oid Kept::*slot, const char *name) {
    Kept *k = current();
    if (OidIsValid(k->*slot)) return k->*slot;
    Oid relid = relation_oid(name);
    if (kept.valid) kept.*slot = relid;
    return relid;
}

}  // namespace

Oid schema_oid() { return current()->schema; }

Oid relation_oid(const char *name) {
    Oid relid = get_relname_relid(name, schema_oid());
    if (!OidIsValid(relid))
        ereport(ERROR,
                (errcode(ERRCODE_UNDEFINED_TABLE), errmsg("tenant_guard.%s is missing; the extension is damaged", name),
                 errhint("Reinstall the extension with ALTER EXTENSION tenant_guard UPDATE.")));
    return relid;
}

Oid change_log_oid() { return kept_relation(&Kept::change_log, "change_log_data"); }
Oid tombstone_oid() { return kept_relation(&Kept::tombstones, "tombstone_data"); }
Oid change_seq_oid() { return kept_relation(&Kept::change_seq, "change_seq"); }
Oid registry_oid() { return kept_relation(&Kept::registry, "protected_table"); }

bool change_log_is_partitioned() {
    if (kept.valid && kept.partitioned_known) return kept.partitioned;
    bool partitioned = get_rel_relkind(change_log_oid()) == RELKIND_PARTITIONED_TABLE;
    if (kept.valid) {
        kept.partitioned = partitioned;
        kept.partitioned_known = true;
    }
    return partitioned;
}

bool change_log_has_entries() { return get_attnum(change_log_oid(), "entry_seqs") != InvalidAttrNumber; }

Oid change_log_segment_oid(int64 segment) {
    if (kept.valid && OidIsValid(kept.segment_oid) && kept.segment == segment) return kept.segment_oid;
    char name[NAMEDATALEN];
    snprintf(name, sizeof name, "change_log_%0*lld", schema::segment_digits, (long long)segment);
    Oid relid = relation_oid(name);
    if (kept.valid) {
        kept.segment = segment;
        kept.segment_oid = relid;
    }
    return relid;
}

void register_cache_callbacks() {
    CacheRegisterRelcacheCallback(relation_changed, (Datum)0);
    CacheRegisterSyscacheCallback(NAMESPACEOID, schema_changed, (Datum)0);
}

const char *qualified_rel_name(Oid relid) {
    char *nsp = get_namespace_name(get_rel_namespace(relid));
    char *rel = get_rel_name(relid);
    if (!nsp || !rel) return psprintf("relation %u", relid);
    return quote_qualified_identifier(nsp, rel);
}

Oid extension_owner() {
    HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(registry_oid()));
    if (!HeapTupleIsValid(tup)) elog(ERROR, "cache lookup failed for tenant_guard.protected_table");
    Oid owner = ((Form_pg_class)GETSTRUCT(tup))->relowner;
    ReleaseSysCache(tup);
    return owner;
}

}  // namespace tg::catalog
