// What purge() (purge.cpp) asks of PostgreSQL besides SPI.
#pragma once
#include "extension/pg/guarded.hpp"

namespace tg::pg {

// The jsonb value of text (jsonb_in): an error when text is no JSON.
Datum jsonb_datum(const char *text);

}  // namespace tg::pg
