#include "claims.hpp"

#include "time_text.hpp"

#include <algorithm>
#include <limits>
#include <set>
#include <stdexcept>
#include <utility>

namespace tg::common {
namespace {

using nlohmann::json;

constexpr const char *fix_claims_hint = "correct the claims and sign a new token";
constexpr const char *new_token_hint = "ask the key holder for a new token";

// Sorted, so the list in the "unknown claim" message reads well.
constexpr const char *known_claims[] = {"act",      "db",  "exp",    "iat",  "jti",    "kid",   "live",
                                        "max_rows", "nbf", "reason", "rows", "tables", "tenant"};

[[noreturn]] void malformed(const std::string &message) {
    throw TokenError(TokenErrorKind::malformed, message, fix_claims_hint);
}

[[noreturn]] void scope_invalid(const std::string &message, const std::string &hint) {
    throw TokenError(TokenErrorKind::scope_invalid, message, hint);
}

// A value from the token, JSON-quoted and shortened: messages stay one line
// and readable whatever the token holds.
std::string shown_quoted(std::string_view text) {
    constexpr std::size_t max_shown = 80;
    const bool cut = text.size() > max_shown;
    const std::string shown(cut ? text.substr(0, max_shown) : text);
    return json(shown).dump(-1, ' ', false, json::error_handler_t::replace) + (cut ? "…" : "");
}

std::string claim_name(const char *name) { return std::string("claim \"") + name + "\""; }

std::string describe_type(const json &value) {
    switch (value.type()) {
        case json::value_t::null:
            return "null";
        case json::value_t::boolean:
            return "a boolean";
        case json::value_t::number_integer:
        case json::value_t::number_unsigned:
            return "an integer";
        case json::value_t::number_float:
            return "a non-integer number";
        case json::value_t::string:
            return "a string";
        case json::value_t::array:
            return "an array";
        case json::value_t::object:
            return "an object";
        default:
            return "an unsupported value";
    }
}

bool is_known_claim(const std::string &name) {
    return std::any_of(std::begin(known_claims), std::end(known_claims),
                       [&](const char *known) { return name == known; });
}

std::string known_claims_list() {
    std::string list;
    for (const char *known : known_claims) {
        if (!list.empty()) list += ", ";
        list += known;
    }
    return list;
}

const json *find_claim(const json &claims, const char *name) {
    const auto it = claims.find(name);
    return it == claims.end() ? nullptr : &*it;
}

const json &require_claim(const json &claims, const char *name) {
    const json *value = find_claim(claims, name);
    if (value == nullptr) malformed("missing required " + claim_name(name));
    return *value;
}

// Text that ends up in SQL values: non-empty, and no NUL (PostgreSQL text cannot hold it).
std::string checked_text(const json &value, const std::string &what) {
    if (!value.is_string()) malformed(what + " must be a string, got " + describe_type(value));
    const auto &text = value.get_ref<const std::string &>();
    if (text.empty()) malformed(what + " is empty");
    if (text.find('\0') != std::string::npos) malformed(what + " contains a NUL character");
    return text;
}

std::int64_t checked_integer(const json &value, const char *name, std::int64_t min, std::int64_t max,
                             const char *meaning) {
    if (!value.is_number_integer()) {
        malformed(claim_name(name) + " must be an integer (" + meaning + "), got " + describe_type(value));
    }
    // Large positive numbers parse as unsigned; compare before converting.
    const bool in_range = value.is_number_unsigned()
                              ? value.get<std::uint64_t>() <= static_cast<std::uint64_t>(max) &&
                                    static_cast<std::int64_t>(value.get<std::uint64_t>()) >= min
                              : value.get<std::int64_t>() >= min && value.get<std::int64_t>() <= max;
    if (!in_range) {
        malformed(claim_name(name) + " is " + value.dump() + ", outside " + std::to_string(min) + " … " +
                  std::to_string(max) + " (" + meaning + ")");
    }
    return value.is_number_unsigned() ? static_cast<std::int64_t>(value.get<std::uint64_t>())
                                      : value.get<std::int64_t>();
}

std::int64_t checked_time(const json &value, const char *name) {
    return checked_integer(value, name, min_unix_time, max_unix_time, "unix seconds");
}

TokenAction checked_action(const json &value) {
    const std::string act = checked_text(value, claim_name("act"));
    if (act == "purge") return TokenAction::purge;
    if (act == "unprotect") return TokenAction::unprotect;
    malformed(claim_name("act") + " must be \"purge\" or \"unprotect\", got " + shown_quoted(act));
}

std::vector<std::string> checked_tables(const json &value) {
    if (!value.is_array())
        malformed(claim_name("tables") + " must be an array of table names, got " + describe_type(value));
    std::vector<std::string> tables;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < value.size(); ++i) {
        std::string table = checked_text(value[i], "tables[" + std::to_string(i) + "]");
        if (!seen.insert(table).second) {
            scope_invalid("table " + shown_quoted(table) + " is named twice in \"tables\"", "name each table once");
        }
        tables.push_back(std::move(table));
    }
    return tables;
}

std::vector<json> checked_rows(const json &value) {
    if (!value.is_array()) {
        malformed(claim_name("rows") + " must be an array of primary keys as objects, got " + describe_type(value));
    }
    if (value.empty()) {
        scope_invalid(claim_name("rows") + " is an empty list, which would purge nothing",
                      "leave \"rows\" out to purge every row in scope, or list the primary keys to purge");
    }
    std::vector<json> rows;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const json &row = value[i];
        const std::string where = "rows[" + std::to_string(i) + "]";
        if (!row.is_object()) {
            malformed(where + " must be an object of primary key columns such as {\"id\": 7}, got " +
                      describe_type(row));
        }
        if (row.empty()) scope_invalid(where + " is an empty object and names no row", "give every primary key column");
        rows.push_back(row);
    }
    return rows;
}

