// expect: poisoned
// ... nor before them.
#include "extension/pg.hpp"
#include "extension/boundary.hpp"
