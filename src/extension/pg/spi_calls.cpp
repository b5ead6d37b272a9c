#define TG_IMPLEMENTS_GUARDED_CALLS
#include "extension/pg.hpp"
#include "extension/pg/spi_calls.hpp"

#include "extension/catalog.hpp"
#include "extension/search_path.hpp"

namespace tg::pg {

void spi_connect() {
    pg_guard([] {
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    });
}

void spi_finish() noexcept { SPI_finish(); }

int spi_execute(const char *sql, int nargs, const Oid *types, const Datum *values, const char *nulls) {
    return pg_guard([&] {
        return with_pinned_search_path([&] {
            return SPI_execute_with_args(sql, nargs, const_cast<Oid *>(types), const_cast<Datum *>(values), nulls,
                                         false, 0);
        });
    });
}

uint64 spi_processed() noexcept { return SPI_processed; }

SPITupleTable *spi_result() noexcept { return SPI_tuptable; }

Datum spi_datum(const SPITupleTable *rows, uint64 r, int c, bool *is_null) noexcept {
    return SPI_getbinval(rows->vals[r], rows->tupdesc, c, is_null);
}

Oid spi_column_type(const SPITupleTable *rows, int c) noexcept { return SPI_gettypeid(rows->tupdesc, c); }

const char *spi_value(const SPITupleTable *rows, uint64 r, int c) {
    return pg_guard([&] { return SPI_getvalue(rows->vals[r], rows->tupdesc, c); });
}

void spi_free(SPITupleTable *rows) noexcept { SPI_freetuptable(rows); }

// The extension's cursors stay open while code of table owners runs between
// fetches (key checks, a restore's triggers and defaults, a migration's
// conversions, as the table's owner). Code that could name such a cursor
// could FETCH the extension's rows from it (tombstones of any table), MOVE
// it (rows silently left out) or CLOSE it under us (a freed portal: a
// crash). So a cursor gets a random name nobody can guess, is left out of
// pg_cursors (visible), and is pinned: PL/pgSQL's CLOSE of it fails
// ("cannot drop pinned portal"). An abort unpins and drops it.
Portal spi_open_cursor(const char *sql, int nargs, const Oid *types, const Datum *values, const char *nulls,
                       bool scroll) {
    return pg_guard([&] {
        uint8 random[16];
        if (!pg_strong_random(random, sizeof random)) elog(ERROR, "could not generate a random cursor name");
        char name[sizeof "tenant_guard_" + 2 * sizeof random];
        int at = snprintf(name, sizeof name, "tenant_guard_");
        for (uint8 byte : random) at += snprintf(name + at, sizeof name - at, "%02x", byte);
        Portal portal = with_pinned_search_path([&] {
            return SPI_cursor_open_with_args(name, sql, nargs, const_cast<Oid *>(types), const_cast<Datum *>(values),
                                             nulls, false, scroll ? CURSOR_OPT_SCROLL : 0);
        });
        portal->visible = false;
        PinPortal(portal);
        return portal;
    });
}

SPITupleTable *spi_fetch(Portal cursor, long rows, uint64 *n) {
    return pg_guard([&] {
        SPI_cursor_fetch(cursor, true, rows);
        *n = SPI_processed;
        return SPI_tuptable;
    });
}

// MOVE ABSOLUTE 0: back before the first row (a scroll cursor's sort is
// kept, not run again).
void spi_rewind_cursor(Portal cursor) {
    pg_guard([&] { SPI_scroll_cursor_move(cursor, FETCH_ABSOLUTE, 0); });
}

void spi_close_cursor(Portal cursor) {
    pg_guard([&] {
        UnpinPortal(cursor);
        SPI_cursor_close(cursor);
    });
}

Datum text_datum(const char *data, int len) {
    return pg_guard([&] { return PointerGetDatum(cstring_to_text_with_len(data, len)); });
}

const char *jsonb_text(Datum jsonb) {
    return pg_guard([&] { return JsonbToCString(nullptr, &DatumGetJsonbP(jsonb)->root, 0); });
}

Datum array_datum(const Datum *items, const bool *nulls, int n, Oid type) {
    return pg_guard([&] {
        int16 len;
        bool byval;
        char align;
        get_typlenbyvalalign(type, &len, &byval, &align);
        int dims[1] = {n};
        int lbs[1] = {1};
        return PointerGetDatum(construct_md_array(const_cast<Datum *>(items), const_cast<bool *>(nulls), 1, dims, lbs,
                                                  type, len, byval, align));
    });
}

UserContext user_context() noexcept {
    UserContext c;
    GetUserIdAndSecContext(&c.user, &c.context);
    return c;
}

void set_user_context(UserContext c) noexcept { SetUserIdAndSecContext(c.user, c.context); }

int switched_context(int context, bool restricted) noexcept {
    return context | SECURITY_LOCAL_USERID_CHANGE | (restricted ? SECURITY_RESTRICTED_OPERATION : 0);
}

Oid current_user_id() noexcept { return GetUserId(); }

Oid extension_owner() {
    return pg_guard([] { return catalog::extension_owner(); });
}

int new_settings_level() {
    return pg_guard([] { return NewGUCNestLevel(); });
}

void discard_settings(int level) noexcept { unpin_search_path(level); }

int pin_output_settings() {
    return pg_guard([] { return tg::pin_output_settings(); });
}

int pin_setting(const char *name, const char *value) {
    return pg_guard([&] { return tg::pin_setting(name, value); });
}

const char *quote_identifier(const char *name) {
    return pg_guard([&] { return ::quote_identifier(name); });
}

const char *quote_literal(const char *text) {
    return pg_guard([&] { return quote_literal_cstr(text); });
}

const char *qualified_relation_name(Oid relid) {
    return pg_guard([&] {
        char *nsp = get_namespace_name(get_rel_namespace(relid));
        char *rel = get_rel_name(relid);
        if (!nsp || !rel)  // a regclass made from a number (ARRAY[99999]::oid[]::regclass[])
            ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE), errmsg("relation with OID %u does not exist", relid)));
        return quote_qualified_identifier(nsp, rel);
    });
}

}  // namespace tg::pg
