// The PostgreSQL side of the error boundary (pg.hpp, error_text.hpp).
// The one file that sees both sides: pg_try catches a C++ exception inside
// PG_TRY (std::exception_ptr), so pg.hpp does not poison the C++ library here.
#define TG_BOUNDARY_ITSELF
#include "extension/pg.hpp"

namespace tg {

bool pg_try(void (*fn)(void *), void *arg) {
    MemoryContext mcxt = CurrentMemoryContext;
    volatile bool ok = true;
    // A C++ exception from fn (bad_alloc building a result, say) must not
    // leave through PG_TRY: PG_END_TRY restores PG_exception_stack and
    // error_context_stack, and an exception would skip it, leaving them
    // pointing into this dead frame. Caught here, thrown on after.
    std::exception_ptr thrown;
    PG_TRY();
    {
        try {
            fn(arg);
        } catch (...) {
            thrown = std::current_exception();
        }
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(mcxt);
        ok = false;
    }
    PG_END_TRY();
    if (thrown) std::rethrow_exception(thrown);
    return ok;
}

ErrorData *copy_pending_error() {
    return pg_guard([] {
        ErrorData *copy = CopyErrorData();
        FlushErrorState();
        return copy;
    });
}

void report(const ErrorText &text) {
    ereport(ERROR,
            (errcode(text.sqlstate), errmsg_internal("%s", text.message),
             text.detail[0] ? errdetail_internal("%s", text.detail) : 0, text.hint[0] ? errhint("%s", text.hint) : 0));
    pg_unreachable();
}

void rethrow(ErrorData *copied) {
    if (copied) ReThrowError(copied);
    PG_RE_THROW();
}

}  // namespace tg
