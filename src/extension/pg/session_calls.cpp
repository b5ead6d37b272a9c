#define TG_IMPLEMENTS_GUARDED_CALLS
#include "extension/pg.hpp"
#include "extension/pg/session_calls.hpp"

#include "extension/statement_scope.hpp"

namespace tg::pg {

const char *pinned_tenant() noexcept { return scope::pinned_tenant(); }

void refuse_unknown_pin(const char *operation) {
    pg_guard([&] { scope::refuse_unknown_pin(operation); });
}

}  // namespace tg::pg
