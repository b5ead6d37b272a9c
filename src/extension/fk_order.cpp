// src/common first: it must not see PostgreSQL's headers (no_postgres.hpp).
#include "common/table_order.hpp"

#include <algorithm>
#include <map>

#include "extension/fk_order.hpp"
#include "extension/pg/catalog_calls.hpp"
#include "extension/spi.hpp"

namespace tg {

std::vector<ProtectedForeignKey> protected_foreign_keys() {
    spi::AsExtensionOwner owner;
    bool has_view = OidIsValid(pg::extension_relation("protected_foreign_keys"));
    // A schema older than 0.4.0 (the module is updated before ALTER
    // EXTENSION ... UPDATE) has no view: its graph is read the old way
    // (foreign keys declared on the protected tables themselves).
    uint64 n =
        has_view ? spi::exec(
                       "SELECT child_table_id, parent_table_id, on_delete, constraint_name::text "
                       "  FROM tenant_guard.protected_foreign_keys ORDER BY constraint_name, constraint_oid")
                 : spi::exec(
                       "SELECT c.table_id, p.table_id, k.confdeltype, k.conname::text FROM pg_catalog.pg_constraint k "
                       "  JOIN tenant_guard.protected_table c ON c.rel = k.conrelid AND c.unprotected_at IS NULL "
                       "  JOIN tenant_guard.protected_table p ON p.rel = k.confrelid AND p.unprotected_at IS NULL "
                       " WHERE k.contype = 'f' AND k.conparentid = 0 ORDER BY k.conname, k.oid");
    std::vector<ProtectedForeignKey> keys;
    for (uint64 r = 0; r < n; r++)
        keys.push_back({(int32)spi::int64_at(r, 1), (int32)spi::int64_at(r, 2), spi::text(r, 3)[0], spi::text(r, 4)});
    return keys;
}

std::vector<registry::ProtectedTable> parents_first(const std::vector<registry::ProtectedTable> &tables) {
    // Indexes in protection order (table_id), as the command line orders them.
    std::vector<registry::ProtectedTable> input = tables;
    std::sort(input.begin(), input.end(), [](const auto &a, const auto &b) { return a.table_id < b.table_id; });
    std::map<int32, std::size_t> index;
    for (std::size_t i = 0; i < input.size(); i++) index[input[i].table_id] = i;
    std::vector<std::pair<std::size_t, std::size_t>> edges;
    for (const auto &fk : protected_foreign_keys()) {
        auto c = index.find(fk.child_table_id), p = index.find(fk.parent_table_id);
        if (c != index.end() && p != index.end()) edges.emplace_back(c->second, p->second);
    }
    std::vector<registry::ProtectedTable> ordered;
    for (std::size_t i : common::parents_first(input.size(), edges).order) ordered.push_back(input[i]);
    return ordered;
}

}  // namespace tg
