// The claims of a token (SPEC "Tokens and purge"), checked and typed.
//
// Suggested order for a caller, so that each refusal has its most useful reason:
//   parse_token (TG010) → decode_claims (TG010, TG017) → look up claims.kid
//   (TG012) → require_valid_signature (TG011) → check_time_window (TG013)
//   → check_database (TG015) → jti not used yet (TG014) → scope checks (TG016, TG017).
#pragma once

#include "token_error.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tg::common {

enum class TokenAction { purge, unprotect };

// "purge" or "unprotect", as written in the claim.
const char *action_name(TokenAction action) noexcept;

struct Claims {
    std::string kid;
    TokenAction act = TokenAction::purge;
    std::string db;
    std::optional<std::string> tenant;
    // Empty means the claim was absent (an explicit empty list is refused):
    // for purge, every protected table.
    std::vector<std::string> tables;
    // Empty means absent (an explicit empty list is refused): every row in scope.
    // Each entry is a non-empty JSON object mapping primary key columns to values.
    std::vector<nlohmann::json> rows;
    bool live = false;
    std::int64_t max_rows = 0;
    std::int64_t exp = 0;
    std::optional<std::int64_t> nbf;
    std::optional<std::int64_t> iat;
    std::string jti;
    std::string reason;
};

bool operator==(const Claims &a, const Claims &b);
inline bool operator!=(const Claims &a, const Claims &b) { return !(a == b); }

// Structure and consistency, independent of time and place. Throws
// TokenError(Malformed) for a missing, unknown or mistyped claim, and
// TokenError(ScopeInvalid) for a scope that cannot be meant (purge without
// tenant, unprotect without exactly one table, empty lists …).
Claims decode_claims(const nlohmann::json &claims);

// The claims object that decode_claims turns back into the same Claims
// (absent optionals and empty lists are left out, live only when true).
nlohmann::json encode_claims(const Claims &claims);

// Throws TokenError(Expired) when exp <= now, NotYetValid when nbf > now, and
// LifetimeTooLong when exp - min(iat, now) > max_lifetime_seconds: the lifetime
// counts from issue, and a future iat cannot stretch the time left.
// `now` must lie in [min_unix_time, max_unix_time] and the maximum be positive
// (std::invalid_argument otherwise: a caller bug, not a token problem).
void check_time_window(const Claims &claims, std::int64_t now, std::int64_t max_lifetime_seconds);

// Throws TokenError(WrongDatabase) unless claims.db == expected_db_id.
void check_database(const Claims &claims, std::string_view expected_db_id);

// decode_claims followed by check_time_window.
Claims validate_claims(const nlohmann::json &claims, std::int64_t now, std::int64_t max_lifetime_seconds);

}  // namespace tg::common
