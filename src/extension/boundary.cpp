// Out-of-line parts of the C++/PostgreSQL error boundary (see pg.hpp).
#include "extension/pg.hpp"

namespace tg {

bool pg_try(void (*fn)(void *), void *arg) {
    MemoryContext mcxt = CurrentMemoryContext;
    volatile bool ok = true;
    PG_TRY();
    {
        fn(arg);
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(mcxt);
        ok = false;
    }
    PG_END_TRY();
    return ok;
}

void report(const ErrorText &text) {
    ereport(ERROR, (errcode(text.sqlstate), errmsg_internal("%s", text.message),
                    text.detail[0] ? errdetail_internal("%s", text.detail) : 0,
                    text.hint[0] ? errhint("%s", text.hint) : 0));
    pg_unreachable();
}

}  // namespace tg
