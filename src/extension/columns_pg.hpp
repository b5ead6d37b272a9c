// What columns.cpp asks of the PostgreSQL side: how images write a type.
#pragma once
#include "extension/pg/guarded.hpp"

namespace tg::columns::pg {

// Whether images write values of type as their text output (shape.hpp's
// written_as_text), for SQL that builds primary-key objects.
bool written_as_text(Oid type);

}  // namespace tg::columns::pg
