#include "common/token_error.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tg::common {
namespace {

TEST(TokenError, EachKindMapsToTheSpecsSqlstate) {
    EXPECT_STREQ(sqlstate(TokenErrorKind::Malformed), "TG010");
    EXPECT_STREQ(sqlstate(TokenErrorKind::BadSignature), "TG011");
    EXPECT_STREQ(sqlstate(TokenErrorKind::UnknownKey), "TG012");
    EXPECT_STREQ(sqlstate(TokenErrorKind::Expired), "TG013");
    EXPECT_STREQ(sqlstate(TokenErrorKind::NotYetValid), "TG013");
    EXPECT_STREQ(sqlstate(TokenErrorKind::LifetimeTooLong), "TG013");
    EXPECT_STREQ(sqlstate(TokenErrorKind::AlreadyUsed), "TG014");
    EXPECT_STREQ(sqlstate(TokenErrorKind::WrongDatabase), "TG015");
    EXPECT_STREQ(sqlstate(TokenErrorKind::ScopeTooLarge), "TG016");
    EXPECT_STREQ(sqlstate(TokenErrorKind::ScopeInvalid), "TG017");
}

TEST(TokenError, KindsHaveDistinctNames) {
    const TokenErrorKind kinds[] = {TokenErrorKind::Malformed,     TokenErrorKind::BadSignature,
                                    TokenErrorKind::UnknownKey,    TokenErrorKind::Expired,
                                    TokenErrorKind::NotYetValid,   TokenErrorKind::LifetimeTooLong,
                                    TokenErrorKind::AlreadyUsed,   TokenErrorKind::WrongDatabase,
                                    TokenErrorKind::ScopeTooLarge, TokenErrorKind::ScopeInvalid};
    for (const auto a : kinds) {
        for (const auto b : kinds) {
            if (a != b) {
                EXPECT_STRNE(kind_name(a), kind_name(b));
            }
        }
    }
}

TEST(TokenError, CarriesMessageAndHintSeparatelyAndJoined) {
    const TokenError error(TokenErrorKind::AlreadyUsed, "token 42 was used at noon", "ask for a new token");
    EXPECT_EQ(error.kind(), TokenErrorKind::AlreadyUsed);
    EXPECT_STREQ(error.sqlstate(), "TG014");
    EXPECT_EQ(error.message(), "token 42 was used at noon");
    EXPECT_EQ(error.hint(), "ask for a new token");
    EXPECT_STREQ(error.what(), "token 42 was used at noon; ask for a new token");
}

TEST(TokenError, WithoutHintWhatIsTheMessage) {
    const TokenError error(TokenErrorKind::UnknownKey, "no key \"k1\"", "");
    EXPECT_STREQ(error.what(), "no key \"k1\"");
}

}  // namespace
}  // namespace tg::common
