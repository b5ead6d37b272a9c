// tenant_guard.max_token_lifetime, defined by the PostgreSQL side
// (tokens_pg.cpp) when the module loads and read by the token checks
// (token_check.hpp). Plain types: both sides include it.
#pragma once
#include "extension/pg/declarations.hpp"

namespace tg {

extern int guc_max_token_lifetime;  // tenant_guard.max_token_lifetime, seconds
void define_token_gucs();

}  // namespace tg
