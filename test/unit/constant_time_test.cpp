#include "common/constant_time.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tg::common {
namespace {

TEST(ConstantTimeEqual, ComparesContents) {
    EXPECT_TRUE(constant_time_equal("secret", "secret"));
    EXPECT_FALSE(constant_time_equal("secret", "secreT"));
    EXPECT_FALSE(constant_time_equal("Secret", "secret"));
}

TEST(ConstantTimeEqual, DifferentLengthsAreDifferent) {
    EXPECT_FALSE(constant_time_equal("secret", "secrets"));
    EXPECT_FALSE(constant_time_equal("", "x"));
    EXPECT_TRUE(constant_time_equal("", ""));
}

TEST(ConstantTimeEqual, ComparesBytesAfterNul) {
    EXPECT_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
}

}  // namespace
}  // namespace tg::common
