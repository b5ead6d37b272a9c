#include "extension/pg.hpp"
#include "extension/running_query.hpp"
#include "extension/nested_stack.hpp"

namespace tg::running_query {

namespace {

ExecutorRun_hook_type previous_run = nullptr;
ExecutorEnd_hook_type previous_end = nullptr;

struct Running {
    const QueryDesc *query;
    int64 first_logged;  // 0: nothing logged while it ran
};
NestedStack<Running, 64> running;

// Queries that logged changes while they ran and have not ended: few at a
// time (portals run in parts); more are not kept.
constexpr int max_ran = 16;
Running ran[max_ran];

void remember(const Running &r) {
    for (auto &slot : ran)
        if (slot.query == r.query) {
            if (r.first_logged < slot.first_logged) slot.first_logged = r.first_logged;
            return;
        }
    for (auto &slot : ran)
        if (slot.query == nullptr) {
            slot = r;
            return;
        }
}

Running *find(const QueryDesc *query) {
    for (auto &slot : ran)
        if (slot.query == query) return &slot;
    return nullptr;
}

// An entry lives from the query's run to its end, or the (sub)transaction's:
// another query may take its address later.
void forget_all(XactEvent, void *) noexcept {
    for (auto &slot : ran) slot = Running{};
}
void forget_all_on_abort(SubXactEvent event, SubTransactionId, SubTransactionId, void *) noexcept {
    if (event == SUBXACT_EVENT_ABORT_SUB) forget_all(XACT_EVENT_ABORT, nullptr);
}

void on_executor_run(QueryDesc *query, ScanDirection direction, uint64 count, bool execute_once) noexcept {
    if (Running *entry = running.push()) entry->query = query;
    if (previous_run)
        previous_run(query, direction, count, execute_once);
    else
        standard_ExecutorRun(query, direction, count, execute_once);
    if (const Running *top = running.top(); top && top->first_logged != 0) remember(*top);
    running.pop();
}

void on_executor_end(QueryDesc *query) noexcept {
    if (Running *entry = find(query)) *entry = Running{};
    if (previous_end)
        previous_end(query);
    else
        standard_ExecutorEnd(query);
}

}  // namespace

const QueryDesc *innermost() {
    const Running *top = running.top();
    return top ? top->query : nullptr;
}

void note_logged(int64 first_seq) {
    for (int i = 0; i < running.kept(); i++)
        if (running[i].first_logged == 0) running[i].first_logged = first_seq;
}

int64 first_logged_while_running(const QueryDesc *query) {
    const Running *entry = find(query);
    return entry ? entry->first_logged : 0;
}

void install_hook() {
    previous_run = ExecutorRun_hook;
    ExecutorRun_hook = on_executor_run;
    previous_end = ExecutorEnd_hook;
    ExecutorEnd_hook = on_executor_end;
    running.register_resets();
    RegisterXactCallback(forget_all, nullptr);
    RegisterSubXactCallback(forget_all_on_abort, nullptr);
}

}  // namespace tg::running_query
