// The first include of every file on the C++ side of the wall: files that own
// C++ objects (std::string, containers, RAII scopes) on the stack. A
// PostgreSQL error longjmps past C++ destructors, so these files must not call
// PostgreSQL themselves: they see only pg/declarations.hpp, and call the
// guarded functions of src/extension/pg/ and the *_pg.hpp headers. The
// compiler enforces both directions: this header refuses a translation unit
// that has PostgreSQL's headers already, and extension/pg.hpp refuses one that
// has this header (or an owning C++ library header) already, and poisons
// namespace std after it.
#pragma once

#ifdef POSTGRES_H
#error "this file owns C++ objects: call PostgreSQL through src/extension/pg/ or a *_pg.hpp header, not directly"
#endif

#define TG_OWNS_CPP_OBJECTS 1

// And a PostgreSQL header included after this one (straight, not through
// pg.hpp) meets this typedef of c.h's name: "conflicting declaration of
// Pointer" means this file owns C++ objects and must not include it.
typedef struct this_file_owns_cpp_objects_and_must_not_include_postgres_headers *Pointer;

#include "extension/pg/declarations.hpp"
