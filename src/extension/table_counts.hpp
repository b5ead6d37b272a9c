// The result shape shared by undelete, purge and rewind: one row per table,
// a regclass and a few bigint counts.
#pragma once
#include <array>
#include <vector>

#include "extension/boundary.hpp"
#include "extension/pg/function_args.hpp"

namespace tg {

template <size_t N>
struct TableCountRow {
    Oid relid;
    std::array<int64, N> counts;
};

// Returns rows as the function's result set (materialize mode).
template <size_t N>
void return_table_counts(FunctionCallInfo fcinfo, const std::vector<TableCountRow<N>> &rows) {
    pg::begin_rows(fcinfo);
    for (const auto &row : rows) {
        Datum values[N + 1];
        bool nulls[N + 1] = {};
        values[0] = datum::from_oid(row.relid);
        for (size_t i = 0; i < N; i++) values[i + 1] = datum::from_int64(row.counts[i]);
        pg::return_row(fcinfo, values, nulls);
    }
}

}  // namespace tg
