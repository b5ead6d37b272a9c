#include "extension/change_seq.hpp"

#include "extension/spi.hpp"

namespace tg {

int64 next_change_seq() {
    spi::AsExtensionOwner owner;
    spi::exec("SELECT last_value + CASE WHEN is_called THEN 1 ELSE 0 END FROM tenant_guard.change_seq");
    return spi::int64_at(0, 1);
}

}  // namespace tg
