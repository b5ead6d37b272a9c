// The command line of tenant-guard: subcommands, their options and the checks
// that need no database. Parsing is separate from running so that it can be
// tested without a server.
#pragma once

#include "cli/deletions/operation_filter.hpp"

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace tg::cli {

enum class Command { keygen, token, purge, export_tenant, verify, import, tail, status, deletions, recover };

struct Options {
    Command command = Command::status;
    std::string dbname;  // conninfo or URI; empty: PG* environment variables

    // keygen
    std::string key_name;
    // token
    std::string key_file;
    std::string kid;
    std::string tenant;  // token, export (required), status (optional)
    std::vector<std::string> tables;
    std::string rows_file;
    bool live = false;
    std::int64_t max_rows = 0;
    std::int64_t expires_seconds = 0;
    std::string reason;
    std::string act = "purge";
    std::optional<std::string> db_id;
    // purge
    std::string token;
    bool dry_run = false;  // purge, recover
    // export
    std::string out;
    bool with_history = false;
    bool with_tombstones = false;
    bool force = false;
    // export --verify, import
    std::string archive;
    std::optional<std::string> as_tenant;
    // tail
    std::optional<std::string> tail_tenant;
    std::string cursor_file;
    bool follow = false;
    bool from_now = false;
    int batch = 1000;
    double interval_seconds = 1.0;
    // deletions, recover: times and xid as typed (the server normalises them)
    DeletionFilter filter;
    bool json = false;  // deletions
    // recover
    int jobs = 1;
    bool yes = false;
    std::string report_file;
    std::string journal_file;  // empty: derived from database_id() and the filter
};

struct ParseOutcome {
    // Set when the program should end now: 0 after --help or --version,
    // 2 after a usage error (the message is already printed).
    std::optional<int> exit_code;
    Options options;
};

// Help and version go to `out`, usage errors to `err`.
ParseOutcome parse_args(int argc, const char *const argv[], std::ostream &out, std::ostream &err);

}  // namespace tg::cli
