#include "cli/archive/csv_records.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tg::cli {
namespace {

std::uint64_t count(const std::string &csv, std::size_t chunk) {
    CsvRecordCounter counter;
    for (std::size_t i = 0; i < csv.size(); i += chunk) counter.feed(std::string_view(csv).substr(i, chunk));
    return counter.records();
}

TEST(CsvRecords, CountsLinesOutsideQuotes) {
    const std::string csv = "id,note\n1,plain\n2,\"two\nlines\"\n3,\"quote \"\"inside\"\", comma\"\n4,\"\"\n";
    for (std::size_t chunk : {1, 2, 3, 7, 1000}) EXPECT_EQ(count(csv, chunk), 5u) << "chunk " << chunk;
}

TEST(CsvRecords, KnowsWhetherItEndsAfterAWholeRecord) {
    CsvRecordCounter counter;
    EXPECT_TRUE(counter.complete());
    counter.feed("a,b\n1,\"x");
    EXPECT_FALSE(counter.complete());
    counter.feed("\ny\"\n");
    EXPECT_TRUE(counter.complete());
    EXPECT_EQ(counter.records(), 2u);
    counter.feed("2,z");
    EXPECT_FALSE(counter.complete());
}

}  // namespace
}  // namespace tg::cli
