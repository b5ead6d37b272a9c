// tenant_guard.protect(rel, tenant_column, delete_mode, flag_column)
#include "extension/boundary.hpp"
#include "extension/citus.hpp"
#include "extension/columns.hpp"
#include "extension/pg/catalog_calls.hpp"
#include "extension/pg/function_args.hpp"
#include "extension/pg/message_calls.hpp"
#include "extension/protect_pg.hpp"
#include "extension/registry.hpp"
#include "extension/schema_constants.hpp"
#include "extension/spi.hpp"

namespace {

using namespace tg;

using pg::RelationFacts;
using pg::RelKind;

std::string rel_name(Oid relid) {
    const char *name = pg::relation_name(relid);
    return name ? name : "";
}

void check_facts(Oid relid, const RelationFacts &f, const std::string &tenant_column, const std::string &mode,
                 const std::string &flag_column) {
    std::string name = rel_name(relid);
    if (f.kind == RelKind::view || f.kind == RelKind::materialized_view)
        throw Error(ERRCODE_WRONG_OBJECT_TYPE,
                    "\"" + name + "\" is a " + (f.kind == RelKind::view ? "view" : "materialized view") +
                        "; only tables can be protected",
                    "", "Protect the tables it reads from.");
    if (f.kind == RelKind::foreign_table)
        throw Error(ERRCODE_WRONG_OBJECT_TYPE,
                    "\"" + name + "\" is a foreign table; only local tables can be protected", "",
                    "Protect the table on the server that stores it.");
    if (f.kind != RelKind::table && f.kind != RelKind::partitioned_table)
        throw Error(ERRCODE_WRONG_OBJECT_TYPE, "\"" + name + "\" is not a table");
    if (f.is_temporary)
        throw Error(ERRCODE_FEATURE_NOT_SUPPORTED, "\"" + name + "\" is a temporary table and cannot be protected", "",
                    "Temporary tables vanish with the session; protect a permanent table.");
    if (!f.is_owner)
        throw Error(ERRCODE_INSUFFICIENT_PRIVILEGE, "must be owner of table " + name, "",
                    "Only the owner of a table (or a superuser) can protect it.");
    if (f.in_inheritance)
        throw Error(ERRCODE_FEATURE_NOT_SUPPORTED,
                    "\"" + name + "\" takes part in table inheritance, which tenant_guard does not support", "",
                    "Use declarative partitioning and protect the partitioned table.");
    if (f.is_typed)
        throw Error(ERRCODE_FEATURE_NOT_SUPPORTED,
                    "\"" + name + "\" is a typed table, which tenant_guard does not support",
                    "ALTER TYPE ... DROP ATTRIBUTE ... CASCADE would drop its columns with no record.",
                    "ALTER TABLE " + name + " NOT OF, then protect it.");
    if (!f.has_primary_key)
        throw Error(ERRCODE_INVALID_TABLE_DEFINITION, "table \"" + name + "\" has no primary key",
                    "tenant_guard identifies deleted and changed rows by their primary key.",
                    "Add one with ALTER TABLE " + name + " ADD PRIMARY KEY (...).");
    if (!f.has_tenant_column)
        throw Error(ERRCODE_UNDEFINED_COLUMN,
                    "tenant column \"" + tenant_column + "\" does not exist in table \"" + name + "\"", "",
                    "Pass the column that tells tenants apart as tenant_column.");
    if (!f.tenant_not_null)
        throw Error(ERRCODE_INVALID_TABLE_DEFINITION,
                    "tenant column \"" + tenant_column + "\" of table \"" + name + "\" is nullable",
                    "Every protected row must belong to a tenant.",
                    "ALTER TABLE " + name + " ALTER COLUMN " + tenant_column + " SET NOT NULL");
    if (mode == "flag") {
        if (!f.has_flag_column)
            throw Error(ERRCODE_UNDEFINED_COLUMN,
                        "flag column \"" + flag_column + "\" does not exist in table \"" + name + "\"");
        if (f.flag_type != TIMESTAMPTZOID && f.flag_type != BOOLOID)
            throw Error(ERRCODE_DATATYPE_MISMATCH,
                        "flag column \"" + flag_column + "\" of table \"" + name + "\" must be timestamptz or boolean");
    }
}

// Refuses to protect a table that is covered already (as a partition of a
// protected table, or through a protected partition of its own).
// A column named as a json column's exact-text key would overwrite that
// text in row images (schema_constants.hpp): no column may end so.
void refuse_text_key_columns(Oid relid) {
    std::string condition = "a.attname::text LIKE " + spi::quote_literal(std::string("%") + schema::exact_text_suffix);
    auto clash = columns::names(relid, condition.c_str(), false);
    if (!clash.empty())
        throw Error(ERRCODE_INVALID_TABLE_DEFINITION,
                    "column \"" + clash[0] + "\" of table \"" + rel_name(relid) + "\" has a name row images reserve",
                    std::string("Row images keep a json or jsonb column's exact text under its name followed by \"") +
                        schema::exact_text_suffix + "\".",
                    "Rename the column, then protect the table.");
}

// A tenant or key whose text is not fixed by its value:
//  * a type whose text is an object's name (regclass, regnamespace ...;
//    aclitem, which names roles: the attacker's report of 0.13.0):
//    that text changes when the object is renamed, which no guard sees, so
//    the rows of one tenant would become another's, and a token or tombstone
//    for one key would reach another (the attacker's report of 0.12.0);
//  * a tenant of timestamptz or money: their text follows the writing
//    session's TimeZone or lc_monetary, which any role sets, so one tenant
//    would be kept under several texts, and a purge of it would leave its
//    rows' history behind (the attacker's report of 0.13.0).
// However deep the type holds them: domains, arrays, composites, ranges.
void refuse_keys_without_fixed_text(Oid relid, const std::string &tenant_column) {
    uint64 n = spi::exec(
        "WITH RECURSIVE inside(t, col) AS ("
        "    SELECT a.atttypid, a.attname::text FROM pg_catalog.pg_attribute a "
        "     WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND (a.attname = $2 "
        "        OR a.attnum = ANY ((SELECT i.indkey::int2[] FROM pg_catalog.pg_index i "
        "                             WHERE i.indrelid = $1 AND i.indisprimary)::int2[])) "
        "    UNION "
        "    SELECT x.t, inside.col FROM inside JOIN pg_catalog.pg_type ty ON ty.oid = inside.t, LATERAL ("
        "        SELECT ty.typbasetype WHERE ty.typbasetype <> 0 "
        "        UNION ALL SELECT ty.typelem WHERE ty.typsubscript = 'pg_catalog.array_subscript_handler'::regproc "
        "        UNION ALL SELECT a.atttypid FROM pg_catalog.pg_attribute a "
        "                   WHERE ty.typrelid <> 0 AND a.attrelid = ty.typrelid AND a.attnum > 0 AND NOT "
        "a.attisdropped "
        "        UNION ALL SELECT r.rngsubtype FROM pg_catalog.pg_range r WHERE r.rngtypid = ty.oid "
        "        UNION ALL SELECT r.rngtypid FROM pg_catalog.pg_range r WHERE r.rngmultitypid = ty.oid) x(t)) "
        "SELECT inside.col, pg_catalog.format_type(ty.oid, NULL), "
        "       ty.typname::text LIKE 'reg%' OR ty.oid = 'pg_catalog.aclitem'::regtype "
        "  FROM inside JOIN pg_catalog.pg_type ty ON ty.oid = inside.t "
        " WHERE ty.typnamespace = 'pg_catalog'::regnamespace "
        "   AND (ty.typname::text LIKE 'reg%' OR ty.oid = 'pg_catalog.aclitem'::regtype "
        "        OR (inside.col = $2 AND ty.oid IN ('pg_catalog.timestamptz'::regtype, 'pg_catalog.money'::regtype))) "
        " ORDER BY 3 DESC, 1 LIMIT 1",
        {{OIDOID, datum::from_oid(relid)}, spi::text_arg(tenant_column)});
    if (n == 0) return;
    const std::string what = "column \"" + spi::text(0, 1) + "\" of table \"" + rel_name(relid) + "\" holds " +
                             spi::text(0, 2) + " values, which cannot tell ";
    if (spi::text(0, 3) == "t")
        throw Error(ERRCODE_FEATURE_NOT_SUPPORTED, what + "tenants or rows apart",
                    "Their text is an object's name, which changes when the object is renamed: one tenant's rows, or "
                    "one row's tombstone, would become another's with no record.",
                    "Use a column of a plain type (an integer, uuid or text) as the tenant or in the primary key.");
    throw Error(ERRCODE_FEATURE_NOT_SUPPORTED, what + "tenants apart",
                "Their text follows the writing session's TimeZone or lc_monetary: one tenant would be kept under "
                "several texts, and a purge of it would leave history behind.",
                "Use a column of a plain type (an integer, uuid or text) as the tenant.");
}

void check_overlaps(Oid relid, const RelationFacts &facts) {
    auto active = registry::active_tables();
    pg::OidList ancestors = facts.is_partition ? pg::partition_ancestors(relid) : pg::OidList{nullptr, 0};
    for (Oid up : ancestors) {
        for (const auto &t : active)
            if (t.relid == up)
                throw Error(
                    ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                    "\"" + rel_name(relid) + "\" is already protected as a partition of \"" + rel_name(up) + "\"");
    }
    // A statement aimed at a partitioned table fires only its own statement
    // triggers: a partition protected under an unprotected parent would lose
    // rows to a DELETE (or a DDL) on the parent without a trace.
    if (ancestors.count > 0)
        throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                    "cannot protect \"" + rel_name(relid) + "\" on its own: it is a partition of \"" +
                        rel_name(ancestors.items[ancestors.count - 1]) + "\"",
                    "Statements on the partitioned table would change its rows without tenant_guard's triggers.",
                    "Protect the partitioned table \"" + rel_name(ancestors.items[ancestors.count - 1]) +
                        "\": its partitions are covered then.");
    if (facts.kind != RelKind::partitioned_table) return;
    for (Oid down : pg::all_inheritors(relid, false)) {
        for (const auto &t : active)
            if (down != relid && t.relid == down)
                throw Error(
                    ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                    "partition \"" + rel_name(down) + "\" of \"" + rel_name(relid) + "\" is protected on its own", "",
                    "Unprotect the partition first, then protect the partitioned table.");
    }
}

