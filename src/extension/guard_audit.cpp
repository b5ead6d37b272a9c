#include "extension/boundary.hpp"
#include "extension/guard_audit_records.hpp"

#include "extension/pg/catalog_calls.hpp"
#include "extension/spi.hpp"

namespace tg::audit {

namespace {

constexpr int statement_chars = 4000;  // of the statement text kept per record

std::string running_statement(const char *text) {
    std::string statement = text ? text : "";
    if (statement.size() > (size_t)statement_chars) statement = statement.substr(0, statement_chars) + "...";
    return statement;
}

std::string acting_role() { return pg::role_name(pg::current_user_id()); }

}  // namespace

void insert_weakened_limit(Oid relid, int max_tenants, const char *statement) {
    report_errors([&] {
        std::string text = running_statement(statement);
        std::string acting = acting_role();
        spi::Session session;
        spi::AsExtensionOwner owner;
        spi::exec(
            "INSERT INTO tenant_guard.guard_override_data (acting_role, setting, value, rel, statement) "
            "VALUES ($1, 'tenant_guard.max_tenants_per_statement', $2, $3, $4)",
            {spi::text_arg(acting),
             spi::text_arg(std::to_string(max_tenants)),
             {OIDOID, datum::from_oid(relid)},
             spi::text_arg(text)});
    });
}

int64 insert_truncate(Oid relid, const char *statement) {
    return report_errors([&] {
        std::string acting = acting_role();
        spi::Session session;
        spi::AsExtensionOwner owner;
        std::string value = pg::setting_value("tenant_guard.allow_truncate");
        spi::exec(
            "INSERT INTO tenant_guard.guard_override_data (acting_role, setting, value, rel, rels, statement) "
            "VALUES ($1, 'tenant_guard.allow_truncate', $2, $3, ARRAY[$3::pg_catalog.regclass], $4) "
            "RETURNING override_id",
            {spi::text_arg(acting),
             spi::text_arg(value),
             {OIDOID, datum::from_oid(relid)},
             spi::text_arg(running_statement(statement))});
        return spi::int64_at(0, 1);
    });
}

void add_truncated(int64 override_id, Oid relid) {
    report_errors([&] {
        spi::Session session;
        spi::AsExtensionOwner owner;
        spi::exec(
            "UPDATE tenant_guard.guard_override_data SET rels = rels || $2::pg_catalog.regclass "
            "WHERE override_id = $1",
            {{INT8OID, datum::from_int64(override_id)}, {OIDOID, datum::from_oid(relid)}});
    });
}

}  // namespace tg::audit
