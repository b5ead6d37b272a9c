#define TG_IMPLEMENTS_GUARDED_CALLS
#include "extension/pg.hpp"
#include "extension/columns_pg.hpp"
#include "extension/shape.hpp"

namespace tg::columns::pg {

bool written_as_text(Oid type) {
    return pg_guard([&] { return tg::written_as_text(type); });
}

bool keeps_exact_text(Oid type) {
    return pg_guard([&] { return tg::exact_text_of(type) != ExactText::none; });
}

}  // namespace tg::columns::pg
