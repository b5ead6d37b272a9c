#define TG_IMPLEMENTS_GUARDED_CALLS
#include "extension/pg.hpp"
#include "extension/tokens_pg.hpp"

#include "extension/token_settings.hpp"

namespace tg {

int guc_max_token_lifetime = 86400;

void define_token_gucs() {
    DefineCustomIntVariable(
        "tenant_guard.max_token_lifetime", "Longest lifetime (exp - iat) a purge or unprotect token may have.", nullptr,
        &guc_max_token_lifetime, 86400, 1, INT_MAX, PGC_SUSET, GUC_UNIT_S, nullptr, nullptr, nullptr);
}

}  // namespace tg

namespace tg::pg {

const char *database_id() {
    return pg_guard(
        [] { return psprintf(UINT64_FORMAT "/%s", GetSystemIdentifier(), get_database_name(MyDatabaseId)); });
}

int64 now_unix_seconds() noexcept { return (int64)timestamptz_to_time_t(GetCurrentTimestamp()); }

const char *arg_jsonb_text(FunctionCallInfo fcinfo, int n) {
    return pg_guard([&] {
        Jsonb *jb = PG_GETARG_JSONB_P(n);
        return JsonbToCString(nullptr, &jb->root, VARSIZE(jb));
    });
}

}  // namespace tg::pg
