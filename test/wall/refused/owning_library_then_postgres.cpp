// expect: must own no C.. objects
// An owning C++ library header before PostgreSQL's.
#include <string>
#include "extension/pg.hpp"
