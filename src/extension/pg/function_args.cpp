#define TG_IMPLEMENTS_GUARDED_CALLS
#include "extension/pg.hpp"
#include "extension/pg/function_args.hpp"

namespace tg::pg {

bool arg_is_null(FunctionCallInfo fcinfo, int n) { return PG_ARGISNULL(n); }

Datum arg_datum(FunctionCallInfo fcinfo, int n) { return PG_GETARG_DATUM(n); }

const char *arg_text(FunctionCallInfo fcinfo, int n) {
    return pg_guard([&] { return text_to_cstring(PG_GETARG_TEXT_PP(n)); });
}

const char *arg_name(FunctionCallInfo fcinfo, int n) {
    return pg_guard([&] { return pstrdup(NameStr(*PG_GETARG_NAME(n))); });
}

ArrayItems arg_array(FunctionCallInfo fcinfo, int n, Oid elem_type) {
    return pg_guard([&] {
        ArrayItems a{};
        int16 len;
        bool byval;
        char align;
        get_typlenbyvalalign(elem_type, &len, &byval, &align);
        deconstruct_array(PG_GETARG_ARRAYTYPE_P(n), elem_type, len, byval, align, &a.items, &a.nulls, &a.count);
        return a;
    });
}

void begin_rows(FunctionCallInfo fcinfo) {
    pg_guard([&] { InitMaterializedSRF(fcinfo, 0); });
}

void return_row(FunctionCallInfo fcinfo, const Datum *values, const bool *nulls) {
    pg_guard([&] {
        auto *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, const_cast<Datum *>(values),
                             const_cast<bool *>(nulls));
    });
}

}  // namespace tg::pg
