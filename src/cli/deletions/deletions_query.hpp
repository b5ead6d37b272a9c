// The server side of `deletions` and `recover`: the filter's times and xid
// normalised by the server (so "10:00" means what it means to psql, and the
// same moment is always spelled the same), tenant_guard.deletions() read into
// DeletionRows, and the session settings both commands run under.
#pragma once

#include "cli/deletions/operation_filter.hpp"
#include "cli/deletions/deletions_summary.hpp"
#include "cli/db/connection.hpp"

#include <vector>

namespace tg::cli {

// ISO 8601 UTC with microseconds, as SQL: to_char(<expr> AT TIME ZONE 'UTC', …).
std::string utc_text_sql(const std::string &expression);

// since/until as UTC text, xid through xid8; a value the server cannot read
// is a UsageError naming the option. Reads them in the session's TimeZone:
// call before fixed_output_settings().
DeletionFilter normalize_filter(Connection &conn, const DeletionFilter &filter);

// After normalize_filter: the data settings of export (UTC, ISO dates, …),
// which the per-table checksums are taken under.
void fixed_output_settings(Connection &conn);

// tenant_guard.deletions(filter), ordered by tenant then table. A database
// whose extension has no deletions() yet gets a Failure that says so.
std::vector<DeletionRow> fetch_deletions(Connection &conn, const DeletionFilter &filter);

// Rethrows a PgError of a missing tenant_guard function (42883) as a Failure
// that names the function and the fix; any other error unchanged.
[[noreturn]] void rethrow_explained(const PgError &error, const std::string &function);

// "SELECT format('%I.%I', …)" of a regclass column: the qualified name,
// whatever the session's search_path.
std::string qualified_rel_sql(const std::string &column);

}  // namespace tg::cli
