// Orders protected tables along their foreign keys: the graph is the view
// tenant_guard.protected_foreign_keys, the rule common/table_order.hpp's,
// both shared with the command line.
#pragma once
#include <string>
#include <vector>

#include "extension/registry.hpp"

namespace tg {

// A foreign key between protected tables, as tenant_guard.protected_foreign_keys lists it.
struct ProtectedForeignKey {
    int32 child_table_id;
    int32 parent_table_id;
    char on_delete;  // pg_constraint.confdeltype: 'c' cascade, 'n' set null, 'd' set default, ...
    std::string name;
};

// Every foreign key between protected tables, by name. Call inside spi::Session.
std::vector<ProtectedForeignKey> protected_foreign_keys();

// Referenced (parent) tables before the tables that reference them, ties in
// protection order, cycles broken at the oldest protected table. Call inside
// spi::Session.
std::vector<registry::ProtectedTable> parents_first(const std::vector<registry::ProtectedTable> &tables);

}  // namespace tg
