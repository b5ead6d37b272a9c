#include "extension/renames.hpp"

#include "extension/errors.hpp"
#include "extension/spi.hpp"

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
    spi::exec("UPDATE tenant_guard.protected_table SET renamed_at = pg_catalog.now() WHERE rel = $1",
              {{OIDOID, datum::from_oid(relid)}});
}

void record_schema(const char *schema) {
    if (!schema) return;
    spi::AsExtensionOwner owner;
    if (!registry_records_renames()) return;
    spi::exec(
        "UPDATE tenant_guard.protected_table p SET renamed_at = pg_catalog.now() FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = p.rel AND n.nspname = $1",
        {spi::text_arg(schema)});
}

void refuse_renamed_since_signed(Oid relid, const std::string &name, const tokens::VerifiedToken &token) {
    spi::AsExtensionOwner owner;
    // to_jsonb: renamed_at read by name, NULL on the previous version's schema.
    uint64 n = spi::exec(
        "SELECT r.at::text, $2::bigint IS NULL OR r.at >= pg_catalog.to_timestamp($2) "
        "FROM (SELECT (pg_catalog.to_jsonb(p) ->> 'renamed_at')::timestamptz AS at "
        "FROM tenant_guard.protected_table p WHERE p.rel = $1) r WHERE r.at IS NOT NULL",
        {{OIDOID, datum::from_oid(relid)},
         token.iat ? spi::Arg{INT8OID, datum::from_int64(*token.iat)} : spi::null_arg(INT8OID)});
    if (n == 0 || spi::text(0, 2) != "t") return;
    std::string renamed_at = spi::text(0, 1);
    throw Error(sqlstate::token_scope_invalid,
                "table \"" + name + "\" of the token took its name at " + renamed_at + ", after the token was signed",
                token.iat ? "The token was signed at " + std::to_string(*token.iat) +
                                " (its iat, unix seconds): it may mean the table that had the name then."
                          : "The token has no iat, so it may have been signed before the rename and mean the "
                            "table that had the name then.",
                "Check which table holds the name now (tenant_guard.protected_tables) and sign a new token; "
                "tenant-guard token writes iat.");
}

}  // namespace tg::renames
