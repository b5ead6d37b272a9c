// Backend-wide state of the module: GUCs and the origin of the changes being
// captured right now.
#pragma once
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

}  // namespace tg
