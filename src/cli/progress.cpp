#include "progress.hpp"

#include <cstdio>
#include <unistd.h>

namespace tg::cli {

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

std::string with_thousands(std::uint64_t value) {
    std::string digits = std::to_string(value);
    for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<std::size_t>(i), ",");
    return digits;
}

std::string format_seconds(double seconds) {
    char text[32];
    if (seconds < 1.0) {
        std::snprintf(text, sizeof text, "%.1f ms", seconds * 1000.0);
    } else {
        std::snprintf(text, sizeof text, "%.1f s", seconds);
    }
    return text;
}

std::string rate(std::uint64_t rows, double seconds) {
    if (seconds <= 0.0) return "-";
    return with_thousands(static_cast<std::uint64_t>(static_cast<double>(rows) / seconds));
}

Progress::Progress(std::string verb, bool enabled)
    : verb_(std::move(verb)), enabled_(enabled), start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

Progress::~Progress() {
    if (drawn_) std::fputs("\r\033[K", stderr);
}

double Progress::elapsed_seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::set_subject(std::string subject) {
    subject_ = std::move(subject);
    draw(true);
}

void Progress::add_rows(std::uint64_t rows) {
    rows_ += rows;
    draw(false);
}

void Progress::set_bytes(std::uint64_t bytes) {
    bytes_ = bytes;
    draw(false);
}

void Progress::tick() { draw(false); }

void Progress::draw(bool force) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - last_draw_ < std::chrono::milliseconds(200)) return;
    last_draw_ = now;
    const double seconds = elapsed_seconds();
    std::string line = "\r" + verb_;
    if (!subject_.empty()) line += " " + subject_;
    if (bytes_ > 0) {
        line += ": " + with_thousands(bytes_ / 1024) + " KiB";
    } else {
        line += ": " + with_thousands(rows_) + " rows, " + rate(rows_, seconds) + " rows/s";
    }
    line += ", " + format_seconds(seconds) + "\033[K";
    std::fputs(line.c_str(), stderr);
    std::fflush(stderr);
    drawn_ = true;
}

void Progress::done() {
    if (drawn_) {
        std::fputs("\r\033[K", stderr);
        std::fflush(stderr);
        drawn_ = false;
    }
    enabled_ = false;
}

}  // namespace tg::cli
