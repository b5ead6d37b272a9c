#include "common/time_text.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace tg::common {
namespace {

TEST(FormatUtc, FormatsIso8601InUtc) {
    EXPECT_EQ(format_utc(0), "1970-01-01T00:00:00Z");
    EXPECT_EQ(format_utc(1795600800), "2026-11-25T10:00:00Z");
    EXPECT_EQ(format_utc(951782400), "2000-02-29T00:00:00Z");
    EXPECT_EQ(format_utc(max_unix_time), "9999-12-31T23:59:59Z");
}

TEST(FormatUtc, ShowsOutOfRangeValuesAsSeconds) {
    EXPECT_EQ(format_utc(-1), "@-1");
    EXPECT_EQ(format_utc(max_unix_time + 1), "@253402300800");
}

TEST(FormatDuration, UsesTheLargestUnits) {
    EXPECT_EQ(format_duration(0), "0s");
    EXPECT_EQ(format_duration(59), "59s");
    EXPECT_EQ(format_duration(900), "15m");
    EXPECT_EQ(format_duration(86400), "1d");
    EXPECT_EQ(format_duration(93784), "1d 2h 3m 4s");
    EXPECT_EQ(format_duration(-3600), "-1h");
}

TEST(FormatDuration, HandlesTheExtremes) {
    EXPECT_FALSE(format_duration(std::numeric_limits<std::int64_t>::min()).empty());
    EXPECT_FALSE(format_duration(std::numeric_limits<std::int64_t>::max()).empty());
}

}  // namespace
}  // namespace tg::common
