// expect: this_file_owns_cpp_objects_and_must_not_include_postgres_headers
// PostgreSQL's own header straight after the C++ side's.
#include "extension/boundary.hpp"
extern "C" {
#include "postgres.h"
}
