#include "extension/history_entries.hpp"

#include "extension/pg/catalog_calls.hpp"
#include "extension/spi.hpp"

namespace tg {

std::string change_rows() {
    return pg::change_log_has_entries() ? "tenant_guard._change_rows" : "tenant_guard.change_log_data";
}

std::string changes_held(const std::string &alias) {
    return pg::change_log_has_entries() ? "coalesce(" + alias + ".entry_rows, 1)" : "1";
}

void explode_entries(const registry::ProtectedTable &table, const std::optional<std::string> &tenant) {
    if (!pg::change_log_has_entries()) return;
    spi::AsExtensionOwner owner;
    spi::exec("SELECT tenant_guard._explode_entries($1, $2)",
              {{INT4OID, datum::from_int32(table.table_id)}, tenant ? spi::text_arg(*tenant) : spi::null_arg(TEXTOID)});
}

}  // namespace tg
