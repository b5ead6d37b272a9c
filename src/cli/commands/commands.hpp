// One function per subcommand. Each returns the exit code, or throws
// UsageError / Failure / PgError, which main() reports.
#pragma once

#include "cli/cli_args.hpp"

namespace tg::cli {

int run_keygen(const Options &options);
int run_token(const Options &options);
int run_purge(const Options &options);
int run_status(const Options &options);
int run_export(const Options &options);
int run_verify(const Options &options);
int run_import(const Options &options);
int run_tail(const Options &options);
int run_deletions(const Options &options);
int run_recover(const Options &options);

}  // namespace tg::cli
