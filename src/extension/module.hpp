// Backend-wide state of the module: GUCs and the origin of the changes being
// captured right now.
#pragma once
#include <map>
#include <set>
#include <string>

#include "extension/unwalled.hpp"

namespace tg {

extern char *guc_actor;  // tenant_guard.actor

// Where a captured change comes from; stored as one "char" in the change log.
enum class Origin : char { dml = 'd', undelete = 'u', rewind = 'r', import = 'i' };

// The origin that capture records now: dml unless an extension operation
// (undelete, rewind, import) is writing. Reset to dml at transaction end.
extern Origin current_origin;

// Sets current_origin for the lifetime of the scope.
class OriginScope {
   public:
    explicit OriginScope(Origin o) : saved_(current_origin) { current_origin = o; }
    ~OriginScope() { current_origin = saved_; }
    OriginScope(const OriginScope &) = delete;
    OriginScope &operator=(const OriginScope &) = delete;

   private:
    Origin saved_;
};

// The deletions a purge is making right now: they must leave no trace (no
// tombstone, no change-log row, no flag instead). Exactly those: anything
// else deleted meanwhile (by a table owner's trigger, say) is captured.
struct PurgeSilence {
    std::string tenant;  // the token's tenant, as capture writes it
    // Per relation in scope (tables and their partitions): the primary keys
    // (jsonb text) of the token's rows; empty: every row of the tenant.
    std::map<Oid, std::set<std::string>> rows;
};
extern const PurgeSilence *purge_silence;

// Whether a deleted row (tenant as text, primary key as jsonb) is one the
// running purge erases.
bool is_silenced_row(Oid relid, Datum tenant, Datum pk);

class PurgeScope {
   public:
    explicit PurgeScope(const PurgeSilence &silence) : saved_(purge_silence) { purge_silence = &silence; }
    ~PurgeScope() { purge_silence = saved_; }
    PurgeScope(const PurgeScope &) = delete;
    PurgeScope &operator=(const PurgeScope &) = delete;

   private:
    const PurgeSilence *saved_;
};

}  // namespace tg
