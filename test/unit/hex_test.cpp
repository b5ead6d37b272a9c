#include "common/hex.hpp"

#include <gtest/gtest.h>

namespace tg::common {
namespace {

TEST(Hex, EncodesLowerCase) {
    EXPECT_EQ(hex_encode(Bytes{}), "");
    EXPECT_EQ(hex_encode(Bytes{0x00, 0x0F, 0xA5, 0xFF}), "000fa5ff");
}

TEST(Hex, DecodesBothCases) {
    EXPECT_EQ(hex_decode("000fA5Ff").value(), (Bytes{0x00, 0x0F, 0xA5, 0xFF}));
    EXPECT_EQ(hex_decode("").value(), Bytes{});
}

TEST(Hex, RejectsOddLengthAndNonHex) {
    EXPECT_FALSE(hex_decode("abc"));
    EXPECT_FALSE(hex_decode("zz"));
    EXPECT_FALSE(hex_decode("0x"));
    EXPECT_FALSE(hex_decode(" 0"));
}

}  // namespace
}  // namespace tg::common
