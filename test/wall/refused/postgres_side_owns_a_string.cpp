// expect: poisoned
// Code of the PostgreSQL side that owns a C++ object.
#include "extension/pg.hpp"
void f() { std::string s = "leaks when the next call longjmps"; }
