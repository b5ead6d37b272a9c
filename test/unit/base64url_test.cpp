#include "common/base64url.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tg::common {
namespace {

std::string as_text(const Bytes &bytes) { return std::string(bytes.begin(), bytes.end()); }

// RFC 4648 section 10 vectors, without their padding.
TEST(Base64Url, EncodesRfc4648VectorsWithoutPadding) {
    EXPECT_EQ(base64url_encode(""), "");
    EXPECT_EQ(base64url_encode("f"), "Zg");
    EXPECT_EQ(base64url_encode("fo"), "Zm8");
    EXPECT_EQ(base64url_encode("foo"), "Zm9v");
    EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
    EXPECT_EQ(base64url_encode("fooba"), "Zm9vYmE");
    EXPECT_EQ(base64url_encode("foobar"), "Zm9vYmFy");
}

TEST(Base64Url, DecodesRfc4648Vectors) {
    EXPECT_EQ(as_text(base64url_decode("").value()), "");
    EXPECT_EQ(as_text(base64url_decode("Zg").value()), "f");
    EXPECT_EQ(as_text(base64url_decode("Zm8").value()), "fo");
    EXPECT_EQ(as_text(base64url_decode("Zm9v").value()), "foo");
    EXPECT_EQ(as_text(base64url_decode("Zm9vYmE").value()), "fooba");
    EXPECT_EQ(as_text(base64url_decode("Zm9vYmFy").value()), "foobar");
}

TEST(Base64Url, UsesTheUrlSafeAlphabet) {
    const Bytes bytes{0xFB, 0xFF, 0xBF};
    EXPECT_EQ(base64url_encode(bytes), "-_-_");
    EXPECT_EQ(base64url_decode("-_-_").value(), bytes);
    EXPECT_EQ(base64url_encode(Bytes{0xFB, 0xFF}), "-_8");
}

TEST(Base64Url, RoundTripsEveryLengthAndByteValue) {
    Bytes bytes;
    for (std::size_t length = 0; length <= 300; ++length) {
        const std::string text = base64url_encode(bytes);
        EXPECT_EQ(text.size() % 4 == 1, false) << length;
        const auto decoded = base64url_decode(text);
        ASSERT_TRUE(decoded.has_value()) << length;
        EXPECT_EQ(*decoded, bytes) << length;
        bytes.push_back(static_cast<std::uint8_t>(length * 151 + 7));  // visits all 256 values
    }
}

TEST(Base64Url, RejectsPadding) {
    EXPECT_FALSE(base64url_decode("Zg=="));
    EXPECT_FALSE(base64url_decode("Zm8="));
    EXPECT_FALSE(base64url_decode("Zg="));
    EXPECT_FALSE(base64url_decode("===="));
}

TEST(Base64Url, RejectsTheStandardAlphabetsPlusAndSlash) {
    EXPECT_FALSE(base64url_decode("-_+_"));
    EXPECT_FALSE(base64url_decode("-_-/"));
}

TEST(Base64Url, RejectsWhitespace) {
    EXPECT_FALSE(base64url_decode(" Zm9v"));
    EXPECT_FALSE(base64url_decode("Zm9v\n"));
    EXPECT_FALSE(base64url_decode("Zm 9v"));
    EXPECT_FALSE(base64url_decode("Zm9v\r\n"));
    EXPECT_FALSE(base64url_decode("Zm\t9v"));
}

TEST(Base64Url, RejectsOtherBytes) {
    EXPECT_FALSE(base64url_decode(std::string("Zm9v\0", 5)));
    EXPECT_FALSE(base64url_decode("Zm9v\xC3\xA9"));
    EXPECT_FALSE(base64url_decode("Zm.v"));
}

TEST(Base64Url, RejectsLengthsThatCannotEncodeWholeBytes) {
    EXPECT_FALSE(base64url_decode("Z"));
    EXPECT_FALSE(base64url_decode("Zm9vY"));
    EXPECT_FALSE(base64url_decode("Zm9vYmFyZ"));
}

TEST(Base64Url, RejectsNonCanonicalTrailingBits) {
    // "f" is "Zg"; "Zh" … "Zv" carry the same byte plus nonzero spare bits.
    EXPECT_FALSE(base64url_decode("Zh"));
    EXPECT_FALSE(base64url_decode("Zv"));
    // "fo" is "Zm8"; "Zm9" sets a spare bit.
    EXPECT_FALSE(base64url_decode("Zm9"));
    EXPECT_TRUE(base64url_decode("Zg"));
    EXPECT_TRUE(base64url_decode("Zm8"));
}

}  // namespace
}  // namespace tg::common
