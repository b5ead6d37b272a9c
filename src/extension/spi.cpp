#include "extension/spi.hpp"
#include "extension/search_path.hpp"
#include "extension/subtransaction.hpp"

#include "extension/catalog.hpp"

namespace tg::spi {

Arg text_arg(const std::string &s) {
    return Arg{TEXTOID, pg_guard([&] { return PointerGetDatum(cstring_to_text_with_len(s.data(), (int)s.size())); })};
}

Arg text_arg_or_null(const char *s) { return s ? text_arg(s) : null_arg(TEXTOID); }

Session::Session() {
    pg_guard([] {
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    });
}

Session::~Session() { SPI_finish(); }

uint64 exec(const std::string &sql, const std::vector<Arg> &args) {
    int n = (int)args.size();
    std::vector<Oid> types(n);
    std::vector<Datum> values(n);
    std::vector<char> nulls(n);
    for (int i = 0; i < n; i++) {
        types[i] = args[i].type;
        values[i] = args[i].value;
        nulls[i] = args[i].is_null ? 'n' : ' ';
    }
    const char *query = sql.c_str();
    int rc = pg_guard([&] {
        return with_pinned_search_path(
            [&] { return SPI_execute_with_args(query, n, types.data(), values.data(), nulls.data(), false, 0); });
    });
    if (rc < 0) throw Error(ERRCODE_INTERNAL_ERROR, "SPI failed (" + std::to_string(rc) + ") on: " + sql);
    return SPI_processed;
}

uint64 exec(const std::string &sql, std::initializer_list<Arg> args) { return exec(sql, std::vector<Arg>(args)); }

bool is_null(uint64 r, int c) {
    bool isnull;
    SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, c, &isnull);
    return isnull;
}

Datum datum(uint64 r, int c) {
    bool isnull;
    return SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, c, &isnull);
}

std::string text(uint64 r, int c) {
    char *s = pg_guard([&] { return SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, c); });
    return s ? std::string(s) : std::string();
}

int64 int64_at(uint64 r, int c) {
    bool isnull;
    Datum d = SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, c, &isnull);
    if (isnull) return 0;
    switch (SPI_gettypeid(SPI_tuptable->tupdesc, c)) {
        case INT2OID:
            return DatumGetInt16(d);
        case INT4OID:
            return DatumGetInt32(d);
        case OIDOID:
            return DatumGetObjectId(d);
        default:
            return DatumGetInt64(d);
    }
}

AsExtensionOwner::AsExtensionOwner() {
    Oid owner = pg_guard([] { return catalog::extension_owner(); });
    GetUserIdAndSecContext(&saved_user_, &saved_context_);
    SetUserIdAndSecContext(owner, saved_context_ | SECURITY_LOCAL_USERID_CHANGE);
}

AsExtensionOwner::~AsExtensionOwner() { SetUserIdAndSecContext(saved_user_, saved_context_); }

AsRole::AsRole(Oid role, bool restricted) {
    GetUserIdAndSecContext(&saved_user_, &saved_context_);
    int context = saved_context_ | SECURITY_LOCAL_USERID_CHANGE | (restricted ? SECURITY_RESTRICTED_OPERATION : 0);
    if (restricted) guc_level_ = NewGUCNestLevel();
    SetUserIdAndSecContext(role, context);
}

AsRole::~AsRole() {
    if (guc_level_) AtEOXact_GUC(false, guc_level_);
    SetUserIdAndSecContext(saved_user_, saved_context_);
}

PinnedOutputSettings::PinnedOutputSettings() : level_(pg_guard([] { return pin_output_settings(); })) {}

PinnedOutputSettings::~PinnedOutputSettings() {
    if (std::uncaught_exceptions() == 0) unpin_search_path(level_);
}

std::string quote_ident(const std::string &s) {
    return pg_guard([&] { return quote_identifier(s.c_str()); });
}

std::string quote_literal(const std::string &s) {
    return pg_guard([&] { return quote_literal_cstr(s.c_str()); });
}

std::string qualified_name(Oid relid) {
    return pg_guard([&] {
        char *nsp = get_namespace_name(get_rel_namespace(relid));
        char *rel = get_rel_name(relid);
        if (!nsp || !rel) elog(ERROR, "relation with OID %u does not exist", relid);
        return quote_qualified_identifier(nsp, rel);
    });
}

}  // namespace tg::spi

namespace tg::spi {

std::optional<std::string> try_text(const std::string &sql, const std::vector<Arg> &args) {
    try {
        return run_and_roll_back([&] {
            uint64 n = exec(sql, args);
            return std::optional<std::string>(n && !is_null(0, 1) ? text(0, 1) : std::string());
        });
    } catch (const PgErrorPending &e) {
        if (e.data) FreeErrorData(e.data);
        return std::nullopt;
    }
}

Oid relation_named(const std::string &name) {
    auto oid = try_text("SELECT to_regclass($1)::oid", {text_arg(name)});
    return oid && !oid->empty() ? (Oid)std::stoul(*oid) : InvalidOid;
}

Datum array_of(const Datum *items, const bool *nulls, int n, Oid type) {
    int16 len;
    bool byval;
    char align;
    get_typlenbyvalalign(type, &len, &byval, &align);
    int dims[1] = {n};
    int lbs[1] = {1};
    return PointerGetDatum(construct_md_array(const_cast<Datum *>(items), const_cast<bool *>(nulls), 1, dims, lbs, type,
                                              len, byval, align));
}

Datum array_of(const std::vector<Datum> &items, Oid type) {
    return pg_guard([&] { return array_of(items.data(), nullptr, (int)items.size(), type); });
}

}  // namespace tg::spi
