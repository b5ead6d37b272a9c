// tenant_guard.begin_import(): the rest of the calling transaction is an
// import (the `tenant-guard import` command's rows), so capture records its
// changes with origin 'import' instead of 'dml'. The origin returns to dml
// when the transaction ends, committed or not.
#include "extension/module.hpp"

TG_FUNCTION(tg_begin_import) {
    if (!IsTransactionBlock())
        throw tg::Error(ERRCODE_NO_ACTIVE_SQL_TRANSACTION, "begin_import() must be called inside a transaction block",
                        "Run BEGIN first; the import ends with the transaction.");
    tg::current_origin = tg::Origin::import;
    PG_RETURN_VOID();
}
