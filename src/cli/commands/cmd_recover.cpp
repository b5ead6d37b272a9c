// recover: bring back exactly what an operation deleted. The plan first
// (deletions and conflicts in a window frozen at the first run), a question
// on a terminal unless --yes, then tenant by tenant (recover_runner), and a
// report. The journal (recover_journal) makes a second run with the same
// arguments continue where the first stopped.
#include "cli/commands/commands.hpp"

#include "cli/deletions/deletions_query.hpp"
#include "cli/cli_error.hpp"
#include "cli/file_io.hpp"
#include "cli/db/connection.hpp"
#include "cli/progress.hpp"
#include "cli/recover/recover_journal.hpp"
#include "cli/recover/recover_plan.hpp"
#include "cli/recover/recover_report.hpp"
#include "cli/recover/recover_runner.hpp"

#include <algorithm>
#include <iostream>
#include <map>
#include <set>
#include <unistd.h>

namespace tg::cli {
namespace {

bool stdin_is_terminal() { return ::isatty(STDIN_FILENO) == 1; }

// The journal must belong to this database and these arguments.
void check_journal(const Journal &journal, const std::string &database_id, const DeletionFilter &filter) {
    const JournalHeader &h = journal.header();
    if (h.database_id != database_id) {
        throw Failure("journal " + journal.path() + " belongs to database " + h.database_id + ", not " + database_id +
                      " (nothing restored)");
    }
    if (h.filter != filter) {
        throw Failure("journal " + journal.path() + " was written for other arguments (" + filter_as_options(h.filter) +
                      "); nothing restored. Give those, or another --journal");
    }
}

bool confirmed(const Plan &plan) {
    std::cerr << "Restore " << with_thousands(plan.summary.rows) << " rows of " << with_thousands(plan.tenants.size())
              << " tenants? Type yes to go on: " << std::flush;
    std::string answer;
    if (!std::getline(std::cin, answer)) return false;
    return answer == "yes" || answer == "y";
}

std::vector<RestoreTask> tasks_of(const Plan &plan) {
    std::vector<RestoreTask> tasks;
    for (const auto &tenant : plan.tenants) {
        RestoreTask task{tenant.tenant, tenant.rows(), {}};
        for (const auto &table : tenant.tables) task.tables.push_back(table.rel);
        tasks.push_back(std::move(task));
    }
    return tasks;
}

// Earlier runs' tenants (journal) and those planned then that are back with
// no entry; this run's plan holds what is left.
std::vector<TenantOutcome> earlier_outcomes(const Journal *journal, const Plan &plan) {
    std::vector<TenantOutcome> outcomes;
    if (journal == nullptr) return outcomes;
    std::set<std::string> recorded, left;
    for (const auto &t : plan.tenants) left.insert(t.tenant);
    for (const auto &t : journal->earlier()) {
        // A tenant recorded twice (never by this program) counts once.
        if (recorded.insert(t.tenant).second) outcomes.push_back(t);
    }
    for (const auto &planned : journal->header().tenants) {
        if (recorded.count(planned.tenant) || left.count(planned.tenant)) continue;
        TenantOutcome t;
        t.tenant = planned.tenant;
        t.planned_rows = planned.rows;
        t.status = TenantStatus::restored_unjournaled;
        for (const auto &rel : planned.tables) {
            TableResult table;
            table.rel = rel;
            table.counted = false;
            t.tables.push_back(std::move(table));
        }
        outcomes.push_back(std::move(t));
    }
    return outcomes;
}

// The checksums of tenants restored with no journal entry, read now.
void checksum_unjournaled(Connection &conn, std::vector<TenantOutcome> &outcomes) {
    for (auto &t : outcomes) {
        if (t.status != TenantStatus::restored_unjournaled) continue;
        for (auto &table : t.tables) {
            table.checksum =
                conn.exec("SELECT tenant_guard.tenant_checksum($1, $2::regclass)", {t.tenant, table.rel}).get(0, 0);
        }
    }
}

void write_report_file(const std::string &path, const RecoveryReport &report) {
    replace_file_atomically(path, report_json(report).dump(2) + "\n", 0644);
}

}  // namespace

int run_recover(const Options &o) {
    Connection conn = Connection::open(o.dbname);
    const DeletionFilter filter = normalize_filter(conn, o.filter);
    fixed_output_settings(conn);
    const std::string database_id = conn.exec("SELECT tenant_guard.database_id()").get(0, 0);
    const std::string journal_path =
        o.journal_file.empty() ? default_journal_name(database_id, filter) : o.journal_file;

    std::optional<Journal> journal = Journal::open_existing(journal_path);
    if (journal) check_journal(*journal, database_id, filter);
    DeletionFilter window = journal ? journal->header().window : filter;
    if (!window.until) window.until = server_time(conn);
    const std::string started_at = server_time(conn);

    const Plan plan = make_plan(conn, window, o.dbname, o.jobs);
    std::vector<TenantOutcome> earlier = earlier_outcomes(journal ? &*journal : nullptr, plan);
    checksum_unjournaled(conn, earlier);
    Resumed resumed;
    if (journal) {
        resumed.from_journal = true;
        resumed.created_at = journal->header().created_at;
        for (const auto &t : earlier) {
            if (t.status == TenantStatus::restored_earlier) {
                resumed.earlier_tenants += 1;
                resumed.earlier_rows += t.restored();
            } else {
                resumed.unjournaled_tenants += 1;
            }
        }
        for (const auto &note : journal->notes()) std::cerr << "tenant-guard recover: note: " << note << "\n";
    }
    std::cout << plan_text(plan, filter, journal_path, resumed) << std::flush;

    if (o.dry_run) {
        std::cout << "dry run: nothing restored, no journal written\n";
        return exit_ok;
    }
    RecoveryReport report{database_id, filter, window, journal_path, started_at, "", 0.0, false, earlier};
    if (!plan.tenants.empty()) {
        if (!o.yes) {
            if (!stdin_is_terminal()) {
                throw UsageError(
                    "stdin is not a terminal: add --yes to restore what the plan shows "
                    "(or --dry-run to only plan); nothing restored");
            }
            if (!confirmed(plan)) {
                std::cerr << "tenant-guard recover: not confirmed; nothing restored\n";
                return exit_failed;
            }
        }
        if (!journal) {
            JournalHeader header{database_id, filter, window, started_at, {}};
            for (const auto &t : plan.tenants) {
                PlannedTenant planned{t.tenant, t.rows(), {}};
                for (const auto &table : t.tables) planned.tables.push_back(table.rel);
                header.tenants.push_back(std::move(planned));
            }
            journal.emplace(Journal::create(journal_path, header));
        }
        const RunnerSettings settings{o.dbname, window, o.jobs, stderr_is_terminal()};
        RunResult run = restore_tenants(settings, tasks_of(plan), *journal);
        report.seconds = run.seconds;
        report.interrupted = run.interrupted;
        for (auto &t : run.outcomes) report.tenants.push_back(std::move(t));
    }
    std::stable_sort(report.tenants.begin(), report.tenants.end(),
                     [](const TenantOutcome &a, const TenantOutcome &b) { return a.tenant < b.tenant; });
    try {
        report.finished_at = server_time(conn);
    } catch (const PgError &) {
        // The report matters more than its end time (the server may be gone).
    }
    std::cout << report_text(report) << std::flush;
    if (!o.report_file.empty()) write_report_file(o.report_file, report);
    if (report.interrupted) {
        std::cerr << "tenant-guard recover: interrupted; run the same command again to continue (journal "
                  << journal_path << ")\n";
    }
    return report.complete() ? exit_ok : exit_failed;
}

}  // namespace tg::cli
