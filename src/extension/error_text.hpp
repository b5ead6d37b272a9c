// How an error crosses the wall between the two sides of the module, in plain
// types both sides may include. A PostgreSQL error caught under pg_guard
// travels as PgErrorPending; a C++ error is copied into ErrorText, whose
// fixed buffers own nothing, and reported by PostgreSQL after every C++ object
// of the failing body is gone (boundary.hpp).
#pragma once

#include "extension/pg/declarations.hpp"

namespace tg {

// A PostgreSQL error was caught under C++ code. Either it is still in
// PostgreSQL's error state (data == nullptr), or it was copied out (data) so
// that cleanup such as a subtransaction rollback could run first. The boundary
// re-throws it unchanged.
struct PgErrorPending {
    ErrorData *data = nullptr;
};

struct ErrorText {
    int sqlstate = 0;
    char message[1024] = "";
    char detail[2048] = "";
    char hint[512] = "";
};

// ereport(ERROR) of text.
[[noreturn]] void report(const ErrorText &text);
// Re-throws a PostgreSQL error: copied (ReThrowError) or still pending (nullptr).
[[noreturn]] void rethrow(ErrorData *copied);

}  // namespace tg
