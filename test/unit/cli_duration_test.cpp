#include "cli/duration.hpp"
#include "cli/cli_error.hpp"

#include <gtest/gtest.h>

namespace tg::cli {
namespace {

TEST(Duration, SingleUnits) {
    EXPECT_EQ(parse_duration("90s"), 90);
    EXPECT_EQ(parse_duration("15m"), 900);
    EXPECT_EQ(parse_duration("2h"), 7200);
    EXPECT_EQ(parse_duration("1d"), 86400);
    EXPECT_EQ(parse_duration("1w"), 604800);
}

TEST(Duration, CompoundUnitsAddUp) {
    EXPECT_EQ(parse_duration("1h30m"), 5400);
    EXPECT_EQ(parse_duration("1d2h3m4s"), 93784);
}

TEST(Duration, RefusesWhatCouldBeMisread) {
    for (const char *text : {"", "15", "m", "15 m", " 15m", "15m ", "-5m", "+5m", "1.5h", "15x", "15M", "0m", "0s0m"}) {
        EXPECT_THROW(parse_duration(text), UsageError) << text;
    }
}

TEST(Duration, RefusesAbsurdLengthsWithoutOverflow) {
    EXPECT_THROW(parse_duration("99999999999999999999s"), UsageError);
    EXPECT_THROW(parse_duration("5000w"), UsageError);
    EXPECT_EQ(parse_duration("3650d"), 3650LL * 86400);
}

TEST(Duration, MessageSaysWhatIsWrong) {
    try {
        parse_duration("15");
        FAIL() << "accepted a bare number";
    } catch (const UsageError &error) {
        EXPECT_NE(std::string(error.what()).find("no unit"), std::string::npos) << error.what();
    }
}

}  // namespace
}  // namespace tg::cli
