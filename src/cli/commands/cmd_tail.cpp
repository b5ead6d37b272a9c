// tail: the change stream (tenant_guard.changes) as JSON lines on stdout.
// The cursor file always names the last change that was completely written:
// a batch is written and flushed (and fsynced when stdout is a file) before
// its cursor is saved, and a signal only stops the loop between batches. So
// a restart continues exactly after the last line out — no gap, no repeat.
#include "cli/commands/commands.hpp"

#include "cli/commands/cursor_file.hpp"
#include "cli/terminal_safe.hpp"
#include "cli/cli_error.hpp"
#include "cli/interrupt.hpp"
#include "cli/db/connection.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace tg::cli {
namespace {

void install_signal_handlers() {
    install_interrupt_handlers();
    // A closed pipe (tail … | head) shows up as a write error we handle.
    std::signal(SIGPIPE, SIG_IGN);
}

bool stdout_is_regular_file() {
    struct stat st {};
    return ::fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode);
}

// Sleeps up to `seconds`, waking early when a stop is requested.
void pause_unless_stopped(double seconds) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (!interrupt_requested() && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

std::string json_string(const std::string &text) { return nlohmann::json(text).dump(); }

std::string line_for(const Result &r, int row) {
    const auto raw = [&](int column) { return r.is_null(row, column) ? std::string("null") : r.get(row, column); };
    return "{\"seq\":" + r.get(row, 1) + ",\"tenant\":" + raw(2) + ",\"rel\":" + raw(3) +
           ",\"op\":" + json_string(r.get(row, 4)) + ",\"pk\":" + raw(5) + ",\"old_row\":" + raw(6) +
           ",\"new_row\":" + raw(7) + ",\"xid\":" + json_string(r.get(row, 8)) + ",\"changed_at\":" + raw(9) +
           ",\"origin\":" + raw(10) + ",\"actor\":" + raw(11) + ",\"cursor\":" + json_string(r.get(row, 0)) + "}\n";
}

void write_out(const std::string &json_lines) {
    const std::string text = terminal_safe_json(json_lines);
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
        throw Failure(std::string("could not write to stdout (") + std::strerror(errno) +
                      "); the cursor stays at the last batch written");
    }
}

}  // namespace

int run_tail(const Options &o) {
    install_signal_handlers();
    std::optional<std::string> cursor;
    if (!o.cursor_file.empty()) cursor = load_cursor(o.cursor_file);

    Connection conn = Connection::open(o.dbname);
    conn.exec("SET TimeZone = 'UTC'");  // changed_at in UTC whatever the server's zone
    if (!cursor && o.from_now) {
        cursor = conn.exec("SELECT tenant_guard.current_cursor()").get(0, 0);
        if (!o.cursor_file.empty()) save_cursor(o.cursor_file, *cursor);
    }
    const bool sync_output = stdout_is_regular_file();
    // origin and actor came with 0.3.0; before ALTER EXTENSION ... UPDATE they are null.
    const bool has_origin =
        conn.exec(
                "SELECT 'origin' = ANY (p.proargnames) FROM pg_catalog.pg_proc p "
                "WHERE p.oid = 'tenant_guard.changes(text, integer, text)'::pg_catalog.regprocedure")
            .get(0, 0) == "t";
    const std::string query =
        "SELECT c.cursor, c.seq, to_json(c.tenant)::text, to_json(c.rel::text)::text, c.op, c.pk::text, "
        "c.old_row::text, c.new_row::text, c.xid::text, to_json(c.changed_at)::text, " +
        std::string(has_origin ? "to_json(c.origin)::text, to_json(c.actor)::text " : "NULL, NULL ") +
        "FROM tenant_guard.changes($1, $2, $3) AS c";

    while (!interrupt_requested()) {
        const Result r = [&] {
            try {
                return conn.exec(query, {cursor, std::to_string(o.batch), o.tail_tenant});
            } catch (const PgError &error) {
                // The server's hint speaks of NULL: here that is the cursor file.
                if (error.sqlstate() != "TG022" || o.cursor_file.empty()) throw;
                throw PgError(
                    error.sqlstate(), error.what(), error.detail(),
                    error.hint() + "\nWith tenant-guard tail: remove " + o.cursor_file +
                        " to continue from the oldest retained change (add --from-now to start from now on).");
            }
        }();
        if (r.rows() == 0) {
            if (!o.follow) break;
            pause_unless_stopped(o.interval_seconds);
            continue;
        }
        std::string text;
        for (int row = 0; row < r.rows(); ++row) text += line_for(r, row);
        write_out(text);
        if (sync_output && ::fsync(STDOUT_FILENO) != 0) {
            throw Failure(std::string("could not fsync stdout (") + std::strerror(errno) + ")");
        }
        cursor = r.get(r.rows() - 1, 0);
        if (!o.cursor_file.empty()) save_cursor(o.cursor_file, *cursor);
    }
    return exit_ok;
}

}  // namespace tg::cli
