// Orders protected tables along their foreign keys.
#pragma once
#include <vector>

#include "extension/registry.hpp"

namespace tg {

// Referenced (parent) tables before the tables that reference them; ties and
// cycles fall back to protection order. Call inside spi::Session.
std::vector<registry::ProtectedTable> parents_first(const std::vector<registry::ProtectedTable> &tables,
                                                    const std::vector<registry::ProtectedTable> &active);

}  // namespace tg
