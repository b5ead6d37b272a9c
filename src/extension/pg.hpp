// The one place the backend module includes PostgreSQL headers, and the
// C++/PostgreSQL error boundary.
//
// PostgreSQL reports errors with longjmp, which skips C++ destructors; a C++
// exception must never unwind through PostgreSQL's C frames. Two rules follow:
//  * every SQL-callable function and trigger runs its body through
//    tg::boundary(), which turns a C++ exception into ereport() after every C++
//    object of the body is gone, and lets a PostgreSQL error pass unchanged;
//  * code that keeps owning C++ objects (std::string, containers) on the stack
//    calls PostgreSQL only through tg::pg_guard(), which catches the longjmp and
//    rethrows it as tg::PgErrorPending; the boundary re-throws the original
//    PostgreSQL error, so its SQLSTATE, message and detail survive.
// Hot paths (the capture trigger) are plain C-like code with no owning C++
// objects, so they need neither guard per row. Hooks and callbacks that
// PostgreSQL calls (executor hooks, transaction and cache callbacks,
// emit_log_hook) are noexcept: a C++ exception there ends the backend
// rather than unwinding through PostgreSQL's frames.
#pragma once

#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <type_traits>
#include <utility>

extern "C" {
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/heaptoast.h"
#include "access/toast_compression.h"
#include "access/toast_internals.h"
#include "access/transam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "commands/sequence.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parse_coerce.h"
#include "parser/parse_type.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/bytea.h"
#include "utils/date.h"
#include "utils/datum.h"
#include "utils/float.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
#include "utils/typcache.h"
#include "utils/xid8.h"
}

// port.h maps these to pg_* versions; keep the C++ library's own.
#undef snprintf
#undef vsnprintf
#undef printf

namespace tg {

// An error the extension reports: SQLSTATE (MAKE_SQLSTATE) + message, detail, hint.
struct Error : std::exception {
    int sqlstate;
    std::string message, detail, hint;
    Error(int code, std::string msg, std::string det = {}, std::string hnt = {})
        : sqlstate(code), message(std::move(msg)), detail(std::move(det)), hint(std::move(hnt)) {}
    const char *what() const noexcept override { return message.c_str(); }
};

// A PostgreSQL error was caught under C++ code. Either it is still in
// PostgreSQL's error state (data == nullptr), or it was copied out (data) so
// that cleanup such as a subtransaction rollback could run first. The boundary
// re-throws it unchanged.
struct PgErrorPending {
    ErrorData *data = nullptr;
};

// Runs fn(arg) under PG_TRY; returns false when it raised a PostgreSQL error
// (left in PostgreSQL's error state, memory context restored). A C++
// exception from fn is thrown on after PG_TRY's state is restored.
bool pg_try(void (*fn)(void *), void *arg);

// Runs f, which calls PostgreSQL; turns a PostgreSQL error into PgErrorPending.
// f's result must be a plain PostgreSQL value (Datum, pointer, number, a
// struct of them): nothing that owns memory, which a longjmp out of f would
// leak or leave half-built.
template <typename F>
auto pg_guard(F &&f) -> decltype(f()) {
    using R = decltype(f());
    static_assert(std::is_void_v<R> || (std::is_trivially_copyable_v<R> && std::is_trivially_destructible_v<R>),
                  "pg_guard returns plain PostgreSQL values only: build C++ objects from its result outside it");
    if constexpr (std::is_void_v<R>) {
        auto call = [](void *p) { (*static_cast<F *>(p))(); };
        if (!pg_try(call, &f)) throw PgErrorPending{};
    } else {
        struct Slot {
            F *f;
            R result;
        } slot{&f, R{}};
        auto call = [](void *p) {
            auto *s = static_cast<Slot *>(p);
            s->result = (*s->f)();
        };
        if (!pg_try(call, &slot)) throw PgErrorPending{};
        return slot.result;
    }
}

// Takes the PostgreSQL error pending after pg_guard failed (data ==
// nullptr) out of PostgreSQL's error state, for cleanup that must run before
// it travels on (throw PgErrorPending{copy} afterwards). Copying can itself
// fail (out of memory): that error then is the pending one.
ErrorData *copy_pending_error();

// Copies a C++ message into a fixed buffer, so that nothing owning is alive
// when ereport() longjmps out of the boundary.
struct ErrorText {
    int sqlstate = 0;
    char message[1024] = "";
    char detail[2048] = "";
    char hint[512] = "";
};

void report(const ErrorText &text) pg_attribute_noreturn();

template <typename F>
Datum boundary(F &&body) {
    ErrorText text;
    bool pg_pending = false;
    ErrorData *pg_copied = nullptr;
    try {
        return body();
    } catch (const PgErrorPending &e) {
        pg_pending = true;
        pg_copied = e.data;
    } catch (const Error &e) {
        text.sqlstate = e.sqlstate;
        std::snprintf(text.message, sizeof text.message, "%s", e.message.c_str());
        std::snprintf(text.detail, sizeof text.detail, "%s", e.detail.c_str());
        std::snprintf(text.hint, sizeof text.hint, "%s", e.hint.c_str());
    } catch (const std::bad_alloc &) {
        text.sqlstate = ERRCODE_OUT_OF_MEMORY;
        std::snprintf(text.message, sizeof text.message, "out of memory");
    } catch (const std::exception &e) {
        text.sqlstate = ERRCODE_INTERNAL_ERROR;
        std::snprintf(text.message, sizeof text.message, "%s", e.what());
    } catch (...) {
        text.sqlstate = ERRCODE_INTERNAL_ERROR;
        std::snprintf(text.message, sizeof text.message, "unknown C++ exception");
    }
    if (pg_copied) ReThrowError(pg_copied);
    if (pg_pending) PG_RE_THROW();
    report(text);
}

}  // namespace tg

// Declares an SQL-callable function whose C++ body runs inside the boundary:
//   TG_FUNCTION(tg_protect) { ...; return (Datum) 0; }
#define TG_FUNCTION(name)                                              \
    static Datum name##_body(FunctionCallInfo fcinfo);                 \
    extern "C" {                                                       \
    PG_FUNCTION_INFO_V1(name);                                         \
    PGDLLEXPORT Datum name(PG_FUNCTION_ARGS) {                         \
        return tg::boundary([fcinfo] { return name##_body(fcinfo); }); \
    }                                                                  \
    }                                                                  \
    static Datum name##_body(FunctionCallInfo fcinfo)
