// Every statement the extension runs through SPI resolves names with
// search_path = pg_catalog, pg_temp, whoever called and whatever their own
// search_path says: unqualified functions, types and operators in the
// extension's SQL come from pg_catalog, never from a schema (or a pg_temp)
// that a caller or a table owner controls. pg_temp last: it is searched
// first for types and relations unless it is listed.
// Plain PostgreSQL calls: use inside pg_guard (spi.cpp) or C-like code.
#pragma once
#include "extension/pg.hpp"

namespace tg {

constexpr const char *pinned_search_path = "pg_catalog, pg_temp";

// Pushes a GUC nesting level with search_path pinned; returns the level.
int pin_search_path();
// Pops it: the caller's search_path is back, and every setting changed at
// that level (by a table owner's trigger, say) is thrown away.
void unpin_search_path(int level);

// Pushes a GUC nesting level with the output settings row images are written
// with (shape.hpp pins the same in C for capture), and the input settings
// they are read back with (xmloption content, array_nulls on); returns the
// level. Pop it with unpin_search_path (it pops any level).
int pin_output_settings();

// Pushes a GUC nesting level with one setting (name = value): enable_seqscan
// off for a statement whose plan the extension knows better than the
// estimates do, say; returns the level. Pop it with unpin_search_path.
int pin_setting(const char *name, const char *value);

// ERROR (55000) when the session's temporary schema holds a relation or a
// type and caller lacks owner's privileges: called before the extension
// runs a table owner's code as the owner in the caller's session (restores,
// rewind, purge, the flag write). The owner's code may name a table or type
// without a schema, even under its own SET search_path, and PostgreSQL looks
// in pg_temp first for those: it would find the caller's temporary table,
// whose triggers would run with the owner's rights (the attacker's report of
// 0.12.0). A caller with the owner's privileges (the owner, a member, a
// superuser) gains nothing by it.
void refuse_temp_objects(const char *operation, Oid caller, Oid owner);

// fn() with search_path pinned. fn returns a plain value (Datum, pointer,
// number); its own PostgreSQL errors travel on after the path is restored.
template <typename F>
auto with_pinned_search_path(F &&fn) -> decltype(fn()) {
    using R = decltype(fn());
    const int level = pin_search_path();
    volatile R result{};
    PG_TRY();
    { result = fn(); }
    PG_CATCH();
    {
        unpin_search_path(level);
        PG_RE_THROW();
    }
    PG_END_TRY();
    unpin_search_path(level);
    return result;
}

}  // namespace tg
