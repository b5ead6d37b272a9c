#define TG_IMPLEMENTS_GUARDED_CALLS
#include "extension/pg.hpp"
#include "extension/protect_pg.hpp"

namespace tg::pg {

namespace {

RelKind kind_of(char relkind) {
    switch (relkind) {
        case RELKIND_RELATION:
            return RelKind::table;
        case RELKIND_PARTITIONED_TABLE:
            return RelKind::partitioned_table;
        case RELKIND_VIEW:
            return RelKind::view;
        case RELKIND_MATVIEW:
            return RelKind::materialized_view;
        case RELKIND_FOREIGN_TABLE:
            return RelKind::foreign_table;
        default:
            return RelKind::other;
    }
}

RelationFacts facts_of(Oid relid, const char *tenant_column, const char *flag_column) {
    RelationFacts f{};
    LockRelationOid(relid, ShareRowExclusiveLock);
    Relation rel = relation_open(relid, NoLock);
    char relkind = rel->rd_rel->relkind;
    f.kind = kind_of(relkind);
    f.is_temporary = rel->rd_rel->relpersistence == RELPERSISTENCE_TEMP;
    f.is_partition = rel->rd_rel->relispartition;
    f.in_inheritance = !f.is_partition && relkind == RELKIND_RELATION && (has_superclass(relid) || has_subclass(relid));
    f.is_owner = pg_class_ownercheck(relid, GetUserId());
    f.is_typed = OidIsValid(rel->rd_rel->reloftype);
    f.has_primary_key = (relkind == RELKIND_RELATION || relkind == RELKIND_PARTITIONED_TABLE) &&
                        OidIsValid(RelationGetPrimaryKeyIndex(rel));
    auto find = [&](const char *name) -> Form_pg_attribute {
        if (!name) return nullptr;
        TupleDesc desc = RelationGetDescr(rel);
        for (int i = 0; i < desc->natts; i++) {
            Form_pg_attribute att = TupleDescAttr(desc, i);
            if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0) return att;
        }
        return nullptr;
    };
    if (Form_pg_attribute att = find(tenant_column)) {
        f.has_tenant_column = true;
        f.tenant_not_null = att->attnotnull;
    }
    if (Form_pg_attribute att = find(flag_column)) {
        f.has_flag_column = true;
        f.flag_type = att->atttypid;
    }
    relation_close(rel, NoLock);
    return f;
}

}  // namespace

RelationFacts read_facts(Oid relid, const char *tenant_column, const char *flag_column) {
    return pg_guard([&] { return facts_of(relid, tenant_column, flag_column); });
}

}  // namespace tg::pg
