// changes(cursor, max_rows, tenant): the contract's name of the change
// stream's reader, tenant_guard._changes (60_cdc.sql), which PL/pgSQL cannot
// declare under it (an input and an output column both named "cursor").
// It calls the reader with the caller's ReturnSetInfo, so the rows reach the
// caller in the one tuplestore the reader fills: the SQL function that
// wrapped it until 0.10.0 copied every row once more (a quarter of a drain's
// time). The reader is SECURITY DEFINER and runs as the extension's owner;
// EXECUTE is checked on changes(), as it was on the wrapper.
#include "extension/pg.hpp"
#include "extension/catalog_names.hpp"

namespace {

constexpr int reader_nargs = 3;

// The reader's FmgrInfo, looked up once per call site (in its fn_extra).
FmgrInfo *reader_of(FmgrInfo *caller) {
    if (caller->fn_extra != nullptr) return static_cast<FmgrInfo *>(caller->fn_extra);
    Oid argtypes[reader_nargs] = {TEXTOID, INT4OID, TEXTOID};
    List *name = list_make2(makeString(pstrdup(tg::catalog::schema_name)), makeString(pstrdup("_changes")));
    Oid oid = LookupFuncName(name, reader_nargs, argtypes, false);
    auto *reader = static_cast<FmgrInfo *>(MemoryContextAllocZero(caller->fn_mcxt, sizeof(FmgrInfo)));
    fmgr_info_cxt(oid, reader, caller->fn_mcxt);
    caller->fn_extra = reader;
    return reader;
}

}  // namespace

TG_PG_FUNCTION(tg_changes) {
    if (PG_NARGS() != reader_nargs)
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("tenant_guard.changes() takes 3 arguments")));
    LOCAL_FCINFO(call, reader_nargs);
    InitFunctionCallInfoData(*call, reader_of(fcinfo->flinfo), reader_nargs, fcinfo->fncollation, fcinfo->context,
                             fcinfo->resultinfo);
    for (int i = 0; i < reader_nargs; i++) call->args[i] = fcinfo->args[i];
    Datum result = FunctionCallInvoke(call);
    fcinfo->isnull = call->isnull;
    return result;
}
