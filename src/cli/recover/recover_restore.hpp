// One tenant of a recovery, in one transaction on the caller's connection:
// undelete_where(window, on_conflict => 'error', tenants => ARRAY[tenant])
// restores exactly the tenant's matching tombstones, then tenant_checksum()
// reads each of its tables back, and COMMIT. All or nothing: any error (a
// conflict is TG020) or a stop request before COMMIT rolls it back.
#pragma once

#include "cli/deletions/operation_filter.hpp"
#include "cli/db/connection.hpp"
#include "cli/recover/recover_outcome.hpp"

#include <atomic>
#include <string>
#include <vector>

namespace tg::cli {

// Thrown when a stop was requested before the tenant committed.
class Interrupted : public std::runtime_error {
   public:
    Interrupted() : std::runtime_error("interrupted before COMMIT; rolled back") {}
};

// `tables`: the tenant's tables in the plan; their checksums are taken even
// when nothing of them was left to restore. Throws PgError or Interrupted.
TenantOutcome restore_tenant(Connection &conn, const DeletionFilter &window, const std::string &tenant,
                             const std::vector<std::string> &tables, const std::atomic<bool> &stop);

}  // namespace tg::cli
