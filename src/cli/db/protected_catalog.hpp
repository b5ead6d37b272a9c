// What the connected database protects, read from the views
// tenant_guard.protected_tables, protected_key_columns and
// protected_foreign_keys and from pg_attribute: each table's columns with
// their types, primary key, tenant column, in parents-first order
// (common/table_order.hpp, the rule the extension orders by).
#pragma once

#include "cli/db/connection.hpp"

#include <string>
#include <vector>

namespace tg::cli {

struct CatalogColumn {
    std::string name;
    std::string type;  // format_type(atttypid, atttypmod)
    bool not_null = false;
    bool generated = false;  // GENERATED ALWAYS AS (…) STORED: never copied
};

struct ProtectedTable {
    std::string oid;
    std::string schema;
    std::string name;
    std::string tenant_column;
    // format_type without typmod: for casting a tenant literal; empty where a
    // cast would run a domain's CHECK (tenant_guard._tenant_cast_type)
    std::string tenant_type;
    std::string delete_mode;
    std::vector<std::string> primary_key;
    std::vector<CatalogColumn> columns;

    std::string display_name() const { return schema + "." + name; }
    std::string sql_name() const;
    const CatalogColumn *column(const std::string &column_name) const;
    std::vector<std::string> copy_columns() const;  // all but generated ones, in table order
};

struct Catalog {
    std::vector<ProtectedTable> tables;  // parents before children
    std::vector<std::string> cycle;      // tables on a foreign-key cycle (display names)
};

Catalog load_catalog(Connection &conn);

// The condition that selects one tenant's rows: "tenant_column =
// '<tenant>'::<type>", or "false" when the tenant is not a value of the
// column's type (that table has no rows of it); with no tenant_type, the
// column's text compared with the tenant. Must run in a transaction
// block (it tries the cast in a savepoint).
std::string tenant_condition(Connection &conn, const ProtectedTable &table, const std::string &tenant);

}  // namespace tg::cli
