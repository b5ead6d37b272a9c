// What rewind.cpp asks of the PostgreSQL side.
#pragma once
#include "extension/pg/guarded.hpp"

namespace tg::rewind_pg {

// Whether track_commit_timestamp is on, so that a rewind to a time is exact;
// when it is off, a NOTICE says commit times are approximated.
bool commit_times_exact();

}  // namespace tg::rewind_pg
