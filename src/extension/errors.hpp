// The extension's own SQLSTATEs (class TG), as the contract names them.
#pragma once
#include "extension/pg.hpp"

namespace tg::sqlstate {
constexpr int blast_radius = MAKE_SQLSTATE('T', 'G', '0', '0', '1');      // TG001
constexpr int wrong_tenant = MAKE_SQLSTATE('T', 'G', '0', '0', '2');      // TG002
constexpr int hard_delete = MAKE_SQLSTATE('T', 'G', '0', '0', '3');       // TG003
constexpr int undelete_conflict = MAKE_SQLSTATE('T', 'G', '0', '2', '0');  // TG020
}  // namespace tg::sqlstate
