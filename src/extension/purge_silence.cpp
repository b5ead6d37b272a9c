// Whether capture must leave no trace of a deleted row (module.hpp): C++
// code called by the PostgreSQL side, so its body runs under report_errors.
#include "extension/capture_scopes.hpp"
#include "extension/pg/catalog_calls.hpp"
#include "extension/pg/spi_calls.hpp"

namespace tg {

const PurgeSilence *purge_silence = nullptr;

bool is_silenced_row(Oid relid, Datum tenant, Datum pk) {
    return report_errors([&] {
        if (!purge_silence) return false;
        auto it = purge_silence->rows.find(relid);
        if (it == purge_silence->rows.end()) return false;
        const pg::Bytes t = pg::varlena_bytes(tenant);
        if (purge_silence->tenant != std::string(t.data, t.len)) return false;
        return it->second.empty() || it->second.count(pg::jsonb_text(pk)) > 0;
    });
}

}  // namespace tg
