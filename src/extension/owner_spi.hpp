// SQL the extension runs on its own tables from inside a statement (the
// capture's CDC tick, the capture order's renumbering), in plain PostgreSQL
// calls (no C++ exceptions): in an SPI connection, as the extension owner
// (only it may write those tables) and with search_path pinned. The caller's
// user comes back at the end, or with the (sub)transaction's abort on an
// error. fn runs the SQL and reads what it needs before SPI_finish.
#pragma once
#include "extension/pg.hpp"
#include "extension/catalog.hpp"
#include "extension/search_path.hpp"

extern "C" {
#include "executor/spi.h"
}

namespace tg {

template <typename F>
auto as_extension_owner_in_spi(F &&fn) -> decltype(fn()) {
    Oid saved_user;
    int saved_context;
    GetUserIdAndSecContext(&saved_user, &saved_context);
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    SetUserIdAndSecContext(catalog::extension_owner(), saved_context | SECURITY_LOCAL_USERID_CHANGE);
    auto result = with_pinned_search_path(fn);
    SetUserIdAndSecContext(saved_user, saved_context);
    SPI_finish();
    return result;
}

}  // namespace tg
