#include "cli/db/protected_catalog.hpp"

#include "cli/db/sql_text.hpp"
#include "common/table_order.hpp"

#include <map>

namespace tg::cli {

std::string ProtectedTable::sql_name() const { return qualified_name(schema, name); }

const CatalogColumn *ProtectedTable::column(const std::string &column_name) const {
    for (const auto &c : columns) {
        if (c.name == column_name) return &c;
    }
    return nullptr;
}

std::vector<std::string> ProtectedTable::copy_columns() const {
    std::vector<std::string> names;
    for (const auto &c : columns) {
        if (!c.generated) names.push_back(c.name);
    }
    return names;
}

Catalog load_catalog(Connection &conn) {
    // In protection order (table_id), the order the extension gives ties too.
    const Result tables = conn.exec(R"SQL(
        SELECT c.oid::text, n.nspname, c.relname, p.tenant_column, p.delete_mode,
               -- the type a tenant can be cast to without running a role's
               -- code, or NULL (compare as text): the extension's one definition
               tenant_guard._tenant_cast_type(p.rel)
          FROM tenant_guard.protected_tables AS p
          JOIN pg_catalog.pg_class AS c ON c.oid = p.rel
          JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
         ORDER BY p.table_id)SQL");
    std::vector<ProtectedTable> found;
    std::map<std::string, std::size_t> by_oid;
    for (int r = 0; r < tables.rows(); ++r) {
        ProtectedTable t;
        t.oid = tables.get(r, 0);
        t.schema = tables.get(r, 1);
        t.name = tables.get(r, 2);
        t.tenant_column = tables.get(r, 3);
        t.delete_mode = tables.get(r, 4);
        t.tenant_type = tables.get(r, 5);
        by_oid[t.oid] = found.size();
        found.push_back(std::move(t));
    }

    const Result columns = conn.exec(R"SQL(
        SELECT a.attrelid::text, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attgenerated <> ''
          FROM pg_catalog.pg_attribute AS a
         WHERE a.attrelid IN (SELECT rel FROM tenant_guard.protected_tables)
           AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY a.attrelid, a.attnum)SQL");
    for (int r = 0; r < columns.rows(); ++r) {
        const auto it = by_oid.find(columns.get(r, 0));
        if (it == by_oid.end()) continue;
        found[it->second].columns.push_back(
            CatalogColumn{columns.get(r, 1), columns.get(r, 2), columns.get(r, 3) == "t", columns.get(r, 4) == "t"});
    }

    const Result keys = conn.exec(R"SQL(
        SELECT rel::oid::text, column_name FROM tenant_guard.protected_key_columns ORDER BY rel, position)SQL");
    for (int r = 0; r < keys.rows(); ++r) {
        const auto it = by_oid.find(keys.get(r, 0));
        if (it != by_oid.end()) found[it->second].primary_key.push_back(keys.get(r, 1));
    }

    // The foreign-key graph as the extension defines it (partitions mapped to
    // their protected table), ordered by the rule it orders by.
    const Result fks = conn.exec(R"SQL(
        SELECT child::oid::text, parent::oid::text FROM tenant_guard.protected_foreign_keys)SQL");
    std::vector<std::pair<std::size_t, std::size_t>> edges;
    for (int r = 0; r < fks.rows(); ++r) {
        edges.emplace_back(by_oid.at(fks.get(r, 0)), by_oid.at(fks.get(r, 1)));
    }
    const common::TableOrder order = common::parents_first(found.size(), edges);
    Catalog catalog;
    for (const std::size_t i : order.order) catalog.tables.push_back(found[i]);
    for (const std::size_t i : order.cycle) catalog.cycle.push_back(found[i].display_name());
    return catalog;
}

std::string tenant_condition(Connection &conn, const ProtectedTable &table, const std::string &tenant) {
    // The tenant as the extension spells it, in "C": where the column's "="
    // takes other tenants for equal (5.0 and 5.00, a nondeterministic
    // collation's acme and ACME), only this one (before 0.13.0 export took
    // them all, the attacker's report of 0.13.0).
    const std::string spelled = "pg_catalog.format('%s', " + quote_ident(table.tenant_column) +
                                ") COLLATE pg_catalog.\"C\" = " + conn.literal(tenant);
    // No type to cast to without running a domain's CHECK (the table owner's
    // code) with the operator's rights: the spelling alone.
    if (table.tenant_type.empty()) return spelled;
    // Cast to the column's (base) type (no typmod: varchar(3) would cut 'abcd'
    // to 'abc' and match another tenant), so the tenant index can be used.
    const std::string value = conn.literal(tenant) + "::" + table.tenant_type;
    conn.exec("SAVEPOINT tg_tenant_cast");
    try {
        conn.exec("SELECT " + value);
        conn.exec("RELEASE SAVEPOINT tg_tenant_cast");
    } catch (const PgError &) {
        conn.exec("ROLLBACK TO SAVEPOINT tg_tenant_cast");
        conn.exec("RELEASE SAVEPOINT tg_tenant_cast");
        return "false";
    }
    return quote_ident(table.tenant_column) + " = " + value + " AND " + spelled;
}

}  // namespace tg::cli
