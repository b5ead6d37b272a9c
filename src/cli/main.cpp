// tenant-guard: the operator's command line for the tenant_guard extension.
// Parses the arguments, runs one subcommand, and turns every way it can end
// into a message on stderr and an exit code (0 ok, 1 refused/failed, 2 usage).
#include "cli/terminal_safe.hpp"
#include "cli/cli_args.hpp"
#include "cli/commands/commands.hpp"
#include "common/crypto_error.hpp"
#include "common/token_error.hpp"
#include "cli/cli_error.hpp"
#include "cli/db/connection.hpp"

#include <iostream>

namespace {

const char *command_name(tg::cli::Command command) {
    using tg::cli::Command;
    switch (command) {
        case Command::keygen:
            return "keygen";
        case Command::token:
            return "token";
        case Command::purge:
            return "purge";
        case Command::export_tenant:
            return "export";
        case Command::verify:
            return "export --verify";
        case Command::import:
            return "import";
        case Command::tail:
            return "tail";
        case Command::status:
            return "status";
        case Command::deletions:
            return "deletions";
        case Command::recover:
            return "recover";
    }
    return "?";
}

int dispatch(const tg::cli::Options &o) {
    using namespace tg::cli;
    switch (o.command) {
        case Command::keygen:
            return run_keygen(o);
        case Command::token:
            return run_token(o);
        case Command::purge:
            return run_purge(o);
        case Command::export_tenant:
            return run_export(o);
        case Command::verify:
            return run_verify(o);
        case Command::import:
            return run_import(o);
        case Command::tail:
            return run_tail(o);
        case Command::status:
            return run_status(o);
        case Command::deletions:
            return run_deletions(o);
        case Command::recover:
            return run_recover(o);
    }
    return tg::cli::exit_usage;
}

}  // namespace

int main(int argc, char **argv) {
    using namespace tg::cli;
    escape_controls_in_output();
    const ParseOutcome parsed = parse_args(argc, argv, std::cout, std::cerr);
    if (parsed.exit_code) return *parsed.exit_code;
    const std::string prefix = std::string("tenant-guard ") + command_name(parsed.options.command) + ": ";
    try {
        return dispatch(parsed.options);
    } catch (const UsageError &error) {
        std::cerr << prefix << error.what() << "\nRun with --help for more information.\n";
        return exit_usage;
    } catch (const PgError &error) {
        std::cerr << prefix << error.describe() << "\n";
    } catch (const Failure &error) {
        std::cerr << prefix << error.what() << "\n";
    } catch (const tg::common::TokenError &error) {
        std::cerr << prefix << error.what() << "\n";
    } catch (const tg::common::CryptoError &error) {
        std::cerr << prefix << error.what() << "\n";
    } catch (const std::exception &error) {
        std::cerr << prefix << "unexpected error: " << error.what() << "\n";
    }
    return exit_failed;
}
