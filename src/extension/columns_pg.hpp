// What columns.cpp asks of the PostgreSQL side: how images write a type.
#pragma once
#include "extension/pg/guarded.hpp"

namespace tg::columns::pg {

// Whether images write values of type as their text output (shape.hpp's
// written_as_text), for SQL that builds primary-key objects.
bool written_as_text(Oid type);
// Whether row images keep the exact text of a column of type beside its
// value (shape.hpp's exact_text_of: json, jsonb).
bool keeps_exact_text(Oid type);

}  // namespace tg::columns::pg
