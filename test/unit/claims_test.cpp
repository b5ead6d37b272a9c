#include "common/claims.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <ostream>
#include <stdexcept>
#include <string>

namespace tg::common {
namespace {

using nlohmann::json;
using testing::throws_token_error;

constexpr std::int64_t fixed_now = 1795600800;  // 2026-11-25T10:00:00Z
constexpr std::int64_t day = 86400;

json purge_claims() {
    return json{{"kid", "ops-2026"},
                {"act", "purge"},
                {"db", "7301234567890123456/app"},
                {"tenant", "acme"},
                {"max_rows", 1000},
                {"exp", fixed_now + 3600},
                {"jti", "b7c1e0f2"},
                {"reason", "GDPR erasure request 4711"}};
}

json unprotect_claims() {
    json claims = purge_claims();
    claims["act"] = "unprotect";
    claims["tables"] = json::array({"public.orders"});
    return claims;
}

json with(json claims, const char *name, json value) {
    claims[name] = std::move(value);
    return claims;
}

json without(json claims, const char *name) {
    claims.erase(name);
    return claims;
}

bool decode_fails_with(const json &claims, TokenErrorKind kind) {
    return throws_token_error([&] { decode_claims(claims); }, kind);
}

bool time_check_fails_with(const json &claims, TokenErrorKind kind, std::int64_t max_lifetime = day) {
    const Claims decoded = decode_claims(claims);
    return throws_token_error([&] { check_time_window(decoded, fixed_now, max_lifetime); }, kind);
}

// --- accepted claims

TEST(DecodeClaims, MinimalPurge) {
    const Claims claims = decode_claims(purge_claims());
    EXPECT_EQ(claims.kid, "ops-2026");
    EXPECT_EQ(claims.act, TokenAction::purge);
    EXPECT_EQ(claims.db, "7301234567890123456/app");
    EXPECT_EQ(claims.tenant, "acme");
    EXPECT_TRUE(claims.tables.empty());
    EXPECT_TRUE(claims.rows.empty());
    EXPECT_FALSE(claims.live);
    EXPECT_EQ(claims.max_rows, 1000);
    EXPECT_EQ(claims.exp, fixed_now + 3600);
    EXPECT_FALSE(claims.nbf);
    EXPECT_FALSE(claims.iat);
    EXPECT_EQ(claims.jti, "b7c1e0f2");
    EXPECT_EQ(claims.reason, "GDPR erasure request 4711");
}

TEST(DecodeClaims, PurgeWithEveryOptionalClaim) {
    json input = purge_claims();
    input["tables"] = json::array({"public.orders", "billing.invoices"});
    input["rows"] = json::array({json{{"id", 7}}, json{{"region", "eu"}, {"no", 12}}});
    input["live"] = true;
    input["nbf"] = fixed_now - 60;
    input["iat"] = fixed_now - 120;
    const Claims claims = decode_claims(input);
    EXPECT_EQ(claims.tables, (std::vector<std::string>{"public.orders", "billing.invoices"}));
    ASSERT_EQ(claims.rows.size(), 2U);
    EXPECT_EQ(claims.rows[1]["no"], 12);
    EXPECT_TRUE(claims.live);
    EXPECT_EQ(claims.nbf, fixed_now - 60);
    EXPECT_EQ(claims.iat, fixed_now - 120);
    EXPECT_NO_THROW(check_time_window(claims, fixed_now, day));
}

TEST(DecodeClaims, Unprotect) {
    const Claims claims = decode_claims(unprotect_claims());
    EXPECT_EQ(claims.act, TokenAction::unprotect);
    EXPECT_EQ(claims.tables, std::vector<std::string>{"public.orders"});
    EXPECT_STREQ(action_name(claims.act), "unprotect");
}

TEST(DecodeClaims, UnprotectNeedsNoTenant) { EXPECT_NO_THROW(decode_claims(without(unprotect_claims(), "tenant"))); }

TEST(DecodeClaims, LiveFalseAndZeroMaxRowsAreAllowed) {
    EXPECT_NO_THROW(decode_claims(with(with(purge_claims(), "live", false), "max_rows", 0)));
}

TEST(DecodeClaims, LargeUnsignedIntegersInRange) {
    EXPECT_EQ(decode_claims(with(purge_claims(), "max_rows", std::uint64_t{9223372036854775807ULL})).max_rows,
              std::numeric_limits<std::int64_t>::max());
}

TEST(EncodeClaims, RoundTripsThroughDecode) {
    json input = purge_claims();
    input["tables"] = json::array({"public.orders"});
    input["rows"] = json::array({json{{"id", 7}}});
    input["live"] = true;
    input["nbf"] = fixed_now;
    input["iat"] = fixed_now;
    const Claims claims = decode_claims(input);
    EXPECT_EQ(encode_claims(claims), input);
    EXPECT_EQ(decode_claims(encode_claims(claims)), claims);
    EXPECT_EQ(encode_claims(decode_claims(purge_claims())), purge_claims());
}

// --- malformed: TG010

TEST(DecodeClaims, NotAnObjectIsMalformed) {
    EXPECT_TRUE(decode_fails_with(json::array(), TokenErrorKind::malformed));
    EXPECT_TRUE(decode_fails_with(json("purge"), TokenErrorKind::malformed));
    EXPECT_TRUE(decode_fails_with(json(), TokenErrorKind::malformed));
}

class RequiredClaim : public ::testing::TestWithParam<const char *> {};

TEST_P(RequiredClaim, MissingIsMalformed) {
    try {
        decode_claims(without(purge_claims(), GetParam()));
        FAIL() << "accepted without " << GetParam();
    } catch (const TokenError &error) {
        EXPECT_EQ(error.kind(), TokenErrorKind::malformed);
        EXPECT_NE(error.message().find(std::string("missing required claim \"") + GetParam() + "\""), std::string::npos)
            << error.what();
    }
}

INSTANTIATE_TEST_SUITE_P(Claims, RequiredClaim,
                         ::testing::Values("kid", "act", "db", "max_rows", "exp", "jti", "reason"));

TEST(DecodeClaims, UnknownClaimIsMalformed) {
    try {
        decode_claims(with(purge_claims(), "scope", "all"));
        FAIL();
    } catch (const TokenError &error) {
        EXPECT_EQ(error.kind(), TokenErrorKind::malformed);
        EXPECT_NE(error.message().find("unknown claim \"scope\""), std::string::npos) << error.what();
    }
    // Claim names are case-sensitive.
    EXPECT_TRUE(decode_fails_with(with(purge_claims(), "Exp", fixed_now), TokenErrorKind::malformed));
}

struct WrongType {
    const char *claim;
    json value;
};

void PrintTo(const WrongType &wrong, std::ostream *out) { *out << wrong.claim << '=' << wrong.value.dump(); }

class WrongTypeClaim : public ::testing::TestWithParam<WrongType> {};

TEST_P(WrongTypeClaim, IsMalformed) {
    EXPECT_TRUE(decode_fails_with(with(purge_claims(), GetParam().claim, GetParam().value), TokenErrorKind::malformed))
        << GetParam().claim << " = " << GetParam().value.dump();
}

INSTANTIATE_TEST_SUITE_P(
    Claims, WrongTypeClaim,
    ::testing::Values(WrongType{"kid", 7}, WrongType{"kid", nullptr}, WrongType{"act", true},
                      WrongType{"db", json::array({"x"})}, WrongType{"tenant", 42}, WrongType{"tenant", nullptr},
                      WrongType{"tables", "public.orders"}, WrongType{"tables", json::array({1})},
                      WrongType{"tables", json::array({json::array({"a"})})}, WrongType{"rows", json{{"id", 7}}},
                      WrongType{"rows", json::array({7})}, WrongType{"rows", json::array({"id=7"})},
                      WrongType{"rows", json::array({json::array({7})})}, WrongType{"live", "true"},
                      WrongType{"live", 1}, WrongType{"max_rows", "1000"}, WrongType{"max_rows", 1000.0},
                      WrongType{"max_rows", 1e3}, WrongType{"exp", "1795604400"}, WrongType{"exp", 1795604400.5},
                      WrongType{"exp", 1795604400.0}, WrongType{"nbf", "now"}, WrongType{"nbf", 1795600000.0},
                      WrongType{"iat", "1795600800"}, WrongType{"iat", 1.5}, WrongType{"jti", 123},
                      WrongType{"reason", json::object()}),
    [](const auto &info) { return std::string(info.param.claim) + "_" + std::to_string(info.index); });

class EmptyTextClaim : public ::testing::TestWithParam<const char *> {};

TEST_P(EmptyTextClaim, IsMalformed) {
    EXPECT_TRUE(decode_fails_with(with(purge_claims(), GetParam(), ""), TokenErrorKind::malformed));
    EXPECT_TRUE(decode_fails_with(with(purge_claims(), GetParam(), std::string("a\0b", 3)), TokenErrorKind::malformed));
}

INSTANTIATE_TEST_SUITE_P(Claims, EmptyTextClaim, ::testing::Values("kid", "db", "tenant", "jti", "reason"));

TEST(DecodeClaims, BlankReasonIsMalformed) {
    EXPECT_TRUE(decode_fails_with(with(purge_claims(), "reason", " \t\n"), TokenErrorKind::malformed));
}

TEST(DecodeClaims, UnknownActIsMalformed) {
    EXPECT_TRUE(decode_fails_with(with(purge_claims(), "act", "delete"), TokenErrorKind::malformed));
    EXPECT_TRUE(decode_fails_with(with(purge_claims(), "act", "PURGE"), TokenErrorKind::malformed));
}

TEST(DecodeClaims, NegativeMaxRowsIsMalformed) {
    EXPECT_TRUE(decode_fails_with(with(purge_claims(), "max_rows", -1), TokenErrorKind::malformed));
}

TEST(DecodeClaims, MaxRowsBeyondInt64IsMalformed) {
    EXPECT_TRUE(decode_fails_with(with(purge_claims(), "max_rows", std::uint64_t{9223372036854775808ULL}),
                                  TokenErrorKind::malformed));
}

TEST(DecodeClaims, TimesOutsideYears1970To9999AreMalformed) {
    for (const char *claim : {"exp", "nbf", "iat"}) {
        EXPECT_TRUE(decode_fails_with(with(purge_claims(), claim, -1), TokenErrorKind::malformed)) << claim;
        EXPECT_TRUE(
            decode_fails_with(with(purge_claims(), claim, std::int64_t{253402300800}), TokenErrorKind::malformed))
            << claim;
        EXPECT_TRUE(decode_fails_with(with(purge_claims(), claim, std::numeric_limits<std::int64_t>::min()),
                                      TokenErrorKind::malformed))
            << claim;
        EXPECT_TRUE(decode_fails_with(with(purge_claims(), claim, std::numeric_limits<std::uint64_t>::max()),
                                      TokenErrorKind::malformed))
            << claim;
    }
}

TEST(DecodeClaims, NbfNotBeforeExpIsMalformed) {
    EXPECT_TRUE(decode_fails_with(with(purge_claims(), "nbf", fixed_now + 3600), TokenErrorKind::malformed));
    EXPECT_TRUE(decode_fails_with(with(purge_claims(), "nbf", fixed_now + 7200), TokenErrorKind::malformed));
}

TEST(DecodeClaims, IatAfterExpIsMalformed) {
    EXPECT_TRUE(decode_fails_with(with(purge_claims(), "iat", fixed_now + 3601), TokenErrorKind::malformed));
}

TEST(DecodeClaims, EmptyTableNameIsMalformed) {
    EXPECT_TRUE(decode_fails_with(with(purge_claims(), "tables", json::array({""})), TokenErrorKind::malformed));
}

// --- scope invalid: TG017

TEST(DecodeClaims, PurgeWithoutTenantIsScopeInvalid) {
    // The spec lists "missing tenant" under TG017.
    EXPECT_TRUE(decode_fails_with(without(purge_claims(), "tenant"), TokenErrorKind::scope_invalid));
}

TEST(DecodeClaims, UnprotectNeedsExactlyOneTable) {
    EXPECT_TRUE(decode_fails_with(without(unprotect_claims(), "tables"), TokenErrorKind::scope_invalid));
    EXPECT_TRUE(decode_fails_with(with(unprotect_claims(), "tables", json::array()), TokenErrorKind::scope_invalid));
    EXPECT_TRUE(decode_fails_with(with(unprotect_claims(), "tables", json::array({"public.a", "public.b"})),
                                  TokenErrorKind::scope_invalid));
}

TEST(DecodeClaims, UnprotectCannotNameRowsOrLive) {
    EXPECT_TRUE(decode_fails_with(with(unprotect_claims(), "rows", json::array({json{{"id", 1}}})),
                                  TokenErrorKind::scope_invalid));
    EXPECT_TRUE(decode_fails_with(with(unprotect_claims(), "live", true), TokenErrorKind::scope_invalid));
}

TEST(DecodeClaims, EmptyListsAreScopeInvalidNotEverything) {
    // An empty list is most likely a bug in whatever built it; it must not widen to "all".
    EXPECT_TRUE(decode_fails_with(with(purge_claims(), "tables", json::array()), TokenErrorKind::scope_invalid));
    EXPECT_TRUE(decode_fails_with(with(purge_claims(), "rows", json::array()), TokenErrorKind::scope_invalid));
    EXPECT_TRUE(
        decode_fails_with(with(purge_claims(), "rows", json::array({json::object()})), TokenErrorKind::scope_invalid));
}

TEST(DecodeClaims, DuplicateTableIsScopeInvalid) {
    EXPECT_TRUE(decode_fails_with(with(purge_claims(), "tables", json::array({"public.a", "public.a"})),
                                  TokenErrorKind::scope_invalid));
}

// --- time: TG013

TEST(CheckTimeWindow, ExpiredAtExpAndAfter) {
    EXPECT_TRUE(time_check_fails_with(with(purge_claims(), "exp", fixed_now), TokenErrorKind::expired));
    EXPECT_TRUE(time_check_fails_with(with(purge_claims(), "exp", fixed_now - 1), TokenErrorKind::expired));
    EXPECT_NO_THROW(check_time_window(decode_claims(with(purge_claims(), "exp", fixed_now + 1)), fixed_now, day));
}

TEST(CheckTimeWindow, ExpiredMessageSaysWhenAndWhatToDo) {
    try {
        check_time_window(decode_claims(with(purge_claims(), "exp", fixed_now)), fixed_now + 300, day);
        FAIL();
    } catch (const TokenError &error) {
        EXPECT_STREQ(error.sqlstate(), "TG013");
        EXPECT_EQ(std::string(error.what()),
                  "token expired at 2026-11-25T10:00:00Z (it is now 2026-11-25T10:05:00Z); "
                  "ask the key holder for a new token");
    }
}

TEST(CheckTimeWindow, NotValidBeforeNbf) {
    json claims = with(purge_claims(), "nbf", fixed_now + 1);
    EXPECT_TRUE(time_check_fails_with(claims, TokenErrorKind::not_yet_valid));
    EXPECT_NO_THROW(check_time_window(decode_claims(with(purge_claims(), "nbf", fixed_now)), fixed_now, day));
}

TEST(CheckTimeWindow, LifetimeCountsFromIat) {
    json claims = purge_claims();
    claims["iat"] = fixed_now - 3600;
    claims["exp"] = fixed_now - 3600 + day;
    EXPECT_NO_THROW(check_time_window(decode_claims(claims), fixed_now, day));
    claims["exp"] = fixed_now - 3600 + day + 1;
    EXPECT_TRUE(time_check_fails_with(claims, TokenErrorKind::lifetime_too_long));
}

TEST(CheckTimeWindow, LifetimeCountsFromNowWithoutIat) {
    EXPECT_NO_THROW(check_time_window(decode_claims(with(purge_claims(), "exp", fixed_now + day)), fixed_now, day));
    EXPECT_TRUE(
        time_check_fails_with(with(purge_claims(), "exp", fixed_now + day + 1), TokenErrorKind::lifetime_too_long));
}

TEST(CheckTimeWindow, AFutureIatCannotStretchTheLifetime) {
    json claims = purge_claims();
    claims["iat"] = fixed_now + 30 * day;
    claims["exp"] = fixed_now + 30 * day + 3600;
    EXPECT_TRUE(time_check_fails_with(claims, TokenErrorKind::lifetime_too_long));
}

TEST(CheckTimeWindow, LifetimeMessageNamesTheLimit) {
    try {
        check_time_window(decode_claims(with(purge_claims(), "exp", fixed_now + 2 * day)), fixed_now, day);
        FAIL();
    } catch (const TokenError &error) {
        EXPECT_EQ(error.kind(), TokenErrorKind::lifetime_too_long);
        EXPECT_NE(error.message().find("2d"), std::string::npos) << error.what();
        EXPECT_NE(error.message().find("tenant_guard.max_token_lifetime"), std::string::npos) << error.what();
    }
}

TEST(CheckTimeWindow, ExpiryIsReportedBeforeLifetime) {
    json claims = with(with(purge_claims(), "iat", 0), "exp", fixed_now - 1);
    EXPECT_TRUE(time_check_fails_with(claims, TokenErrorKind::expired));
}

TEST(CheckTimeWindow, CallerMistakesAreNotTokenErrors) {
    const Claims claims = decode_claims(purge_claims());
    EXPECT_THROW(check_time_window(claims, fixed_now, 0), std::invalid_argument);
    EXPECT_THROW(check_time_window(claims, -5, day), std::invalid_argument);
}

// --- database: TG015

TEST(CheckDatabase, AcceptsTheSameId) {
    EXPECT_NO_THROW(check_database(decode_claims(purge_claims()), "7301234567890123456/app"));
}

TEST(CheckDatabase, RefusesAnotherId) {
    const Claims claims = decode_claims(purge_claims());
    EXPECT_TRUE(throws_token_error([&] { check_database(claims, "7301234567890123456/app_staging"); },
                                   TokenErrorKind::wrong_database));
    EXPECT_TRUE(
        throws_token_error([&] { check_database(claims, "7301234567890123457/app"); }, TokenErrorKind::wrong_database));
    try {
        check_database(claims, "1/other");
    } catch (const TokenError &error) {
        EXPECT_STREQ(error.sqlstate(), "TG015");
        EXPECT_NE(error.message().find("\"1/other\""), std::string::npos) << error.what();
        EXPECT_NE(error.message().find("\"7301234567890123456/app\""), std::string::npos) << error.what();
    }
}

// --- both together

TEST(ValidateClaims, DecodesAndChecksTime) {
    EXPECT_EQ(validate_claims(purge_claims(), fixed_now, day), decode_claims(purge_claims()));
    EXPECT_TRUE(throws_token_error([&] { validate_claims(with(purge_claims(), "exp", fixed_now), fixed_now, day); },
                                   TokenErrorKind::expired));
    EXPECT_TRUE(throws_token_error([&] { validate_claims(without(purge_claims(), "jti"), fixed_now, day); },
                                   TokenErrorKind::malformed));
}

}  // namespace
}  // namespace tg::common
