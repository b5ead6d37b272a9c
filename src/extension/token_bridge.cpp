// Pure C++ (no PostgreSQL headers): see token_bridge.hpp.
#include "extension/token_bridge.hpp"

#include "common/claims.hpp"
#include "common/crypto_error.hpp"
#include "common/ed25519.hpp"
#include "common/sha256.hpp"
#include "common/strict_json.hpp"
#include "common/token.hpp"
#include "extension/errors.hpp"

namespace tg::tokens {

namespace {

[[noreturn]] void fail(const common::TokenError &e) { throw TokenFailure(e.sqlstate(), e.message(), e.hint()); }

}  // namespace

VerifiedToken verify(const std::string &token,
                     const std::function<std::optional<std::string>(const std::string &kid)> &public_key_pem,
                     int64_t now, int64_t max_lifetime_seconds, const std::string &database_id) {
    try {
        common::ParsedToken parsed = common::parse_token(token);
        common::Claims claims = common::decode_claims(parsed.claims);
        std::optional<std::string> pem = public_key_pem(claims.kid);
        if (!pem)
            throw TokenFailure(sqlstate::token_unknown_key.text, "unknown or revoked purge key \"" + claims.kid + "\"",
                               "See tenant_guard.purge_keys; register the key with tenant_guard.add_purge_key().");
        common::PublicKey key = common::PublicKey::from_pem(*pem);
        common::require_valid_signature(parsed, key);
        common::check_time_window(claims, now, max_lifetime_seconds);
        common::check_database(claims, database_id);

        VerifiedToken out;
        out.kid = claims.kid;
        out.act = common::action_name(claims.act);
        out.jti = claims.jti;
        out.reason = claims.reason;
        out.tenant = claims.tenant;
        out.tables = claims.tables;
        for (const auto &row : claims.rows) out.rows_json.push_back(row.dump());
        out.live = claims.live;
        out.max_rows = claims.max_rows;
        out.exp = claims.exp;
        out.iat = claims.iat;
        out.token_sha256 = common::sha256_hex(token);
        return out;
    } catch (const common::TokenError &e) {
        fail(e);
    } catch (const common::CryptoError &e) {
        throw TokenFailure(sqlstate::token_unknown_key.text, std::string("purge key unusable: ") + e.what(),
                           "Check the key in tenant_guard.purge_keys; revoke it and register a good one with "
                           "tenant_guard.add_purge_key().");
    }
}

std::string sign(const std::string &claims_json, const std::string &private_key_pem) {
    try {
        common::PrivateKey key = common::PrivateKey::from_pem(private_key_pem);
        return common::make_token(common::parse_strict_json(claims_json), key);
    } catch (const common::TokenError &e) {
        fail(e);
    } catch (const common::CryptoError &e) {
        throw TokenFailure("22023", std::string("invalid private key: ") + e.what(),
                           "Give a PKCS#8 PEM Ed25519 private key, as openssl genpkey -algorithm ed25519 writes.");
    } catch (const std::exception &e) {
        throw TokenFailure("22023", std::string("invalid claims: ") + e.what());
    }
}

void check_public_key(const std::string &pem) {
    try {
        common::PublicKey::from_pem(pem);
    } catch (const std::exception &e) {
        throw TokenFailure("22023", std::string("invalid public key: ") + e.what(),
                           "Give an Ed25519 SubjectPublicKeyInfo PEM block, as openssl pkey -pubout writes.");
    }
}

}  // namespace tg::tokens
