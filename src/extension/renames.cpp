#include "extension/renames.hpp"

#include "extension/errors.hpp"
#include "extension/spi.hpp"
#include "extension/token_settings.hpp"

namespace tg::renames {

namespace {

// The module also runs on the previous version's schema (between a package
// upgrade and ALTER EXTENSION UPDATE), which has no renamed_at: there the
// update records every table as renamed at the update.
bool registry_records_renames() {
    return spi::exec(
               "SELECT FROM pg_catalog.pg_attribute WHERE attrelid = 'tenant_guard.protected_table'::regclass "
               "AND attname = 'renamed_at' AND NOT attisdropped") == 1;
}

}  // namespace

void record_relation(Oid relid) {
    spi::AsExtensionOwner owner;
    if (!registry_records_renames()) return;
    spi::exec("UPDATE tenant_guard.protected_table SET renamed_at = pg_catalog.clock_timestamp() WHERE rel = $1",
              {{OIDOID, datum::from_oid(relid)}});
}

void record_schema(const char *schema) {
    if (!schema) return;
    spi::AsExtensionOwner owner;
    if (!registry_records_renames()) return;
    spi::exec(
        "UPDATE tenant_guard.protected_table p SET renamed_at = pg_catalog.clock_timestamp() "
        "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.oid = p.rel AND n.nspname = $1",
        {spi::text_arg(schema)});
}

void refuse_renamed_since_signed(Oid relid, const std::string &name, const tokens::VerifiedToken &token) {
    // A token without iat (the specification leaves it out) was signed at
    // an unknown time: taken as signed max_token_lifetime before its exp, the
    // earliest a token with iat may be, and only renames count, not
    // protect() (a table protected just before the signing would be refused).
    const bool iat = token.iat.has_value();
    const int64 signed_at = iat ? *token.iat : token.exp - guc_max_token_lifetime;
    spi::AsExtensionOwner owner;
    // When the table took its name: the commit of the last change of its
    // registry row (a rename, protect(): a transaction may stay open across
    // the signing), where commit timestamps are kept; else the rename's own
    // time, or protect()'s. to_jsonb: renamed_at read by name, NULL on the
    // previous version's schema. iat counts whole seconds: a name taken in
    // the second of the signing counts as taken before it.
    uint64 n = spi::exec(
        "SELECT r.at::text, r.at >= pg_catalog.to_timestamp($2 + 1) FROM (SELECT greatest(r.renamed_at, "
        "  CASE WHEN $3 THEN p.protected_at END, "
        "  CASE WHEN ($3 OR r.renamed_at IS NOT NULL) "
        "        AND pg_catalog.current_setting('track_commit_timestamp')::boolean "
        "       THEN pg_catalog.pg_xact_commit_timestamp(p.xmin) END) AS at "
        "FROM tenant_guard.protected_table p, "
        "     LATERAL (SELECT (pg_catalog.to_jsonb(p) ->> 'renamed_at')::timestamptz AS renamed_at) r "
        "WHERE p.rel = $1) r",
        {{OIDOID, datum::from_oid(relid)}, {INT8OID, datum::from_int64(signed_at)}, {BOOLOID, datum::from_bool(iat)}});
    if (n == 0 || spi::text(0, 2) != "t") return;
    throw Error(
        sqlstate::token_scope_invalid,
        "table \"" + name + "\" of the token took its name at " + spi::text(0, 1) + ", after the token was signed",
        iat ? "The token was signed at " + std::to_string(*token.iat) +
                  " (its iat, unix seconds): it may mean the table that had the name then."
            : "The token has no iat: it counts as signed tenant_guard.max_token_lifetime before its exp, "
              "and may mean the table that had the name then.",
        "Check which table holds the name now (tenant_guard.protected_tables) and sign a new token; "
        "tenant-guard token writes iat.");
}

}  // namespace tg::renames
