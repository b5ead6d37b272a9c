#include "common/strict_json.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tg::common {
namespace {

TEST(StrictJson, ParsesOrdinaryJson) {
    const auto value = parse_strict_json(R"({"a": [1, {"b": "c"}], "d": null, "e": 1.5})");
    EXPECT_EQ(value["a"][1]["b"], "c");
    EXPECT_TRUE(value["d"].is_null());
}

TEST(StrictJson, RejectsDuplicateKeys) { EXPECT_THROW(parse_strict_json(R"({"exp": 1, "exp": 2})"), StrictJsonError); }

TEST(StrictJson, RejectsDuplicateKeysInNestedObjects) {
    EXPECT_THROW(parse_strict_json(R"({"rows": [{"id": 1, "id": 2}]})"), StrictJsonError);
}

TEST(StrictJson, AllowsTheSameKeyInDifferentObjects) {
    EXPECT_NO_THROW(parse_strict_json(R"({"id": 1, "x": {"id": 2}, "y": [{"id": 3}, {"id": 4}]})"));
}

TEST(StrictJson, LimitsNesting) {
    EXPECT_NO_THROW(parse_strict_json("[[[1]]]", 3));
    EXPECT_THROW(parse_strict_json("[[[[1]]]]", 3), StrictJsonError);
    EXPECT_THROW(parse_strict_json(std::string(100000, '['), 16), StrictJsonError);
}

TEST(StrictJson, RejectsTrailingTextAndBadSyntax) {
    EXPECT_THROW(parse_strict_json(R"({} x)"), StrictJsonError);
    EXPECT_THROW(parse_strict_json(R"({"a": 1,})"), StrictJsonError);
    EXPECT_THROW(parse_strict_json(""), StrictJsonError);
    EXPECT_THROW(parse_strict_json("{'a': 1}"), StrictJsonError);
    EXPECT_THROW(parse_strict_json(R"({"a": 1} /* comment */)"), StrictJsonError);
}

TEST(StrictJson, RejectsInvalidUtf8) { EXPECT_THROW(parse_strict_json("{\"a\": \"\xC3\x28\"}"), StrictJsonError); }

TEST(StrictJson, RejectsNumbersTooLargeForADouble) {
    EXPECT_THROW(parse_strict_json(R"({"a": 1e999})"), StrictJsonError);
}

TEST(StrictJson, MessagesLeaveOutTheLibrarysExceptionId) {
    try {
        parse_strict_json("{");
        FAIL();
    } catch (const StrictJsonError &error) {
        EXPECT_EQ(std::string(error.what()).find("[json.exception"), std::string::npos) << error.what();
    }
}

TEST(StrictJson, RejectsNulBytesAnywhere) {
    using namespace std::string_literals;
    EXPECT_THROW(parse_strict_json("{\"a\": 1}\0"s), StrictJsonError);
    EXPECT_THROW(parse_strict_json("{\"a\": 1}\0garbage"s), StrictJsonError);
    EXPECT_THROW(parse_strict_json("{\"a\": \"x\0y\"}"s), StrictJsonError);
}

}  // namespace
}  // namespace tg::common
