#include "cli/terminal_safe.hpp"

#include <iostream>
#include <sstream>

namespace tg::cli {

namespace {

bool escape(std::streambuf *target, unsigned c) {
    static const char digits[] = "0123456789abcdef";
    const char text[4] = {'\\', 'x', digits[(c >> 4) & 0xf], digits[c & 0xf]};
    return target->sputn(text, 4) == 4;
}

}  // namespace

bool ControlEscapingBuf::put(unsigned char c) {
    if (pending_c2_) {
        pending_c2_ = false;
        if (c >= 0x80 && c <= 0x9f) return escape(target_, c);  // U+0080..U+009F, a C1 control
        if (target_->sputc(static_cast<char>(0xc2)) == traits_type::eof()) return false;
    }
    if (c == 0xc2) {
        pending_c2_ = true;
        return true;
    }
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) return escape(target_, c);
    return target_->sputc(static_cast<char>(c)) != traits_type::eof();
}

ControlEscapingBuf::int_type ControlEscapingBuf::overflow(int_type c) {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    return put(static_cast<unsigned char>(traits_type::to_char_type(c))) ? c : traits_type::eof();
}

std::streamsize ControlEscapingBuf::xsputn(const char *s, std::streamsize n) {
    for (std::streamsize i = 0; i < n; ++i)
        if (!put(static_cast<unsigned char>(s[i]))) return i;
    return n;
}

int ControlEscapingBuf::sync() {
    if (pending_c2_) {
        pending_c2_ = false;
        if (target_->sputc(static_cast<char>(0xc2)) == traits_type::eof()) return -1;
    }
    return target_->pubsync();
}

std::string escaped_controls(std::string_view text) {
    std::stringbuf target;
    ControlEscapingBuf buf(&target);
    buf.sputn(text.data(), static_cast<std::streamsize>(text.size()));
    buf.pubsync();
    return target.str();
}

std::string terminal_safe_json(std::string_view json) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(json.size());
    for (std::size_t i = 0; i < json.size(); ++i) {
        const auto c = static_cast<unsigned char>(json[i]);
        unsigned code = 0x100;  // none
        if (c == 0x7f) code = c;
        if (c == 0xc2 && i + 1 < json.size()) {
            const auto next = static_cast<unsigned char>(json[i + 1]);
            if (next >= 0x80 && next <= 0x9f) code = next, ++i;
        }
        if (code == 0x100) {
            out += json[i];
        } else {
            out += "\\u00";
            out += digits[code >> 4];
            out += digits[code & 0xf];
        }
    }
    return out;
}

void escape_controls_in_output() {
    static ControlEscapingBuf out(std::cout.rdbuf());
    static ControlEscapingBuf err(std::cerr.rdbuf());
    std::cout.rdbuf(&out);
    std::cerr.rdbuf(&err);
}

}  // namespace tg::cli
