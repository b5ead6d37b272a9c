// The PostgreSQL side of the module: the one header that includes
// PostgreSQL's server headers. A file that includes it calls PostgreSQL
// directly and so must own no C++ object: a PostgreSQL error longjmps past
// destructors. The compiler enforces it: this header refuses a translation
// unit that has included owns_cpp_objects.hpp or an owning C++ library header
// before it, and poisons namespace std after it. Hot paths (the capture
// trigger, the executor and utility hooks) live on this side as plain C-like
// code; the management functions live on the C++ side (owns_cpp_objects.hpp)
// and reach PostgreSQL through the guarded functions of src/extension/pg/ and
// the *_pg.hpp headers, which this side implements with pg_guard.
#pragma once

#if defined(TG_OWNS_CPP_OBJECTS)
#error "this file owns C++ objects (owns_cpp_objects.hpp): it must not include PostgreSQL's headers"
#endif
#if defined(_GLIBCXX_STRING) || defined(_GLIBCXX_VECTOR) || defined(_GLIBCXX_MAP) || defined(_GLIBCXX_MEMORY) || \
    defined(_GLIBCXX_UNORDERED_MAP) || defined(_GLIBCXX_FUNCTIONAL) || defined(_GLIBCXX_SET)
#error "a file that calls PostgreSQL must own no C++ objects: it includes an owning C++ library header"
#endif

#include <exception>
#include <type_traits>

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
#include "parser/parse_func.h"
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

#include "extension/error_text.hpp"

namespace tg {

// Runs fn(arg) under PG_TRY; returns false when it raised a PostgreSQL error
// (left in PostgreSQL's error state, memory context restored). A C++
// exception from fn is thrown on after PG_TRY's state is restored.
bool pg_try(void (*fn)(void *), void *arg);

// Runs f, which calls PostgreSQL; turns a PostgreSQL error into PgErrorPending.
// The guarded functions the C++ side calls are made of it. f's result must be
// a plain PostgreSQL value (Datum, pointer, number, a struct of them): nothing
// that owns memory, which a longjmp out of f would leak or leave half-built.
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

}  // namespace tg

// Declares an SQL-callable function of the PostgreSQL side (its errors are
// ereport()s; no C++ boundary):
//   TG_PG_FUNCTION(tg_capture) { ...; return (Datum) 0; }
#define TG_PG_FUNCTION(name)   \
    extern "C" {               \
    PG_FUNCTION_INFO_V1(name); \
    }                          \
    extern "C" Datum name(PG_FUNCTION_ARGS)

#ifndef TG_BOUNDARY_ITSELF
// Nothing after this header may own memory behind PostgreSQL's back: the
// PostgreSQL side uses nothing of the C++ library (std::string, containers,
// smart pointers, std::function ...; PostgreSQL's Min, Max and lengthof
// serve it instead).
#pragma GCC poison std
#endif
