// The names of the extension's own objects that both sides of the wall
// spell: plain constants, no PostgreSQL header (catalog.hpp is the
// PostgreSQL side's lookups, pg/catalog_calls.hpp the C++ side's).
#pragma once

namespace tg::catalog {

constexpr const char *schema_name = "tenant_guard";

// Names of the triggers protect() installs (all start with tenant_guard_).
constexpr const char *trigger_insert = "tenant_guard_capture_insert";
constexpr const char *trigger_update = "tenant_guard_capture_update";
constexpr const char *trigger_delete = "tenant_guard_capture_delete";
constexpr const char *trigger_statement_start = "tenant_guard_statement_start";
constexpr const char *trigger_no_truncate = "tenant_guard_no_truncate";
constexpr const char *trigger_flag_delete = "tenant_guard_flag_delete";
// Row-level, ENABLE REPLICA: rows a logical replication apply worker writes
// (it fires row triggers only).
constexpr const char *trigger_capture_applied = "tenant_guard_capture_applied";

}  // namespace tg::catalog
