// The session's tenant pin (tenant_guard.tenant, statement_scope.hpp) and
// temporary objects, for the C++ side.
#pragma once
#include "extension/pg/guarded.hpp"

namespace tg::pg {

// The tenant the session is pinned to, or nullptr.
const char *pinned_tenant() noexcept;
// Refuses (42501) an operation while the session's pin is unknown (pin_refused()).
void refuse_unknown_pin(const char *operation);
// Refuses (55000) to run owner's code as owner for caller while the session
// has temporary tables or types (search_path.hpp: refuse_temp_objects).
void refuse_temp_objects(const char *operation, Oid caller, Oid owner);

}  // namespace tg::pg
