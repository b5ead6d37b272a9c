// tenant_guard.begin_import(): the rest of the calling transaction is an
// import (the `tenant-guard import` command's rows), so capture records its
// changes with origin 'import' instead of 'dml'. Like SET LOCAL, it ends with
// the transaction, or with the savepoint it was called in when that is rolled
// back.
#include "extension/pg.hpp"
#include "extension/module.hpp"

namespace tg {
namespace {

int import_nest_level = 0;  // transaction nesting level begin_import() ran at

void on_subtransaction_abort(SubXactEvent event, SubTransactionId, SubTransactionId, void *) noexcept {
    if (event == SUBXACT_EVENT_ABORT_SUB && current_origin == Origin::import &&
        import_nest_level >= GetCurrentTransactionNestLevel())
        current_origin = Origin::dml;
}

}  // namespace

void register_import_callbacks() { RegisterSubXactCallback(on_subtransaction_abort, nullptr); }

}  // namespace tg

TG_PG_FUNCTION(tg_begin_import) {
    if (!IsTransactionBlock())
        ereport(ERROR, (errcode(ERRCODE_NO_ACTIVE_SQL_TRANSACTION),
                        errmsg("begin_import() must be called inside a transaction block"),
                        errhint("Run BEGIN first; the import ends with the transaction.")));
    tg::current_origin = tg::Origin::import;
    tg::import_nest_level = GetCurrentTransactionNestLevel();
    PG_RETURN_VOID();
}
