// What the PostgreSQL side (the capture triggers' shapes, the DDL event
// triggers) knows of the registry: plain data and plain declarations, no
// C++ object, no PostgreSQL header (registry.hpp is the C++ side's).
#pragma once
#include "extension/pg/declarations.hpp"

namespace tg::registry {

// NAMEDATALEN: a column name with its terminating NUL (shape.cpp checks it).
constexpr int name_bytes = 64;

// What the triggers of one relation act on, as the registry says (never as
// a trigger's own arguments say): plain data for the C-like trigger code.
struct Registration {
    int32 table_id;
    bool flag_mode;
    char tenant_column[name_bytes];
    char flag_column[name_bytes];  // empty unless flag_mode
};
// The registration covering relid (itself or a partition ancestor); false
// when no protected table covers it. Opens its own SPI session. For the
// PostgreSQL side: its errors are reported with ereport (the C++ side calls
// registry::find_registration, which throws them).
bool registration_of(Oid relid, Registration *out);

// While true, the DDL event triggers leave commands alone (the extension's own
// DDL: installing or dropping its triggers).
extern bool own_ddl_running;

}  // namespace tg::registry
