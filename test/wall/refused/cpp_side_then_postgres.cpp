// expect: it must not include PostgreSQL.s headers
// A file that owns C++ objects cannot include PostgreSQL's headers after them.
#include "extension/boundary.hpp"
#include "extension/pg.hpp"
