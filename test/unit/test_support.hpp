// Helpers shared by the unit tests.
#pragma once

#include "common/bytes.hpp"
#include "common/hex.hpp"
#include "common/token_error.hpp"

#include <gtest/gtest.h>

#include <exception>
#include <string_view>

namespace tg::common::testing {

// Bytes from hex typed into a test; a typo fails the test instead of going unnoticed.
inline Bytes from_hex(std::string_view hex) {
    const auto bytes = hex_decode(hex);
    EXPECT_TRUE(bytes.has_value()) << "bad hex in test: " << hex;
    return bytes.value_or(Bytes{});
}

// Succeeds only when `action` throws a TokenError of the expected kind, and
// shows what happened instead otherwise.
template <typename Action>
::testing::AssertionResult throws_token_error(Action &&action, TokenErrorKind expected) {
    try {
        action();
    } catch (const TokenError &error) {
        if (error.kind() == expected) return ::testing::AssertionSuccess();
        return ::testing::AssertionFailure()
               << "threw " << kind_name(error.kind()) << " instead of " << kind_name(expected) << ": " << error.what();
    } catch (const std::exception &error) {
        return ::testing::AssertionFailure() << "threw a non-token exception: " << error.what();
    }
    return ::testing::AssertionFailure() << "did not throw (expected " << kind_name(expected) << ")";
}

}  // namespace tg::common::testing
