// The PostgreSQL side of column_history.cpp: the images of a column's old
// values, built as capture builds them and written to the change log.
#pragma once
#include "extension/pg/guarded.hpp"
#include "extension/registration.hpp"

namespace tg::column_history_pg {

// One change per row of each leaves[i] (registered as registrations[i]):
// old_row the columns names[0..nnames) hold, new_row the rest of the row.
// Written by one log writer, its tick included.
void record_leaves(const Oid *leaves, const registry::Registration *registrations, int nleaves,
                   const char *const *names, int nnames);

}  // namespace tg::column_history_pg
