// A MERGE whose UPDATE action may move rows between the partitions of a
// protected partitioned table is refused (0A000): PostgreSQL 15 leaves rows
// that MERGE moves to another partition out of the statement's transition
// tables, so capture, the tenant checks (TG002, the pin) and the blast
// radius (TG001) would not see them, and the move would leave no record.
// (A plain UPDATE that moves rows is captured.) Checked by the executor
// hooks: at the start of the statement, or, for the session's first
// statement (run before the module was loaded), at its end.
#pragma once
#include "extension/pg.hpp"

namespace tg::merge_guard {

void refuse_unrecorded_moves(const QueryDesc *query);

}  // namespace tg::merge_guard
