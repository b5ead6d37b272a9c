// Which deletions an operator means: the filter of deletions(), undelete_where()
// and `tenant-guard recover`, one definition for all of them. A tombstone
// matches when it meets every filter given: deleted at or after since, at or
// before until, with tenant_guard.actor = actor, application_name =
// application_name, in transaction xid.
#pragma once
#include <string>
#include <vector>

#include "extension/spi.hpp"

namespace tg {

struct DeletionFilter {
    spi::Arg since = spi::null_arg(TIMESTAMPTZOID);
    spi::Arg until = spi::null_arg(TIMESTAMPTZOID);
    spi::Arg actor = spi::null_arg(TEXTOID);
    spi::Arg application_name = spi::null_arg(TEXTOID);
    spi::Arg xid = spi::null_arg(XID8OID);

    // The five filters from arguments first .. first + 4 of a call, in the
    // order above (NULL: not filtered).
    static DeletionFilter from_args(FunctionCallInfo fcinfo, int first);
    // Whether any filter is given.
    bool any() const;
    // SQL over tombstone_data aliased alias, with the filters as parameters
    // $first .. $first + 4 (append args() to the query's parameters there).
    static std::string condition(const std::string &alias, int first);
    std::vector<spi::Arg> args() const;
};

}  // namespace tg
