#include "cli/recover/recover_runner.hpp"

#include "cli/deletions/deletions_query.hpp"
#include "cli/cli_error.hpp"
#include "cli/interrupt.hpp"
#include "cli/db/connection.hpp"
#include "cli/progress.hpp"
#include "cli/terminal_safe.hpp"
#include "cli/recover/recover_restore.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace tg::cli {
namespace {

// One worker's connection as the main thread sees it: what to cancel.
struct Slot {
    std::mutex lock;
    std::unique_ptr<CancelHandle> cancel;  // set while a tenant is in flight
};

// What the workers share: the next task, the outcomes, the counters.
struct Shared {
    Shared(const RunnerSettings &s, const std::vector<RestoreTask> &t, Journal &j)
        : settings(s), tasks(t), journal(j) {}
    const RunnerSettings &settings;
    const std::vector<RestoreTask> &tasks;
    Journal &journal;
    std::atomic<bool> stop{false};
    std::mutex lock;
    std::condition_variable changed;
    std::size_t next = 0;
    int running = 0;
    std::uint64_t tenants_done = 0;
    std::uint64_t rows_done = 0;
    std::vector<std::optional<TenantOutcome>> outcomes;
    std::vector<std::size_t> finished;  // indexes not yet reported by the main thread
};

std::string first_line(const std::string &text) { return text.substr(0, text.find('\n')); }

TenantOutcome attempt(Shared &shared, Slot &slot, std::optional<Connection> &conn, const RestoreTask &task) {
    TenantOutcome outcome;
    outcome.tenant = task.tenant;
    outcome.planned_rows = task.rows;
    try {
        if (!conn || !conn->ready()) {
            conn.reset();
            conn.emplace(Connection::open(shared.settings.dbname));
            fixed_output_settings(*conn);
        }
        {
            const std::lock_guard<std::mutex> guard(slot.lock);
            slot.cancel = conn->cancel_handle();
        }
        outcome = restore_tenant(*conn, shared.settings.window, task.tenant, task.tables, shared.stop);
        outcome.planned_rows = task.rows;
    } catch (const Interrupted &error) {
        outcome.status = TenantStatus::interrupted;
        outcome.error = error.what();
    } catch (const PgError &error) {
        // A statement cancelled because of Ctrl-C is an interruption, not a failure.
        outcome.status = shared.stop && error.sqlstate() == "57014" ? TenantStatus::interrupted : TenantStatus::failed;
        outcome.error =
            outcome.status == TenantStatus::interrupted ? "cancelled by the interrupt; rolled back" : error.describe();
    } catch (const std::exception &error) {
        outcome.status = TenantStatus::failed;
        outcome.error = error.what();
    }
    {
        const std::lock_guard<std::mutex> guard(slot.lock);
        slot.cancel.reset();
    }
    if (outcome.status == TenantStatus::restored) {
        try {
            shared.journal.record(outcome);
        } catch (const std::exception &error) {
            // Committed but not recorded: the next run sees it as restored
            // without an entry. Nothing more can be recorded: stop.
            outcome.error = std::string("restored, but not recorded in the journal: ") + error.what();
            shared.stop = true;
        }
    }
    return outcome;
}

void work(Shared &shared, Slot &slot) {
    std::optional<Connection> conn;
    for (;;) {
        std::size_t index;
        {
            const std::lock_guard<std::mutex> guard(shared.lock);
            if (shared.stop || shared.next >= shared.tasks.size()) break;
            index = shared.next++;
        }
        TenantOutcome outcome = attempt(shared, slot, conn, shared.tasks[index]);
        const std::lock_guard<std::mutex> guard(shared.lock);
        if (outcome.status == TenantStatus::restored) {
            shared.tenants_done += 1;
            shared.rows_done += outcome.restored();
        }
        shared.outcomes[index] = std::move(outcome);
        shared.finished.push_back(index);
        shared.changed.notify_all();
    }
    const std::lock_guard<std::mutex> guard(shared.lock);
    shared.running -= 1;
    shared.changed.notify_all();
}

void plain_line(const std::string &text) {
    std::fprintf(stderr, "recover: %s\n", escaped_controls(text).c_str());  // stdio: past the output's filter
    std::fflush(stderr);
}

}  // namespace

