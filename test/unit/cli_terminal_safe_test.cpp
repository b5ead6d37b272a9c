#include "cli/terminal_safe.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace tg::cli {
namespace {

std::string filtered(const std::string &text, bool char_by_char = false) {
    std::ostringstream target;
    ControlEscapingBuf buf(target.rdbuf());
    std::ostream out(&buf);
    if (char_by_char)
        for (char c : text) out.put(c);
    else
        out << text;
    out.flush();
    return target.str();
}

TEST(TerminalSafe, PlainTextNewlinesAndTabsPass) {
    EXPECT_EQ(filtered("tenant acme\tok\n"), "tenant acme\tok\n");
    EXPECT_EQ(filtered("caf\xc3\xa9 \xc2\xa9"), "caf\xc3\xa9 \xc2\xa9");  // é, © stay UTF-8
}

TEST(TerminalSafe, ControlsAreEscaped) {
    EXPECT_EQ(filtered("99\x1b[1A\x1b[2K\rfake"), "99\\x1b[1A\\x1b[2K\\x0dfake");
    EXPECT_EQ(filtered(std::string("a\0b\x7f", 4)), "a\\x00b\\x7f");
}

TEST(TerminalSafe, C1ControlsInUtf8AreEscaped) {
    EXPECT_EQ(filtered("x\xc2\x9b"
                       "2J"),
              "x\\x9b2J");
    EXPECT_EQ(filtered("x\xc2\x9b"
                       "2J",
                       true),
              "x\\x9b2J");
    EXPECT_EQ(filtered("end\xc2"), "end\xc2");  // a lead byte left at the end is written on flush
}

TEST(TerminalSafe, EscapedControlsIsTheFilterOnAString) {
    EXPECT_EQ(escaped_controls("public.ev\x1b[2Jil"), "public.ev\\x1b[2Jil");
    EXPECT_EQ(escaped_controls("plain"), "plain");
}

TEST(TerminalSafe, JsonKeepsItsMeaningWithoutRawControls) {
    EXPECT_EQ(terminal_safe_json("{\"t\":\"a\x7f\xc2\x9b\xc3\xa9\"}"), "{\"t\":\"a\\u007f\\u009b\xc3\xa9\"}");
    EXPECT_EQ(terminal_safe_json("{\"t\":\"\xc2\xa9\"}"), "{\"t\":\"\xc2\xa9\"}");
}

}  // namespace
}  // namespace tg::cli
