#include "extension/fk_order.hpp"

#include <map>
#include <set>

#include "extension/spi.hpp"

namespace tg {

std::vector<registry::ProtectedTable> parents_first(const std::vector<registry::ProtectedTable> &tables,
                                                    const std::vector<registry::ProtectedTable> &active) {
    // Edges child -> parent between the given tables, with partitions mapped
    // to the protected table that covers them.
    std::map<int32, std::set<int32>> parents_of;
    uint64 n = spi::exec(
        "SELECT conrelid, confrelid FROM pg_catalog.pg_constraint WHERE contype = 'f' AND conparentid = 0");
    std::vector<std::pair<Oid, Oid>> edges;
    for (uint64 r = 0; r < n; r++) edges.emplace_back((Oid)spi::int64_at(r, 1), (Oid)spi::int64_at(r, 2));
    std::set<int32> wanted;
    for (const auto &t : tables) wanted.insert(t.table_id);
    for (auto [child_rel, parent_rel] : edges) {
        auto child = registry::covering(child_rel, active);
        auto parent = registry::covering(parent_rel, active);
        if (!child || !parent || child->table_id == parent->table_id) continue;
        if (wanted.count(child->table_id) && wanted.count(parent->table_id))
            parents_of[child->table_id].insert(parent->table_id);
    }

    std::vector<registry::ProtectedTable> ordered, pending = tables;
    std::set<int32> placed;
    while (!pending.empty()) {
        bool progress = false;
        for (auto it = pending.begin(); it != pending.end();) {
            bool ready = true;
            for (int32 p : parents_of[it->table_id])
                if (!placed.count(p)) ready = false;
            if (ready) {
                placed.insert(it->table_id);
                ordered.push_back(*it);
                it = pending.erase(it);
                progress = true;
            } else {
                ++it;
            }
        }
        if (!progress) {  // a cycle: take the oldest protected table next
            placed.insert(pending.front().table_id);
            ordered.push_back(pending.front());
            pending.erase(pending.begin());
        }
    }
    return ordered;
}

}  // namespace tg
