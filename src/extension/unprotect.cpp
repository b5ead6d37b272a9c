// tenant_guard.unprotect(rel, token): ends protection of one table, authorised
// by a signed token with act "unprotect" naming exactly that table. The
// extension's triggers go (from the table and its partitions); tombstones and
// history stay; the token is consumed and a receipt records it.
#include "extension/boundary.hpp"
#include "extension/errors.hpp"
#include "extension/pg/catalog_calls.hpp"
#include "extension/pg/function_args.hpp"
#include "extension/registry.hpp"
#include "extension/renames.hpp"
#include "extension/spi.hpp"
#include "extension/token_check.hpp"

namespace {

using namespace tg;

constexpr int scope_invalid = sqlstate::token_scope_invalid;

void drop_triggers(Oid relid) {
    registry::OwnDdlScope own_ddl;
    spi::AsExtensionOwner owner;
    for (Oid member : pg::all_inheritors(relid, true)) {
        // Row triggers cloned from the parent go with the parent's.
        uint64 n = spi::exec(
            "SELECT t.tgname::text FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid "
            "WHERE t.tgrelid = $1 AND t.tgparentid = 0 AND p.pronamespace = $2",
            {{OIDOID, datum::from_oid(member)}, {OIDOID, datum::from_oid(pg::extension_schema())}});
        std::vector<std::string> names;
        for (uint64 r = 0; r < n; r++) names.push_back(spi::text(r, 1));
        std::string rel = spi::qualified_name(member);
        for (const auto &name : names) spi::exec("DROP TRIGGER " + spi::quote_ident(name) + " ON " + rel);
    }
}

}  // namespace

TG_FUNCTION(tg_unprotect) {
    if (pg::arg_is_null(fcinfo, 0) || pg::arg_is_null(fcinfo, 1))
        throw Error(ERRCODE_NULL_VALUE_NOT_ALLOWED, "rel and token must not be NULL");
    Oid relid = pg::arg_oid(fcinfo, 0);
    std::string token_text = pg::arg_text(fcinfo, 1);

    spi::Session spi;
    tokens::VerifiedToken token = verify_token(token_text, "unprotect");
    consume_token(token);
    std::string rel = spi::qualified_name(relid);
    if (spi::relation_named(token.tables.at(0)) != relid)
        throw Error(scope_invalid, "the token names table \"" + token.tables.at(0) + "\", not " + rel, "",
                    "An unprotect token names exactly the table it unprotects.");
    auto table = registry::find(relid);
    if (!table || !table->active)
        throw Error(scope_invalid, "table " + rel + " is not protected", "", "See tenant_guard.protected_tables.");
    renames::refuse_renamed_since_signed(relid, token.tables.at(0), token);

    drop_triggers(relid);
    spi::AsExtensionOwner owner;
    spi::exec("UPDATE tenant_guard.protected_table SET unprotected_at = now() WHERE table_id = $1",
              {{INT4OID, datum::from_int32(table->table_id)}});
    spi::exec(
        "INSERT INTO tenant_guard.purge_receipt (jti, key_id, act, tenant, tables, live_deleted, "
        "tombstones_deleted, history_deleted, reason, token_sha256) "
        "VALUES ($1, $2, 'unprotect', NULL, ARRAY[$3], 0, 0, 0, $4, $5)",
        {spi::text_arg(token.jti), spi::text_arg(token.kid), spi::text_arg(rel), spi::text_arg(token.reason),
         spi::text_arg(token.token_sha256)});
    return (Datum)0;
}
