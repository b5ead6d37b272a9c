// What the command line prints goes through this filter: control characters
// (C0 but newline and tab, DEL, C1 as UTF-8) are written as \xNN. Names,
// tenants and messages come from archives and from the database, whose
// supplier or table owner could otherwise move the cursor, rewrite or hide
// the lines an operator reads (the attacker's report of 0.13.0). The progress
// line writes its own controls to stderr directly, past the filter.
#pragma once
#include <ostream>
#include <string>
#include <string_view>
#include <streambuf>

namespace tg::cli {

class ControlEscapingBuf : public std::streambuf {
   public:
    explicit ControlEscapingBuf(std::streambuf *target) : target_(target) {}

   protected:
    int_type overflow(int_type c) override;
    std::streamsize xsputn(const char *s, std::streamsize n) override;
    int sync() override;

   private:
    bool put(unsigned char c);
    std::streambuf *target_;
    bool pending_c2_ = false;  // a UTF-8 lead byte that may start a C1 control
};

// Puts the filter in front of std::cout and std::cerr for the process's life.
void escape_controls_in_output();

// text with its control characters escaped as the filter does, for what is
// written past it (the progress line's subject, stdio lines).
std::string escaped_controls(std::string_view text);

// JSON text (tail's lines) with DEL and the C1 controls, which JSON leaves as
// they are, written as \u00NN: the same JSON, safe on a terminal.
std::string terminal_safe_json(std::string_view json);

}  // namespace tg::cli
