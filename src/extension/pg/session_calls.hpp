// The session's tenant pin (tenant_guard.tenant, statement_scope.hpp) for the
// C++ side.
#pragma once
#include "extension/pg/guarded.hpp"

namespace tg::pg {

// The tenant the session is pinned to, or nullptr.
const char *pinned_tenant() noexcept;
// Refuses (42501) an operation while the session's pin is unknown (pin_refused()).
void refuse_unknown_pin(const char *operation);

}  // namespace tg::pg
