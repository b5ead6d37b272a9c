// The C++ side's half of the error boundary (the other half: pg.hpp).
//
// PostgreSQL reports errors with longjmp, which skips C++ destructors; a C++
// exception must never unwind through PostgreSQL's C frames. So:
//  * every SQL-callable function of the C++ side (TG_FUNCTION) and every C++
//    function that PostgreSQL-side code calls runs its body through
//    report_errors(), which turns a C++ exception into ereport() after every
//    C++ object of the body is gone, and re-throws a PostgreSQL error caught
//    under it unchanged (SQLSTATE, message and detail survive);
//  * the C++ side calls PostgreSQL only through guarded functions
//    (src/extension/pg/, *_pg.hpp), which turn its error into PgErrorPending.
#pragma once

#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <utility>

#include "extension/owns_cpp_objects.hpp"
#include "extension/error_text.hpp"

namespace tg {

// An error the extension reports: SQLSTATE (MAKE_SQLSTATE) + message, detail, hint.
struct Error : std::exception {
    int sqlstate;
    std::string message, detail, hint;
    Error(int code, std::string msg, std::string det = {}, std::string hnt = {})
        : sqlstate(code), message(std::move(msg)), detail(std::move(det)), hint(std::move(hnt)) {}
    const char *what() const noexcept override { return message.c_str(); }
};

// Runs body; its result, or its error reported through PostgreSQL.
template <typename F>
auto report_errors(F &&body) -> decltype(body()) {
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
    if (pg_pending) rethrow(pg_copied);
    report(text);
}

}  // namespace tg

#define TG_EXPORT __attribute__((visibility("default")))

// Declares an SQL-callable function whose C++ body runs inside the boundary:
//   TG_FUNCTION(tg_protect) { ...; return (Datum) 0; }
// (PG_FUNCTION_INFO_V1 spelled without fmgr.h.)
#define TG_FUNCTION(name)                                                   \
    static Datum name##_body(FunctionCallInfo fcinfo);                      \
    extern "C" {                                                            \
    TG_EXPORT const tg::FunctionInfoRecord *pg_finfo_##name(void);          \
    const tg::FunctionInfoRecord *pg_finfo_##name(void) {                   \
        static const tg::FunctionInfoRecord info = {1};                     \
        return &info;                                                       \
    }                                                                       \
    TG_EXPORT Datum name(FunctionCallInfo fcinfo);                          \
    Datum name(FunctionCallInfo fcinfo) {                                   \
        return tg::report_errors([fcinfo] { return name##_body(fcinfo); }); \
    }                                                                       \
    }                                                                       \
    static Datum name##_body(FunctionCallInfo fcinfo)
