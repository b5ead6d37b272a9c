#include "cli/db/sql_text.hpp"
#include "cli/text_table.hpp"

#include <gtest/gtest.h>

namespace tg::cli {
namespace {

TEST(SqlText, IdentifiersAreAlwaysQuoted) {
    EXPECT_EQ(quote_ident("sites"), "\"sites\"");
    EXPECT_EQ(quote_ident("My Table"), "\"My Table\"");
    EXPECT_EQ(quote_ident("a\"b"), "\"a\"\"b\"");
    EXPECT_EQ(qualified_name("public", "select"), "\"public\".\"select\"");
    EXPECT_EQ(column_list({"tenant_id", "id"}), "\"tenant_id\", \"id\"");
    EXPECT_EQ(column_list({}), "");
}

TEST(TextTable, AlignsLikePsql) {
    const TextTable table{{"table", "rows"}, {false, true}, {{"public.sites", "7"}, {"x", "1,234"}}};
    EXPECT_EQ(render(table),
              " table        | rows\n"
              "--------------+-------\n"
              " public.sites |     7\n"
              " x            | 1,234\n"
              "(2 rows)\n");
}

TEST(TextTable, CountsUtf8CharactersNotBytes) {
    const TextTable table{{"name"}, {}, {{"é"}, {"ab"}}};
    EXPECT_EQ(render(table), " name\n------\n é\n ab\n(2 rows)\n");  // "é" is 2 bytes, 1 column
}

}  // namespace
}  // namespace tg::cli
