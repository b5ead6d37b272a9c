// Purge keys, database_id(), sign_token(), and the token checks shared by
// purge() and unprotect().
#include "extension/boundary.hpp"
#include "extension/errors.hpp"
#include "extension/pg/function_args.hpp"
#include "extension/spi.hpp"
#include "extension/token_check.hpp"
#include "extension/tokens_pg.hpp"

namespace tg {

std::string database_id() { return pg::database_id(); }

// errors.hpp packs its codes as PostgreSQL does, so the text a token refusal
// carries comes back as the same code.
static_assert(sqlstate::blast_radius == MAKE_SQLSTATE('T', 'G', '0', '0', '1') &&
              sqlstate::token_scope_invalid == MAKE_SQLSTATE('T', 'G', '0', '1', '7') &&
              sqlstate::cursor_too_old == MAKE_SQLSTATE('T', 'G', '0', '2', '2'));

void raise_token_failure(const tokens::TokenFailure &f) {
    const std::string &c = f.sqlstate;
    int code = c.size() == 5 ? MAKE_SQLSTATE(c[0], c[1], c[2], c[3], c[4]) : ERRCODE_INTERNAL_ERROR;
    throw Error(code, f.message, "", f.hint);
}

tokens::VerifiedToken verify_token(const std::string &token, const char *expected_act) {
    auto key_of = [](const std::string &kid) -> std::optional<std::string> {
        spi::AsExtensionOwner owner;
        uint64 n = spi::exec("SELECT public_key FROM tenant_guard.purge_key WHERE key_id = $1 AND revoked_at IS NULL",
                             {spi::text_arg(kid)});
        if (n == 0) return std::nullopt;
        return spi::text(0, 1);
    };
    int64 now = pg::now_unix_seconds();
    tokens::VerifiedToken verified;
    try {
        verified = tokens::verify(token, key_of, now, guc_max_token_lifetime, database_id());
    } catch (const tokens::TokenFailure &f) {
        raise_token_failure(f);
    }
    if (verified.act != expected_act)
        throw Error(sqlstate::token_scope_invalid,
                    "token is for \"" + verified.act + "\", not for \"" + expected_act + "\"", "",
                    "Ask the key holder for a token with act \"" + std::string(expected_act) + "\".");
    return verified;
}

void consume_token(const tokens::VerifiedToken &token) {
    spi::AsExtensionOwner owner;
    uint64 n = spi::exec(
        "INSERT INTO tenant_guard.used_token (jti, key_id) VALUES ($1, $2) "
        "ON CONFLICT (jti) DO NOTHING RETURNING 1",
        {spi::text_arg(token.jti), spi::text_arg(token.kid)});
    if (n == 0)
        throw Error(sqlstate::token_used, "token \"" + token.jti + "\" was used already", "",
                    "A token works once; ask the key holder for a new one.");
}

}  // namespace tg

namespace {

std::string text_arg(FunctionCallInfo fcinfo, int i, const char *name) {
    if (tg::pg::arg_is_null(fcinfo, i))
        throw tg::Error(ERRCODE_NULL_VALUE_NOT_ALLOWED, std::string(name) + " must not be NULL");
    return tg::pg::arg_text(fcinfo, i);
}

}  // namespace

TG_FUNCTION(tg_add_purge_key) {
    using namespace tg;
    std::string key_id = text_arg(fcinfo, 0, "key_id"), pem = text_arg(fcinfo, 1, "public_key");
    if (key_id.empty()) throw Error(ERRCODE_INVALID_PARAMETER_VALUE, "key_id must not be empty");
    try {
        tokens::check_public_key(pem);
    } catch (const tokens::TokenFailure &f) {
        raise_token_failure(f);
    }
    spi::Session spi;
    spi::AsExtensionOwner owner;
    uint64 n = spi::exec(
        "INSERT INTO tenant_guard.purge_key (key_id, public_key) VALUES ($1, $2) "
        "ON CONFLICT (key_id) DO NOTHING RETURNING 1",
        {spi::text_arg(key_id), spi::text_arg(pem)});
    if (n == 0)
        throw Error(ERRCODE_DUPLICATE_OBJECT, "purge key \"" + key_id + "\" exists already", "",
                    "Key ids are never reused, so that receipts stay unambiguous: choose a new id.");
    return (Datum)0;
}

TG_FUNCTION(tg_revoke_purge_key) {
    using namespace tg;
    std::string key_id = text_arg(fcinfo, 0, "key_id");
    spi::Session spi;
    spi::AsExtensionOwner owner;
    if (spi::exec("SELECT 1 FROM tenant_guard.purge_key WHERE key_id = $1", {spi::text_arg(key_id)}) == 0)
        throw Error(ERRCODE_UNDEFINED_OBJECT, "purge key \"" + key_id + "\" does not exist");
    spi::exec("UPDATE tenant_guard.purge_key SET revoked_at = now() WHERE key_id = $1 AND revoked_at IS NULL",
              {spi::text_arg(key_id)});
    return (Datum)0;
}

TG_FUNCTION(tg_database_id) {
    std::string id = tg::database_id();
    return tg::pg::text_datum(id.data(), (int)id.size());
}

TG_FUNCTION(tg_sign_token) {
    using namespace tg;
    if (pg::arg_is_null(fcinfo, 0) || pg::arg_is_null(fcinfo, 1))
        throw Error(ERRCODE_NULL_VALUE_NOT_ALLOWED, "claims and private_key must not be NULL");
    std::string claims = pg::arg_jsonb_text(fcinfo, 0);
    std::string key = text_arg(fcinfo, 1, "private_key");
    std::string token;
    try {
        token = tokens::sign(claims, key);
    } catch (const tokens::TokenFailure &f) {
        raise_token_failure(f);
    }
    return pg::text_datum(token.data(), (int)token.size());
}
