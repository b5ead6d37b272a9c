// The restoring half of `recover`: the tenants of the plan, each in its own
// transaction (restore_tenant), on `jobs` threads with one connection each.
// Each tenant that commits is recorded in the journal at once. A tenant that
// fails is reported and the others go on; a lost connection is opened again
// for the next tenant. Ctrl-C / SIGTERM: no new tenant starts, the ones in
// flight are cancelled and roll back (a tenant whose COMMIT got through is
// recorded as restored). Progress on stderr: a bar on a terminal, else a
// line per failure and a status line every few seconds.
#pragma once

#include "cli/deletions/operation_filter.hpp"
#include "cli/recover/recover_journal.hpp"
#include "cli/recover/recover_outcome.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace tg::cli {

struct RestoreTask {
    std::string tenant;
    std::uint64_t rows = 0;
    std::vector<std::string> tables;
};

struct RunnerSettings {
    std::string dbname;
    DeletionFilter window;
    int jobs = 1;
    bool terminal = false;  // progress bar (else plain lines)
};

struct RunResult {
    std::vector<TenantOutcome> outcomes;  // one per task, in task order
    bool interrupted = false;
    double seconds = 0.0;
};

RunResult restore_tenants(const RunnerSettings &settings, const std::vector<RestoreTask> &tasks, Journal &journal);

}  // namespace tg::cli
