#define TG_IMPLEMENTS_GUARDED_CALLS
#include "extension/pg.hpp"
#include "extension/purge_pg.hpp"

namespace tg::pg {

Datum jsonb_datum(const char *text) {
    return pg_guard([&] { return DirectFunctionCall1(jsonb_in, CStringGetDatum(text)); });
}

}  // namespace tg::pg
