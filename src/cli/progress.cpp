#include "cli/progress.hpp"
#include "cli/terminal_safe.hpp"

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

std::string time_left(std::uint64_t done, std::uint64_t goal, double seconds) {
    if (done == 0 || seconds <= 0.0 || done >= goal) return "";
    return "about " + format_seconds(seconds * static_cast<double>(goal - done) / static_cast<double>(done)) + " left";
}

std::string goal_line(std::uint64_t items, std::uint64_t goal_items, const std::string &item_noun, std::uint64_t rows,
                      std::uint64_t goal_rows, double seconds) {
    std::string line = with_thousands(items) + "/" + with_thousands(goal_items) + " " + item_noun + ", " +
                       with_thousands(rows) + "/" + with_thousands(goal_rows) + " rows, " + rate(rows, seconds) +
                       " rows/s, " + format_seconds(seconds);
    // Rows measure the work better than items (tenants differ in size).
    const std::string left =
        goal_rows > 0 ? time_left(rows, goal_rows, seconds) : time_left(items, goal_items, seconds);
    if (!left.empty()) line += ", " + left;
    return line;
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
    subject_ = escaped_controls(subject);  // stderr directly: past the output's filter
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

void Progress::set_goal(std::uint64_t items, std::uint64_t rows, std::string item_noun) {
    goal_items_ = items;
    goal_rows_ = rows;
    item_noun_ = std::move(item_noun);
    draw(true);
}

void Progress::set_done(std::uint64_t items, std::uint64_t rows) {
    items_ = items;
    rows_ = rows;
    draw(false);
}

void Progress::draw(bool force) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - last_draw_ < std::chrono::milliseconds(200)) return;
    last_draw_ = now;
    const double seconds = elapsed_seconds();
    std::string line = "\r" + verb_;
    if (!subject_.empty()) line += " " + subject_;
    if (!item_noun_.empty()) {
        line += ": " + goal_line(items_, goal_items_, item_noun_, rows_, goal_rows_, seconds);
    } else if (bytes_ > 0) {
        line += ": " + with_thousands(bytes_ / 1024) + " KiB, " + format_seconds(seconds);
    } else {
        line += ": " + with_thousands(rows_) + " rows, " + rate(rows_, seconds) + " rows/s, " + format_seconds(seconds);
    }
    line += "\033[K";
    std::fputs(line.c_str(), stderr);
    std::fflush(stderr);
    drawn_ = true;
}

void Progress::clear() {
    if (drawn_) {
        std::fputs("\r\033[K", stderr);
        std::fflush(stderr);
        drawn_ = false;
    }
}

void Progress::done() {
    clear();
    enabled_ = false;
}

}  // namespace tg::cli