// Warns about ON DELETE CASCADE children that are not protected: the cascade
// would delete their rows for good. (Not in flag mode, where a DELETE is an
// update of the flag and no ON DELETE action fires: that is warned instead.)
void warn_unprotected_cascades(Oid relid) {
    uint64 n;
    {
        spi::AsExtensionOwner owner;
        n = spi::exec(
            "SELECT c.conrelid::regclass::text, c.conname::text FROM pg_catalog.pg_constraint c "
            " WHERE c.contype = 'f' AND c.confrelid = $1 AND c.confdeltype = 'c' AND c.conparentid = 0 "
            "   AND NOT EXISTS (SELECT 1 FROM tenant_guard.protected_table p "
            "                    WHERE p.rel = c.conrelid AND p.unprotected_at IS NULL) "
            " ORDER BY 1, 2",
            {{OIDOID, datum::from_oid(relid)}});
    }
    for (uint64 r = 0; r < n; r++) {
        std::string child = spi::text(r, 1), constraint = spi::text(r, 2), parent = rel_name(relid);
        pg::warning(("table " + child + " is not protected but its foreign key \"" + constraint +
                     "\" cascades deletes from protected table \"" + parent + "\"")
                        .c_str(),
                    ("Rows of " + child + " deleted by the cascade are deleted for good.").c_str(),
                    ("Protect " + child + " too.").c_str());
    }
}

