// Backend-wide state of the module: GUCs and the origin of the changes being
// captured right now.
#pragma once
#include <set>

#include "extension/pg.hpp"

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

// Relations whose changes are not captured right now: a purge erasing them
// must leave no trace (no tombstone, no change-log row, no flag instead).
extern const std::set<Oid> *silenced_relations;
inline bool is_silenced(Oid relid) { return silenced_relations && silenced_relations->count(relid) > 0; }

class PurgeScope {
   public:
    explicit PurgeScope(const std::set<Oid> &relations) : saved_(silenced_relations) {
        silenced_relations = &relations;
    }
    ~PurgeScope() { silenced_relations = saved_; }
    PurgeScope(const PurgeScope &) = delete;
    PurgeScope &operator=(const PurgeScope &) = delete;

   private:
    const std::set<Oid> *saved_;
};

}  // namespace tg
