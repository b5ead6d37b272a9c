// Restoring one tenant's tombstones into one table: what undelete,
// undelete_where, undelete_row and undelete_trash share, and what
// undelete_conflicts checks without restoring (RestoreOptions::count_only).
//
// Read the tenant's matching tombstones (as the extension owner, newest
// first, locked), check their primary keys against live rows, insert them
// back and remove the tombstones. The caller must hold INSERT and SELECT on
// the table; the conflict check and the inserts run as the table's owner,
// restricted (restore_rights.hpp), so the table's triggers apply but never
// with the caller's privileges. The inserts are captured with origin
// 'undelete'. C++ over SPI: call inside spi::Session, with the tenant locked
// (tenant_lock.hpp) and the output settings of images pinned.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "extension/deletion_filter.hpp"
#include "extension/registry.hpp"

namespace tg {

// Which of the tenant's tombstones to restore: those the deletion filter
// matches and, when ids is not NULL, only those of the bigint[] ids.
struct RestoreOptions {
    std::string tenant;
    DeletionFilter filter;
    spi::Arg ids = spi::null_arg(INT8ARRAYOID);
    bool skip_conflicts = false;      // on_conflict 'skip'; else TG020 on the first batch with conflicts
    const char *caller = "undelete";  // the function named in privilege errors
    // Read only (undelete_conflicts): nothing locked, inserted or removed;
    // counts the rows on_conflict 'error' refuses (conflicts) and goes on.
    // Needs SELECT on the table, not INSERT.
    bool count_only = false;
};

struct TableCounts {
    Oid relid;
    int64 restored = 0;
    int64 skipped = 0;
    // Rows refused: a live row holds their key, or the key they reference in
    // a protected table is held by another tenant's live row.
    int64 conflicts = 0;
};

struct TablePlan;

// What restoring into a table needs of the catalog (its SQL vocabulary, its
// foreign keys to protected tables and the SQL of its checks), built on a
// table's first restore and kept for the others of one call: undelete_where
// restores tenant after tenant into the same tables. Lives inside the call's
// spi::Session, with the same active tables.
class RestorePlans {
   public:
    RestorePlans();
    ~RestorePlans();
    RestorePlans(const RestorePlans &) = delete;
    RestorePlans &operator=(const RestorePlans &) = delete;
    TablePlan &of(const registry::ProtectedTable &table, const std::vector<registry::ProtectedTable> &active);

   private:
    std::map<Oid, std::unique_ptr<TablePlan>> plans_;
};

// Restores what options select in table (active: every protected table, for
// the parents that foreign keys reach).
TableCounts restore_table(const registry::ProtectedTable &table, const RestoreOptions &options,
                          const std::vector<registry::ProtectedTable> &active);
// The same with the plans of the call (active must stay the same between calls).
TableCounts restore_table(const registry::ProtectedTable &table, const RestoreOptions &options,
                          const std::vector<registry::ProtectedTable> &active, RestorePlans &plans);

// undelete's on_conflict argument: true for 'skip'; 22023 for anything but 'error' and 'skip'.
bool skip_conflicts_argument(FunctionCallInfo fcinfo, int n);

}  // namespace tg
