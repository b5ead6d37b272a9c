// expect: poisoned
// An owning C++ library header after PostgreSQL's.
#include "extension/pg.hpp"
#include <vector>
