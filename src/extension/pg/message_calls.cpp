#define TG_IMPLEMENTS_GUARDED_CALLS
#include "extension/pg.hpp"
#include "extension/pg/message_calls.hpp"

namespace tg::pg {

void warning(const char *message, const char *detail, const char *hint) {
    pg_guard([&] {
        ereport(WARNING, (errmsg_internal("%s", message), detail ? errdetail_internal("%s", detail) : 0,
                          hint ? errhint("%s", hint) : 0));
    });
}

}  // namespace tg::pg
