#define TG_IMPLEMENTS_GUARDED_CALLS
#include "extension/pg.hpp"
#include "extension/columns_pg.hpp"

namespace tg {
// shape.hpp's, declared here while shape.hpp is still unwalled (it brings
// <string>, which no PostgreSQL-side file may include).
bool written_as_text(Oid type);
}  // namespace tg

namespace tg::columns::pg {

bool written_as_text(Oid type) {
    return pg_guard([&] { return tg::written_as_text(type); });
}

}  // namespace tg::columns::pg
