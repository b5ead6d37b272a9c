// Module entry: magic block, GUCs, transaction callbacks.
#include "extension/pg.hpp"
#include "extension/module.hpp"
#include "extension/capture_order.hpp"
#include "extension/catalog.hpp"
#include "extension/guard_audit.hpp"
#include "extension/log_writer.hpp"
#include "extension/running_query.hpp"
#include "extension/statement_scope.hpp"
#include "extension/token_settings.hpp"

extern "C" {
PG_MODULE_MAGIC;
void _PG_init(void);
}

namespace tg {

char *guc_actor = nullptr;
Origin current_origin = Origin::dml;
static void reset_at_transaction_end(XactEvent event, void *) noexcept {
    if (event == XACT_EVENT_ABORT || event == XACT_EVENT_COMMIT || event == XACT_EVENT_PARALLEL_ABORT ||
        event == XACT_EVENT_PREPARE) {
        current_origin = Origin::dml;
        purge_silence = nullptr;
    }
}

void define_truncate_guc();             // guard_pg.cpp
void register_shape_cache_callbacks();  // shape.cpp
void register_import_callbacks();       // import.cpp

}  // namespace tg

void _PG_init(void) {
    DefineCustomStringVariable("tenant_guard.actor", "Application-declared actor recorded with each captured change.",
                               "Set it per session or per transaction (SET LOCAL) to say who acts for the application.",
                               &tg::guc_actor, "", PGC_USERSET, 0, nullptr, nullptr, nullptr);
    tg::scope::define_gucs();
    tg::define_truncate_guc();
    tg::define_token_gucs();
    MarkGUCPrefixReserved("tenant_guard");

    RegisterXactCallback(tg::reset_at_transaction_end, nullptr);
    tg::register_shape_cache_callbacks();
    tg::catalog::register_cache_callbacks();
    tg::register_log_writer_callbacks();
    tg::register_import_callbacks();
    tg::scope::install_hooks();
    tg::capture_order::install_hook();
    tg::running_query::install_hook();
    tg::audit::install_permission_hint();
}
