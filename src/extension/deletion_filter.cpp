#include "extension/deletion_filter.hpp"

#include "extension/pg/function_args.hpp"

namespace tg {

namespace {

spi::Arg arg_or_null(FunctionCallInfo fcinfo, int n, Oid type) {
    return pg::arg_is_null(fcinfo, n) ? spi::null_arg(type) : spi::Arg{type, pg::arg_datum(fcinfo, n)};
}

}  // namespace

DeletionFilter DeletionFilter::from_args(FunctionCallInfo fcinfo, int first) {
    DeletionFilter f;
    f.since = arg_or_null(fcinfo, first, TIMESTAMPTZOID);
    f.until = arg_or_null(fcinfo, first + 1, TIMESTAMPTZOID);
    f.actor = arg_or_null(fcinfo, first + 2, TEXTOID);
    f.application_name = arg_or_null(fcinfo, first + 3, TEXTOID);
    f.xid = arg_or_null(fcinfo, first + 4, XID8OID);
    return f;
}

bool DeletionFilter::any() const {
    return !since.is_null || !until.is_null || !actor.is_null || !application_name.is_null || !xid.is_null;
}

// Each parameter is typed where it appears, so a NULL one folds away in the
// custom plan of a one-shot query and the rest can use the indexes.
std::string DeletionFilter::condition(const std::string &alias, int first) {
    auto p = [&](int i, const char *type) { return "$" + std::to_string(first + i) + "::" + type; };
    const std::string &t = alias;
    return "(" + p(0, "timestamptz") + " IS NULL OR " + t + ".deleted_at >= " + p(0, "timestamptz") + ") AND (" +
           p(1, "timestamptz") + " IS NULL OR " + t + ".deleted_at <= " + p(1, "timestamptz") + ") AND (" +
           p(2, "text") + " IS NULL OR " + t + ".actor = " + p(2, "text") + ") AND (" + p(3, "text") + " IS NULL OR " +
           t + ".application_name = " + p(3, "text") + ") AND (" + p(4, "xid8") + " IS NULL OR " + t +
           ".xid = " + p(4, "xid8") + ")";
}

std::vector<spi::Arg> DeletionFilter::args() const { return {since, until, actor, application_name, xid}; }

}  // namespace tg