RunResult restore_tenants(const RunnerSettings &settings, const std::vector<RestoreTask> &tasks, Journal &journal) {
    Shared shared(settings, tasks, journal);
    shared.outcomes.resize(tasks.size());
    std::uint64_t goal_rows = 0;
    for (const auto &task : tasks) goal_rows += task.rows;
    const int jobs = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(std::max(settings.jobs, 1)),
                                                            std::max<std::size_t>(tasks.size(), 1)));

    install_interrupt_handlers();
    Progress progress("recover", settings.terminal);
    progress.set_goal(tasks.size(), goal_rows, "tenants");
    std::vector<std::unique_ptr<Slot>> slots;
    std::vector<std::thread> threads;
    {
        const SignalsBlocked blocked;  // the workers leave Ctrl-C to this thread
        shared.running = jobs;
        for (int j = 0; j < jobs; ++j) {
            slots.push_back(std::make_unique<Slot>());
            threads.emplace_back(work, std::ref(shared), std::ref(*slots.back()));
        }
    }

    auto last_line = std::chrono::steady_clock::now();
    auto last_cancel = last_line - std::chrono::seconds(1);
    bool stop_announced = false;
    std::unique_lock<std::mutex> guard(shared.lock);
    for (;;) {
        shared.changed.wait_for(guard, std::chrono::milliseconds(100));
        for (const std::size_t index : shared.finished) {
            const TenantOutcome &outcome = *shared.outcomes[index];
            if (outcome.status != TenantStatus::failed) continue;
            progress.clear();
            plain_line("tenant " + outcome.tenant +
                       " FAILED (rolled back, the others go on): " + first_line(outcome.error));
        }
        shared.finished.clear();
        const double seconds = progress.elapsed_seconds();
        progress.set_done(shared.tenants_done, shared.rows_done);
        const auto now = std::chrono::steady_clock::now();
        if (interrupt_requested() && !shared.stop) shared.stop = true;
        if (shared.stop && !stop_announced && interrupt_requested()) {
            stop_announced = true;
            progress.clear();
            plain_line("interrupted: no new tenant starts; the tenants in flight roll back");
        }
        if (shared.stop && now - last_cancel > std::chrono::milliseconds(200)) {
            last_cancel = now;
            for (auto &slot : slots) {
                const std::lock_guard<std::mutex> slot_guard(slot->lock);
                if (slot->cancel) slot->cancel->cancel();
            }
        }
        if (shared.running == 0) break;
        if (!settings.terminal && now - last_line > std::chrono::seconds(2)) {
            last_line = now;
            plain_line(goal_line(shared.tenants_done, tasks.size(), "tenants", shared.rows_done, goal_rows, seconds));
        }
    }
    guard.unlock();
    for (auto &thread : threads) thread.join();
    RunResult result;
    result.seconds = progress.elapsed_seconds();
    progress.done();
    if (!settings.terminal) {
        plain_line(
            goal_line(shared.tenants_done, tasks.size(), "tenants", shared.rows_done, goal_rows, result.seconds));
    }
    result.interrupted = interrupt_requested();
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        if (shared.outcomes[i]) {
            result.outcomes.push_back(std::move(*shared.outcomes[i]));
        } else {
            TenantOutcome outcome;
            outcome.tenant = tasks[i].tenant;
            outcome.planned_rows = tasks[i].rows;
            outcome.status = TenantStatus::not_started;
            result.outcomes.push_back(std::move(outcome));
        }
    }
    return result;
}

}  // namespace tg::cli
