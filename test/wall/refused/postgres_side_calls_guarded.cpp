// expect: guarded functions are for the C.. side
// A guarded function (it throws PgErrorPending) called from the PostgreSQL
// side, where a C++ exception would cross PostgreSQL's frames.
#include "extension/pg.hpp"
#include "extension/pg/catalog_calls.hpp"
