#include "extension/restore_rights.hpp"

#include <algorithm>

#include "extension/errors.hpp"
#include "extension/pg/catalog_calls.hpp"

namespace tg {

Oid relation_owner(Oid relid) { return pg::relation_owner(relid); }

void refuse_forced_row_security(Oid relid, const char *operation) {
    Oid owner = relation_owner(relid);
    if (!pg::row_security_applies(relid, owner)) return;
    std::string rel = spi::qualified_name(relid);
    throw Error(sqlstate::hard_delete,
                "cannot " + std::string(operation) + " " + rel + ": row-level security applies to its owner",
                "The table has FORCE ROW LEVEL SECURITY: tenant_guard works as the table's owner and would see only "
                "the rows a policy lets through.",
                "Run ALTER TABLE " + rel + " NO FORCE ROW LEVEL SECURITY for the operation, then FORCE it again.");
}

void require_privileges(Oid relid, AclMode modes, const char *operation) {
    refuse_forced_row_security(relid, (std::string(operation) + " rows of").c_str());
    static const struct {
        AclMode mode;
        const char *name;
    } all[] = {{ACL_SELECT, "SELECT"}, {ACL_INSERT, "INSERT"}, {ACL_UPDATE, "UPDATE"}, {ACL_DELETE, "DELETE"}};
    std::string needed, missing;
    for (const auto &p : all) {
        if (!(modes & p.mode)) continue;
        needed += (needed.empty() ? "" : ", ") + std::string(p.name);
        if (!pg::has_table_privilege(relid, p.mode)) missing += (missing.empty() ? "" : ", ") + std::string(p.name);
    }
    std::string rel = spi::qualified_name(relid);
    if (!missing.empty())
        throw Error(
            ERRCODE_INSUFFICIENT_PRIVILEGE, "permission denied to " + std::string(operation) + " rows of " + rel,
            std::string(operation) + " needs " + needed + " on the table; the calling role lacks " + missing + ".",
            "GRANT " + missing + " ON " + rel + " to the role that restores, or restore as the table's owner.");
    if (pg::row_security_applies(relid, InvalidOid))
        throw Error(ERRCODE_INSUFFICIENT_PRIVILEGE,
                    "permission denied to " + std::string(operation) + " rows of " + rel +
                        ": row-level security applies to the calling role",
                    "tenant_guard reads and writes the table as its owner and would not apply the calling role's "
                    "policies.",
                    "Run it as the table's owner or as a role with BYPASSRLS.");
}

namespace {

std::string constraint_list(const std::vector<std::string> &names) {
    std::string list;
    for (const auto &n : names) list += (list.empty() ? "" : ", ") + n;
    return list;
}

}  // namespace

DeferrableConstraints deferrable_constraints(Oid relid) {
    // Constraints on partitions that descend from these follow them (SET
    // CONSTRAINTS includes descendants). SET CONSTRAINTS names constraints
    // by schema and name, which several may share: IMMEDIATE passes over
    // those that are not deferrable, DEFERRED fails on them, so a name that
    // a non-deferrable constraint shares is not deferred again.
    uint64 n = spi::exec(
        "SELECT DISTINCT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.conname), "
        "       c.condeferred AND NOT EXISTS (SELECT FROM pg_catalog.pg_constraint o WHERE o.connamespace = "
        "           c.connamespace AND o.conname = c.conname AND NOT o.condeferrable) "
        "  FROM pg_catalog.pg_constraint c JOIN pg_catalog.pg_namespace n ON n.oid = c.connamespace "
        " WHERE c.condeferrable AND c.conparentid = 0 AND (c.conrelid = $1 OR c.confrelid = $1) ORDER BY 1",
        {{OIDOID, datum::from_oid(relid)}});
    DeferrableConstraints out;
    for (uint64 r = 0; r < n; r++) {
        out.all.push_back(spi::text(r, 1));
        if (spi::text(r, 2) == "t") out.deferred.push_back(spi::text(r, 1));
    }
    return out;
}

std::vector<std::string> make_constraints_immediate(const DeferrableConstraints &constraints) {
    if (!constraints.all.empty()) spi::exec("SET CONSTRAINTS " + constraint_list(constraints.all) + " IMMEDIATE");
    return constraints.deferred;
}

std::vector<std::string> make_constraints_immediate(Oid relid) {
    return make_constraints_immediate(deferrable_constraints(relid));
}

void defer_again(const std::vector<std::string> &constraints) {
    std::vector<std::string> names = constraints;
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    if (!names.empty()) spi::exec("SET CONSTRAINTS " + constraint_list(names) + " DEFERRED");
}

}  // namespace tg
