// The first include of every header of guarded functions (src/extension/pg/
// and the *_pg.hpp files): functions the C++ side calls, which run
// PostgreSQL under pg_guard and so report its errors as PgErrorPending, never
// by longjmp. Code on the PostgreSQL side must not call them (a C++ exception
// thrown into PostgreSQL's frames ends the backend), so the compiler refuses
// such a header in a file that includes pg.hpp, except in the file that
// implements it, which says so first:
//   #define TG_IMPLEMENTS_GUARDED_CALLS
//   #include "extension/pg.hpp"
#pragma once

#if defined(POSTGRES_H) && !defined(TG_IMPLEMENTS_GUARDED_CALLS)
#error "guarded functions are for the C++ side; PostgreSQL-side code calls PostgreSQL directly"
#endif

#include "extension/error_text.hpp"
#include "extension/pg/declarations.hpp"
