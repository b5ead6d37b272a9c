// Scopes of the C++ side that tell capture (module.hpp) what an operation of
// the extension is writing: its origin (undelete, rewind), or the rows a
// purge erases, which must leave no trace.
#pragma once
#include <map>
#include <set>
#include <string>

#include "extension/boundary.hpp"
#include "extension/module.hpp"

namespace tg {

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
