// expect: was not declared|undeclared identifier
// The C++ side calling PostgreSQL directly: it sees no PostgreSQL function.
#include "extension/boundary.hpp"
const char *f(Oid relid) { return get_rel_name(relid); }
