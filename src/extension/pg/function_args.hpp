// The arguments of an SQL-callable function (fmgr's PG_GETARG_* and
// PG_ARGISNULL), for TG_FUNCTION bodies on the C++ side.
#pragma once
#include "extension/pg/guarded.hpp"

namespace tg::pg {

bool arg_is_null(FunctionCallInfo fcinfo, int n);
Datum arg_datum(FunctionCallInfo fcinfo, int n);
inline bool arg_bool(FunctionCallInfo fcinfo, int n) { return datum::to_bool(arg_datum(fcinfo, n)); }
inline Oid arg_oid(FunctionCallInfo fcinfo, int n) { return datum::to_oid(arg_datum(fcinfo, n)); }
inline int32 arg_int32(FunctionCallInfo fcinfo, int n) { return datum::to_int32(arg_datum(fcinfo, n)); }
inline int64 arg_int64(FunctionCallInfo fcinfo, int n) { return datum::to_int64(arg_datum(fcinfo, n)); }
// A text (or name) argument as a C string in the current memory context.
const char *arg_text(FunctionCallInfo fcinfo, int n);
const char *arg_name(FunctionCallInfo fcinfo, int n);
// A one-dimensional array argument of element type elem_type, deconstructed
// (palloc'd items and null flags).
struct ArrayItems {
    Datum *items;
    bool *nulls;
    int count;
};
ArrayItems arg_array(FunctionCallInfo fcinfo, int n, Oid elem_type);

// How a trigger function was called (commands/trigger.h).
struct TriggerCall {
    bool is_trigger;  // the rest is false / InvalidOid when not
    bool before;
    bool for_statement;
    bool by_insert;
    Oid relid;
};
TriggerCall trigger_call(FunctionCallInfo fcinfo) noexcept;
// Whether the function was called as an event trigger (commands/event_trigger.h).
bool event_trigger_call(FunctionCallInfo fcinfo) noexcept;

// An empty tuplestore result for a set-returning function; add rows with
// return_row (values and nulls as many as the result has columns).
void begin_rows(FunctionCallInfo fcinfo);
void return_row(FunctionCallInfo fcinfo, const Datum *values, const bool *nulls);
// The first n rows of SPI_tuptable as the function's result (their columns
// are the result's); call before the SPI session ends.
void return_spi_rows(FunctionCallInfo fcinfo, uint64 n);

}  // namespace tg::pg
