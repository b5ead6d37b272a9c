#include "cli/cli_args.hpp"

#include "cli/duration.hpp"
#include "cli/cli_error.hpp"

#include <CLI/CLI.hpp>

#ifndef TG_CLI_VERSION
#define TG_CLI_VERSION "unknown"
#endif

namespace tg::cli {
namespace {

constexpr const char *subcommand_footer =
    "Connects with -d/--dbname CONNINFO|URI (before or after the subcommand) or the PG* variables.\n"
    "Exit codes: 0 success, 1 refused or failed, 2 usage error.";

constexpr const char *connection_help =
    "Connection: -d/--dbname takes a conninfo string (\"host=… dbname=…\") or a URI\n"
    "(postgresql://…); without it the PG* environment variables apply, as for psql.\n"
    "Exit codes: 0 success, 1 refused or failed, 2 usage error.";

// One --table per table: a vector option that takes exactly one value per
// occurrence, so it cannot swallow a positional argument after it.
CLI::Option *single_values(CLI::Option *option) {
    return option->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

// Options whose presence (not only value) matters after parsing.
struct OptionalValues {
    std::string expires, db_id, as_tenant, tail_tenant;
    CLI::Option *db_id_option = nullptr;
    CLI::Option *as_tenant_option = nullptr;
    CLI::Option *tail_tenant_option = nullptr;
    // deletions and recover share one filter (only one subcommand runs)
    std::string since, until, actor, application_name, xid;
    std::vector<CLI::Option *> since_options, until_options, actor_options, application_name_options, xid_options;
};

// --since … --xid on a subcommand: the filter of deletions() / undelete_where().
void add_filter_options(CLI::App *command, OptionalValues &v) {
    v.since_options.push_back(
        command
            ->add_option("--since", v.since, "Deleted at or after this time (timestamptz, e.g. '2026-12-01 10:00+00')")
            ->type_name("TIME"));
    v.until_options.push_back(
        command->add_option("--until", v.until, "Deleted at or before this time")->type_name("TIME"));
    v.actor_options.push_back(
        command->add_option("--actor", v.actor, "Deleted with this tenant_guard.actor")->type_name("A"));
    v.application_name_options.push_back(
        command->add_option("--application-name", v.application_name, "Deleted by a session with this application_name")
            ->type_name("N"));
    v.xid_options.push_back(
        command->add_option("--xid", v.xid, "Deleted by this transaction (xid8, as tombstones.xid shows it)")
            ->type_name("X"));
}

// The value of a filter option if it was given on the command line.
std::optional<std::string> given(const std::vector<CLI::Option *> &options, const std::string &value) {
    for (const auto *option : options) {
        if (option->count() > 0) return value;
    }
    return std::nullopt;
}

void add_tenant_guard_commands(CLI::App &app, Options &o, OptionalValues &v) {
    auto *keygen = app.add_subcommand("keygen", "Make an Ed25519 key pair for signing purge tokens");
    keygen->add_option("--out", o.key_name, "Writes NAME.key (PKCS#8 PEM, mode 0600) and NAME.pub (SPKI PEM)")
        ->required()
        ->type_name("NAME");
    keygen->footer(
        "Existing files are never overwritten. Register NAME.pub with\n"
        "SELECT tenant_guard.add_purge_key('<key id>', '<contents of NAME.pub>');");

    auto *token = app.add_subcommand("token", "Sign a purge or unprotect token with a private key (offline)");
    token->add_option("--key", o.key_file, "Private key file (PKCS#8 PEM, as keygen writes)")
        ->required()
        ->type_name("FILE");
    token->add_option("--kid", o.kid, "Key id the public key was registered under")->required()->type_name("ID");
    token->add_option("--tenant", o.tenant, "The one tenant in scope (required for purge)")->type_name("T");
    single_values(token->add_option("--table", o.tables,
                                    "Qualified table name; repeat for several (purge default: every protected table)"))
        ->type_name("TABLE");
    token->add_option("--rows", o.rows_file, "JSON file: an array of primary keys as objects, e.g. [{\"id\": 7}]")
        ->type_name("FILE");
    token->add_flag("--live", o.live, "Also hard-delete live rows in scope (default: tombstones only)");
    token->add_option("--max-rows", o.max_rows, "Refuse if the scope holds more rows than this")
        ->required()
        ->type_name("N");
    token->add_option("--expires", v.expires, "Lifetime, e.g. 15m, 2h, 1d (server limit: max_token_lifetime)")
        ->required()
        ->type_name("DURATION");
    token->add_option("--reason", o.reason, "Why; kept in the purge receipt")->required()->type_name("TEXT");
    token->add_option("--act", o.act, "purge (default) or unprotect")
        ->check(CLI::IsMember({"purge", "unprotect"}))
        ->type_name("ACT");
    v.db_id_option = token
                         ->add_option("--db-id", v.db_id,
                                      "Database id to name (default: ask the server's tenant_guard.database_id())")
                         ->type_name("ID");
    token->footer(std::string("Prints the token on stdout. The private key never leaves this machine; only with\n"
                              "no --db-id does it connect, to read database_id().\n") +
                  subcommand_footer);

    auto *purge = app.add_subcommand("purge", "Run tenant_guard.purge() with a token and print the counts");
    purge->add_option("token", o.token, "The token (tg1.…)")->required()->type_name("TOKEN");
    purge->add_flag("--dry-run", o.dry_run, "Verify the token and count, change nothing, keep the token unused");
    purge->footer(subcommand_footer);

    auto *exp = app.add_subcommand("export", "Write one tenant's rows from every protected table to an archive");
    auto *tenant_opt = exp->add_option("--tenant", o.tenant, "The tenant to export")->type_name("T");
    auto *out_opt =
        exp->add_option("--out", o.out, "Archive file to create (a tar; refused if it exists)")->type_name("FILE");
    auto *history = exp->add_flag("--with-history", o.with_history, "Include the tenant's change log (history.csv)");
    auto *tombstones =
        exp->add_flag("--with-tombstones", o.with_tombstones, "Include the tenant's tombstones (tombstones.csv)");
    auto *force = exp->add_flag("--force", o.force, "Replace FILE if it exists");
    auto *verify =
        exp->add_option("--verify", o.archive, "Check an archive's manifest and every checksum (no database)")
            ->type_name("FILE");
    for (auto *other : {tenant_opt, out_opt, history, tombstones, force}) verify->excludes(other);
    exp->footer(std::string("The archive is a POSIX tar: data/NN_<schema>.<table>.csv (COPY CSV with a header line),\n"
                            "optional history.csv and tombstones.csv, manifest.json and SHA256SUMS.\n"
                            "--verify needs no database.\n") +
                subcommand_footer);

    auto *import = app.add_subcommand("import", "Restore an export archive into the connected database");
    import->add_option("archive", o.archive, "The archive written by export")->required()->type_name("FILE");
    v.as_tenant_option =
        import->add_option("--as-tenant", v.as_tenant, "Import the rows under this (empty) tenant instead")
            ->type_name("NEW");
    import->footer(
        std::string("One transaction, parents before children, recorded with origin 'import'. Refused when a\n"
                    "table or column is missing in the target or the tenant already has rows there.\n") +
        subcommand_footer);

    auto *tail = app.add_subcommand("tail", "Print the change stream as JSON lines");
    v.tail_tenant_option = tail->add_option("--tenant", v.tail_tenant, "Only this tenant's changes")->type_name("T");
    tail->add_option("--cursor-file", o.cursor_file, "Resume from and save the position in this file")
        ->type_name("FILE");
    tail->add_flag("--follow,-f", o.follow, "Keep polling for new changes until SIGINT/SIGTERM");
    tail->add_flag("--from-now", o.from_now,
                   "Without a saved cursor, start at current_cursor() instead of the oldest change");
    tail->add_option("--batch", o.batch, "Changes per call of changes() (default 1000)")
        ->check(CLI::Range(1, 1000000))
        ->type_name("N");
    tail->add_option("--interval", o.interval_seconds, "Seconds between polls with --follow (default 1)")
        ->check(CLI::Range(0.01, 3600.0))
        ->type_name("SECONDS");
    tail->footer(std::string("One JSON object per line. The cursor file is saved after each batch is written, so a\n"
                             "restart (also after SIGINT/SIGTERM) continues with no gap and no repeat.\n") +
                 subcommand_footer);

    auto *status = app.add_subcommand("status", "Show tenant_guard.status() (or tenant_status()) as a table");
    status->add_option("--tenant", o.tenant, "Figures for one tenant (tenant_status)")->type_name("T");
    status->footer(subcommand_footer);

    auto *deletions =
        app.add_subcommand("deletions", "Show what was deleted, per tenant and table (tenant_guard.deletions)");
    add_filter_options(deletions, v);
    deletions->add_flag("--json", o.json, "One JSON document instead of a table");
    deletions->footer(
        std::string("Every given filter must match; with none, every tombstone is listed. Times are read\n"
                    "in the server's TimeZone unless they name a zone, and printed in UTC.\n") +
        subcommand_footer);

    auto *recover = app.add_subcommand("recover", "Bring back exactly what an operation deleted, tenant by tenant");
    add_filter_options(recover, v);
    recover
        ->add_option("--jobs,-j", o.jobs,
                     "Connections at once, one tenant each, for the plan's conflict check and the restore (default 1)")
        ->check(CLI::Range(1, 64))
        ->type_name("N");
    recover->add_flag("--dry-run", o.dry_run, "Print the plan (rows, conflicts) and stop; nothing changes");
    recover->add_flag("--yes,-y", o.yes, "Restore without asking (needed when stdin is not a terminal)");
    recover->add_option("--report", o.report_file, "Also write the report as JSON to FILE")->type_name("FILE");
    recover
        ->add_option(
            "--journal", o.journal_file,
            "Journal file (default ./tenant-guard-recover-<id>.journal, <id> from the database and the filter)")
        ->type_name("FILE");
    recover->footer(
        std::string("At least one filter is required. One transaction per tenant: undelete_where(…, tenants =>\n"
                    "ARRAY[t]) and the checksums of its tables. The journal freezes the window (a missing\n"
                    "--until becomes the plan's time) and records each tenant done: run the same command\n"
                    "again after an interruption to continue; nothing is restored twice. Exit 0 only if\n"
                    "every planned tenant is back.\n") +
        subcommand_footer);
}

Command command_of(const CLI::App &app, const Options &o) {
    const std::string name = app.get_subcommands().at(0)->get_name();
    if (name == "keygen") return Command::keygen;
    if (name == "token") return Command::token;
    if (name == "purge") return Command::purge;
    if (name == "export") return o.archive.empty() ? Command::export_tenant : Command::verify;
    if (name == "import") return Command::import;
    if (name == "tail") return Command::tail;
    if (name == "deletions") return Command::deletions;
    if (name == "recover") return Command::recover;
    return Command::status;
}

// Checks CLI11 cannot express: combinations that depend on values.
void check_combinations(Options &o, const std::string &expires) {
    switch (o.command) {
        case Command::token:
            o.expires_seconds = parse_duration(expires);
            if (o.max_rows < 0) throw UsageError("--max-rows must be 0 or more");
            if (o.reason.empty()) throw UsageError("--reason must not be empty");
            if (o.act == "purge" && o.tenant.empty()) throw UsageError("a purge token needs --tenant");
            if (o.act == "unprotect" && o.tables.size() != 1) {
                throw UsageError("an unprotect token names exactly one --table");
            }
            if (o.act == "unprotect" && (!o.rows_file.empty() || o.live)) {
                throw UsageError("--rows and --live belong to purge tokens, not unprotect");
            }
            break;
        case Command::export_tenant:
            if (o.tenant.empty()) throw UsageError("export needs --tenant (or --verify FILE)");
            if (o.out.empty()) throw UsageError("export needs --out FILE");
            break;
        case Command::import:
            if (o.as_tenant && o.as_tenant->empty()) throw UsageError("--as-tenant must not be empty");
            break;
        case Command::deletions:
        case Command::recover:
            for (const auto &value : filter_values(o.filter)) {
                if (value && value->empty()) throw UsageError("a filter option must not be empty");
            }
            // The server's xid8 input takes "12abc" as 12 and "x" as 0: check here.
            if (o.filter.xid && o.filter.xid->find_first_not_of("0123456789") != std::string::npos) {
                throw UsageError("--xid " + *o.filter.xid +
                                 ": not a transaction id (a number, as tombstones.xid shows it)");
            }
            if (o.command == Command::recover && o.filter.empty()) {
                throw UsageError(
                    "recover needs at least one of --since, --until, --actor, --application-name, --xid "
                    "(tenant-guard deletions shows what each would match)");
            }
            break;
        default:
            break;
    }
}

}  // namespace

ParseOutcome parse_args(int argc, const char *const argv[], std::ostream &out, std::ostream &err) {
    ParseOutcome outcome;
    Options &o = outcome.options;
    OptionalValues v;

    CLI::App app{"tenant-guard: the operator's command line for the tenant_guard PostgreSQL extension", "tenant-guard"};
    app.set_version_flag("--version", std::string("tenant-guard ") + TG_CLI_VERSION);
    // Subcommands hand options they do not know to the main command, so
    // -d works before or after the subcommand name.
    app.fallthrough();
    app.require_subcommand(1);
    app.add_option("-d,--dbname", o.dbname, "Connection string or URI (default: PG* environment variables)")
        ->type_name("CONNINFO");
    app.footer(connection_help);
    add_tenant_guard_commands(app, o, v);

    try {
        app.parse(argc, argv);
        o.command = command_of(app, o);
        if (v.db_id_option->count() > 0) o.db_id = v.db_id;
        if (v.as_tenant_option->count() > 0) o.as_tenant = v.as_tenant;
        if (v.tail_tenant_option->count() > 0) o.tail_tenant = v.tail_tenant;
        o.filter.since = given(v.since_options, v.since);
        o.filter.until = given(v.until_options, v.until);
        o.filter.actor = given(v.actor_options, v.actor);
        o.filter.application_name = given(v.application_name_options, v.application_name);
        o.filter.xid = given(v.xid_options, v.xid);
        check_combinations(o, v.expires);
    } catch (const CLI::ParseError &error) {
        const int code = app.exit(error, out, err);
        outcome.exit_code = code == 0 ? exit_ok : exit_usage;
    } catch (const UsageError &error) {
        err << "tenant-guard: " << error.what() << "\nRun with --help for more information.\n";
        outcome.exit_code = exit_usage;
    }
    return outcome;
}

}  // namespace tg::cli
