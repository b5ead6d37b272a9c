// Progress of long operations on stderr — rows, rows/s, elapsed — redrawn in
// place at most a few times a second, and only when stderr is a terminal, so
// logs and pipes stay clean.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace tg::cli {

bool stderr_is_terminal();

class Progress {
   public:
    Progress(std::string verb, bool enabled);
    ~Progress();
    Progress(const Progress &) = delete;
    Progress &operator=(const Progress &) = delete;

    void set_subject(std::string subject);  // e.g. the table being copied
    void add_rows(std::uint64_t rows);
    void set_bytes(std::uint64_t bytes);  // for work counted in bytes (verify)
    void tick();                          // redraw if due (elapsed time only)
    // Work with a known size (recover: tenants and rows): the line shows
    // "done/total <items>, done/total rows, rows/s, time left".
    void set_goal(std::uint64_t items, std::uint64_t rows, std::string item_noun);
    void set_done(std::uint64_t items, std::uint64_t rows);
    // Clears the line, to print a message above it; the next update redraws it.
    void clear();
    // Clears the line for good; the caller prints its own summary.
    void done();

    std::uint64_t rows() const { return rows_; }
    double elapsed_seconds() const;

   private:
    void draw(bool force);

    std::string verb_;
    std::string subject_;
    bool enabled_;
    bool drawn_ = false;
    std::uint64_t rows_ = 0;
    std::uint64_t bytes_ = 0;
    std::uint64_t items_ = 0;
    std::uint64_t goal_items_ = 0;
    std::uint64_t goal_rows_ = 0;
    std::string item_noun_;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_draw_;
};

// "1,234,567"
std::string with_thousands(std::uint64_t value);
// "12.3 s", "1.2 ms"
std::string format_seconds(double seconds);
// "rows/s" as an integer, or "-" before any time has passed.
std::string rate(std::uint64_t rows, double seconds);
// "about 12 s left" at the rate so far; "" before anything is done.
std::string time_left(std::uint64_t done, std::uint64_t goal, double seconds);
// "12/40 tenants, 4,800/16,000 rows, 2,400 rows/s, 2.0 s, about 4.7 s left"
std::string goal_line(std::uint64_t items, std::uint64_t goal_items, const std::string &item_noun, std::uint64_t rows,
                      std::uint64_t goal_rows, double seconds);

}  // namespace tg::cli
