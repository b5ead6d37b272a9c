#include "extension/column_history.hpp"

#include "extension/columns.hpp"
#include "extension/log_writer.hpp"
#include "extension/restore_rights.hpp"
#include "extension/search_path.hpp"
#include "extension/spi.hpp"

namespace tg {

namespace {

constexpr long batch_rows = 1000;

// tenant (output form), primary key, the columns' old values, the row without them.
std::string values_query(const registry::ProtectedTable &table, Oid relid, const std::vector<std::string> &columns) {
    std::string pk, old_values, dropped;
    for (const auto &c : columns::names(table.relid, columns::primary_key, false))
        pk += (pk.empty() ? "" : ", ") + spi::quote_literal(c) + ", x." + spi::quote_ident(c);
    for (const auto &c : columns) {
        old_values += (old_values.empty() ? "" : ", ") + spi::quote_literal(c) + ", x." + spi::quote_ident(c);
        dropped += (dropped.empty() ? "" : ", ") + spi::quote_literal(c);
    }
    return "SELECT format('%s', x." + spi::quote_ident(table.tenant_column) + "), jsonb_build_object(" + pk +
           "), jsonb_build_object(" + old_values + "), to_jsonb(x) - ARRAY[" + dropped + "]::text[] FROM " +
           spi::qualified_name(relid) + " AS x";
}

// Hands one fetched batch to the writer (values copied into its row memory).
void write_batch(LogWriter *w, int32 table_id, SPITupleTable *batch, uint64 n) {
    for (uint64 r = 0; r < n; r++) {
        MemoryContext old = MemoryContextSwitchTo(row_memory(w));
        Datum v[4];
        for (int c = 0; c < 4; c++) {
            bool isnull;
            Datum d = SPI_getbinval(batch->vals[r], batch->tupdesc, c + 1, &isnull);
            v[c] = isnull ? (Datum)0 : datumCopy(d, false, -1);
        }
        log_change(w, table_id, 'U', v[0], v[1], v[2], v[3]);
        MemoryContextSwitchTo(old);
        log_writer_row_done(w);
    }
}

}  // namespace

void record_column_values(const registry::ProtectedTable &table, Oid relid, const std::vector<std::string> &columns) {
    if (columns.empty()) return;
    refuse_forced_row_security(relid, "drop or retype a column of");
    std::string sql = values_query(table, relid, columns);
    // Read as the table's owner, restricted: values of the owner's types
    // (casts to json included) are the owner's code.
    AsTableOwner owner(relid);
    Portal cursor = pg_guard([&] {
        return with_pinned_search_path(
            [&] { return SPI_cursor_open_with_args(nullptr, sql.c_str(), 0, nullptr, nullptr, nullptr, true, 0); });
    });
    LogWriter w;
    pg_guard([&] { log_writer_begin(&w); });
    for (;;) {
        pg_guard([&] { SPI_cursor_fetch(cursor, true, batch_rows); });
        SPITupleTable *batch = SPI_tuptable;
        uint64 n = SPI_processed;
        if (n == 0) break;
        pg_guard([&] { write_batch(&w, table.table_id, batch, n); });
        SPI_freetuptable(batch);
    }
    pg_guard([&] {
        log_writer_end(&w);
        SPI_cursor_close(cursor);
    });
}

}  // namespace tg
