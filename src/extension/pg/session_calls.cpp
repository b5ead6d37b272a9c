#define TG_IMPLEMENTS_GUARDED_CALLS
#include "extension/pg.hpp"
#include "extension/pg/session_calls.hpp"

#include "extension/search_path.hpp"
#include "extension/statement_scope.hpp"

namespace tg::pg {

const char *pinned_tenant() noexcept { return scope::pinned_tenant(); }

void refuse_unknown_pin(const char *operation) {
    pg_guard([&] { scope::refuse_unknown_pin(operation); });
}

void refuse_temp_objects(const char *operation, Oid caller, Oid owner) {
    pg_guard([&] { tg::refuse_temp_objects(operation, caller, owner); });
}

}  // namespace tg::pg
