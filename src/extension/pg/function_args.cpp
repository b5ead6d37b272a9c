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

TriggerCall trigger_call(FunctionCallInfo fcinfo) noexcept {
    TriggerCall call{};
    if (!CALLED_AS_TRIGGER(fcinfo)) return call;
    auto *td = reinterpret_cast<TriggerData *>(fcinfo->context);
    call.is_trigger = true;
    call.before = TRIGGER_FIRED_BEFORE(td->tg_event);
    call.for_statement = TRIGGER_FIRED_FOR_STATEMENT(td->tg_event);
    call.by_insert = TRIGGER_FIRED_BY_INSERT(td->tg_event);
    call.relid = RelationGetRelid(td->tg_relation);
    return call;
}

bool event_trigger_call(FunctionCallInfo fcinfo) noexcept { return CALLED_AS_EVENT_TRIGGER(fcinfo); }

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

void return_spi_rows(FunctionCallInfo fcinfo, uint64 n) {
    pg_guard([&] {
        InitMaterializedSRF(fcinfo, 0);
        auto *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
        int natts = rsinfo->setDesc->natts;
        auto *values = static_cast<Datum *>(palloc(sizeof(Datum) * natts));
        auto *nulls = static_cast<bool *>(palloc(sizeof(bool) * natts));
        for (uint64 r = 0; r < n; r++) {
            for (int c = 0; c < natts; c++)
                values[c] = SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, c + 1, &nulls[c]);
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
        }
    });
}

}  // namespace tg::pg
