#include "extension/pg.hpp"
#include "extension/running_query.hpp"
#include "extension/nested_stack.hpp"

namespace tg::running_query {

namespace {

ExecutorRun_hook_type previous_run = nullptr;
NestedStack<const QueryDesc *, 64> running;

void on_executor_run(QueryDesc *query, ScanDirection direction, uint64 count, bool execute_once) noexcept {
    if (const QueryDesc **entry = running.push()) *entry = query;
    if (previous_run)
        previous_run(query, direction, count, execute_once);
    else
        standard_ExecutorRun(query, direction, count, execute_once);
    running.pop();
}

}  // namespace

const QueryDesc *innermost() {
    const QueryDesc **top = running.top();
    return top ? *top : nullptr;
}

void install_hook() {
    previous_run = ExecutorRun_hook;
    ExecutorRun_hook = on_executor_run;
    running.register_resets();
}

}  // namespace tg::running_query