// Flag mode keeps deleted rows in place, which foreign keys see:
//  * ON DELETE actions of tables referencing this one never fire;
//  * a parent of this table that is not in flag mode cannot lose a row that
//    flagged rows still reference (23503): an ORM that deletes children
//    before their parent (Django's collector, Rails' dependent: :destroy)
//    fails on the parent.
void warn_flag_mode_references(Oid relid) {
    uint64 n;
    {
        spi::AsExtensionOwner owner;
        n = spi::exec(
            "SELECT 'child', c.conrelid::regclass::text, c.conname::text FROM pg_catalog.pg_constraint c "
            " WHERE c.contype = 'f' AND c.confrelid = $1 AND c.confdeltype IN ('c', 'n', 'd') AND c.conparentid = 0 "
            "UNION ALL "
            "SELECT 'parent', c.confrelid::regclass::text, c.conname::text FROM pg_catalog.pg_constraint c "
            " WHERE c.contype = 'f' AND c.conrelid = $1 AND c.confrelid <> $1 AND c.conparentid = 0 "
            "   AND NOT EXISTS (SELECT 1 FROM tenant_guard.protected_table p WHERE p.rel = c.confrelid "
            "                      AND p.unprotected_at IS NULL AND p.delete_mode = 'flag') "
            " ORDER BY 1, 2, 3",
            {{OIDOID, datum::from_oid(relid)}});
    }
    std::string table = rel_name(relid);
    for (uint64 r = 0; r < n; r++) {
        std::string side = spi::text(r, 1), other = spi::text(r, 2), constraint = spi::text(r, 3);
        if (side == "child")
            pg::warning(("in flag mode, deleting a row of \"" + table +
                         "\" does not fire the ON DELETE action of "
                         "foreign key \"" +
                         constraint + "\" of " + other)
                            .c_str(),
                        "A flagged row stays in place, so rows referencing it are neither deleted nor changed.",
                        ("Put " + other +
                         " in flag mode too and delete its rows first, as ORMs do, or use tombstone "
                         "mode for \"" +
                         table + "\".")
                            .c_str());
        else
            pg::warning(
                ("rows of " + other + " referenced by flagged rows of \"" + table + "\" (foreign key \"" + constraint +
                 "\") cannot be deleted")
                    .c_str(),
                "A flagged row still references its parent: deleting the parent fails with 23503, as it does "
                "when an ORM deletes children before their parent.",
                ("Protect " + other + " in flag mode too, or use tombstone mode for \"" + table + "\".").c_str());
    }
}

