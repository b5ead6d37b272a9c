// What protect() (protect.cpp) reads of the relation it protects.
#pragma once
#include "extension/pg/guarded.hpp"

namespace tg::pg {

enum class RelKind { table, partitioned_table, view, materialized_view, foreign_table, other };

// What protect() needs to know about the relation, read under its lock.
struct RelationFacts {
    RelKind kind;
    bool is_temporary;
    bool is_partition;
    bool in_inheritance;  // plain (non-partition) inheritance, either side
    bool is_typed;        // CREATE TABLE ... OF type
    bool is_owner;
    bool has_primary_key;
    bool has_tenant_column;
    bool tenant_not_null;
    bool has_flag_column;
    Oid flag_type;
};

// Locks relid SHARE ROW EXCLUSIVE (kept until the transaction ends) and
// reads its facts; flag_column may be nullptr.
RelationFacts read_facts(Oid relid, const char *tenant_column, const char *flag_column);

}  // namespace tg::pg
