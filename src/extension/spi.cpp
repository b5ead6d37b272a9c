#include "extension/spi.hpp"

#include "extension/pg/session_calls.hpp"
#include "extension/subtransaction.hpp"

namespace tg::spi {

Arg text_arg(const std::string &s) { return Arg{TEXTOID, pg::text_datum(s.data(), (int)s.size())}; }

Arg text_arg_or_null(const char *s) { return s ? text_arg(s) : null_arg(TEXTOID); }

Session::Session() { pg::spi_connect(); }

Session::~Session() { pg::spi_finish(); }

namespace {

// Parameters as SPI takes them: three arrays.
struct SpiParameters {
    std::vector<Oid> types;
    std::vector<Datum> values;
    std::vector<char> nulls;
    explicit SpiParameters(const std::vector<Arg> &args) {
        for (const auto &a : args) {
            types.push_back(a.type);
            values.push_back(a.value);
            nulls.push_back(a.is_null ? 'n' : ' ');
        }
    }
    int count() const { return (int)types.size(); }
};

}  // namespace

uint64 exec(const std::string &sql, const std::vector<Arg> &args) {
    const SpiParameters p(args);
    int rc = pg::spi_execute(sql.c_str(), p.count(), p.types.data(), p.values.data(), p.nulls.data());
    if (rc < 0) throw Error(ERRCODE_INTERNAL_ERROR, "SPI failed (" + std::to_string(rc) + ") on: " + sql);
    return pg::spi_processed();
}

uint64 exec(const std::string &sql, std::initializer_list<Arg> args) { return exec(sql, std::vector<Arg>(args)); }

Portal open_cursor(const std::string &sql, const std::vector<Arg> &args, bool scroll) {
    const SpiParameters p(args);
    return pg::spi_open_cursor(sql.c_str(), p.count(), p.types.data(), p.values.data(), p.nulls.data(), scroll);
}

bool is_null(uint64 r, int c) {
    bool isnull;
    pg::spi_datum(pg::spi_result(), r, c, &isnull);
    return isnull;
}

Datum datum(uint64 r, int c) {
    bool isnull;
    return pg::spi_datum(pg::spi_result(), r, c, &isnull);
}

std::string text(uint64 r, int c) {
    const char *s = pg::spi_value(pg::spi_result(), r, c);
    return s ? std::string(s) : std::string();
}

int64 int64_at(uint64 r, int c) {
    bool isnull;
    Datum d = pg::spi_datum(pg::spi_result(), r, c, &isnull);
    if (isnull) return 0;
    switch (pg::spi_column_type(pg::spi_result(), c)) {
        case INT2OID:
            return datum::to_int16(d);
        case INT4OID:
            return datum::to_int32(d);
        case OIDOID:
            return datum::to_oid(d);
        default:
            return datum::to_int64(d);
    }
}

AsExtensionOwner::AsExtensionOwner() : saved_(pg::user_context()) {
    pg::set_user_context({pg::extension_owner(), pg::switched_context(saved_.context, false)});
}

AsExtensionOwner::~AsExtensionOwner() { pg::set_user_context(saved_); }

AsRole::AsRole(Oid role, bool restricted) : saved_(pg::user_context()) {
    if (restricted) pg::refuse_temp_objects("run a table owner's code for tenant_guard", saved_.user, role);
    if (restricted) guc_level_ = pg::new_settings_level();
    pg::set_user_context({role, pg::switched_context(saved_.context, restricted)});
}

AsRole::~AsRole() {
    if (guc_level_) pg::discard_settings(guc_level_);
    pg::set_user_context(saved_);
}

SettingsScope::~SettingsScope() {
    if (std::uncaught_exceptions() == 0) pg::discard_settings(level_);
}

PinnedOutputSettings::PinnedOutputSettings() : SettingsScope(pg::pin_output_settings()) {}

PinnedSetting::PinnedSetting(const char *name, const char *value) : SettingsScope(pg::pin_setting(name, value)) {}

std::string quote_ident(const std::string &s) { return pg::quote_identifier(s.c_str()); }

std::string quote_literal(const std::string &s) { return pg::quote_literal(s.c_str()); }

std::string qualified_name(Oid relid) { return pg::qualified_relation_name(relid); }

std::optional<std::string> try_text(const std::string &sql, const std::vector<Arg> &args) {
    try {
        return run_and_roll_back([&] {
            uint64 n = exec(sql, args);
            return std::optional<std::string>(n && !is_null(0, 1) ? text(0, 1) : std::string());
        });
    } catch (const PgErrorPending &e) {
        if (e.data) pg::free_error(e.data);
        return std::nullopt;
    }
}

Oid relation_named(const std::string &name) {
    auto oid = try_text("SELECT to_regclass($1)::oid", {text_arg(name)});
    return oid && !oid->empty() ? (Oid)std::stoul(*oid) : InvalidOid;
}

Datum array_of(const std::vector<Datum> &items, Oid type) {
    return pg::array_datum(items.data(), nullptr, (int)items.size(), type);
}

}  // namespace tg::spi
