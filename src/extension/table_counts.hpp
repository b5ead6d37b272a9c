// The result shape shared by undelete, purge and rewind: one row per table,
// a regclass and a few bigint counts.
#pragma once
#include <array>
#include <vector>

#include "extension/pg.hpp"

namespace tg {

template <size_t N>
struct TableCountRow {
    Oid relid;
    std::array<int64, N> counts;
};

// Returns rows as the function's result set (materialize mode).
template <size_t N>
void return_table_counts(FunctionCallInfo fcinfo, const std::vector<TableCountRow<N>> &rows) {
    pg_guard([&] {
        InitMaterializedSRF(fcinfo, 0);
        auto *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
        for (const auto &row : rows) {
            Datum values[N + 1];
            bool nulls[N + 1] = {};
            values[0] = ObjectIdGetDatum(row.relid);
            for (size_t i = 0; i < N; i++) values[i + 1] = Int64GetDatum(row.counts[i]);
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
        }
    });
}

}  // namespace tg
