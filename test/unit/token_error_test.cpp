#include "common/token_error.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tg::common {
namespace {

TEST(TokenError, EachKindMapsToTheSpecsSqlstate) {
    EXPECT_STREQ(sqlstate(TokenErrorKind::malformed), "TG010");
    EXPECT_STREQ(sqlstate(TokenErrorKind::bad_signature), "TG011");
    EXPECT_STREQ(sqlstate(TokenErrorKind::unknown_key), "TG012");
    EXPECT_STREQ(sqlstate(TokenErrorKind::expired), "TG013");
    EXPECT_STREQ(sqlstate(TokenErrorKind::not_yet_valid), "TG013");
    EXPECT_STREQ(sqlstate(TokenErrorKind::lifetime_too_long), "TG013");
    EXPECT_STREQ(sqlstate(TokenErrorKind::already_used), "TG014");
    EXPECT_STREQ(sqlstate(TokenErrorKind::wrong_database), "TG015");
    EXPECT_STREQ(sqlstate(TokenErrorKind::scope_too_large), "TG016");
    EXPECT_STREQ(sqlstate(TokenErrorKind::scope_invalid), "TG017");
}

TEST(TokenError, KindsHaveDistinctNames) {
    const TokenErrorKind kinds[] = {TokenErrorKind::malformed,       TokenErrorKind::bad_signature,
                                    TokenErrorKind::unknown_key,     TokenErrorKind::expired,
                                    TokenErrorKind::not_yet_valid,   TokenErrorKind::lifetime_too_long,
                                    TokenErrorKind::already_used,    TokenErrorKind::wrong_database,
                                    TokenErrorKind::scope_too_large, TokenErrorKind::scope_invalid};
    for (const auto a : kinds) {
        for (const auto b : kinds) {
            if (a != b) {
                EXPECT_STRNE(kind_name(a), kind_name(b));
            }
        }
    }
}

TEST(TokenError, CarriesMessageAndHintSeparatelyAndJoined) {
    const TokenError error(TokenErrorKind::already_used, "token 42 was used at noon", "ask for a new token");
    EXPECT_EQ(error.kind(), TokenErrorKind::already_used);
    EXPECT_STREQ(error.sqlstate(), "TG014");
    EXPECT_EQ(error.message(), "token 42 was used at noon");
    EXPECT_EQ(error.hint(), "ask for a new token");
    EXPECT_STREQ(error.what(), "token 42 was used at noon; ask for a new token");
}

TEST(TokenError, WithoutHintWhatIsTheMessage) {
    const TokenError error(TokenErrorKind::unknown_key, "no key \"k1\"", "");
    EXPECT_STREQ(error.what(), "no key \"k1\"");
}

}  // namespace
}  // namespace tg::common