bool is_blank(const std::string &text) {
    return std::all_of(text.begin(), text.end(), [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    });
}

void check_scope(const Claims &claims) {
    if (claims.act == TokenAction::purge) {
        if (!claims.tenant) {
            scope_invalid("a purge token must name its tenant (claim \"tenant\")",
                          "sign a new token that names the one tenant to purge");
        }
        return;
    }
    if (claims.tables.size() != 1) {
        scope_invalid("an unprotect token must name exactly one table in \"tables\", this one names " +
                          std::to_string(claims.tables.size()),
                      "sign one unprotect token per table");
    }
    if (!claims.rows.empty()) {
        scope_invalid("an unprotect token cannot name rows", "leave \"rows\" out of unprotect tokens");
    }
    if (claims.live) {
        scope_invalid("an unprotect token cannot set \"live\": unprotect deletes nothing",
                      "leave \"live\" out of unprotect tokens");
    }
}

}  // namespace

const char *action_name(TokenAction action) noexcept {
    return action == TokenAction::unprotect ? "unprotect" : "purge";
}

bool operator==(const Claims &a, const Claims &b) {
    return a.kid == b.kid && a.act == b.act && a.db == b.db && a.tenant == b.tenant && a.tables == b.tables &&
           a.rows == b.rows && a.live == b.live && a.max_rows == b.max_rows && a.exp == b.exp && a.nbf == b.nbf &&
           a.iat == b.iat && a.jti == b.jti && a.reason == b.reason;
}

