// What the TRUNCATE trigger (PostgreSQL side, guard_pg.cpp) has the C++ side
// of the DDL guard (guard.cpp) do: plain types only; reports its errors
// through PostgreSQL (report_errors).
#pragma once
#include "extension/pg/declarations.hpp"

namespace tg {

// A TRUNCATE of relid allowed by tenant_guard.allow_truncate (and recorded):
// the tombstones and history of the protected table covering relid go with
// its rows when relid is that table itself, and its rewinds no longer reach
// back before now. Opens its own SPI session.
void discard_truncated_history(Oid relid);

}  // namespace tg