std::string arg_text(FunctionCallInfo fcinfo, int i) {
    return pg::arg_is_null(fcinfo, i) ? std::string() : pg::arg_text(fcinfo, i);
}

std::string arg_name(FunctionCallInfo fcinfo, int i) {
    return pg::arg_is_null(fcinfo, i) ? std::string() : pg::arg_name(fcinfo, i);
}

}  // namespace

TG_FUNCTION(tg_protect) {
    if (pg::arg_is_null(fcinfo, 0)) throw Error(ERRCODE_NULL_VALUE_NOT_ALLOWED, "rel must not be NULL");
    if (pg::arg_is_null(fcinfo, 1)) throw Error(ERRCODE_NULL_VALUE_NOT_ALLOWED, "tenant_column must not be NULL");
    Oid relid = pg::arg_oid(fcinfo, 0);
    std::string tenant_column = arg_name(fcinfo, 1);
    std::string mode = pg::arg_is_null(fcinfo, 2) ? std::string("tombstone") : arg_text(fcinfo, 2);
    std::string flag_column = arg_name(fcinfo, 3);

    if (mode != "tombstone" && mode != "flag")
        throw Error(ERRCODE_INVALID_PARAMETER_VALUE, "unknown delete_mode \"" + mode + "\"", "",
                    "Use 'tombstone' (rows are removed and kept as tombstones) or 'flag' (rows stay, a flag column "
                    "marks them deleted).");
    if (mode == "flag" && flag_column.empty())
        throw Error(ERRCODE_INVALID_PARAMETER_VALUE, "delete_mode 'flag' needs a flag_column", "",
                    "Pass flag_column => a timestamptz or boolean column that marks deleted rows.");
    if (mode == "tombstone" && !flag_column.empty())
        throw Error(ERRCODE_INVALID_PARAMETER_VALUE, "flag_column applies only to delete_mode 'flag'");

    RelationFacts facts =
        pg::read_facts(relid, tenant_column.c_str(), flag_column.empty() ? nullptr : flag_column.c_str());
    check_facts(relid, facts, tenant_column, mode, flag_column);

    spi::Session spi;
    citus::refuse_citus_table(relid, "protect");
    auto existing = registry::find(relid);
    if (existing && existing->active) {
        if (existing->tenant_column == tenant_column && existing->delete_mode == mode &&
            existing->flag_column == flag_column)
            return (Datum)0;  // the same settings again: nothing to do
        throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                    "table \"" + rel_name(relid) + "\" is already protected with different settings",
                    "Protected with tenant_column \"" + existing->tenant_column + "\", delete_mode '" +
                        existing->delete_mode + "'.",
                    "Unprotect it first (tenant_guard.unprotect needs a signed token), then protect it again.");
    }
    check_overlaps(relid, facts);
    refuse_text_key_columns(relid);
    refuse_keys_without_fixed_text(relid, tenant_column);

    {
        registry::OwnDdlScope own_write;  // the registry's history-merge guard lets the extension's own rows in
        spi::AsExtensionOwner owner;
        spi::Arg flag = flag_column.empty() ? spi::null_arg(TEXTOID) : spi::text_arg(flag_column);
        std::vector<spi::Arg> args = {
            {OIDOID, datum::from_oid(relid)}, spi::text_arg(tenant_column), spi::text_arg(mode), flag};
        if (existing)  // protected before and unprotected since: same table_id, so history stays joined
            spi::exec(
                "UPDATE tenant_guard.protected_table SET tenant_column = $2, delete_mode = $3, "
                "flag_column = $4, protected_at = now(), protected_by = session_user, unprotected_at = NULL "
                "WHERE rel = $1",
                args);
        else
            spi::exec(
                "INSERT INTO tenant_guard.protected_table (rel, tenant_column, delete_mode, flag_column) "
                "VALUES ($1, $2, $3, $4)",
                args);
    }
    auto table = registry::find(relid);
    if (!table)
        throw Error(ERRCODE_INTERNAL_ERROR, "tenant_guard: registry row of \"" + rel_name(relid) + "\" vanished");
    for (Oid member : pg::all_inheritors(relid, false)) registry::install_triggers(*table, member);
    if (mode == "flag")
        warn_flag_mode_references(relid);
    else
        warn_unprotected_cascades(relid);
    return (Datum)0;
}

// tenant_guard._reinstall_triggers(): gives every protected table (and each
// of its partitions) the triggers this version's protect() installs, keeping
// those it has. Run by the update scripts when a version adds a trigger.
TG_FUNCTION(tg_reinstall_triggers) {
    spi::Session spi;
    for (const auto &table : registry::active_tables()) {
        for (Oid member : pg::all_inheritors(table.relid, false)) registry::install_triggers(table, member);
    }
    return (Datum)0;
}
