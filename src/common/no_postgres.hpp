// Every header of src/common includes this one. The library is linked into the
// backend module and into the libpq command line alike, so it must never see
// PostgreSQL's server headers: they redefine snprintf and friends, and their
// error handling (longjmp) skips C++ destructors. Include PostgreSQL headers
// after these headers, in translation units of src/extension only.
#pragma once

#if defined(PG_VERSION_NUM) || defined(POSTGRES_H)
#error "src/common is pure C++: include PostgreSQL headers after src/common headers, and only in src/extension"
#endif