Claims decode_claims(const json &claims) {
    if (!claims.is_object()) malformed("token claims must be a JSON object, got " + describe_type(claims));
    for (const auto &item : claims.items()) {
        if (!is_known_claim(item.key())) {
            malformed("unknown claim " + shown_quoted(item.key()) + "; the known claims are " + known_claims_list());
        }
    }

    Claims out;
    out.kid = checked_text(require_claim(claims, "kid"), claim_name("kid"));
    out.act = checked_action(require_claim(claims, "act"));
    out.db = checked_text(require_claim(claims, "db"), claim_name("db"));
    out.jti = checked_text(require_claim(claims, "jti"), claim_name("jti"));
    out.reason = checked_text(require_claim(claims, "reason"), claim_name("reason"));
    if (is_blank(out.reason)) malformed(claim_name("reason") + " is blank; it is kept in the purge receipt");
    out.max_rows = checked_integer(require_claim(claims, "max_rows"), "max_rows", 0,
                                   std::numeric_limits<std::int64_t>::max(), "a row count");
    out.exp = checked_time(require_claim(claims, "exp"), "exp");
    if (const json *nbf = find_claim(claims, "nbf")) out.nbf = checked_time(*nbf, "nbf");
    if (const json *iat = find_claim(claims, "iat")) out.iat = checked_time(*iat, "iat");
    if (const json *tenant = find_claim(claims, "tenant")) out.tenant = checked_text(*tenant, claim_name("tenant"));
    if (const json *live = find_claim(claims, "live")) {
        if (!live->is_boolean()) malformed(claim_name("live") + " must be true or false, got " + describe_type(*live));
        out.live = live->get<bool>();
    }
    if (const json *tables = find_claim(claims, "tables")) {
        out.tables = checked_tables(*tables);
        if (out.tables.empty() && out.act == TokenAction::purge) {
            scope_invalid(claim_name("tables") + " is an empty list, which would purge nothing",
                          "leave \"tables\" out to purge every protected table, or name the tables");
        }
    }
    if (const json *rows = find_claim(claims, "rows")) out.rows = checked_rows(*rows);

    if (out.nbf && *out.nbf >= out.exp) {
        malformed("nbf (" + format_utc(*out.nbf) + ") is not before exp (" + format_utc(out.exp) +
                  "): the token could never be used");
    }
    if (out.iat && *out.iat > out.exp) {
        malformed("iat (" + format_utc(*out.iat) + ") is after exp (" + format_utc(out.exp) + ")");
    }
    check_scope(out);
    return out;
}

json encode_claims(const Claims &claims) {
    json out = json::object();
    out["kid"] = claims.kid;
    out["act"] = action_name(claims.act);
    out["db"] = claims.db;
    if (claims.tenant) out["tenant"] = *claims.tenant;
    if (!claims.tables.empty()) out["tables"] = claims.tables;
    if (!claims.rows.empty()) out["rows"] = claims.rows;
    if (claims.live) out["live"] = true;
    out["max_rows"] = claims.max_rows;
    out["exp"] = claims.exp;
    if (claims.nbf) out["nbf"] = *claims.nbf;
    if (claims.iat) out["iat"] = *claims.iat;
    out["jti"] = claims.jti;
    out["reason"] = claims.reason;
    return out;
}

void check_time_window(const Claims &claims, std::int64_t now, std::int64_t max_lifetime_seconds) {
    if (now < min_unix_time || now > max_unix_time) throw std::invalid_argument("check_time_window: now out of range");
    if (max_lifetime_seconds <= 0) throw std::invalid_argument("check_time_window: max lifetime must be positive");

    if (claims.exp <= now) {
        throw TokenError(TokenErrorKind::expired,
                         "token expired at " + format_utc(claims.exp) + " (it is now " + format_utc(now) + ")",
                         new_token_hint);
    }
    if (claims.nbf && *claims.nbf > now) {
        throw TokenError(
            TokenErrorKind::not_yet_valid,
            "token is not valid before " + format_utc(*claims.nbf) + " (it is now " + format_utc(now) + ")",
            "use it from that time on, or check this server's clock");
    }
    // Both operands lie within the unix time range: no overflow.
    const std::int64_t start = claims.iat ? std::min(*claims.iat, now) : now;
    const std::int64_t lifetime = claims.exp - start;
    if (lifetime > max_lifetime_seconds) {
        throw TokenError(TokenErrorKind::lifetime_too_long,
                         "token lifetime " + format_duration(lifetime) + " (" + format_utc(start) + " to " +
                             format_utc(claims.exp) + ") exceeds the allowed " + format_duration(max_lifetime_seconds) +
                             " (tenant_guard.max_token_lifetime)",
                         "ask the key holder for a token that expires sooner");
    }
}

void check_database(const Claims &claims, std::string_view expected_db_id) {
    if (claims.db != expected_db_id) {
        throw TokenError(
            TokenErrorKind::wrong_database,
            "token is for database " + shown_quoted(claims.db) + ", this is " + shown_quoted(expected_db_id),
            "ask for a token made for this database (see tenant_guard.database_id())");
    }
}

Claims validate_claims(const json &claims, std::int64_t now, std::int64_t max_lifetime_seconds) {
    Claims decoded = decode_claims(claims);
    check_time_window(decoded, now, max_lifetime_seconds);
    return decoded;
}

}  // namespace tg::common
