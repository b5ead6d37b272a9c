// SPI, roles, settings and quoting for the C++ side (spi.hpp builds on these).
#pragma once
#include "extension/pg/guarded.hpp"

namespace tg::pg {

void spi_connect();
void spi_finish() noexcept;  // cannot fail once connected
// SPI_execute_with_args under the pinned search_path (pg_catalog, pg_temp),
// never read-only; nulls as SPI spells them ('n' or ' '). Returns SPI's code.
int spi_execute(const char *sql, int nargs, const Oid *types, const Datum *values, const char *nulls);
uint64 spi_processed() noexcept;
// The rows of the last statement (SPI_tuptable), which the next replaces.
SPITupleTable *spi_result() noexcept;
// Row r, column c (1-based) of rows.
Datum spi_datum(const SPITupleTable *rows, uint64 r, int c, bool *is_null) noexcept;
Oid spi_column_type(const SPITupleTable *rows, int c) noexcept;
const char *spi_value(const SPITupleTable *rows, uint64 r, int c);  // output form, palloc'd; nullptr when NULL
void spi_free(SPITupleTable *rows) noexcept;

// A cursor over a query (as spi_execute runs it), and its rows batch by
// batch: spi_fetch returns the next batch (rows in *n, 0 at the end). Other
// code running meanwhile (a table owner's) cannot find, fetch from or close
// it; close it with spi_close_cursor. A scroll cursor can be read again
// from its start (spi_rewind_cursor), its rows as its snapshot saw them.
Portal spi_open_cursor(const char *sql, int nargs, const Oid *types, const Datum *values, const char *nulls,
                       bool scroll = false);
SPITupleTable *spi_fetch(Portal cursor, long rows, uint64 *n);
void spi_rewind_cursor(Portal cursor);
void spi_close_cursor(Portal cursor);

// A text Datum of len bytes of data.
Datum text_datum(const char *data, int len);
// The text of a jsonb Datum (palloc'd).
const char *jsonb_text(Datum jsonb);
// A one-dimensional array Datum of n items of type (nulls may be nullptr).
Datum array_datum(const Datum *items, const bool *nulls, int n, Oid type);

// The current user and security context, and switching them (miscadmin.h).
struct UserContext {
    Oid user;
    int context;
};
UserContext user_context() noexcept;
void set_user_context(UserContext c) noexcept;
// c's context plus a local user id change, and, restricted, a
// security-restricted operation (as PostgreSQL runs maintenance as an owner).
int switched_context(int context, bool restricted) noexcept;
Oid current_user_id() noexcept;
Oid extension_owner();

// A GUC nesting level; discard_settings throws away what was SET inside it.
int new_settings_level();
void discard_settings(int level) noexcept;
// The output settings images are written with, at a new level (search_path.hpp).
int pin_output_settings();
// One setting at a new level (search_path.hpp).
int pin_setting(const char *name, const char *value);

const char *quote_identifier(const char *name);
const char *quote_literal(const char *text);
// "schema"."table" of relid; an error when it does not exist.
const char *qualified_relation_name(Oid relid);

}  // namespace tg::pg
