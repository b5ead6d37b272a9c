// tenant-guard: the operator's command line for the tenant_guard extension.
// Parses the arguments, runs one subcommand, and turns every way it can end
// into a message on stderr and an exit code (0 ok, 1 refused/failed, 2 usage).
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
        case Command::Keygen:
            return "keygen";
        case Command::Token:
            return "token";
        case Command::Purge:
            return "purge";
        case Command::Export:
            return "export";
        case Command::Verify:
            return "export --verify";
        case Command::Import:
            return "import";
        case Command::Tail:
            return "tail";
        case Command::Status:
            return "status";
        case Command::Deletions:
            return "deletions";
        case Command::Recover:
            return "recover";
    }
    return "?";
}

int dispatch(const tg::cli::Options &o) {
    using namespace tg::cli;
    switch (o.command) {
        case Command::Keygen:
            return run_keygen(o);
        case Command::Token:
            return run_token(o);
        case Command::Purge:
            return run_purge(o);
        case Command::Export:
            return run_export(o);
        case Command::Verify:
            return run_verify(o);
        case Command::Import:
            return run_import(o);
        case Command::Tail:
            return run_tail(o);
        case Command::Status:
            return run_status(o);
        case Command::Deletions:
            return run_deletions(o);
        case Command::Recover:
            return run_recover(o);
    }
    return tg::cli::kExitUsage;
}

}  // namespace

int main(int argc, char **argv) {
    using namespace tg::cli;
    const ParseOutcome parsed = parse_args(argc, argv, std::cout, std::cerr);
    if (parsed.exit_code) return *parsed.exit_code;
    const std::string prefix = std::string("tenant-guard ") + command_name(parsed.options.command) + ": ";
    try {
        return dispatch(parsed.options);
    } catch (const UsageError &error) {
        std::cerr << prefix << error.what() << "\nRun with --help for more information.\n";
        return kExitUsage;
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
    return kExitFailed;
}
