#include "common/token.hpp"

#include "common/base64url.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tg::common {
namespace {

using nlohmann::json;
using testing::throws_token_error;

json sample_claims() {
    return json{{"kid", "ops-2026"}, {"act", "purge"},    {"db", "7301234567890123456/app"},
                {"tenant", "acme"},  {"max_rows", 1000},  {"exp", 1795604400},
                {"iat", 1795600800}, {"jti", "b7c1e0f2"}, {"reason", "GDPR erasure request 4711"}};
}

class TokenTest : public ::testing::Test {
   protected:
    const PrivateKey key_ = PrivateKey::generate();
};

TEST_F(TokenTest, RoundTrips) {
    const std::string token = make_token(sample_claims(), key_);
    const ParsedToken parsed = parse_token(token);
    EXPECT_EQ(parsed.claims, sample_claims());
    EXPECT_TRUE(verify_signature(parsed, key_.public_key()));
    EXPECT_NO_THROW(require_valid_signature(parsed, key_.public_key()));
}

TEST_F(TokenTest, HasTheSpecifiedLayout) {
    const std::string token = make_token(sample_claims(), key_);
    ASSERT_EQ(token.rfind("tg1.", 0), 0U);
    const std::size_t second_dot = token.find('.', 4);
    ASSERT_NE(second_dot, std::string::npos);
    const std::string payload = token.substr(4, second_dot - 4);
    const std::string signed_part = token.substr(0, second_dot);

    const Bytes claims_text = base64url_decode(payload).value();
    EXPECT_EQ(json::parse(claims_text), sample_claims());
    // Ed25519 is deterministic, so the signature part can be recomputed exactly.
    EXPECT_EQ(token.substr(second_dot + 1), base64url_encode(key_.sign(signed_part)));
    EXPECT_EQ(parse_token(token).signed_part, signed_part);
    EXPECT_EQ(token.find('='), std::string::npos);
}

TEST_F(TokenTest, AnotherKeyDoesNotVerify) {
    const ParsedToken parsed = parse_token(make_token(sample_claims(), key_));
    const PublicKey other = PrivateKey::generate().public_key();
    EXPECT_FALSE(verify_signature(parsed, other));
    EXPECT_TRUE(throws_token_error([&] { require_valid_signature(parsed, other); }, TokenErrorKind::bad_signature));
}

TEST_F(TokenTest, ChangedClaimsDoNotVerify) {
    const std::string token = make_token(sample_claims(), key_);
    const std::string signature_part = token.substr(token.rfind('.'));
    json changed = sample_claims();
    changed["max_rows"] = 1000000;
    const std::string forged = "tg1." + base64url_encode(changed.dump()) + signature_part;
    const ParsedToken parsed = parse_token(forged);
    EXPECT_FALSE(verify_signature(parsed, key_.public_key()));
    EXPECT_TRUE(
        throws_token_error([&] { require_valid_signature(parsed, key_.public_key()); }, TokenErrorKind::bad_signature));
}

TEST_F(TokenTest, FlippedSignatureBitDoesNotVerify) {
    ParsedToken parsed = parse_token(make_token(sample_claims(), key_));
    parsed.signature[17] ^= 0x04;
    EXPECT_FALSE(verify_signature(parsed, key_.public_key()));
}

TEST_F(TokenTest, MakeTokenRefusesNonObjects) {
    EXPECT_TRUE(throws_token_error([&] { make_token(json::array({1, 2}), key_); }, TokenErrorKind::malformed));
    EXPECT_TRUE(throws_token_error([&] { make_token(json("tg1"), key_); }, TokenErrorKind::malformed));
}

TEST_F(TokenTest, MakeTokenRefusesInvalidUtf8) {
    json claims = sample_claims();
    claims["reason"] = std::string("\xFF\xFE");
    EXPECT_TRUE(throws_token_error([&] { make_token(claims, key_); }, TokenErrorKind::malformed));
}

TEST_F(TokenTest, MakeTokenRefusesOversizedClaims) {
    json claims = sample_claims();
    claims["reason"] = std::string(max_token_size, 'x');
    EXPECT_TRUE(throws_token_error([&] { make_token(claims, key_); }, TokenErrorKind::malformed));
}

// A syntactically valid token around arbitrary claims text, signed by nobody.
std::string token_around(const std::string &claims_text) {
    return "tg1." + base64url_encode(claims_text) + "." + base64url_encode(Ed25519Signature{});
}

bool parse_is_malformed(const std::string &token) {
    return throws_token_error([&] { parse_token(token); }, TokenErrorKind::malformed);
}

TEST(ParseToken, AcceptsAnUnsignedButWellFormedToken) {
    const ParsedToken parsed = parse_token(token_around(R"({"kid":"k"})"));
    EXPECT_EQ(parsed.claims["kid"], "k");
    EXPECT_EQ(parsed.signature, Ed25519Signature{});
}

TEST(ParseToken, RejectsWrongPrefix) {
    const std::string valid = token_around("{}");
    EXPECT_TRUE(parse_is_malformed("tg2" + valid.substr(3)));
    EXPECT_TRUE(parse_is_malformed("TG1" + valid.substr(3)));
    EXPECT_TRUE(parse_is_malformed(valid.substr(4)));
    EXPECT_TRUE(parse_is_malformed(""));
    EXPECT_TRUE(parse_is_malformed("tg1"));
}

TEST(ParseToken, RejectsWrongNumberOfParts) {
    const std::string valid = token_around("{}");
    EXPECT_TRUE(parse_is_malformed("tg1." + base64url_encode("{}")));
    EXPECT_TRUE(parse_is_malformed(valid + ".e30"));
    EXPECT_TRUE(parse_is_malformed("tg1.."));
    EXPECT_TRUE(parse_is_malformed(valid + "."));
}

TEST(ParseToken, RejectsWhitespaceAnywhere) {
    const std::string valid = token_around("{}");
    EXPECT_TRUE(parse_is_malformed(valid + "\n"));
    EXPECT_TRUE(parse_is_malformed(" " + valid));
    EXPECT_TRUE(parse_is_malformed(valid.substr(0, 10) + "\r\n" + valid.substr(10)));
}

TEST(ParseToken, RejectsBadBase64InEitherPart) {
    const std::string payload = base64url_encode("{}");
    const std::string signature = base64url_encode(Ed25519Signature{});
    EXPECT_TRUE(parse_is_malformed("tg1." + payload + "=." + signature));
    EXPECT_TRUE(parse_is_malformed("tg1.e3+." + signature));
    EXPECT_TRUE(parse_is_malformed("tg1." + payload + "." + signature + "A"));                // length 4k+1
    EXPECT_TRUE(parse_is_malformed("tg1." + payload + "." + signature.substr(0, 85) + "B"));  // spare bits set
}

TEST(ParseToken, RejectsSignaturesOfTheWrongLength) {
    const std::string payload = base64url_encode("{}");
    EXPECT_TRUE(parse_is_malformed("tg1." + payload + "." + base64url_encode(Bytes(63, 0))));
    EXPECT_TRUE(parse_is_malformed("tg1." + payload + "." + base64url_encode(Bytes(65, 0))));
    EXPECT_TRUE(parse_is_malformed("tg1." + payload + "."));
}

TEST(ParseToken, RejectsClaimsThatAreNotAJsonObject) {
    EXPECT_TRUE(parse_is_malformed(token_around("")));
    EXPECT_TRUE(parse_is_malformed(token_around("not json")));
    EXPECT_TRUE(parse_is_malformed(token_around("[1,2]")));
    EXPECT_TRUE(parse_is_malformed(token_around("\"tg1\"")));
    EXPECT_TRUE(parse_is_malformed(token_around("null")));
    EXPECT_TRUE(parse_is_malformed(token_around(R"({"a":1} {"b":2})")));
}

TEST(ParseToken, RejectsDuplicateClaims) {
    EXPECT_TRUE(parse_is_malformed(token_around(R"({"exp":1795604400,"exp":4102444800})")));
}

TEST(ParseToken, RejectsDeeplyNestedClaims) {
    EXPECT_TRUE(parse_is_malformed(token_around(R"({"rows":)" + std::string(40, '[') + std::string(40, ']') + "}")));
}

TEST(ParseToken, RejectsOversizedTokens) {
    EXPECT_TRUE(parse_is_malformed(token_around(std::string(max_token_size, ' '))));
}

TEST(ParseToken, MalformedMessagesSayWhatToDo) {
    try {
        parse_token("tg1.abc");
        FAIL();
    } catch (const TokenError &error) {
        EXPECT_STREQ(error.sqlstate(), "TG010");
        EXPECT_NE(error.message().find("3 parts"), std::string::npos) << error.what();
        EXPECT_FALSE(error.hint().empty());
    }
}

}  // namespace
}  // namespace tg::common
